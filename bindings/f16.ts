// The f16 driver: bulk conversions, binary16 weight packing and the two f16 GEMM precisions.
// Pointers in, nothing validated here: src/ has checked shapes and dtypes.
//
// Data flow of an f16 GEMM (docs/f16.md):
//   weights: packed once, KEPT IN BINARY16 ([N/8][bias 8][K][8] halves: half the bytes of the
//            f32 packing). Per call, each N block (sized for L2) is widened to f32 panels in a
//            scratch with the vcvt kernel (exact), then every row tile of A streams past it.
//   A:       widened to f32 (exact) and packed into [k][4] tiles by the f32 A packer.
//   kernel:  'f16'       f16-f32acc-gemm: the f32 loop, one rounding to binary16 at the store;
//            'f16-exact' f16-gemm: a binary16 FMA (product exact, one rounding) per k step.
// Both reduction orders are fixed (bias first, k ascending) and independent of M/N tiling, of
// the N blocking and of threads, since every output element is computed by one kernel call.
import type { Block, Device } from './device.js';
import { kernelsOf, type F16GemmKernelInfo } from './kernels.js';
import { batchedPlanThreads, IGEMM_ENTRY_ROWS, IGEMM_PARAMS_BYTES, igemmCalls, kSlices, packedABytes, rowEntriesAt, rowEntriesBytes, slicedBlockBytes, slicedBlockGemm, slicedNBlock, slicedPlanStages, writePackedBias, writeRowEntries } from './gemm.js';
import { Calls, maxThreads, nBlockColumns, opsFrom, Plan, runPlan, Spans, STAGED_PLAN_OPS, threadsFor, tileTasks } from './exec.js';
import { conv2d, convFlops, dwconvOps, igemmConvCalls, packedConvBytes, PIXELS_PER_TASK, routeOf, setConvBias, writeConvBias, type ConvGeometry, type IndirectionCache } from './conv.js';
import { halfValue } from './half.js';

export const F16_PANEL = 8;

const vcvtToF32 = kernelsOf('f16-f32-vcvt')[0];
const vcvtToF16 = kernelsOf('f32-f16-vcvt').find((k) => k.fast === 'any')!;
const vcvtToF16Pos = kernelsOf('f32-f16-vcvt').find((k) => k.fast === 'nonnegative')!;
const packW = kernelsOf('f16-packw');
const packA = kernelsOf('f16-f32-packx');
const fastKernel = kernelsOf('f16-f32acc-gemm').find((k) => k.weights === 'f32')!;
const gemvKernel = kernelsOf('f16-f32acc-gemm').find((k) => k.weights === 'f16' && k.mr === 1 && !k.finiteWeights)!;
const gemvFiniteKernel = kernelsOf('f16-f32acc-gemm').find((k) => k.weights === 'f16' && k.mr === 1 && k.finiteWeights)!;
const fewRowsKernel = kernelsOf('f16-f32acc-gemm').find((k) => k.weights === 'f16' && k.mr === 4)!;
const twoRowsKernel = kernelsOf('f16-f32acc-gemm').find((k) => k.weights === 'f16' && k.mr === 2)!;
const threeRowsKernel = kernelsOf('f16-f32acc-gemm').find((k) => k.weights === 'f16' && k.mr === 3)!;
const exactKernel = kernelsOf('f16-gemm').find((k) => k.mr === 4)!;
const exactRowKernel = kernelsOf('f16-gemm').find((k) => k.mr === 1)!;
const dwExactKernel = kernelsOf('f16-dwconv').find((k) => k.precision === 'f16-exact')!;
const im2colKernel = kernelsOf('x16-im2col')[0];

/**
 * The packed-A kernel of a GEMM of m rows: 'f16' the 4×8 f32-accumulating one; 'f16-exact' the
 * 4×8 exact one, or for one row the 1×16 one (two panels per pass: four accumulator chains
 * where the 4×8 kernel's lone row has two; 1.5× at 1×1024×1024). Same bits either way.
 */
function packedKernel(precision: F16Precision, m: number): F16GemmKernelInfo {
  return precision === 'f16-exact' ? (m === 1 ? exactRowKernel : exactKernel) : fastKernel;
}

/**
 * The narrowing kernel for a clamp's output with lower bound `min`: the nonnegative variant when
 * min ≥ 0 (relu, relu6: 1.30× the elements/ns of the general one there). Either gives the same
 * bits on any input; `min` only picks the faster one.
 */
function narrowing(min: number): string {
  return (min >= 0 ? vcvtToF16Pos : vcvtToF16).name;
}

/** Bytes of packed binary16 weights for n columns and k rows (half of the f32 packing). */
export function packedF16Bytes(n: number, k: number): number {
  return Math.ceil(n / F16_PANEL) * (F16_PANEL + F16_PANEL * k) * 2;
}

/**
 * What a conversion costs per element in GEMM operations (the unit of threadsFor): f32 → f16
 * runs at ~3.5 elements/ns and f16 → f32 at ~7, against ~42 GFLOPS for the f32 GEMM.
 */
const CONVERT_OPS = { float16: 12, float32: 6 } as const;

/**
 * The 'f16-exact' kernels' flops in the pool's unit (GEMM flops): the exact GEMM runs at
 * ~9–10 GFLOPS and the exact depthwise at ~4–5 against the f32 GEMM's ~43, so a 128³ exact GEMM
 * (0.5 ms) is worth threads although its 4.2M flops alone would not be.
 */
const EXACT_COST = { gemm: 5, dwconv: 9 } as const;

/**
 * Tasks of the current stage of `calls` converting `count` elements at `src` into `dst`: one
 * call serially, 2 per thread otherwise (element-wise: the split never changes a bit). `min`:
 * the lower bound of a clamp the f32 values went through (it picks the narrowing kernel).
 */
function convertTasks(calls: Calls, to: 'float16' | 'float32', src: number, dst: number, count: number, min = -Infinity): void {
  const name = to === 'float32' ? vcvtToF32.name : narrowing(min);
  const [srcBytes, dstBytes] = to === 'float32' ? [2, 4] : [4, 2];
  for (const [i, n] of calls.ranges(count)) calls.task().call(name, [n, src + i * srcBytes, dst + i * dstBytes]);
}

/** Converts `count` elements between binary16 (u16 bits) and f32; src and dst must not overlap. */
export function convert(dev: Device, to: 'float16' | 'float32', src: Block, srcOff: number, dst: Block, dstOff: number, count: number): void {
  convertPtr(dev, to, src.ptr + srcOff, dst.ptr + dstOff, count);
}

/**
 * Raw-pointer form of `convert`, for drivers and tests; on the worker pool when it pays. A
 * driver whose conversion is one pass of a larger op passes the op's cost as `ops`: the workers
 * are awake for the op's other passes anyway.
 */
export function convertPtr(dev: Device, to: 'float16' | 'float32', src: number, dst: number, count: number,
  ops = CONVERT_OPS[to] * count, min = -Infinity): void {
  if (count === 0) return;
  const calls = new Calls(dev.kmod, ops);
  convertTasks(calls, to, src, dst, count, min);
  calls.run();
}

/**
 * Packs binary16 B (k×n at byte `off` in `b`, or n×k when transposed) into `out`
 * (packedF16Bytes(n, k)) with zero bias slots. Bits are copied, never rounded.
 */
export function packF16Weights(dev: Device, b: Block, off: number, k: number, n: number, transposed: boolean, out: Block): void {
  if (n === 0) return;
  const pk = packW.find((p) => p.layout === (transposed ? 'goi' : 'gio'))!;
  dev.kmod.exports[pk.name](n, k, b.ptr + off, (transposed ? k : n) * 2, 0, out.ptr);
}

/** Rewrites the bias slots of packed binary16 weights (+0 where `bias` is null). */
export function setPackedF16Bias(dev: Device, w: Block, n: number, k: number, bias: Uint16Array | null): void {
  writePackedBias(new Uint16Array(dev.arena.memory.buffer), w.ptr >> 1, n, k, bias);
}

export type F16Precision = 'f16' | 'f16-exact';

export interface F16GemmCall {
  m: number; n: number; k: number;
  /** Binary16 A, m×k row-major at aOff (k×m when transposeA). */
  a: Block; aOff: number; transposeA: boolean;
  /** Packed binary16 weights (packF16Weights) at wOff. */
  w: Block; wOff: number;
  /** Binary16 C, m×n at cOff, rows cStride bytes apart (default n·2). */
  c: Block; cOff: number; cStride?: number;
  /** Clamp bounds: binary16 values (or ±Infinity). */
  min: number; max: number;
  precision: F16Precision;
  /**
   * The weights hold no Inf or NaN (hasNonFinite over them, at prepack): the GEMV then skips its
   * check for such weights (1.11–1.16× faster), and large GEMMs of 2–4 rows may read them as
   * binary16 (fewRows). Absent: not known, the checked GEMV and the widening paths run.
   */
  finiteWeights?: boolean;
}

/**
 * Whether any of the first `count` binary16 values in `b` (a 64-byte aligned block) is Inf or
 * NaN (exponent 31). A scan in JS, once per prepack, two values per 32-bit word: an exponent of
 * 31 plus 1 carries into the half's sign bit, so one OR collects every pair. It added ~9 ms to
 * prepacking 4096×4096 halves (14.5 → 23.5 ms, 2026-11-25).
 */
export function hasNonFinite(dev: Device, b: Block, count: number): boolean {
  const words = new Uint32Array(dev.arena.memory.buffer, b.ptr, count >> 1);
  let carries = 0;
  for (let i = 0; i < words.length; i++) carries |= ((words[i] & 0x7c007c00) + 0x04000400) | 0;
  if (count & 1) carries |= ((new Uint16Array(dev.arena.memory.buffer, b.ptr, count)[count - 1] & 0x7c00) + 0x0400) | 0;
  return (carries & 0x80008000) !== 0;
}

/**
 * Columns per N block of the packed path for `kern`: whole register tiles (nr columns: one or
 * two panels) of widened panels, as many as fit L2 (at K = 4096 one panel alone is 128 KB, and
 * the 1×16 kernel on blocks of one panel would run at the 4×8 kernel's single-row speed).
 */
function packedNBlock(kern: F16GemmKernelInfo, n: number, k: number): number {
  return nBlockColumns(n, kern.nr, (F16_PANEL + F16_PANEL * k) * 4 * (kern.nr / F16_PANEL));
}

/** Scratch bytes an f16 GEMM call needs (A widened and packed + one widened N block). */
export function f16GemmScratch(m: number, n: number, k: number, precision: F16Precision): { aPacked: number; w32: number; panels: number } {
  const panelF32 = (F16_PANEL + F16_PANEL * k) * 4;
  const panels = packedNBlock(packedKernel(precision, m), n, k) / F16_PANEL;
  return { aPacked: packedABytes(m, k, 4), w32: panels * panelF32, panels };
}

const warmed = new WeakSet<Device>();

/** C = round16(clamp(A·B + bias)) in the requested precision. */
export function f16Gemm(dev: Device, g: F16GemmCall): void {
  const { m, n, k } = g;
  if (m === 0 || n === 0) return;
  if (!warmed.has(dev)) { warmed.add(dev); warmUpF16(dev); }
  if (m === 1 && g.precision === 'f16') { rowsGemm(dev, g); return; }
  if (g.precision === 'f16' && g.finiteWeights && !g.transposeA && rowGroups(m, n, k)) { rowsGemm(dev, g); return; }
  if (g.precision === 'f16' && g.finiteWeights && readsHalves(m, n, k)) { fewRows(dev, g); return; }
  // The binary16 GEMMs and depthwise convolutions thread from STAGED_PLAN_OPS (weighted; the exact
  // convolution's im2col passes follow its GEMM). 2 threads against 1 (2026-11-24): 'f16' GEMM
  // 0.85–0.87× at 64³, 0.94× at 80³, 0.98–1.11× at 96³, 1.31–1.52× at 128³; 'f16-exact' GEMM
  // 0.70–1.48× at 64³ over five runs, 1.40× at 80³; 'f16' depthwise 0.57× and 0.72× at 24×24×32
  // and 32×32×32, 0.98× at 48×48×32.
  const ops = opsFrom(2 * m * n * k * (g.precision === 'f16-exact' ? EXACT_COST.gemm : 1), STAGED_PLAN_OPS);
  if (throughF32(g) && viaF32(dev, g, ops)) return;
  if (threadsFor(dev.kmod, ops) > 1) { threaded(dev, g, ops); return; }
  const s = f16GemmScratch(m, n, k, g.precision);
  const [ap, w32] = dev.allocAll([s.aPacked, 'scratch (f16 a packed)'], [s.w32, 'scratch (f16 weights widened)']);
  try {
    run(dev, g, ap.ptr, w32.ptr, s.panels);
  } finally {
    dev.freeAll(ap, w32);
  }
}

/**
 * Whether an 'f16' GEMM runs as an f32 one (viaF32): row-major A, K > 0, rows of C contiguous.
 * The packed path's 4×8 kernel stores binary16 in its epilogue, and on this machine it ran at
 * 0.89–0.92× of the f32 GEMM at 256³–512³ once that read A's rows through the IGEMM; the f32
 * IGEMM into an f32 C, then one narrowing pass, ran at 0.95–0.98× (2026-11-24, docs/f16.md).
 */
function throughF32(g: F16GemmCall): boolean {
  return g.precision === 'f16' && !g.transposeA && g.k > 0 && (g.cStride ?? g.n * 2) === g.n * 2;
}

/**
 * The 'f16' GEMM as the f32 one on exactly widened operands: A widened to f32 rows, the f32
 * IGEMM (bindings/gemm.ts: A's rows read in place) into an f32 C per N block of widened
 * weights, then C narrowed once. round16(clamp(f32 result)) either way: the bits of the packed
 * path. On the pool: stage 1 widens A and every panel, stage 2 runs spans of row tiles per N
 * block, stage 3 narrows C, each in chunks. False, with nothing allocated, when its scratch (4
 * bytes per element of A and of C) does not fit: the packed path, which needs less, runs.
 */
function viaF32(dev: Device, g: F16GemmCall, ops: number): boolean {
  const { m, n, k } = g;
  const threads = threadsFor(dev.kmod, ops);
  const ex = dev.kmod.exports;
  const panelHalves = F16_PANEL + F16_PANEL * k, panelBytes = panelHalves * 4, panels = Math.ceil(n / F16_PANEL);
  // K runs in slices where the f32 GEMM's would (bindings/gemm.ts kSlices): the widened panels
  // copied in slice form a block at a time (serially), or double-buffered (plans).
  const sliced = kSlices(m, k) > 1, sliceBytes = slicedBlockBytes(n, k);
  const nBlock = sliced ? slicedNBlock(n, k) : nBlockColumns(n, F16_PANEL, panelBytes);
  // One N block of widened weights serially; all of them when threads share the blocks.
  const wPanels = threads > 1 ? panels : nBlock / F16_PANEL;
  const scratch = dev.allocAllOrNull([m * k * 4, 'scratch (f16 a widened)'], [rowEntriesBytes(m, k), 'scratch (a rows)'],
    [m * n * 4, 'scratch (f32 c)'], [wPanels * panelBytes, 'scratch (f16 weights widened)'],
    sliced ? [(threads > 1 ? 2 : 1) * sliceBytes, 'scratch (f16 weights in K slices)'] : null);
  if (!scratch) return false;
  const [a32, rows, c32, w32, ws] = scratch;
  try {
    writeRowEntries(dev.kmod, rows.ptr, a32.ptr, m, k, k * 4, g.min, g.max);
    const a = g.a.ptr + g.aOff, w = g.w.ptr + g.wOff, c = g.c.ptr + g.cOff;
    const igemm = (mc: number, n0: number, nc: number, t0: number, wAt: number): number[] =>
      [mc, nc, k, 1, rows.ptr + rowEntriesAt(m, k) + t0 * 16, wAt, c32.ptr + (t0 * 4 * n + n0) * 4, n * 4, rows.ptr];
    if (threads <= 1) {
      ex[vcvtToF32.name](m * k, a, a32.ptr);
      for (let n0 = 0; n0 < n; n0 += nBlock) {
        const nc = Math.min(nBlock, n - n0);
        ex[vcvtToF32.name](Math.ceil(nc / F16_PANEL) * panelHalves, w + (n0 / F16_PANEL) * panelHalves * 2, w32.ptr);
        if (ws) slicedBlockGemm(dev.kmod, rows.ptr, m, k, nc, w32.ptr, ws.ptr, c32.ptr + n0 * 4, n * 4);
        else igemmCalls(igemm(m, n0, nc, 0, w32.ptr), new Calls(dev.kmod, 0, true));
      }
      ex[narrowing(g.min)](m * n, c32.ptr, c);
      return true;
    }
    const plan = new Plan(dev.kmod);
    const chunks = (count: number, call: (i: number, len: number) => void) => {
      const per = Math.ceil(count / (threads * 2));
      for (let i = 0; i < count; i += per) call(i, Math.min(per, count - i));
    };
    chunks(m * k, (i, len) => plan.task().call(vcvtToF32.name, [len, a + i * 2, a32.ptr + i * 4]));
    chunks(panels, (p0, np) => plan.task().call(vcvtToF32.name, [np * panelHalves, w + p0 * panelHalves * 2, w32.ptr + p0 * panelBytes]));
    plan.stage();
    if (ws) slicedPlanStages(plan, threads, rows.ptr, m, n, k, w32.ptr, [ws.ptr, ws.ptr + sliceBytes], c32.ptr, n * 4);
    else {
      const tiles = Math.ceil(m / 4), spans = new Spans(threads, Math.ceil(n / nBlock) * tiles);
      for (let n0 = 0; n0 < n; n0 += nBlock) {
        const nc = Math.min(nBlock, n - n0);
        for (const [t0, count] of spans.of(tiles)) {
          igemmCalls(igemm(Math.min(count * 4, m - t0 * 4), n0, nc, t0, w32.ptr + (n0 / F16_PANEL) * panelBytes), plan.task());
        }
      }
    }
    plan.stage();
    chunks(m * n, (i, len) => plan.task().call(narrowing(g.min), [len, c32.ptr + i * 4, c + i * 2]));
    runPlan(dev.kmod, plan, ops);
  } finally {
    dev.freeAll(a32, rows, c32, w32, ws);
  }
  return true;
}

/**
 * With a worker pool: the same calls as `run` as a plan (bindings/exec.ts). Stage 1 packs A in
 * chunks of row tiles and widens the weights in chunks of panels (all of them at once, into a
 * transient f32 copy); stage 2 computes output tiles (N blocks × groups of row tiles). Only the
 * output is split, and each element is still one kernel call's: the bits are the serial ones.
 */
function threaded(dev: Device, g: F16GemmCall, ops: number): void {
  const { m, n, k } = g;
  const threads = threadsFor(dev.kmod, ops);
  const panels = Math.ceil(n / F16_PANEL), panelHalves = F16_PANEL + F16_PANEL * k;
  const [ap, w32] = dev.allocAll([packedABytes(m, k, 4), 'scratch (f16 a packed)'], [panels * panelHalves * 4, 'scratch (f16 weights widened)']);
  try {
    const plan = new Plan(dev.kmod);
    const pk = packA.find((p) => p.mr === 4 && p.source === (g.transposeA ? 't' : 'n'))!;
    const aStride = (g.transposeA ? m : k) * 2;
    const tiles = Math.ceil(m / 4);
    const perA = Math.ceil(tiles / Math.min(tiles, threads * 2));
    for (let t0 = 0; t0 < tiles; t0 += perA) {
      const r0 = t0 * 4;
      const src = g.a.ptr + g.aOff + (g.transposeA ? r0 * 2 : r0 * aStride);
      plan.task().call(pk.name, [Math.min(perA * 4, m - r0), k, src, aStride, ap.ptr + r0 * k * 4]);
    }
    const perW = Math.ceil(panels / Math.min(panels, threads * 2));
    for (let p0 = 0; p0 < panels; p0 += perW) {
      plan.task().call(vcvtToF32.name, [Math.min(perW, panels - p0) * panelHalves, g.w.ptr + g.wOff + p0 * panelHalves * 2, w32.ptr + p0 * panelHalves * 4]);
    }
    plan.stage();
    const kern = packedKernel(g.precision, m);
    const panelBytes = panelHalves * 4, cStride = g.cStride ?? n * 2, c = g.c.ptr + g.cOff;
    const nBlock = packedNBlock(kern, n, k);
    tileTasks(plan, tiles, n, nBlock, threads, (t, n0, nc) => {
      const m0 = t * 4;
      plan.call(kern.name, [Math.min(4, m - m0), nc, k, ap.ptr + m0 * k * 4, 0, w32.ptr + (n0 / F16_PANEL) * panelBytes,
        c + m0 * cStride + n0 * 2, cStride, g.min, g.max]);
    });
    runPlan(dev.kmod, plan, ops);
  } finally {
    dev.freeAll(ap, w32);
  }
}

/**
 * The `batches` GEMMs of a batched binary16 matMul that does not fold into one (B batched, or A
 * transposed) as one plan of whole batches per task, when batchedPlanThreads (bindings/gemm.ts)
 * takes them. Each task packs its B into binary16 panels with `bias` (or reads the packed `w`),
 * widens the panels and packs A into the running thread's scratch, then makes the serial calls:
 * the same bits. Batch i reads A at aOff(i) in a, B at bOff(i) in b, and writes its m×n result
 * at i·m·n halves in c. False: nothing ran, the caller runs the batches one GEMM at a time.
 */
export function f16GemmBatched(dev: Device, p: { batches: number; m: number; n: number; k: number; a: Block; aOff: (i: number) => number;
  transposeA: boolean; b: Block | null; bOff: (i: number) => number; transposeB: boolean; bias: Uint16Array | null; w: Block | null;
  c: Block; min: number; max: number; precision: F16Precision }): boolean {
  const { batches, m, n, k } = p;
  const ops = opsFrom(batches * 2 * m * n * k * (p.precision === 'f16-exact' ? EXACT_COST.gemm : 1), STAGED_PLAN_OPS);
  const threads = batchedPlanThreads(dev.kmod, batches, m, n, k, ops);
  if (threads === 0) return false;
  if (!warmed.has(dev)) { warmed.add(dev); warmUpF16(dev); }
  const panels = Math.ceil(n / F16_PANEL), panelHalves = F16_PANEL + F16_PANEL * k;
  // Per-thread scratch: [binary16 panels, when B is packed here][f32 panels][packed A].
  const w16Bytes = p.b ? panels * panelHalves * 2 : 0, aAt = w16Bytes + panels * panelHalves * 4;
  const perThread = aAt + packedABytes(m, k, 4);
  const [s, bias] = dev.allocAll([perThread * maxThreads(dev.kmod), 'scratch (batched f16 gemm)'], p.b && p.bias ? [n * 2, 'scratch (bias)'] : null);
  try {
    if (bias) dev.write(bias, p.bias!);
    const pw = packW.find((x) => x.layout === (p.transposeB ? 'goi' : 'gio'))!;
    const pa = packA.find((x) => x.mr === 4 && x.source === (p.transposeA ? 't' : 'n'))!;
    const kern = packedKernel(p.precision, m);
    const panelBytes = panelHalves * 4, nBlock = packedNBlock(kern, n, k);
    // Bit i of a mask adds the running thread's scratch to argument i.
    const plan = new Plan(dev.kmod).threadScratch(s.ptr, perThread);
    for (const [b0, count] of new Spans(threads, batches).of(batches)) {
      plan.task();
      for (let i = b0; i < b0 + count; i++) {
        if (p.b) plan.call(pw.name, [n, k, p.b.ptr + p.bOff(i), (p.transposeB ? k : n) * 2, bias ? bias.ptr : 0, 0], 1 << 5);
        plan.call(vcvtToF32.name, [panels * panelHalves, p.b ? 0 : p.w!.ptr, w16Bytes], p.b ? 0b110 : 0b100);
        plan.call(pa.name, [m, k, p.a.ptr + p.aOff(i), (p.transposeA ? m : k) * 2, aAt], 1 << 4);
        for (let n0 = 0; n0 < n; n0 += nBlock) {
          const nc = Math.min(nBlock, n - n0);
          for (let m0 = 0; m0 < m; m0 += 4) {
            plan.call(kern.name, [Math.min(4, m - m0), nc, k, aAt + m0 * k * 4, 0, w16Bytes + (n0 / F16_PANEL) * panelBytes,
              p.c.ptr + (i * m * n + m0 * n + n0) * 2, n * 2, p.min, p.max], (1 << 3) | (1 << 5));
          }
        }
      }
    }
    runPlan(dev.kmod, plan, ops);
  } finally {
    dev.freeAll(s, bias);
  }
  return true;
}

/**
 * The GEMMs of a few rows that read the binary16 weights in their kernels. M = 1 ('f16'): the A
 * row widened here (k floats), then the GEMV kernel, which reads the
 * binary16 panels directly (no widened copy), over column ranges of whole panel pairs (its
 * 16-column step), on the pool from its threshold: widening the weights in registers makes it
 * compute-bound (2 threads: 1.76× at 1×2048×2048, 706 → 401 µs, 2026-11-24). Each column is one
 * call's, so the bits do not depend on the threads. M = 2 and 3 (row-major A, finite weights)
 * run the same way on the 2×16 and 3×8 kernels, every row over each k step's widened weights,
 * with the widened A multiplied by 2^112 here (exact) for them (scaledA); from 2^23 weights, 5, 6
 * and 7 rows too, as groups of 3 and 2 rows, each block of columns (sized for L2) read by every
 * group in turn. With the weights from memory that beat widening them all (5×4096×4096 1.37×,
 * 6× 1.21×, 7× 1.11×, 2026-11-25); in cache it did not (5/6/7×1024×1024 1.00× / 0.88× / 0.83×).
 */
function rowsGemm(dev: Device, g: F16GemmCall): void {
  const { m, n, k } = g;
  const a32 = dev.alloc(m * k * 4, 'scratch (f16 a widened)');
  try {
    dev.kmod.exports[vcvtToF32.name](m * k, g.a.ptr + g.aOff, a32.ptr);
    const groups = m === 1 ? [1] : rowGroups(m, n, k)!;
    const kerns = groups.map((r) => (r === 3 ? threeRowsKernel : r === 2 ? twoRowsKernel : g.finiteWeights ? gemvFiniteKernel : gemvKernel));
    if (kerns[0].scaledA) {
      const a = dev.viewF32(a32, 0, m * k);
      for (let i = 0; i < a.length; i++) a[i] *= 2 ** 112;
    }
    const calls = new Calls(dev.kmod, 2 * m * n * k);
    const unit = 2 * F16_PANEL, units = Math.ceil(n / unit), panelBytes = (F16_PANEL + F16_PANEL * k) * 2;
    // Several groups read each block of columns while it is in L2.
    const block = groups.length > 1 ? nBlockColumns(n, unit, 2 * panelBytes) / unit : units;
    const cStride = g.cStride ?? n * 2;
    for (const [u0, count] of calls.spans(units).of(units)) {
      calls.task();
      for (let b0 = u0; b0 < u0 + count; b0 += block) {
        const n0 = b0 * unit, nc = Math.min(Math.min(block, u0 + count - b0) * unit, n - n0);
        for (let i = 0, r0 = 0; i < groups.length; r0 += groups[i], i++) {
          calls.call(kerns[i].name, [groups[i], nc, k, a32.ptr + r0 * k * 4, k * 4,
            g.w.ptr + g.wOff + (n0 / F16_PANEL) * panelBytes, g.c.ptr + g.cOff + r0 * cStride + n0 * 2, cStride, g.min, g.max]);
        }
      }
    }
    calls.run();
  } finally {
    dev.free(a32);
  }
}

/**
 * The row groups (one kernel call each) in which rowsGemm runs an 'f16' GEMM of m ≥ 2 rows on finite
 * weights with row-major A, or null: 2 and 3 rows always, 5, 6 and 7 rows (3 + 2, 3 + 3,
 * 3 + 2 + 2) from 2^23 weights (measurements at rowsGemm).
 */
function rowGroups(m: number, n: number, k: number): number[] | null {
  if (m === 2 || m === 3) return [m];
  if (m < 5 || m > 7 || k * n < 1 << 23) return null;
  return m === 5 ? [3, 2] : m === 6 ? [3, 3] : [3, 2, 2];
}

/**
 * Whether an 'f16' GEMM of m rows on finite weights runs through fewRows: 3 or 4 rows from 2^23
 * weights, 2 rows (which the kernel computes as 4) from 2^25. `lw.matMul` on prepacked weights,
 * fewRows against the widening path, one process (2026-11-25, docs/benchmarks.md): 1.31× and
 * 1.33× at 4 and 3×4096×4096, 1.37× at 4×8192×4096, 1.27× at 4×4096×2048, 1.23× at
 * 3×2048×4096; 1.00–1.03× at 2^22 (4×2048×2048, 4×1024×4096, 4×4096×1024), where the weights
 * still come from cache; 2 rows 1.16× at 8192×4096, 1.05–1.09× at 4096×4096, 0.73× at
 * 2048×2048 (the widening path has a 2-row kernel). Two or three rows of row-major A never get
 * here: the 2×16 and 3×8 kernels (rowsGemm) take them at every size.
 */
function readsHalves(m: number, n: number, k: number): boolean {
  return m >= 2 && m <= fewRowsKernel.mr && k * n >= (m === 2 ? 1 << 25 : 1 << 23);
}

/**
 * 2 ≤ M ≤ 4 ('f16') on weights that hold no Inf or NaN (lw.prepack found none), large enough
 * (readsHalves): A widened and packed into one [k][4] tile, then
 * f16_f32acc_gemm_4x8__simd_f16w_finite over the binary16 panels (widened in registers), spans of
 * panels per task on the pool. The other paths widen every weight first, which from memory runs
 * at 4.3–5.7 elements/ns: ~3 ms of a 4×4096×4096 call. Each output element is one call's, in
 * the f32 GEMM's order: the bits of the other paths.
 */
function fewRows(dev: Device, g: F16GemmCall): void {
  const { m, n, k } = g;
  const ap = dev.alloc(packedABytes(m, k, 4), 'scratch (f16 a packed)');
  try {
    const pk = packA.find((p) => p.mr === 4 && p.source === (g.transposeA ? 't' : 'n'))!;
    dev.kmod.exports[pk.name](m, k, g.a.ptr + g.aOff, (g.transposeA ? m : k) * 2, ap.ptr);
    const calls = new Calls(dev.kmod, 2 * m * n * k);
    const panelBytes = (F16_PANEL + F16_PANEL * k) * 2, panels = Math.ceil(n / F16_PANEL);
    const cStride = g.cStride ?? n * 2, w = g.w.ptr + g.wOff, c = g.c.ptr + g.cOff;
    for (const [p0, count] of calls.spans(panels).of(panels)) {
      const n0 = p0 * F16_PANEL;
      calls.task().call(fewRowsKernel.name, [m, Math.min(count * F16_PANEL, n - n0), k, ap.ptr, 0, w + p0 * panelBytes, c + n0 * 2, cStride, g.min, g.max]);
    }
    calls.run();
  } finally {
    dev.free(ap);
  }
}

function run(dev: Device, g: F16GemmCall, ap: number, w32: number, blockPanels: number): void {
  const { m, n, k } = g;
  const ex = dev.kmod.exports;
  // A: widened (exact) and packed into [k][4] tiles in one pass, from either layout.
  const pk = packA.find((p) => p.mr === 4 && p.source === (g.transposeA ? 't' : 'n'))!;
  ex[pk.name](m, k, g.a.ptr + g.aOff, (g.transposeA ? m : k) * 2, ap);
  const kern = packedKernel(g.precision, m);
  const fn = ex[kern.name];
  const panelHalves = F16_PANEL + F16_PANEL * k;
  const cStride = g.cStride ?? n * 2;
  const c = g.c.ptr + g.cOff;
  const rowStep = k * 4;
  for (let p0 = 0, panels = Math.ceil(n / F16_PANEL); p0 < panels; p0 += blockPanels) {
    const np = Math.min(blockPanels, panels - p0);
    const n0 = p0 * F16_PANEL;
    const nc = Math.min(np * F16_PANEL, n - n0);
    ex[vcvtToF32.name](np * panelHalves, g.w.ptr + g.wOff + p0 * panelHalves * 2, w32);
    for (let m0 = 0; m0 < m; m0 += kern.mr) {
      fn(Math.min(kern.mr, m - m0), nc, k, ap + m0 * rowStep, 0, w32, c + m0 * cStride + n0 * 2, cStride, g.min, g.max);
    }
  }
}

/**
 * Runs the f16 kernels on small problems so the engine's optimizing tier has compiled them
 * before a measured or user call (done once per device, on the first f16 GEMM).
 */
export function warmUpF16(dev: Device, rounds = 24): void {
  warmed.add(dev);
  const m = 8, n = 16, k = 32;
  const s = f16GemmScratch(m, n, k, 'f16');
  const [a, w, c, ap, w32, f] = dev.allocAll([m * k * 2, 'warm-up'], [packedF16Bytes(n, k), 'warm-up'], [m * n * 2, 'warm-up'],
    [s.aPacked, 'warm-up'], [s.w32, 'warm-up'], [m * k * 4, 'warm-up']);
  try {
    dev.fill(a, 0x3c); dev.fill(w, 0x3c);
    for (let i = 0; i < rounds; i++) {
      for (const precision of ['f16', 'f16-exact'] as const) {
        run(dev, { m, n, k, a, aOff: 0, transposeA: false, w, wOff: 0, c, cOff: 0, min: -Infinity, max: Infinity, precision },
          ap.ptr, w32.ptr, s.panels);
      }
      for (const finiteWeights of [false, true]) {
        rowsGemm(dev, { m: 1, n, k, a, aOff: 0, transposeA: false, w, wOff: 0, c, cOff: 0, min: -Infinity, max: Infinity, precision: 'f16', finiteWeights });
      }
      // The 2- and 3-row kernels (finite weights: the bytes above are 0x3c3c), and the 4-row one.
      for (const rows of [2, 3]) {
        rowsGemm(dev, { m: rows, n, k, a, aOff: 0, transposeA: false, w, wOff: 0, c, cOff: 0, min: -Infinity, max: Infinity, precision: 'f16', finiteWeights: true });
      }
      fewRows(dev, { m: 4, n, k, a, aOff: 0, transposeA: false, w, wOff: 0, c, cOff: 0, min: -Infinity, max: Infinity, precision: 'f16', finiteWeights: true });
      // The one-row exact kernel (its block of n = 16 columns is the 8-row one's).
      run(dev, { m: 1, n, k, a, aOff: 0, transposeA: false, w, wOff: 0, c, cOff: 0, min: -Infinity, max: Infinity, precision: 'f16-exact' },
        ap.ptr, w32.ptr, s.panels);
      convertPtr(dev, 'float32', a.ptr, f.ptr, m * k);
      convertPtr(dev, 'float16', f.ptr, a.ptr, m * k);
    }
  } finally {
    dev.freeAll(a, w, c, ap, w32, f);
  }
}

// ---------------------------------------------------------------------------------------------
// Convolution (the f32 convolution drivers of bindings/conv.ts, on widened operands)

export interface F16ConvCall {
  geometry: ConvGeometry;
  /** Binary16 NHWC input. */
  x: Block;
  /**
   * bindings/conv.ts's packed layout (packConv) narrowed to binary16, bias slots included; the
   * 'f16' paths write `bias` into those slots (writeConvBias on the binary16 halves) before widening:
   * nothing else reads them (the exact path builds its own panels), and the widened copy then
   * carries the bias with no f32 pass in JS.
   */
  w: Block;
  packing: 'panels' | 'dwconv';
  /** Binary16 bias bits per output channel, or null: +0. */
  bias: Uint16Array | null;
  /** Binary16 NHWC output. */
  out: Block;
  min: number; max: number;
  precision: F16Precision;
  cache: IndirectionCache;
  /** Tests: the scratch budget of the bands in bytes (default DW_BAND_BYTES / EXACT_BAND_BYTES). */
  bandBytes?: number;
}

/** The call's bias bits into the bias slots of its binary16 filter packing (see F16ConvCall.w). */
function setHalfConvBias(dev: Device, c: F16ConvCall, ks: number, cig: number, packing: 'panels' | 'dwconv'): void {
  writeConvBias(new Uint16Array(dev.arena.memory.buffer), c.w.ptr >> 1, c.bias, c.geometry.co, ks, cig, c.geometry.groups, packing);
}

/**
 * out = round16(clamp(conv(x, w) + bias)).
 * 'f16': x and the weights widened to f32 (exact), the f32 convolution (its documented order:
 * bias, taps ascending, channels ascending, 0·w for padding), one rounding per output.
 * 'f16-exact': the same order with a binary16 FMA per step: im2col (padding taps read +0, i.e.
 * add 0·w) then the f16-gemm exact kernel per group, with K = taps × group channels.
 */
export function f16Conv(dev: Device, c: F16ConvCall): void {
  const g = c.geometry;
  if (g.n * g.oh * g.ow * g.co === 0) return;
  if (c.precision === 'f16-exact') { f16ConvExact(dev, c); return; }
  const route = routeOf(g);
  if (route === 'gemm' && g.groups === 1) { f16ConvGemm(dev, c); return; }
  if (route === 'dwconv-rep' && f16ConvDwRep(dev, c)) return;
  // Grouped 1×1 convolutions too: the IGEMM driver walks groups, the GEMM one does not.
  if (route !== 'dwconv') { f16ConvIgemm(dev, c); return; }
  // Depthwise: the input widened, the f32 depthwise drivers (the direct 3×3 kernel), then one
  // narrowing pass, per band (rowBands: whole images while they fit). A kernel widening each tap
  // of the binary16 input in registers measured 1.08–1.30× slower at stride 2 (28×28×128: 51.5
  // against 44.1 µs) and was deleted.
  const ks = g.kh * g.kw, cig = g.ci / g.groups;
  const wBytes32 = packedConvBytes(g.co, g.kh, g.kw, cig, g.groups, c.packing);
  const bands = rowBands(g, 4, c.bandBytes);
  const [x32, w32, o32] = dev.allocAll([bands.inMax * 4 + 64, 'scratch (f16 x widened)'], [wBytes32, 'scratch (f16 filter widened)'],
    [bands.outMax * 4, 'scratch (f32 output)']);
  try {
    setHalfConvBias(dev, c, ks, cig, c.packing);
    convertPtr(dev, 'float32', c.w.ptr, w32.ptr, wBytes32 / 4);
    for (const band of bands.list) {
      const xCount = band.n * (band.r1 - band.r0) * g.iw * g.ci, outCount = band.n * (band.y1 - band.y0) * g.ow * g.co;
      // The band's whole cost decides for each of its passes (the input widening alone is under the
      // pool's threshold at 112×112×32, and ran serially between threaded passes).
      const ops = opsFrom(CONVERT_OPS.float32 * xCount + dwconvOps(g) * band.n * (band.y1 - band.y0) / (g.n * g.oh) + CONVERT_OPS.float16 * outCount, STAGED_PLAN_OPS);
      convertPtr(dev, 'float32', c.x.ptr + band.xAt * 2, x32.ptr, xCount, ops);
      conv2d(dev, { geometry: { ...g, n: band.n }, x: x32, w: w32, out: o32, min: c.min, max: c.max, cache: c.cache, ops,
        rows: band.n > 1 ? undefined : { y0: band.y0, y1: band.y1, x: x32.ptr - band.r0 * g.iw * g.ci * 4, out: o32.ptr - band.y0 * g.ow * g.co * 4 } });
      convertPtr(dev, 'float16', o32.ptr, c.out.ptr + band.outAt * 2, outCount, ops, c.min);
    }
  } finally {
    dev.freeAll(x32, w32, o32);
  }
}

/**
 * f32 scratch bytes per band of the binary16 depthwise paths: the widened input rows (and for
 * 'f16' the f32 output rows). Widening a whole batch took 8 bytes per input element at stride 1
 * ('f16'), 4× the binary16 tensor. Common layers fit whole (112×112×32: 3.2 MB) and run as
 * before. A larger image runs in bands of output rows, each widening the input rows its windows
 * read: rows shared by two bands are widened twice. Bits are the same: every output is one
 * kernel call's, over the same widened values, with the same padding.
 */
const DW_BAND_BYTES = 4 << 20;

interface RowBand {
  /** Either `n` whole images from image `b`, or output rows [y0, y1) of image b (n = 1). */
  b: number; n: number;
  y0: number; y1: number;
  /** Input rows [r0, r1) the band's windows read (clipped to the image). */
  r0: number; r1: number;
  /** Element offsets of the band's first input row and first output row in the call's tensors. */
  xAt: number; outAt: number;
}

/**
 * Bands of a depthwise call `g` whose f32 rows (4 bytes per input element, `outBytes` per output
 * element) take at most `budget` bytes: runs of whole images while one fits, else runs of output
 * rows of one image (at least one row). inMax / outMax: the largest band's element counts.
 */
function rowBands(g: ConvGeometry, outBytes: number, budget = DW_BAND_BYTES): { list: RowBand[]; inMax: number; outMax: number } {
  const inImage = g.ih * g.iw * g.ci, outImage = g.oh * g.ow * g.co;
  const list: RowBand[] = [];
  const perImage = inImage * 4 + outImage * outBytes;
  if (perImage <= budget) {
    const images = Math.min(g.n, Math.max(1, Math.floor(budget / perImage)));
    for (let b = 0; b < g.n; b += images) {
      list.push({ b, n: Math.min(images, g.n - b), y0: 0, y1: g.oh, r0: 0, r1: g.ih, xAt: b * inImage, outAt: b * outImage });
    }
    return { list, inMax: images * inImage, outMax: images * outImage };
  }
  const inRow = g.iw * g.ci * 4, outRow = g.ow * g.co * outBytes;
  const span = (g.kh - 1) * g.dh + 1; // input rows one output row's windows cover
  const rows = Math.min(g.oh, Math.max(1, Math.floor((budget - (span - g.sh) * inRow) / (g.sh * inRow + outRow))));
  let inMax = 0;
  for (let b = 0; b < g.n; b++) {
    for (let y0 = 0; y0 < g.oh; y0 += rows) {
      const y1 = Math.min(y0 + rows, g.oh);
      const r0 = Math.min(Math.max(y0 * g.sh - g.pt, 0), g.ih), r1 = Math.max(r0, Math.min((y1 - 1) * g.sh - g.pt + span, g.ih));
      list.push({ b, n: 1, y0, y1, r0, r1, xAt: (b * g.ih + r0) * g.iw * g.ci, outAt: (b * g.oh + y0) * g.ow * g.co });
      inMax = Math.max(inMax, (r1 - r0) * g.iw * g.ci);
    }
  }
  return { list, inMax, outMax: rows * g.ow * g.co };
}

/** 1×1, stride 1, unpadded, one group: the f16 GEMM (x is the m×ci A, the filter packed as panels). */
function f16ConvGemm(dev: Device, c: F16ConvCall): void {
  const g = c.geometry;
  setPackedF16Bias(dev, c.w, g.co, g.ci, c.bias);
  f16Gemm(dev, { m: g.n * g.ih * g.iw, n: g.co, k: g.ci, a: c.x, aOff: 0, transposeA: false, w: c.w, wOff: 0, c: c.out, cOff: 0,
    min: c.min, max: c.max, precision: 'f16' });
}

/**
 * 'f16' depthwise with a channel multiplier above 1: input and filter ('panels' packing)
 * widened, the f32 driver's repeated-input route (bindings/conv.ts, convDwRep) into an f32
 * image, then one narrowing pass. The same bits as the IGEMM: round16 of the same f32 result.
 * False, with nothing allocated, when its scratch does not fit (the IGEMM then runs).
 */
function f16ConvDwRep(dev: Device, c: F16ConvCall): boolean {
  const g = c.geometry, ks = g.kh * g.kw;
  const xCount = g.n * g.ih * g.iw * g.ci, oCount = g.n * g.oh * g.ow * g.co;
  const wBytes32 = packedConvBytes(g.co, g.kh, g.kw, 1, g.groups, 'panels');
  const scratch = dev.allocAllOrNull([xCount * 4, 'scratch (f16 x widened)'], [wBytes32, 'scratch (f16 filter widened)'], [oCount * 4, 'scratch (f32 output)']);
  if (!scratch) return false;
  const [x32, w32, o32] = scratch;
  try {
    setHalfConvBias(dev, c, ks, 1, 'panels');
    const ops = convFlops(g);
    const calls = new Calls(dev.kmod, ops);
    convertTasks(calls, 'float32', c.x.ptr, x32.ptr, xCount);
    convertTasks(calls, 'float32', c.w.ptr, w32.ptr, wBytes32 / 4);
    calls.run();
    conv2d(dev, { geometry: g, x: x32, w: w32, out: o32, min: c.min, max: c.max, cache: c.cache, route: 'dwconv-rep' });
    convertPtr(dev, 'float16', o32.ptr, c.out.ptr, oCount, ops, c.min);
  } finally {
    dev.freeAll(x32, w32, o32);
  }
  return true;
}

/**
 * IGEMM route: x and the filter widened (stage 1), then the f32 IGEMM kernel into an f32
 * output image over output tiles × N blocks (stage 2), as the f32 IGEMM driver splits them,
 * then one narrowing pass (stage 3): round16(clamp(f32 result)). A binary16-storing IGEMM
 * kernel (f16-f32acc-igemm, deleted 2026-11-24) gave the same bits at 0.91–0.93× of the f32
 * convolution on the 3×3 shapes; this route runs at 0.93–0.98× (docs/f16.md).
 * Each output is one kernel call's, so the bits do not depend on the threads.
 */
function f16ConvIgemm(dev: Device, c: F16ConvCall): void {
  const g = c.geometry;
  const ks = g.kh * g.kw, cig = g.ci / g.groups;
  const xCount = g.n * g.ih * g.iw * g.ci, oCount = g.n * g.oh * g.ow * g.co;
  const wBytes32 = packedConvBytes(g.co, g.kh, g.kw, cig, g.groups, 'panels');
  // One scratch block: widened filter, kernel parameters, widened input, f32 output (64-byte aligned parts).
  const prmAt = wBytes32, xAt = prmAt + Math.ceil((IGEMM_PARAMS_BYTES * g.n * g.groups) / 64) * 64;
  const oAt = xAt + Math.ceil((xCount * 4 + 64) / 64) * 64;
  const s = dev.alloc(oAt + oCount * 4, 'scratch (f16 conv widened)');
  try {
    const w32 = s.ptr, x32 = s.ptr + xAt, o32 = s.ptr + oAt;
    setHalfConvBias(dev, c, ks, cig, 'panels');
    const calls = new Calls(dev.kmod, convFlops(g));
    convertTasks(calls, 'float32', c.x.ptr, x32, xCount);
    convertTasks(calls, 'float32', c.w.ptr, w32, wBytes32 / 4);
    calls.stage();
    igemmConvCalls(calls, dev.arena.memory.buffer, g, c.cache.get(g, IGEMM_ENTRY_ROWS).ptr, c.cache.zeroRow(g.ci).ptr,
      x32, w32, o32, s.ptr + prmAt, c.min, c.max);
    calls.stage();
    convertTasks(calls, 'float16', o32, c.out.ptr, oCount, c.min);
    calls.run();
  } finally {
    dev.free(s);
  }
}

/** 'f16-exact' depthwise, per band (rowBands): its input rows widened (stage 1), then pixel ranges of the exact kernel (stage 2). */
function f16DwconvExact(dev: Device, c: F16ConvCall): void {
  const g = c.geometry;
  const ks = g.kh * g.kw, P = g.oh * g.ow, wHalves = packedConvBytes(g.co, g.kh, g.kw, 1, g.groups, 'dwconv') / 4;
  const bands = rowBands(g, 0, c.bandBytes);
  const [x32, w32, prm] = dev.allocAll([bands.inMax * 4 + 64, 'scratch (f16 x widened)'], [wHalves * 4, 'scratch (f16 filter widened)'],
    [8, 'kernel parameters']);
  try {
    convertPtr(dev, 'float32', c.w.ptr, w32.ptr, wHalves);
    setConvBias(dev, w32, c.bias ? Float32Array.from(c.bias, halfValue) : null, g.co, ks, 1, g.groups, 'dwconv');
    new Float32Array(dev.arena.memory.buffer, prm.ptr, 2).set([c.min, c.max]);
    // One image's indirection (offsets from its row 0) serves every band: a band passes the
    // address its widened rows would have if the whole image were there.
    const ind = c.cache.get(g, 1).ptr, zero = c.cache.zeroRow(g.ci).ptr;
    const outStride = g.co * 2, imageBytes = g.ih * g.iw * g.ci * 4;
    for (const band of bands.list) {
      const first = band.y0 * g.ow, pixels = (band.y1 - band.y0) * g.ow;
      const calls = new Calls(dev.kmod, opsFrom(EXACT_COST.dwconv * convFlops(g) * band.n * pixels / (g.n * P), STAGED_PLAN_OPS));
      convertTasks(calls, 'float32', c.x.ptr + band.xAt * 2, x32.ptr, band.n * (band.r1 - band.r0) * g.iw * g.ci);
      calls.stage();
      const spans = calls.spans(band.n * pixels, PIXELS_PER_TASK);
      for (let i = 0; i < band.n; i++) {
        const image = x32.ptr - band.r0 * g.iw * g.ci * 4 + i * imageBytes, out = c.out.ptr + ((band.b + i) * P) * outStride;
        for (const [q0, np] of spans.of(pixels)) {
          const p0 = first + q0;
          calls.task().call(dwExactKernel.name, [np, g.ci, ks, ind + p0 * ks * 4, image, zero, w32.ptr, out + p0 * outStride, outStride, prm.ptr]);
        }
      }
      calls.run();
    }
  } finally {
    dev.freeAll(x32, w32, prm);
  }
}

/**
 * Scratch bytes per band of the exact convolution: a band of output pixels holds its im2col
 * rows (2 bytes per tap and channel) and the f16 GEMM's widened packing of them (4 more).
 * Whole images would take 6·P·K bytes, 27× the binary16 input for a 3×3 window at stride 1
 * (56×56×64: 10.8 MB for a 0.4 MB input), more than a capped instance (maxMemory) may have.
 * A band is at least one row tile. Each output is still one kernel call over all of K, so the
 * bits do not depend on the band size. Each band widens the filter again (K·N halves at ~7 per
 * ns against 2·K·N multiply-adds per pixel at ~9 GFLOPS): under 1% from 64 pixels per band,
 * which 2 MB gives up to K ≈ 5,000.
 */
const EXACT_BAND_BYTES = 2 << 20;

function f16ConvExact(dev: Device, c: F16ConvCall): void {
  const g = c.geometry;
  if (c.packing === 'dwconv') { f16DwconvExact(dev, c); return; }
  const ks = g.kh * g.kw, cig = g.ci / g.groups, og = g.co / g.groups, K = ks * cig, P = g.oh * g.ow;
  const ind = c.cache.get(g, 1).ptr; // [P][ks] byte offsets of f32 rows (channel 0), or 0xffffffff
  const band = Math.min(P, Math.max(4, Math.floor((c.bandBytes ?? EXACT_BAND_BYTES) / (6 * K) / 4) * 4));
  const a = dev.alloc(band * K * 2, 'scratch (im2col)');
  try {
    // The packed filter's groups are f16-packw panels of K rows already: the call's bias goes
    // into their bias slots and each group is the GEMM's B in place.
    setHalfConvBias(dev, c, ks, cig, 'panels');
    for (let b = 0; b < g.n; b++) {
      const xImage = c.x.ptr + b * g.ih * g.iw * g.ci * 2;
      for (let gi = 0; gi < g.groups; gi++) {
        for (let p0 = 0; p0 < P; p0 += band) {
          const np = Math.min(band, P - p0);
          // im2col of this band, image and group, binary16 bits: row p = taps ascending,
          // channels ascending. Pixel ranges on the pool whenever the GEMM after it is.
          const calls = new Calls(dev.kmod, opsFrom(EXACT_COST.gemm * 2 * np * og * K, STAGED_PLAN_OPS));
          for (const [q0, nq] of calls.ranges(np)) {
            calls.task().call(im2colKernel.name, [nq, ks, cig, ind + (p0 + q0) * ks * 4, xImage, gi * cig * 2, a.ptr + q0 * K * 2]);
          }
          calls.run();
          f16Gemm(dev, { m: np, n: og, k: K, a, aOff: 0, transposeA: false, w: c.w, wOff: gi * packedF16Bytes(og, K),
            c: c.out, cOff: ((b * P + p0) * g.co + gi * og) * 2, cStride: g.co * 2, min: c.min, max: c.max, precision: 'f16-exact' });
        }
      }
    }
  } finally {
    dev.free(a);
  }
}
