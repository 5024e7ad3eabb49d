// The quantized GEMM driver: weight packing for 8/4/2-bit weights, the requantization params
// block, and the generic loops around the qs8-qc*w-gemm microkernels. Pointers in; nothing is
// validated here (src/ops/qmatmul.ts has checked shapes, ranges and overflow bounds).
import type { Device, Block } from './device.js';
import { kernelsOf, type QGemmKernelInfo } from './kernels.js';

export type WeightBits = 8 | 4 | 2;
export const QPANEL = 8;
/** bias and scale arrays are padded to this many columns (the GEMV reads 16 at a time). */
export const QPAD = 16;

export const qFamily = { 8: 'qs8-qc8w-gemm', 4: 'qs8-qc4w-gemm', 2: 'qs8-qc2w-gemm' } as const;

/** k-pairs a kernel of this weight width iterates (int2 kernels take two pairs per step). */
export function qPairs(k: number, bits: WeightBits): number {
  return bits === 2 ? Math.ceil(k / 4) * 2 : Math.ceil(k / 2);
}

/** Bytes of one packed panel of 8 columns. */
export function qPanelBytes(k: number, bits: WeightBits): number {
  return qPairs(k, bits) * (bits === 8 ? 32 : bits === 4 ? 8 : 4);
}

export function qPackedWeightBytes(n: number, k: number, bits: WeightBits): number {
  return Math.ceil(n / QPANEL) * qPanelBytes(k, bits);
}

/** Bytes of A packed by qs8/qu8-packx: tiles of 4 rows, k padded to a multiple of 4, i16. */
export function qPackedABytes(m: number, k: number): number {
  return Math.ceil(m / 4) * Math.ceil(k / 4) * 4 * 8;
}

export const padColumns = (n: number) => Math.ceil(n / QPAD) * QPAD;

/**
 * Packs logical weights (k×n, row-major, zero point already subtracted; values in the range
 * of `bits`: [−255, 255] for 8, [−8, 7] for 4, [−2, 1] for 2) into `out` (qPackedWeightBytes).
 * Layouts: see the contract comments of assembly/qs8-qc{8,4,2}w-gemm/4x8-simd-dot16.ts.
 */
export function packQWeights(out: Uint8Array, n: number, k: number, bits: WeightBits, w: Int16Array): void {
  const pairs = qPairs(k, bits);
  const at = (kk: number, j: number) => (kk < k && j < n ? w[kk * n + j] : 0);
  let o = 0;
  out.fill(0);
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let n0 = 0; n0 < n; n0 += QPANEL) {
    if (bits === 8) {
      for (let p = 0; p < pairs; p++) {
        for (let j = 0; j < 8; j++) {
          dv.setInt16(o, at(2 * p, n0 + j), true);
          dv.setInt16(o + 2, at(2 * p + 1, n0 + j), true);
          o += 4;
        }
      }
    } else if (bits === 4) {
      for (let p = 0; p < pairs; p++) {
        for (let i = 0; i < 8; i++) {
          const kk = 2 * p + (i & 1), col = i >> 1;
          const lo = at(kk, n0 + col) & 15, hi = at(kk, n0 + 4 + col) & 15;
          out[o++] = lo | (hi << 4);
        }
      }
    } else {
      for (let p = 0; p < pairs; p += 2) {
        for (let i = 0; i < 8; i++) {
          const col = i >> 1, dk = i & 1;
          const c0 = at(2 * p + dk, n0 + col) & 3;
          const c1 = at(2 * p + dk, n0 + 4 + col) & 3;
          const c2 = at(2 * p + 2 + dk, n0 + col) & 3;
          const c3 = at(2 * p + 2 + dk, n0 + 4 + col) & 3;
          out[o++] = c0 | (c1 << 2) | (c2 << 4) | (c3 << 6);
        }
      }
    }
  }
}

/** Requantization modes of the kernels (assembly/util/requant.ts). */
export const QMode = { Fp32: 0, Dyadic: 1, Int32: 2 } as const;
export type QMode = (typeof QMode)[keyof typeof QMode];

export const PARAMS_BYTES = 80;

export interface QParams {
  mode: QMode;
  unsigned: boolean;
  /** Dyadic: the total right shift sh (32 ≤ sh ≤ 62). */
  shift: number;
  zeroPoint: number;
  lo: number;
  hi: number;
}

export function writeParams(dev: Device, ptr: number, p: QParams): void {
  const dv = new DataView(dev.arena.u8.buffer, ptr, PARAMS_BYTES);
  dv.setInt32(0, p.mode, true);
  dv.setInt32(4, p.unsigned ? 1 : 0, true);
  dv.setInt32(8, p.mode === QMode.Dyadic ? p.shift - 32 : 0, true);
  for (let i = 0; i < 8; i++) dv.setInt16(16 + 2 * i, p.zeroPoint, true);
  for (let i = 0; i < 16; i++) { dv.setUint8(32 + i, p.lo & 255); dv.setUint8(48 + i, p.hi & 255); }
  const rnd = p.mode === QMode.Dyadic ? 2n ** BigInt(p.shift - 1) : 0n;
  dv.setBigInt64(64, rnd, true);
  dv.setBigInt64(72, rnd, true);
}

export interface QGemmArgs {
  m: number; n: number; k: number; bits: WeightBits;
  /** A: m×k int8 (aSigned) or uint8, row i at a + i·aStride. */
  a: number; aStride: number; aSigned: boolean;
  /** Packed weights (packQWeights). */
  w: number;
  /** int32 bias and per-column f32 scales / int32 multipliers, padded to padColumns(n). */
  bias: number; scale: number;
  /** Output: row i at c + i·cStride bytes (int8/uint8, or int32 in mode Int32). */
  c: number; cStride: number;
  params: number;
  /** Scratch of qPackedABytes(m, k). */
  scratch: number;
}

const gemmOf = (bits: WeightBits, mr: number): QGemmKernelInfo =>
  kernelsOf(qFamily[bits]).find((x) => x.mr === mr)! as QGemmKernelInfo;

/** The kernel the driver uses for an m-row problem with `bits`-bit weights. */
export function chooseQGemmKernel(m: number, bits: WeightBits): QGemmKernelInfo {
  return gemmOf(bits, m === 1 ? 1 : 4);
}

// Columns per N block: the block's packed panels stay in L2 while every row tile streams past.
const L2_BLOCK_BYTES = 384 * 1024;

/**
 * C = requant(bias + A·W). Integer accumulation is exact and every kernel of a weight width
 * requantizes with the same rule, so the loops below never change a bit of the result.
 */
export function qgemm(dev: Device, g: QGemmArgs, kern: QGemmKernelInfo = chooseQGemmKernel(g.m, g.bits), mode: QMode = QMode.Fp32): void {
  const { m, n, k, bits } = g;
  if (m === 0 || n === 0) return;
  const ex = dev.kmod.exports;
  ex[g.aSigned ? 'qs8_packx_4__simd' : 'qu8_packx_4__simd'](m, k, g.a, g.aStride, g.scratch);
  const fn = ex[kern.name];
  const panelBytes = qPanelBytes(k, bits);
  const tileBytes = Math.ceil(k / 4) * 32;
  const outBytes = mode === QMode.Int32 ? 4 : 1;
  if (kern.mr === 1) {
    for (let i = 0; i < m; i++) {
      fn(n, k, g.scratch + (i >> 2) * tileBytes + (i & 3) * 4, g.w, g.bias, g.scale, g.c + i * g.cStride, g.params);
    }
    return;
  }
  const nBlock = Math.max(1, Math.floor(L2_BLOCK_BYTES / Math.max(panelBytes, 1))) * QPANEL;
  for (let n0 = 0; n0 < n; n0 += nBlock) {
    const nc = Math.min(nBlock, n - n0);
    const w = g.w + (n0 / QPANEL) * panelBytes;
    const c = g.c + n0 * outBytes;
    const bias = g.bias + n0 * 4, s = g.scale + n0 * 4;
    for (let m0 = 0; m0 < m; m0 += 4) {
      fn(Math.min(4, m - m0), nc, k, g.scratch + (m0 >> 2) * tileBytes, w, bias, s, c + m0 * g.cStride, g.cStride, g.params);
    }
  }
}

/** Dyadic requantization with a shift per column (the scalar fallback after an int32 GEMM). */
export function requantDyadicColumns(dev: Device, m: number, n: number, acc: number, accStride: number,
  mult: number, shift: number, zp: number, lo: number, hi: number, unsigned: boolean, out: number, outStride: number): void {
  dev.kmod.exports.qs8_requant_x1__scalar_dyadic(m, n, acc, accStride, mult, shift, zp, lo, hi, unsigned ? 1 : 0, out, outStride);
}

export interface QMatMulRun {
  m: number; n: number; k: number; bits: WeightBits;
  /** A: m×k int8/uint8, row-major. */
  a: Block; aSigned: boolean;
  w: Block;
  /** int32 bias per column with −zp_a·Σw folded in (wrapped to int32). */
  bias: Int32Array;
  mode: QMode;
  /** fp32: per-column f32 scales. */
  scale?: Float32Array;
  /** dyadic: per-column multipliers and one shift, or a shift per column. */
  multiplier?: Int32Array;
  shift?: number | Int32Array;
  zeroPoint: number; lo: number; hi: number; unsignedOut: boolean;
  /** m×n outputs (int8/uint8, or int32 in mode Int32). */
  out: Block;
}

/** One quantized matrix multiply on blocks: scratch allocated and freed here. */
export function runQMatMul(dev: Device, r: QMatMulRun): void {
  const { m, n, k, bits } = r;
  if (m === 0 || n === 0) return;
  const np = padColumns(n);
  let uniformShift: number | null = null;
  if (r.mode === QMode.Dyadic) {
    const sh = r.shift!;
    if (typeof sh === 'number') uniformShift = sh;
    else if (sh.every((v) => v === sh[0])) uniformShift = sh[0];
  }
  const fused = r.mode !== QMode.Dyadic || (uniformShift !== null && uniformShift >= 32);
  const aBytes = qPackedABytes(m, k);
  const tmp = dev.alloc(np * 8 + 128 + aBytes + (fused ? 0 : m * n * 4 + np * 4), 'qmatmul scratch');
  try {
    const base = tmp.ptr;
    const biasPtr = base, scalePtr = base + np * 4, paramsPtr = base + np * 8, aPtr = paramsPtr + 128;
    const u8 = dev.arena.u8;
    const i32 = new Int32Array(u8.buffer, biasPtr, np * 2);
    i32.fill(0);
    i32.set(r.bias);
    if (r.mode === QMode.Fp32) new Float32Array(u8.buffer, scalePtr, n).set(r.scale!);
    else if (r.mode === QMode.Dyadic) new Int32Array(u8.buffer, scalePtr, n).set(r.multiplier!);
    const params: QParams = { mode: fused ? r.mode : QMode.Int32, unsigned: r.unsignedOut, shift: uniformShift ?? 32,
      zeroPoint: r.zeroPoint, lo: r.lo, hi: r.hi };
    writeParams(dev, paramsPtr, params);
    const outBytes = r.mode === QMode.Int32 ? 4 : 1;
    const g: QGemmArgs = { m, n, k, bits, a: r.a.ptr, aStride: k, aSigned: r.aSigned, w: r.w.ptr, bias: biasPtr,
      scale: scalePtr, c: r.out.ptr, cStride: n * outBytes, params: paramsPtr, scratch: aPtr };
    if (fused) {
      qgemm(dev, g, chooseQGemmKernel(m, bits), r.mode);
    } else {
      const accPtr = aPtr + aBytes, shiftPtr = accPtr + m * n * 4;
      qgemm(dev, { ...g, c: accPtr, cStride: n * 4 }, chooseQGemmKernel(m, bits), QMode.Int32);
      const shifts = new Int32Array(dev.arena.u8.buffer, shiftPtr, n);
      if (typeof r.shift === 'number') shifts.fill(r.shift); else shifts.set(r.shift!);
      requantDyadicColumns(dev, m, n, accPtr, n * 4, scalePtr, shiftPtr, r.zeroPoint, r.lo, r.hi, r.unsignedOut, r.out.ptr, n);
    }
  } finally {
    dev.free(tmp);
  }
}
