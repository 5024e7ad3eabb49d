// The quantized GEMM driver: weight packing for 8/4/2-bit weights, the requantization params
// block, and the generic loops around the qs8-qc*w-gemm microkernels. Pointers in; nothing is
// validated here (src/ops/qmatmul.ts has checked shapes, ranges and overflow bounds).
import type { Device, Block } from './device.js';
import { kernelsOf, type QConvKernelInfo, type QGemmKernelInfo } from './kernels.js';
import { indirection, type ConvGeometry } from './conv.js';
import { Calls, nBlockColumns, opsFrom, Plan, runPlan, STAGED_PLAN_OPS, threadsFor, tileTasks } from './exec.js';

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

/** Bytes of the int2 GEMV mask-kernel layout (qs8-qc2w-gemv): ceil(n/8) panels of ceil(k/8)·16 bytes. */
export const q2GemvBytes = (n: number, k: number) => Math.ceil(n / QPANEL) * Math.ceil(k / 8) * 16;
/** The mask GEMV keeps 64·Σu·a in int32: |a| ≤ 255, u ≤ 3. */
export const Q2_GEMV_MAX_K = 40000;

/** Packs logical int2 weights (k×n, values in [−2, 1]) for qs8_qc2w_gemv_1x16__simd_mask (offset binary, 4 k-pairs per byte). */
export function packQ2Gemv(out: Uint8Array, n: number, k: number, w: Int16Array): void {
  const groups = Math.ceil(k / 8);
  let o = 0;
  for (let n0 = 0; n0 < n; n0 += QPANEL) {
    for (let q = 0; q < groups; q++) {
      for (let h = 0; h < 2; h++) {
        for (let i = 0; i < 8; i++) {
          const col = n0 + 4 * h + (i >> 1), dk = i & 1;
          let b = 0;
          for (let j = 0; j < 4; j++) {
            const kk = 2 * (4 * q + j) + dk;
            const u = (kk < k && col < n ? w[kk * n + col] : 0) + 2;
            b |= (u & 3) << (2 * j);
          }
          out[o++] = b;
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
  /**
   * int4/int2 with the 4-row kernel: scratch of unpackBlockBytes(k) for the unpack-a-block path
   * (a block of panels widened to i16, then the int8 kernel), or 0/undefined to unpack in registers.
   */
  unpack?: number;
}

/** From this many rows on, int4/int2 GEMMs unpack a block of panels once and run the int8 kernel. */
export const UNPACK_MIN_ROWS = 16;

/** Bytes of the unpack-a-block scratch: at least one panel, about QBLOCK_BYTES. */
export function unpackBlockBytes(k: number): number {
  const panel = Math.ceil(k / 2) * 32;
  return Math.max(1, Math.floor(QBLOCK_BYTES / Math.max(panel, 1))) * panel;
}

const gemmOf = (bits: WeightBits, mr: number): QGemmKernelInfo =>
  kernelsOf(qFamily[bits]).find((x) => x.mr === mr)! as QGemmKernelInfo;

/** The kernel the driver uses for an m-row problem with `bits`-bit weights. */
export function chooseQGemmKernel(m: number, bits: WeightBits): QGemmKernelInfo {
  return gemmOf(bits, m === 1 ? 1 : 4);
}

// Bytes per N block of the quantized drivers (packed panels, or a block of panels unpacked to
// i16): the block stays in L2 while every row tile streams past.
const QBLOCK_BYTES = 384 * 1024;

/**
 * C = requant(bias + A·W). Integer accumulation is exact and every kernel of a weight width
 * requantizes with the same rule, so the loops below never change a bit of the result.
 */
export function qgemm(dev: Device, g: QGemmArgs, kern: QGemmKernelInfo = chooseQGemmKernel(g.m, g.bits), mode: QMode = QMode.Fp32): void {
  const { m, n, k, bits } = g;
  if (m === 0 || n === 0) return;
  // From STAGED_PLAN_OPS (the convolutions too): at 64³ an int8 qMatMul ran 0.70–0.74× as fast on
  // 2 threads as on 1, at 96³ 0.72–1.15×, at 128³ 1.26–1.42× (2026-11-24).
  const threads = threadsFor(dev.kmod, opsFrom(2 * m * n * k, STAGED_PLAN_OPS));
  if (threads > 1) { runPlan(dev.kmod, qgemmPlan(dev, g, kern, mode, threads)); return; }
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
  if (bits !== 8 && g.unpack) {
    // Unpack one block of panels (≤ QBLOCK_BYTES as i16) and run the int8 kernel over it: the
    // same integers, so the same bits as unpacking in registers for every 4 rows.
    const i16Panel = Math.ceil(k / 2) * 32;
    const panels = nBlockColumns(n, QPANEL, i16Panel, QBLOCK_BYTES) / QPANEL;
    const fn8 = ex[gemmOf(8, 4).name];
    const unpack = ex[bits === 4 ? 'qs8_qc4w_unpack_x8__simd' : 'qs8_qc2w_unpack_x8__simd'];
    for (let n0 = 0; n0 < n; n0 += panels * QPANEL) {
      const nc = Math.min(panels * QPANEL, n - n0);
      unpack(Math.ceil(nc / QPANEL), k, g.w + (n0 / QPANEL) * panelBytes, g.unpack);
      const c = g.c + n0 * outBytes, bias = g.bias + n0 * 4, s = g.scale + n0 * 4;
      for (let m0 = 0; m0 < m; m0 += 4) {
        fn8(Math.min(4, m - m0), nc, k, g.scratch + (m0 >> 2) * tileBytes, g.unpack, bias, s, c + m0 * g.cStride, g.cStride, g.params);
      }
    }
    return;
  }
  const nBlock = nBlockColumns(n, QPANEL, panelBytes, QBLOCK_BYTES);
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

/**
 * qgemm as a plan for the worker pool (bindings/exec.ts): stage 1 packs A in chunks of row
 * tiles, stage 2 runs output tiles (N blocks × groups of row tiles; column chunks for the GEMV).
 * int4/int2 weights with an unpack buffer (from UNPACK_MIN_ROWS rows) unpack per N block as the
 * serial loop does; below that they run the kernels that unpack in registers: the same
 * integers, so the same bits. Only the output is split.
 */
function qgemmPlan(dev: Device, g: QGemmArgs, kern: QGemmKernelInfo, mode: QMode, threads: number): Plan {
  const { m, n, k, bits } = g;
  const plan = new Plan(dev.kmod);
  const tiles = Math.ceil(m / 4), tileBytes = Math.ceil(k / 4) * 32;
  const pack = g.aSigned ? 'qs8_packx_4__simd' : 'qu8_packx_4__simd';
  const perA = Math.ceil(tiles / Math.min(tiles, threads * 2));
  for (let t0 = 0; t0 < tiles; t0 += perA) {
    const r0 = t0 * 4;
    plan.task().call(pack, [Math.min(perA * 4, m - r0), k, g.a + r0 * g.aStride, g.aStride, g.scratch + t0 * tileBytes]);
  }
  const unpacked = g.unpack ?? 0, unpackBlocks = bits !== 8 && unpacked !== 0 && kern.mr !== 1;
  // With unpackBlocks, the first block's unpack shares the packing's stage.
  if (!unpackBlocks) plan.stage();
  const panelBytes = qPanelBytes(k, bits), outBytes = mode === QMode.Int32 ? 4 : 1;
  const target = threads * 8;
  if (kern.mr === 1) {
    const chunk = Math.max(16, Math.ceil(n / Math.max(1, Math.ceil(target / m)) / 16) * 16);
    for (let i = 0; i < m; i++) {
      const a = g.scratch + (i >> 2) * tileBytes + (i & 3) * 4;
      for (let n0 = 0; n0 < n; n0 += chunk) {
        plan.task().call(kern.name, [Math.min(chunk, n - n0), k, a, g.w + (n0 / QPANEL) * panelBytes, g.bias + n0 * 4, g.scale + n0 * 4,
          g.c + i * g.cStride + n0 * outBytes, g.params]);
      }
    }
    return plan;
  }
  if (unpackBlocks) {
    // The serial loop's scheme: per N block, unpack its panels into the one buffer (a stage of
    // panel chunks), then the int8 kernel over the block's output tiles (a stage). 2 threads
    // against 1 (2026-11-24, int4): with the kernels that unpack in registers (the same bits)
    // 1.29× at 256³ and 1.55× at 512³, this way 1.68× and 1.88×.
    const unpackPanel = qPanelBytes(k, 8);
    const blockPanels = nBlockColumns(n, QPANEL, unpackPanel, QBLOCK_BYTES) / QPANEL;
    const unpack = bits === 4 ? 'qs8_qc4w_unpack_x8__simd' : 'qs8_qc2w_unpack_x8__simd';
    const int8 = gemmOf(8, 4).name;
    for (let b0 = 0; b0 < n; b0 += blockPanels * QPANEL) {
      const nc = Math.min(blockPanels * QPANEL, n - b0), np = Math.ceil(nc / QPANEL);
      const per = Math.ceil(np / Math.min(np, threads * 2));
      if (b0 > 0) plan.stage();
      for (let p0 = 0; p0 < np; p0 += per) {
        plan.task().call(unpack, [Math.min(per, np - p0), k, g.w + (b0 / QPANEL + p0) * panelBytes, unpacked + p0 * unpackPanel]);
      }
      plan.stage();
      tileTasks(plan, tiles, nc, nc, threads, (t) => {
        const m0 = t * 4;
        plan.call(int8, [Math.min(4, m - m0), nc, k, g.scratch + t * tileBytes, unpacked,
          g.bias + b0 * 4, g.scale + b0 * 4, g.c + b0 * outBytes + m0 * g.cStride, g.cStride, g.params]);
      });
    }
    return plan;
  }
  const nBlock = nBlockColumns(n, QPANEL, panelBytes, QBLOCK_BYTES);
  tileTasks(plan, tiles, n, nBlock, threads, (t, n0, nc) => {
    const m0 = t * 4;
    plan.call(kern.name, [Math.min(4, m - m0), nc, k, g.scratch + t * tileBytes, g.w + (n0 / QPANEL) * panelBytes,
      g.bias + n0 * 4, g.scale + n0 * 4, g.c + n0 * outBytes + m0 * g.cStride, g.cStride, g.params]);
  });
  return plan;
}

/**
 * What the requantization pass costs per output in GEMM operations (the unit of threadsFor):
 * the scalar kernel ~2.4 ns per output, the SIMD one ~1 ns (qMatMul 256³–1024³ with a shift per
 * column, against int32 output), where the f32 GEMM does ~40 operations per ns.
 */
const REQUANT_OPS = { simd: 40, scalar: 100 } as const;

/**
 * The unfused plan's requantization (its qs8-requant kernel: the SIMD one when every shift is in
 * [32, 62], as TFLite's per-channel multipliers give, else the scalar one) of m rows of plan.n int32
 * accumulators at `acc` into int8/uint8 rows at `out`, both rows packed, as row-range tasks of
 * the current stage of `calls` (one call serially). Rows are independent: the split changes no bit.
 */
function requantTasks(calls: Calls, plan: QPlan, m: number, acc: number, out: number): void {
  const n = plan.n, np = padColumns(n), p = plan.block.ptr, rq = plan.requant!;
  // The scalar kernel reads the shifts, the SIMD one its table (both from the plan block).
  const perColumn = rq.table || p + np * 8;
  for (const [r0, rows] of calls.spans(m).of(m)) {
    calls.task().call(rq.name, [rows, n, acc + r0 * n * 4, n * 4, p + np * 4, perColumn, p + np * 12, out + r0 * n, n]);
  }
}

const requantKernels = kernelsOf('qs8-requant');

/** Bytes of the SIMD requantization kernel's per-column table for n columns. */
export const requantTableBytes = (n: number) => ((n + 3) & ~3) * 16;

/**
 * The per-column table of qs8_requant_x4__simd_dyadic (layout in its header): for shift sh,
 * 2^(sh−1) + 2^62 (u64), 2^(63−sh) (u32) and zp − 2^(62−sh) (i32). Shifts must be in [32, 62].
 */
export function writeRequantTable(view: DataView, n: number, shifts: ArrayLike<number>, zp: number): void {
  const rn = (n + 3) & ~3;
  for (let j = 0; j < rn; j++) {
    const sh = j < n ? shifts[j] : 32;
    view.setBigUint64(j * 8, (1n << BigInt(sh - 1)) + (1n << 62n), true);
    view.setUint32(rn * 8 + j * 4, 2 ** (63 - sh), true);
    view.setInt32(rn * 12 + j * 4, zp - 2 ** (62 - sh), true);
  }
}

/** requantTasks as a call of its own (on the worker pool when it pays). */
function requant(dev: Device, plan: QPlan, m: number, acc: number, out: number): void {
  const calls = new Calls(dev.kmod, REQUANT_OPS[plan.requant!.table ? 'simd' : 'scalar'] * m * plan.n);
  requantTasks(calls, plan, m, acc, out);
  calls.run();
}

/** The per-column requantization of one (weights, activation params, output params) combination. */
export interface QPlanSpec {
  n: number;
  /** int32 bias per column with −zp_a·Σw folded in (wrapped to int32). */
  bias: Int32Array;
  mode: QMode;
  /** fp32: per-column f32 scales. */
  scale?: Float32Array;
  /** dyadic: per-column multipliers and one shift, or a shift per column. */
  multiplier?: Int32Array;
  shift?: number | Int32Array;
  zeroPoint: number; lo: number; hi: number; unsignedOut: boolean;
}

/**
 * bias, scales (or multipliers), shifts and the params block written once into wasm memory,
 * so repeated calls with the same quantization only pack A and run the kernels.
 */
export interface QPlan {
  block: Block;
  /**
   * null when the kernels requantize in their epilogue. Otherwise (dyadic with shifts that differ
   * per column or are < 32: an int32 GEMM, then a requantization pass) that pass's kernel, and
   * its per-column table in `block` (or 0).
   */
  requant: { name: string; table: number } | null;
  n: number;
  mode: QMode;
  spec: QPlanSpec;
}

export function makeQPlan(dev: Device, spec: QPlanSpec): QPlan {
  const n = spec.n, np = padColumns(n);
  let uniformShift: number | null = null;
  if (spec.mode === QMode.Dyadic) {
    const sh = spec.shift!;
    if (typeof sh === 'number') uniformShift = sh;
    else if (sh.every((v) => v === sh[0])) uniformShift = sh[0];
  }
  const fused = spec.mode !== QMode.Dyadic || (uniformShift !== null && uniformShift >= 32);
  const shifts = spec.mode !== QMode.Dyadic ? null
    : typeof spec.shift === 'number' ? new Int32Array(n).fill(spec.shift) : spec.shift!;
  const rq = fused ? null : requantKernels.find((k) => shifts!.every((v) => v >= k.shifts[0] && v <= k.shifts[1]))!;
  const tableAt = np * 12 + 128, tableBytes = rq?.perColumn === 'table' ? requantTableBytes(n) : 0;
  const block = dev.alloc(tableAt + tableBytes, 'quantization plan');
  const buf = dev.arena.u8.buffer;
  const i32 = new Int32Array(buf, block.ptr, np * 3);
  i32.fill(0);
  i32.set(spec.bias);
  if (spec.mode === QMode.Fp32) new Float32Array(buf, block.ptr + np * 4, n).set(spec.scale!);
  else if (spec.mode === QMode.Dyadic) {
    new Int32Array(buf, block.ptr + np * 4, n).set(spec.multiplier!);
    new Int32Array(buf, block.ptr + np * 8, n).set(shifts!);
  }
  writeParams(dev, block.ptr + np * 12, { mode: fused ? spec.mode : QMode.Int32, unsigned: spec.unsignedOut,
    shift: uniformShift ?? 32, zeroPoint: spec.zeroPoint, lo: spec.lo, hi: spec.hi });
  if (tableBytes) writeRequantTable(new DataView(buf, block.ptr + tableAt, tableBytes), n, shifts!, spec.zeroPoint);
  const requant = rq ? { name: rq.name, table: tableBytes ? block.ptr + tableAt : 0 } : null;
  return { block, requant, n, mode: spec.mode, spec };
}

/** One quantized matrix multiply with a plan: A (m×k int8/uint8) → out (m×n int8/uint8, or int32). */
export function runQPlan(dev: Device, plan: QPlan, r: { m: number; k: number; bits: WeightBits; a: Block; aSigned: boolean; w: Block; out: Block;
  /** int2 only: the weights in the mask-GEMV layout (packQ2Gemv), used for m = 1. */
  w2?: Block | null }): void {
  const { m, k, bits } = r;
  const n = plan.n, np = padColumns(n);
  if (m === 0 || n === 0) return;
  if (bits === 2 && m === 1 && r.w2 && k <= Q2_GEMV_MAX_K) {
    runQ2Gemv(dev, plan, k, r.a, r.aSigned, r.w2, r.out);
    return;
  }
  const aBytes = qPackedABytes(m, k);
  const unpackBytes = bits !== 8 && m >= UNPACK_MIN_ROWS ? unpackBlockBytes(k) : 0;
  const accBytes = plan.requant === null ? 0 : m * n * 4;
  const tmp = dev.alloc(aBytes + accBytes + unpackBytes, 'qmatmul scratch');
  try {
    const p = plan.block.ptr;
    const outBytes = plan.mode === QMode.Int32 ? 4 : 1;
    const g: QGemmArgs = { m, n, k, bits, a: r.a.ptr, aStride: k, aSigned: r.aSigned, w: r.w.ptr, bias: p,
      scale: p + np * 4, c: r.out.ptr, cStride: n * outBytes, params: p + np * 12, scratch: tmp.ptr,
      unpack: unpackBytes ? tmp.ptr + aBytes + accBytes : 0 };
    if (plan.requant === null) {
      qgemm(dev, g, chooseQGemmKernel(m, bits), plan.mode);
    } else {
      const accPtr = tmp.ptr + aBytes;
      qgemm(dev, { ...g, c: accPtr, cStride: n * 4 }, chooseQGemmKernel(m, bits), QMode.Int32);
      requant(dev, plan, m, accPtr, r.out.ptr);
    }
  } finally {
    dev.free(tmp);
  }
}

// ---------------------------------------------------------------------------------------------
// Quantized convolution (NHWC, OHWI filters): IGEMM over the conv driver's indirection layout,
// and a depthwise kernel (multiplier 1).

/** Input channels rounded up to even: the IGEMM's k-pairs never straddle two taps. */
export const evenChannels = (ci: number) => ci + (ci & 1);

/** Bytes of one group's packed IGEMM weights: qs8-qc{8,4,2}w-gemm panels with K = ks·evenChannels(cig). */
export const qConvWeightBytes = (cog: number, ks: number, cig: number, bits: WeightBits = 8) =>
  qPackedWeightBytes(cog, ks * evenChannels(cig), bits);

/**
 * Packs grouped OHWI weights (zero point removed; [groups·cog][ks][cig]) for the IGEMM: per group,
 * qConvWeightBytes(cog, ks, cig, bits) bytes of panels, groups back to back. int4/int2 panels stay
 * packed and are unpacked to i16 one block at a time when the convolution runs.
 */
export function packQConvWeights(out: Uint8Array, co: number, ks: number, cig: number, ohwi: Int16Array, bits: WeightBits = 8, groups = 1): void {
  const cip = evenChannels(cig), K = ks * cip, cog = co / groups, bytes = qConvWeightBytes(cog, ks, cig, bits);
  const kn = new Int16Array(K * cog);
  for (let grp = 0; grp < groups; grp++) {
    kn.fill(0);
    for (let o = 0; o < cog; o++) {
      const src = (grp * cog + o) * ks * cig;
      for (let s = 0; s < ks; s++) for (let c = 0; c < cig; c++) kn[(s * cip + c) * cog + o] = ohwi[src + s * cig + c];
    }
    packQWeights(out.subarray(grp * bytes, (grp + 1) * bytes), cog, K, bits, kn);
  }
}

const dwKernels = { signed: kernelsOf('qs8-qc8w-dwconv'), unsigned: kernelsOf('qu8-qc8w-dwconv') };

/** The depthwise kernel for `ks` taps: the one made for that window, else the any-window one. */
function dwKernelFor(signed: boolean, ks: number): QConvKernelInfo {
  const all = signed ? dwKernels.signed : dwKernels.unsigned;
  return all.find((k) => k.taps === ks) ?? all.find((k) => k.taps === undefined)!;
}

export const qDwWeightBytes = (ch: number, ks: number) => Math.ceil(ch / 8) * Math.ceil(ks / 2) * 32;

/**
 * Packs depthwise weights ([ks][ch], zero point removed) for the dot kernels (util/dwconv.ts):
 * [ceil(ch/8)][ceil(ks/2)][16 × i16], tap pair (2p, 2p+1) as (w[2p][j], w[2p+1][j]) for
 * channels j = 0..7 of the group; a missing tap 2p+1 and channels past ch are zero.
 */
export function packQDwWeights(out: Uint8Array, ch: number, ks: number, w: Int16Array): void {
  const v = new Int16Array(out.buffer, out.byteOffset, out.byteLength >> 1);
  v.fill(0);
  const pairs = Math.ceil(ks / 2);
  for (let g = 0; g < Math.ceil(ch / 8); g++) {
    for (let s = 0; s < ks; s++) {
      for (let j = 0; j < 8 && g * 8 + j < ch; j++) v[((g * pairs + (s >> 1)) * 8 + j) * 2 + (s & 1)] = w[s * ch + g * 8 + j];
    }
  }
}

export interface QConvRun {
  g: ConvGeometry;
  depthwise: boolean;
  /** NHWC input, int8 (aSigned) or uint8, with its zero point (padding value). */
  x: Block; aSigned: boolean; zeroPoint: number;
  /** Packed filter (packQConvWeights with `bits` and g.groups, or packQDwWeights). */
  w: Block;
  /** Filter bits (IGEMM only; default 8). */
  bits?: WeightBits;
  /** NHWC output (int8/uint8, or int32 in mode Int32). */
  out: Block;
}

/** One quantized convolution with a plan (bias, scales, requant params for co channels). */
const indirectionCache = new WeakMap<QPlan, Map<string, Uint32Array>>();

/** The conv engine's indirection entries rescaled to our row size, cached per plan and geometry. */
function indirectionOf(dev: Device, plan: QPlan, g: ConvGeometry, tile: 1 | 4, shift: number): Uint32Array {
  let m = indirectionCache.get(plan);
  if (!m) indirectionCache.set(plan, (m = new Map()));
  const key = [tile, shift, g.ih, g.iw, g.ci, g.oh, g.ow, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl].join(',');
  let ind = m.get(key);
  if (!ind) {
    ind = indirection(g, tile, dev.memoryLimit);
    for (let i = 0; i < ind.length; i++) if (ind[i] !== 0xffffffff) ind[i] >>>= shift; // 4-byte rows → our rows
    if (m.size >= 4) m.delete(m.keys().next().value as string);
    m.set(key, ind);
  }
  return ind;
}

export function runQConv(dev: Device, plan: QPlan, r: QConvRun): void {
  const { g } = r;
  const P = g.oh * g.ow, ks = g.kh * g.kw, co = g.co, np = padColumns(co);
  const tile = r.depthwise ? 1 : 4;
  const groups = r.depthwise ? 1 : g.groups, bits = r.depthwise ? 8 : r.bits ?? 8;
  const cig = r.depthwise ? g.ci : g.ci / groups, cog = co / groups, K = ks * evenChannels(cig);
  // Depthwise reads the int8/uint8 image (1-byte rows); the IGEMM an i16-widened copy (2-byte rows).
  const elem = r.depthwise ? 1 : 2;
  const ind = indirectionOf(dev, plan, g, tile, r.depthwise ? 2 : 1);
  const zeroElems = evenChannels(g.ci) + 16;
  const imageElems = g.ih * g.iw * g.ci;
  const wideBytes = r.depthwise ? 0 : (Math.ceil((g.n * imageElems) / 16) * 16 + 16) * 2;
  const outBytes = plan.mode === QMode.Int32 ? 4 : 1;
  const fused = plan.requant === null;
  const calls = new Calls(dev.kmod, opsFrom(2 * g.n * P * co * ks * (r.depthwise ? 1 : cig), STAGED_PLAN_OPS));
  // Without fused requantization the kernels write int32 accumulators and a last stage
  // requantizes them: one image at a time serially (one buffer reused), all images on the pool.
  const imagesPerPass = fused || calls.plan !== null ? g.n : 1;
  const accBytes = fused ? 0 : imagesPerPass * P * co * 4;
  // int4/int2 filters: unpacked to the int8 kernel's i16 panels (the same integers, so the same
  // bits), one L2-sized block at a time on one thread; whole, in the first stage, on the pool
  // (tasks must not share a block).
  const wholeUnpack = bits !== 8 && calls.plan !== null;
  const unpackBytes = bits === 8 ? 0 : wholeUnpack ? groups * qConvWeightBytes(cog, ks, cig, 8) : unpackBlockBytes(K);
  const paramsBytes = 96 * g.n * groups; // one block per (image, group): their input offsets differ
  const tmp = dev.alloc(ind.byteLength + zeroElems * elem + paramsBytes + accBytes + wideBytes + unpackBytes + 256, 'qconv scratch');
  try {
    const up = (v: number, a: number) => Math.ceil(v / a) * a;
    const indPtr = tmp.ptr, zeroPtr = up(indPtr + ind.byteLength, 16), paramsPtr = up(zeroPtr + zeroElems * elem, 16);
    const accPtr = up(paramsPtr + paramsBytes, 64), widePtr = up(accPtr + accBytes, 64), unpackPtr = up(widePtr + wideBytes, 64);
    const u8 = dev.arena.u8;
    new Uint32Array(u8.buffer, indPtr, ind.length).set(ind);
    if (r.depthwise) u8.fill(r.zeroPoint & 255, zeroPtr, zeroPtr + zeroElems);
    else new Int16Array(u8.buffer, zeroPtr, zeroElems).fill(r.zeroPoint);
    const p = plan.block.ptr;
    const cElem = fused ? outBytes : 4;
    // params: +0 the image (set per block below), +4 the zero row, +8 the output stride, +16 requant.
    u8.copyWithin(paramsPtr + 16, p + np * 12, p + np * 12 + PARAMS_BYTES);
    const head = new DataView(u8.buffer, paramsPtr, 16);
    head.setUint32(4, zeroPtr, true);
    head.setUint32(8, co * cElem, true);
    for (let i = 1; i < g.n * groups; i++) u8.copyWithin(paramsPtr + 96 * i, paramsPtr, paramsPtr + 96);
    const paramsOf = (b: number, grp: number, image: number) => {
      const at = paramsPtr + 96 * (b * groups + grp);
      new DataView(u8.buffer, at, 4).setUint32(0, image, true);
      return at;
    };

    const dw = r.depthwise ? dwKernelFor(r.aSigned, ks) : null;
    const name = dw ? dw.name : 'qs8_qc8w_igemm_4x8__simd_dot16';
    const unpack = bits === 8 ? '' : bits === 4 ? 'qs8_qc4w_unpack_x8__simd' : 'qs8_qc2w_unpack_x8__simd';
    const packedGroup = qConvWeightBytes(cog, ks, cig, bits), unpackedGroup = qConvWeightBytes(cog, ks, cig, 8);
    const panelBytes = qPanelBytes(K, bits);
    if (!r.depthwise) calls.task().call(r.aSigned ? 'qs8_vwiden_x16__simd' : 'qu8_vwiden_x16__simd', [g.n * imageElems, r.x.ptr, widePtr]);
    if (wholeUnpack) {
      for (let grp = 0; grp < groups; grp++) {
        calls.task().call(unpack, [Math.ceil(cog / QPANEL), K, r.w.ptr + grp * packedGroup, unpackPtr + grp * unpackedGroup]);
      }
    }
    calls.stage();
    // Columns per kernel call: all of a group's, or one unpacked block of int4/int2 panels.
    const nBlock = bits === 8 || wholeUnpack ? cog : (unpackBytes / (Math.ceil(K / 2) * 32)) * QPANEL;
    const tiles = Math.ceil(P / tile);
    const spans = calls.spans(g.n * groups * Math.ceil(cog / nBlock) * tiles);
    // With several images in a pass, every block serves all of them.
    for (let b0 = 0; b0 < g.n; b0 += imagesPerPass) {
      for (let grp = 0; grp < groups; grp++) {
        for (let n0 = 0; n0 < cog; n0 += nBlock) {
          const nc = Math.min(nBlock, cog - n0);
          let w: number;
          if (bits === 8) w = r.w.ptr + grp * packedGroup + (n0 / QPANEL) * panelBytes;
          else if (wholeUnpack) w = unpackPtr + grp * unpackedGroup;
          else { w = unpackPtr; calls.call(unpack, [Math.ceil(nc / QPANEL), K, r.w.ptr + grp * packedGroup + (n0 / QPANEL) * panelBytes, w]); }
          const col = grp * cog + n0, bias = p + col * 4, scale = p + np * 4 + col * 4;
          for (let b = b0; b < b0 + imagesPerPass; b++) {
            const image = r.depthwise ? r.x.ptr + b * imageElems : widePtr + (b * imageElems + grp * cig) * 2;
            const params = paramsOf(b, grp, image);
            const c = (fused ? r.out.ptr + b * P * co * outBytes : accPtr + (b - b0) * P * co * 4) + col * cElem;
            for (const [t0, count] of spans.of(tiles)) {
              const p0 = t0 * tile, cnt = Math.min(count * tile, P - p0), ind0 = indPtr + t0 * ks * tile * 4, c0 = c + p0 * co * cElem;
              calls.task().call(name, dw ? (dw.taps ? [cnt, nc, ind0, w, bias, scale, c0, params] : [cnt, nc, ks, ind0, w, bias, scale, c0, params])
                : [cnt, nc, cig, ks, ind0, w, bias, scale, c0, params]);
            }
          }
        }
      }
      if (!fused) {
        calls.stage();
        requantTasks(calls, plan, imagesPerPass * P, accPtr, r.out.ptr + b0 * P * co);
      }
    }
    calls.run();
  } finally {
    dev.free(tmp);
  }
}

/** int2 GEMV through the mask kernel (qs8-qc2w-gemv): same integers as the other int2 kernels. */
function runQ2Gemv(dev: Device, plan: QPlan, k: number, a: Block, aSigned: boolean, w2: Block, out: Block): void {
  const n = plan.n, np = padColumns(n);
  const aBytes = 80 + Math.ceil(k / 8) * 16;
  const tmp = dev.alloc(aBytes + (plan.requant === null ? 0 : n * 4), 'gemv scratch');
  try {
    const ex = dev.kmod.exports;
    ex.qs8_qc2w_packa_x8__simd(k, a.ptr, aSigned ? 1 : 0, tmp.ptr);
    const p = plan.block.ptr;
    const c = plan.requant === null ? out.ptr : tmp.ptr + aBytes;
    ex.qs8_qc2w_gemv_1x16__simd_mask(n, k, tmp.ptr, w2.ptr, p, p + np * 4, c, p + np * 12);
    if (plan.requant !== null) requant(dev, plan, 1, c, out.ptr);
  } finally {
    dev.free(tmp);
  }
}

// ---------------------------------------------------------------------------------------------
// quantize: f32 → 8 bits per tensor, and the min/max it starts from

const rminmax = kernelsOf('f32-rminmax')[0];
const quant8Kernels = { signed: kernelsOf('f32-qs8-vcvt')[0], unsigned: kernelsOf('f32-qu8-vcvt')[0] };
const dequant8Kernels = { signed: kernelsOf('qs8-f32-vcvt')[0], unsigned: kernelsOf('qu8-f32-vcvt')[0] };
// Pool thresholds (bindings/exec.ts counts operations): a min/max pair per element; the
// quantizer's division, rounding, clamp and narrowing about 8.
const MINMAX_OPS = 2, QUANTIZE8_OPS = 8, DEQUANT8_OPS = 4;
/** The cost of an 8-bit per-tensor quantize of n elements (both passes), for minMax's `ops`. */
export const quantize8Ops = (n: number) => (MINMAX_OPS + QUANTIZE8_OPS) * n;

/**
 * [min, max] of the n ≥ 1 floats in block x, or NaN in both when any is NaN. Element ranges on the pool
 * when it pays, combined here: min and max are exact in any order (−0 counts below +0). As the
 * first pass of quantize, it is charged the whole quantize (`ops`): the workers it wakes run the
 * second pass too.
 */
export function minMax(dev: Device, x: Block, n: number, ops = MINMAX_OPS * n): [number, number] {
  const calls = new Calls(dev.kmod, ops);
  const ranges = calls.ranges(n);
  const out = dev.alloc(8 * ranges.length, 'scratch (min/max)');
  try {
    ranges.forEach(([i, count], r) => calls.task().call(rminmax.name, [count, x.ptr + i * 4, out.ptr + r * 8]));
    calls.run();
    const v = dev.read(out, new Float32Array(2 * ranges.length));
    let lo = v[0], hi = v[1];
    for (let r = 1; r < ranges.length; r++) { lo = Math.min(lo, v[2 * r]); hi = Math.max(hi, v[2 * r + 1]); }
    return [lo, hi];
  } finally {
    dev.free(out);
  }
}

/**
 * y[i] = clamp(nearest(x[i] / scale) + zp, qmin, qmax) for the n floats in block x (none NaN) as
 * n bytes in block y (int8 or uint8). `ops` as minMax's.
 */
export function quantize8(dev: Device, x: Block, n: number, y: Block, signed: boolean, scale: number, zp: number, qmin: number, qmax: number,
  ops = QUANTIZE8_OPS * n): void {
  const calls = new Calls(dev.kmod, ops);
  const name = (signed ? quant8Kernels.signed : quant8Kernels.unsigned).name;
  for (const [i, count] of calls.ranges(n)) calls.task().call(name, [count, x.ptr + i * 4, y.ptr + i, scale, zp, qmin, qmax]);
  calls.run();
}

/**
 * Per-channel 8-bit quantization where channel r is the contiguous row r of m floats (axis 0):
 * [min, max] of every row (minMaxRows: NaN in both when the row holds one; a zero may come out
 * as ±0, see f32-rminmax), then each row quantized with its own scale and zero point
 * (quantize8Rows). The same kernels as the per-tensor passes, one call per row, rows split over
 * the pool (same bits).
 */
export function minMaxRows(dev: Device, x: Block, rows: number, m: number): Float32Array {
  const out = dev.alloc(8 * rows, 'scratch (row min/max)');
  try {
    perRow(dev, MINMAX_OPS * m, rows, rminmax.name, (r) => [m, x.ptr + r * m * 4, out.ptr + r * 8]);
    return dev.read(out, new Float32Array(2 * rows));
  } finally {
    dev.free(out);
  }
}

export function quantize8Rows(dev: Device, x: Block, rows: number, m: number, y: Block, signed: boolean,
  scale: Float32Array, zp: Int32Array, qmin: number, qmax: number): void {
  perRow(dev, QUANTIZE8_OPS * m, rows, (signed ? quant8Kernels.signed : quant8Kernels.unsigned).name,
    (r) => [m, x.ptr + r * m * 4, y.ptr + r * m, scale[r], zp[r], qmin, qmax]);
}

/** dequantize8 row by row: row r of m bytes (channel r, axis 0) with scale[r] and zp[r]. */
export function dequantize8Rows(dev: Device, x: Block, rows: number, m: number, y: Block, signed: boolean,
  scale: Float32Array, zp: Int32Array): void {
  perRow(dev, DEQUANT8_OPS * m, rows, (signed ? dequant8Kernels.signed : dequant8Kernels.unsigned).name,
    (r) => [m, x.ptr + r * m, y.ptr + r * m * 4, zp[r], scale[r]]);
}

/** One call of kernel `name` per row (arguments `args(r)`), runs of rows split over the pool. */
function perRow(dev: Device, opsPerRow: number, rows: number, name: string, args: (r: number) => number[]): void {
  const calls = new Calls(dev.kmod, opsPerRow * rows);
  for (const [r0, count] of calls.ranges(rows, 1)) {
    calls.task();
    for (let r = r0; r < r0 + count; r++) calls.call(name, args(r));
  }
  calls.run();
}

/** y[i] = f32(x[i] − zp) · scale for the n bytes in block x (int8 or uint8) into n floats in block y. */
export function dequantize8(dev: Device, x: Block, n: number, y: Block, signed: boolean, zp: number, scale: number): void {
  const calls = new Calls(dev.kmod, DEQUANT8_OPS * n);
  const name = (signed ? dequant8Kernels.signed : dequant8Kernels.unsigned).name;
  for (const [i, count] of calls.ranges(n)) calls.task().call(name, [count, x.ptr + i, y.ptr + i * 4, zp, scale]);
  calls.run();
}
