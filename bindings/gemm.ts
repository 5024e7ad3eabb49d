// The f32 GEMM driver: the generic loops around the microkernels (BLIS style: only the
// microkernel is ISA-specific). Pointers in, nothing validated here: src/ has checked shapes.
import type { KernelModule } from './module.js';
import { kernelsOf, type GemmKernelInfo, type PackKernelInfo } from './kernels.js';
import type { Arena } from './memory.js';

const PANEL = 8;

/** Bytes of a packed f32 weight for n columns and k rows (panels of 8 with their bias). */
export function packedBytes(n: number, k: number): number {
  return Math.ceil(n / PANEL) * (PANEL + PANEL * k) * 4;
}

export interface GemmArgs {
  m: number; n: number; k: number;
  a: number; aStride: number;   // bytes
  w: number;                    // packed weights
  c: number; cStride: number;   // bytes
  min: number; max: number;
}

const gemmKernels = kernelsOf('f32-gemm');
const tileKernel = gemmKernels.find((k) => k.name === 'f32_gemm_4x8__simd')!;
const rowKernel = gemmKernels.find((k) => k.name === 'f32_gemm_1x32__simd')!;
const packKernels = kernelsOf('f32-packw');

/** Packs B (k×n as given, or n×k when `transposed`) with an optional bias into panels. */
export function packWeights(mod: KernelModule, n: number, k: number, b: number, transposed: boolean, bias: number, out: number): void {
  const layout: PackKernelInfo['layout'] = transposed ? 'goi' : 'gio';
  const pk = packKernels.find((p) => p.layout === layout)!;
  mod.exports[pk.name](n, k, b, (transposed ? k : n) * 4, bias, out);
}

/** Rewrites the bias slots of packed weights (zeros where `bias` is 0). */
export function setPackedBias(arena: Arena, n: number, k: number, w: number, bias: Float32Array | null): void {
  const f32 = arena.f32;
  const panelFloats = PANEL + PANEL * k;
  for (let p = 0, n0 = 0; n0 < n; p++, n0 += PANEL) {
    const at = (w >> 2) + p * panelFloats;
    for (let j = 0; j < PANEL; j++) f32[at + j] = bias && n0 + j < n ? bias[n0 + j] : 0;
  }
}

// Columns per N block: packed panels of the block stay in L2 (≈1 MiB per Zen 5 core; half of
// it leaves room for A and C) while every 4-row tile of A streams past them.
const L2_BLOCK_BYTES = 512 * 1024;

/**
 * C = clamp(A·B + bias). Which kernel computes a row never changes its bits (every variant
 * shares one reduction order), so the split below is free to follow speed alone.
 */
export function gemm(mod: KernelModule, g: GemmArgs, force?: GemmKernelInfo): void {
  const { m, n, k } = g;
  if (m === 0 || n === 0) return;
  const kern = force ?? (m === 1 ? rowKernel : tileKernel);
  const fn = mod.exports[kern.name];
  const panelBytes = (PANEL + PANEL * k) * 4;
  const blockPanels = Math.max(1, Math.floor(L2_BLOCK_BYTES / panelBytes));
  const nBlock = kern.mr === 1 ? n : blockPanels * PANEL;
  for (let n0 = 0; n0 < n; n0 += nBlock) {
    const nc = Math.min(nBlock, n - n0);
    const w = g.w + (n0 / PANEL) * panelBytes;
    const c = g.c + n0 * 4;
    for (let m0 = 0; m0 < m; m0 += kern.mr) {
      fn(Math.min(kern.mr, m - m0), nc, k, g.a + m0 * g.aStride, g.aStride, w, c + m0 * g.cStride, g.cStride, g.min, g.max);
    }
  }
}

/** out (cols×rows) = transpose of inp (rows×cols), 32-bit elements, dense strides. */
export function transpose32(mod: KernelModule, rows: number, cols: number, inp: number, out: number): void {
  mod.exports.x32_transpose_4x4__simd(rows, cols, inp, cols * 4, out, rows * 4);
}
