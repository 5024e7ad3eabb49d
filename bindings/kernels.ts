// The kernel registry: one line per exported kernel. Drivers pick kernels from it; tests and
// benchmarks iterate over it, so a new variant is covered once it has its line here.
import type { BuildName } from './module.js';
import { buildNames } from './module.js';

export interface GemmKernelInfo {
  name: string;
  family: 'f32-gemm';
  /** Register tile: rows of A, columns of C per call step. */
  mr: number;
  nr: number;
  /** Packed panel width it reads (the f32-packw NR). */
  panel: number;
  /** How it reads A: row-major rows, or tiles from the x32-packx kernel with this many rows. */
  packA: number | null;
  builds: readonly BuildName[];
}

export interface PackKernelInfo {
  name: string;
  family: 'f32-packw';
  panel: number;
  /** Source layout: 'gio' = K×N (B as given), 'goi' = N×K (B transposed). */
  layout: 'gio' | 'goi';
  builds: readonly BuildName[];
}

export interface PackAKernelInfo {
  name: string;
  family: 'x32-packx';
  /** Rows per tile. */
  mr: number;
  /** Source: A row-major ('n') or its transpose ('t'). */
  source: 'n' | 't';
  builds: readonly BuildName[];
}

export type KernelInfo = GemmKernelInfo | PackKernelInfo | PackAKernelInfo;

const all = buildNames;

export const kernels: readonly KernelInfo[] = [
  { name: 'f32_gemm_4x8__simd_packa', family: 'f32-gemm', mr: 4, nr: 8, panel: 8, packA: 4, builds: all },
  { name: 'f32_gemm_1x24__simd', family: 'f32-gemm', mr: 1, nr: 24, panel: 8, packA: null, builds: all },
  { name: 'f32_packw_x8__simd_gio', family: 'f32-packw', panel: 8, layout: 'gio', builds: all },
  { name: 'f32_packw_x8__scalar_goi', family: 'f32-packw', panel: 8, layout: 'goi', builds: all },
  { name: 'x32_packx_4__simd', family: 'x32-packx', mr: 4, source: 'n', builds: all },
  { name: 'x32_packx_4__simd_t', family: 'x32-packx', mr: 4, source: 't', builds: all },
];

export function kernelsOf<F extends KernelInfo['family']>(family: F): Extract<KernelInfo, { family: F }>[] {
  return kernels.filter((k) => k.family === family) as Extract<KernelInfo, { family: F }>[];
}

export function kernel<F extends KernelInfo['family']>(family: F, name: string): Extract<KernelInfo, { family: F }> {
  const k = kernelsOf(family).find((x) => x.name === name);
  if (!k) throw new Error(`no ${family} kernel named ${name}`);
  return k;
}
