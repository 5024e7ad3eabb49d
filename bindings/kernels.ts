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
  /** Weights as f32-packw writes them, or regrouped by f32-regroupw (groups of 24 columns). */
  layout: 'panels' | 'rows';
  builds: readonly BuildName[];
}

/** Converts packed weights in place between the panel and row-grouped layouts. */
export interface RegroupKernelInfo {
  name: string;
  family: 'f32-regroupw';
  /** Columns per row group. */
  group: number;
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

// f32 convolution family (bindings/conv.ts drives them)
export interface IgemmKernelInfo {
  name: string;
  family: 'f32-igemm';
  /** Register tile: output pixels × output channels; reads f32-packw panels of `panel` columns. */
  mr: number;
  nr: number;
  panel: number;
  /** Rows per group of indirection entries ([groups][ks][entryRows] u32), whatever the tile. */
  entryRows: 4;
  builds: readonly BuildName[];
}

export interface DwconvKernelInfo {
  name: string;
  family: 'f32-dwconv';
  /** Window taps it is unrolled for (9 = 3×3, 25 = 5×5), or null: any window (takes ks). */
  taps: number | null;
  /** Channels per main-loop step (the packed tile is always 8 channels). */
  channels: number;
  /**
   * How it finds its taps: 'relative' indirection entries (offsets from the image, 0xFFFFFFFF =
   * padding), or 'direct': 3×3 windows only, no indirection (strides, dilations and padding
   * come as a geometry block, whole output rows per call).
   */
  pointers: 'relative' | 'direct';
  builds: readonly BuildName[];
}

export interface MaxpoolKernelInfo {
  name: string;
  family: 'f32-maxpool';
  /** Window taps the kernel is written for (null: any window). */
  taps: number | null;
  channels: number;
  builds: readonly BuildName[];
}

export interface AvgpoolKernelInfo {
  name: string;
  family: 'f32-avgpool';
  /** Window taps the kernel is written for (null: any window). */
  taps: number | null;
  channels: number;
  builds: readonly BuildName[];
}

export interface VaddKernelInfo {
  name: string;
  family: 'f32-vadd';
  /**
   * How the second operand is read: whole ('none'), as one value broadcast along the run
   * ('scalar'), or as one row of m values broadcast down `rows` rows ('row': arguments rows, m
   * before the pointers).
   */
  broadcast: 'none' | 'scalar' | 'row';
  builds: readonly BuildName[];
}

export interface VclampKernelInfo {
  name: string;
  family: 'f32-vclamp';
  builds: readonly BuildName[];
}

export interface GavgpoolKernelInfo {
  name: string;
  /** Global average pooling of one image, or a range of its channels: (pixels, channels, x, xStride, out). */
  family: 'f32-gavgpool';
  builds: readonly BuildName[];
}

export interface TransposeKernelInfo {
  name: string;
  /** 32-bit elements: dst[j][i] = src[i][j] (rows, cols, src, sStride, dst, dStride). */
  family: 'x32-transpose';
  builds: readonly BuildName[];
}

export interface KsliceKernelInfo {
  name: string;
  /** K slices of packed weights (panels, k, k0, kc, src, dst): panels of K = k → panels of K = kc. */
  family: 'x32-kslice';
  builds: readonly BuildName[];
}

export interface RepKernelInfo {
  name: string;
  /** 32-bit elements: dst[i·m + j] = src[i] (n, m, src, dst). */
  family: 'x32-rep';
  builds: readonly BuildName[];
}

// f16 family (bindings/f16.ts drives them)
export interface F16GemmInfoOf<F extends 'f16-f32acc-gemm' | 'f16-gemm'> {
  name: string;
  family: F;
  /** 'f16': f32 accumulation, one rounding at store; 'f16-exact': binary16 FMA every step. */
  precision: F extends 'f16-gemm' ? 'f16-exact' : 'f16';
  /** Register tile; reads f16-packw panels of `panel` columns, widened to f32 by the driver ('f32') or read as binary16 ('f16'). */
  mr: number;
  nr: number;
  panel: number;
  weights: 'f32' | 'f16';
  /** How it reads A: x32-packx tiles of this many rows (over the widened A), or null: one widened row (mr = 1). */
  packA: number | null;
  /** True: the weights must hold no Inf or NaN (the drivers know it from packing). */
  finiteWeights?: true;
  /** True: reads the widened A rows multiplied by 2^112 (exact for binary16 values). */
  scaledA?: true;
  builds: readonly BuildName[];
}
export type F16GemmKernelInfo = F16GemmInfoOf<'f16-f32acc-gemm'> | F16GemmInfoOf<'f16-gemm'>;

export interface F16DwconvKernelInfo {
  name: string;
  family: 'f16-dwconv';
  /** 'f16-exact': binary16 FMA per tap; 'f16': f32 accumulation, one rounding at the store. */
  precision: 'f16-exact' | 'f16';
  /** Window taps it is unrolled for, or null: any window (takes ks). */
  taps: number | null;
  /** Channels per step. */
  channels: number;
  builds: readonly BuildName[];
}

export interface F16VcvtInfoOf<F extends 'f16-f32-vcvt' | 'f32-f16-vcvt'> {
  name: string;
  family: F;
  /** Elements per main-loop step (any n is accepted). */
  tile: number;
  /**
   * The inputs its fast path takes: any sign, or nonnegative ones only (the others run the
   * general conversion: same bits, slower). Drivers narrowing a clamp's output with min ≥ 0
   * pick 'nonnegative'.
   */
  fast: 'any' | 'nonnegative';
  builds: readonly BuildName[];
}
export type F16VcvtKernelInfo = F16VcvtInfoOf<'f16-f32-vcvt'> | F16VcvtInfoOf<'f32-f16-vcvt'>;

export interface F16PackXKernelInfo {
  name: string;
  family: 'f16-f32-packx';
  /** Rows per tile; the output is x32-packx's layout over the widened A. */
  mr: number;
  /** Source: A row-major ('n') or its transpose ('t'). */
  source: 'n' | 't';
  builds: readonly BuildName[];
}

export interface F16PackKernelInfo {
  name: string;
  family: 'f16-packw';
  panel: number;
  /** Source layout: 'gio' = K×N (B as given), 'goi' = N×K (B transposed). */
  layout: 'gio' | 'goi';
  builds: readonly BuildName[];
}

// Quantized GEMM family (bindings/quant.ts drives them)
export interface QGemmInfoOf<F extends 'qs8-qc8w-gemm' | 'qs8-qc4w-gemm' | 'qs8-qc2w-gemm'> {
  name: string;
  family: F;
  /** Weight bits: 8 (pre-widened i16), 4 or 2 (packed, unpacked in registers). */
  bits: 8 | 4 | 2;
  /** Register tile: rows (1 = GEMV) × columns per step; reads panels of 8 columns. */
  mr: number;
  nr: number;
  builds: readonly BuildName[];
}
export type QGemmKernelInfo = QGemmInfoOf<'qs8-qc8w-gemm'> | QGemmInfoOf<'qs8-qc4w-gemm'> | QGemmInfoOf<'qs8-qc2w-gemm'>;

export interface QPackXKernelInfo {
  name: string;
  family: 'qs8-packx' | 'qu8-packx';
  /** Rows per tile. */
  mr: number;
  builds: readonly BuildName[];
}

export interface QRequantKernelInfo {
  name: string;
  family: 'qs8-requant';
  mode: 'dyadic';
  /** The per-column shifts it takes, inclusive. */
  shifts: readonly [number, number];
  /** What its per-column argument points at: the shifts, or writeRequantTable's table. */
  perColumn: 'shifts' | 'table';
  builds: readonly BuildName[];
}

export interface QConvKernelInfo {
  name: string;
  family: 'qs8-qc8w-igemm' | 'qs8-vwiden' | 'qu8-vwiden' | 'qs8-qc8w-dwconv' | 'qu8-qc8w-dwconv';
  /** Signed (qs8) or unsigned (qu8) activations (the IGEMM reads i16-widened activations of either sign). */
  signed: boolean;
  /** Depthwise: the one window size (taps) the kernel serves, without a taps argument; absent: any. */
  taps?: number;
  builds: readonly BuildName[];
}

export interface QUnpackKernelInfo {
  name: string;
  family: 'qs8-qc4w-unpack' | 'qs8-qc2w-unpack' | 'qs8-qc2w-gemv' | 'qs8-qc2w-packa';
  bits: 4 | 2;
  builds: readonly BuildName[];
}

export interface Im2colKernelInfo {
  name: string;
  family: 'x16-im2col';
  builds: readonly BuildName[];
}

/** 8-bit quantize / dequantize conversions per tensor, and quantize's min/max. */
export interface QVcvtKernelInfo {
  name: string;
  family: 'f32-rminmax' | 'f32-qs8-vcvt' | 'f32-qu8-vcvt' | 'qs8-f32-vcvt' | 'qu8-f32-vcvt';
  /** Elements per main-loop step (any n is served). */
  tile: number;
  builds: readonly BuildName[];
}

export type KernelInfo = GemmKernelInfo | RegroupKernelInfo | PackKernelInfo | PackAKernelInfo | F16GemmKernelInfo | F16VcvtKernelInfo | F16PackKernelInfo | F16DwconvKernelInfo | F16PackXKernelInfo
  | IgemmKernelInfo | DwconvKernelInfo | MaxpoolKernelInfo | AvgpoolKernelInfo | VaddKernelInfo | VclampKernelInfo | TransposeKernelInfo | RepKernelInfo | KsliceKernelInfo | GavgpoolKernelInfo
  | QGemmKernelInfo | QPackXKernelInfo | QRequantKernelInfo | QConvKernelInfo | QUnpackKernelInfo | QVcvtKernelInfo | Im2colKernelInfo;

const all = buildNames;

export const kernels: readonly KernelInfo[] = [
  { name: 'f32_gemm_4x8__simd_packa', family: 'f32-gemm', mr: 4, nr: 8, panel: 8, packA: 4, layout: 'panels', builds: all },
  { name: 'f32_gemm_1x24__simd', family: 'f32-gemm', mr: 1, nr: 24, panel: 8, packA: null, layout: 'panels', builds: all },
  { name: 'f32_gemm_1x24__simd_rows', family: 'f32-gemm', mr: 1, nr: 24, panel: 8, packA: null, layout: 'rows', builds: all },
  { name: 'f32_regroupw_x24__simd', family: 'f32-regroupw', group: 24, builds: all },
  { name: 'f32_packw_x8__simd_gio', family: 'f32-packw', panel: 8, layout: 'gio', builds: all },
  { name: 'f32_packw_x8__scalar_goi', family: 'f32-packw', panel: 8, layout: 'goi', builds: all },
  { name: 'x32_packx_4__simd', family: 'x32-packx', mr: 4, source: 'n', builds: all },
  { name: 'x32_packx_4__simd_t', family: 'x32-packx', mr: 4, source: 't', builds: all },
  // f32 convolution family
  { name: 'f32_igemm_4x8__simd', family: 'f32-igemm', mr: 4, nr: 8, panel: 8, entryRows: 4, builds: all },
  { name: 'f32_igemm_2x8__simd', family: 'f32-igemm', mr: 2, nr: 8, panel: 8, entryRows: 4, builds: all },
  { name: 'f32_dwconv_9p4c__simd_direct', family: 'f32-dwconv', taps: 9, channels: 4, pointers: 'direct', builds: all },
  { name: 'f32_dwconv_9p8c__simd', family: 'f32-dwconv', taps: 9, channels: 8, pointers: 'relative', builds: all },
  { name: 'f32_dwconv_25p8c__simd', family: 'f32-dwconv', taps: 25, channels: 8, pointers: 'relative', builds: all },
  { name: 'f32_dwconv_xp8c__simd', family: 'f32-dwconv', taps: null, channels: 8, pointers: 'relative', builds: all },
  { name: 'f32_maxpool_c4__simd', family: 'f32-maxpool', taps: null, channels: 4, builds: all },
  { name: 'f32_maxpool_9p4c__simd', family: 'f32-maxpool', taps: 9, channels: 4, builds: all },
  { name: 'f32_maxpool_4p4c__simd', family: 'f32-maxpool', taps: 4, channels: 4, builds: all },
  { name: 'f32_avgpool_c4__simd', family: 'f32-avgpool', taps: null, channels: 4, builds: all },
  { name: 'f32_avgpool_9p4c__simd', family: 'f32-avgpool', taps: 9, channels: 4, builds: all },
  { name: 'f32_avgpool_4p4c__simd', family: 'f32-avgpool', taps: 4, channels: 4, builds: all },
  { name: 'x32_transpose_4x4__simd', family: 'x32-transpose', builds: all },
  { name: 'x32_rep_x4__simd', family: 'x32-rep', builds: all },
  { name: 'x32_kslice_x8__simd', family: 'x32-kslice', builds: all },
  { name: 'f32_gavgpool_c4__simd', family: 'f32-gavgpool', builds: all },
  { name: 'f32_vadd_x8__simd', family: 'f32-vadd', broadcast: 'none', builds: all },
  { name: 'f32_vadd_x8__simd_c', family: 'f32-vadd', broadcast: 'scalar', builds: all },
  { name: 'f32_vadd_x8__simd_r', family: 'f32-vadd', broadcast: 'row', builds: all },
  { name: 'f32_vclamp_x8__simd', family: 'f32-vclamp', builds: all },
  // f16 family
  { name: 'f16_f32_vcvt_x16__simd', family: 'f16-f32-vcvt', tile: 16, fast: 'any', builds: all },
  { name: 'f32_f16_vcvt_x16__simd', family: 'f32-f16-vcvt', tile: 16, fast: 'any', builds: all },
  { name: 'f32_f16_vcvt_x16__simd_pos', family: 'f32-f16-vcvt', tile: 16, fast: 'nonnegative', builds: all },
  { name: 'f16_f32_packx_4__simd', family: 'f16-f32-packx', mr: 4, source: 'n', builds: all },
  { name: 'f16_f32_packx_4__simd_t', family: 'f16-f32-packx', mr: 4, source: 't', builds: all },
  { name: 'f16_packw_x8__simd_gio', family: 'f16-packw', panel: 8, layout: 'gio', builds: all },
  { name: 'f16_packw_x8__scalar_goi', family: 'f16-packw', panel: 8, layout: 'goi', builds: all },
  { name: 'f16_f32acc_gemm_4x8__simd_packa', family: 'f16-f32acc-gemm', precision: 'f16', mr: 4, nr: 8, panel: 8, weights: 'f32', packA: 4, builds: all },
  { name: 'f16_f32acc_gemm_1x16__simd_f16w', family: 'f16-f32acc-gemm', precision: 'f16', mr: 1, nr: 16, panel: 8, weights: 'f16', packA: null, builds: all },
  { name: 'f16_f32acc_gemm_1x16__simd_f16w_finite', family: 'f16-f32acc-gemm', precision: 'f16', mr: 1, nr: 16, panel: 8, weights: 'f16', packA: null, finiteWeights: true, builds: all },
  { name: 'f16_f32acc_gemm_4x8__simd_f16w_finite', family: 'f16-f32acc-gemm', precision: 'f16', mr: 4, nr: 8, panel: 8, weights: 'f16', packA: 4, finiteWeights: true, builds: all },
  { name: 'f16_f32acc_gemm_2x16__simd_f16w_finite', family: 'f16-f32acc-gemm', precision: 'f16', mr: 2, nr: 16, panel: 8, weights: 'f16', packA: null, finiteWeights: true, scaledA: true, builds: all },
  { name: 'f16_f32acc_gemm_3x8__simd_f16w_finite', family: 'f16-f32acc-gemm', precision: 'f16', mr: 3, nr: 8, panel: 8, weights: 'f16', packA: null, finiteWeights: true, scaledA: true, builds: all },
  { name: 'f16_gemm_4x8__simd_exact', family: 'f16-gemm', precision: 'f16-exact', mr: 4, nr: 8, panel: 8, weights: 'f32', packA: 4, builds: all },
  { name: 'f16_gemm_1x16__simd_exact', family: 'f16-gemm', precision: 'f16-exact', mr: 1, nr: 16, panel: 8, weights: 'f32', packA: 4, builds: all },
  { name: 'f16_dwconv_xp8c__simd_exact', family: 'f16-dwconv', precision: 'f16-exact', taps: null, channels: 8, builds: all },
  { name: 'x16_im2col_x8__simd', family: 'x16-im2col', builds: all },
  // quantized GEMM family
  { name: 'qs8_packx_4__simd', family: 'qs8-packx', mr: 4, builds: all },
  { name: 'qu8_packx_4__simd', family: 'qu8-packx', mr: 4, builds: all },
  { name: 'qs8_qc8w_gemm_4x8__simd_dot16', family: 'qs8-qc8w-gemm', bits: 8, mr: 4, nr: 8, builds: all },
  { name: 'qs8_qc8w_gemm_1x16__simd_dot16', family: 'qs8-qc8w-gemm', bits: 8, mr: 1, nr: 16, builds: all },
  { name: 'qs8_qc4w_gemm_4x8__simd_dot16', family: 'qs8-qc4w-gemm', bits: 4, mr: 4, nr: 8, builds: all },
  { name: 'qs8_qc4w_gemm_1x16__simd_dot16', family: 'qs8-qc4w-gemm', bits: 4, mr: 1, nr: 16, builds: all },
  { name: 'qs8_qc2w_gemm_4x8__simd_dot16', family: 'qs8-qc2w-gemm', bits: 2, mr: 4, nr: 8, builds: all },
  { name: 'qs8_qc2w_gemm_1x16__simd_dot16', family: 'qs8-qc2w-gemm', bits: 2, mr: 1, nr: 16, builds: all },
  { name: 'qs8_requant_x4__simd_dyadic', family: 'qs8-requant', mode: 'dyadic', shifts: [32, 62], perColumn: 'table', builds: all },
  { name: 'qs8_requant_x1__scalar_dyadic', family: 'qs8-requant', mode: 'dyadic', shifts: [1, 62], perColumn: 'shifts', builds: all },
  { name: 'qs8_qc4w_unpack_x8__simd', family: 'qs8-qc4w-unpack', bits: 4, builds: all },
  { name: 'qs8_qc2w_unpack_x8__simd', family: 'qs8-qc2w-unpack', bits: 2, builds: all },
  { name: 'qs8_qc2w_gemv_1x16__simd_mask', family: 'qs8-qc2w-gemv', bits: 2, builds: all },
  { name: 'qs8_qc2w_packa_x8__simd', family: 'qs8-qc2w-packa', bits: 2, builds: all },
  { name: 'qs8_qc8w_igemm_4x8__simd_dot16', family: 'qs8-qc8w-igemm', signed: true, builds: all },
  { name: 'qs8_vwiden_x16__simd', family: 'qs8-vwiden', signed: true, builds: all },
  { name: 'qu8_vwiden_x16__simd', family: 'qu8-vwiden', signed: false, builds: all },
  { name: 'qs8_qc8w_dwconv_x8__simd', family: 'qs8-qc8w-dwconv', signed: true, builds: all },
  { name: 'qu8_qc8w_dwconv_x8__simd', family: 'qu8-qc8w-dwconv', signed: false, builds: all },
  { name: 'qs8_qc8w_dwconv_9p8c__simd', family: 'qs8-qc8w-dwconv', signed: true, taps: 9, builds: all },
  { name: 'qu8_qc8w_dwconv_9p8c__simd', family: 'qu8-qc8w-dwconv', signed: false, taps: 9, builds: all },
  // quantize (f32 → 8 bits per tensor) and its statistics, dequantize (8 bits per tensor → f32)
  { name: 'f32_rminmax_x16__simd', family: 'f32-rminmax', tile: 16, builds: all },
  { name: 'f32_qs8_vcvt_x16__simd', family: 'f32-qs8-vcvt', tile: 16, builds: all },
  { name: 'f32_qu8_vcvt_x16__simd', family: 'f32-qu8-vcvt', tile: 16, builds: all },
  { name: 'qs8_f32_vcvt_x16__simd', family: 'qs8-f32-vcvt', tile: 16, builds: all },
  { name: 'qu8_f32_vcvt_x16__simd', family: 'qu8-f32-vcvt', tile: 16, builds: all },
];

/** The kernel infos whose family field admits F (an info type may list several families). */
type OfFamily<K, F> = K extends { family: infer G } ? (F extends G ? K : never) : never;

export function kernelsOf<F extends KernelInfo['family']>(family: F): OfFamily<KernelInfo, F>[] {
  return kernels.filter((k) => k.family === family) as OfFamily<KernelInfo, F>[];
}

export function kernel<F extends KernelInfo['family']>(family: F, name: string): OfFamily<KernelInfo, F> {
  const k = kernelsOf(family).find((x) => x.name === name);
  if (!k) throw new Error(`no ${family} kernel named ${name}`);
  return k;
}
