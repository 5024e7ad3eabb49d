// The f32 GEMM driver: the generic loops around the microkernels (BLIS style: only the
// microkernel is ISA-specific). Pointers in, nothing validated here: src/ has checked shapes.
import type { KernelModule } from './module.js';
import { kernelsOf, type GemmKernelInfo } from './kernels.js';
import type { Arena } from './memory.js';
import { Calls, nBlockColumns, Plan, Spans, runPlan, threadsFor, tileTasks } from './exec.js';

export const PANEL = 8;

/** Bytes of a packed f32 weight for n columns and k rows (panels of 8 with their bias). */
export function packedBytes(n: number, k: number): number {
  return Math.ceil(n / PANEL) * (PANEL + PANEL * k) * 4;
}

/** Bytes of A packed for a kernel that reads tiles of `mr` rows. */
export function packedABytes(m: number, k: number, mr: number): number {
  return Math.ceil(m / mr) * mr * k * 4;
}

export interface GemmArgs {
  m: number; n: number; k: number;
  /** A row-major (row i at a + i·aStride), or A's transpose (row j at a + j·aStride) when transposeA. */
  a: number; aStride: number; transposeA: boolean;
  w: number;                    // packed weights
  c: number; cStride: number;   // bytes
  min: number; max: number;
  /** Scratch of gemmScratchBytes(m, n, k, transposeA, kernel, sliceK) bytes. */
  scratch: number;
  /** false: K whole even where kSlices would slice it (its scratch did not fit). */
  sliceK?: boolean;
}

/**
 * How packed weights are laid out: 'panels' as f32-packw writes them (every kernel reads it),
 * or 'rows' after regroupWeights (groups of 24 columns, read by the rows GEMV only).
 */
export type WeightLayout = 'panels' | 'rows';

const gemmKernels = kernelsOf('f32-gemm');
const packAKernels = kernelsOf('x32-packx');
const packWKernels = kernelsOf('f32-packw');
const tileKernel = gemmKernels.find((k) => k.mr === 4)!;
const rowKernel = gemmKernels.find((k) => k.mr === 1 && k.layout === 'panels')!;
const rowsLayoutKernel = gemmKernels.find((k) => k.mr === 1 && k.layout === 'rows')!;
const regroupKernel = kernelsOf('f32-regroupw')[0];
const igemmKernel = kernelsOf('f32-igemm').find((k) => k.mr === 4 && k.nr === PANEL)!;
const igemm2Kernel = kernelsOf('f32-igemm').find((k) => k.mr === 2 && k.nr === PANEL)!;
/** Rows per group of the f32 IGEMM kernels' indirection entries ([groups][ks][4]). */
export const IGEMM_ENTRY_ROWS = igemmKernel.entryRows;
const ksliceKernel = kernelsOf('x32-kslice')[0];

/**
 * Whether the driver runs `g` through the f32 IGEMM kernel: row-major A under the 4×8 tile
 * kernel. The IGEMM reads each tile's 4 rows in place through an entry per row (a convolution's
 * indirection with one tap), so A is never packed, and its loop (4 row pointers, no splat
 * offsets) is faster: `matMul` ran at 1.04–1.12× its packed-A speed on this machine
 * (2026-11-24, docs/benchmarks.md). Same order (bias, k ascending, mul then add), so the same bits. K = 0 keeps the
 * packed path: the IGEMM's channel loop takes at least one step. So does streamsWeights.
 */
function readsRows(g: { m: number; n: number; transposeA: boolean; k: number }, kern: GemmKernelInfo): boolean {
  return kern.packA !== null && !g.transposeA && g.k > 0 && !streamsWeights(g.m, g.n, g.k);
}

/**
 * A GEMM of at most 32 rows over weights of 2^22 floats (16 MiB) or more: each weight is read from
 * memory for a few rows' multiply-adds, and then the IGEMM's four row streams of A, re-read from
 * L2 for every panel, cost far more than one stream of packed A. `matMul` on prepacked weights,
 * packed A against rows, one process (2026-11-25, docs/benchmarks.md): 1.77× at 4×4096×4096,
 * 1.79× at 4×2048×4096, 1.30× at 4×4096×1024, 1.18× at 4×1024×4096, 1.47× at 8×4096×4096, 1.23×
 * at 16×4096×4096, 1.10× at 32×4096×4096 (1.02× at 64); on 2 threads 1.74×, 1.40×, 1.22× at
 * 4, 8, 16×4096×4096. With weights that stay in cache the two tie (4×1024×1024: 1.00×). A last
 * tile of 1 or 2 rows, which the IGEMM runs on its 2×8 kernel and the packed path as 4 rows,
 * needs 2^24 weights (64 MiB): 1.19–1.32× at 2, 5, 6, 9, 10×4096×4096 and 1.12× at 2×8192×2048,
 * but 1.00× at 2×2048×8192, 0.85–0.88× at 5 and 6×2048×2048 and 0.58× at 2×1024×4096.
 */
function streamsWeights(m: number, n: number, k: number): boolean {
  return m <= 32 && k * n >= (m % 4 === 1 || m % 4 === 2 ? 1 << 24 : 1 << 22);
}

/**
 * One f32 IGEMM call, given as f32_igemm_4x8__simd's arguments (m, nc, kc, ks, entries, w, c,
 * cStride, params), as the kernel calls that run it, added to `to` (a plan's task, or Calls,
 * which run them at once serially): the 4×8 kernel over the whole 4-row groups and a last group
 * of 3 rows; a last group of 1 or 2 rows, which the 4×8 loop would compute as 4, on the 2×8
 * kernel (the same entries, the same bits: f32-igemm/2x8-simd.ts).
 */
export function igemmCalls(args: readonly number[], to: { call(name: string, args: number[]): unknown }): void {
  const [m, , , ks, entries, , c, cStride] = args, rest = m % 4;
  const whole = rest === 1 || rest === 2 ? m - rest : m;
  if (whole > 0) to.call(igemmKernel.name, [whole, ...args.slice(1)]);
  if (whole < m) {
    const tail = args.slice();
    tail[0] = m - whole; tail[4] = entries + (whole / 4) * ks * 16; tail[6] = c + whole * cStride;
    to.call(igemm2Kernel.name, tail);
  }
}

/**
 * Scratch bytes gemm() needs for an m×k A and n columns under `kern`: the IGEMM's parameters,
 * row entries and (K sliced) two N blocks of sliced weights (a plan's double buffer; one thread
 * uses the first), or packed A.
 */
export function gemmScratchBytes(m: number, n: number, k: number, transposeA: boolean, kern: GemmKernelInfo, sliceK = true): number {
  if (kern.packA === null) return 0;
  if (!readsRows({ m, n, transposeA, k }, kern)) return packedABytes(m, k, kern.packA);
  return alignUp(rowEntriesBytes(m, k)) + (sliceK && kSlices(m, k) > 1 ? 2 * slicedBlockBytes(n, k) : 0);
}

/** Bytes of one f32 IGEMM parameter block (f32-igemm/4x8-simd.ts). */
export const IGEMM_PARAMS_BYTES = 32;

/** Writes an f32 IGEMM parameter block { aOffset, zero, min, max, accumulate } at byte `at`. */
export function writeIgemmParams(buffer: ArrayBufferLike, at: number, aOffset: number, zero: number, min: number, max: number,
  accumulate = false): void {
  const u32 = new Uint32Array(buffer, at, 8), f32 = new Float32Array(buffer, at, 8);
  u32[0] = aOffset; u32[1] = zero; f32[2] = min; f32[3] = max;
  u32[4] = accumulate ? 1 : 0; u32[5] = 0; u32[6] = 0; u32[7] = 0;
}

const alignUp = (bytes: number) => Math.ceil(bytes / 64) * 64;

/**
 * K slices of the row-reading GEMM of m rows: from M = 256, K above 768 runs in slices of at
 * most 512, each over panels copied into K = slice form (x32-kslice), one N block at a time.
 * Why: at K = 1024 the f32 GEMM ran ~6% below K = 512, and two calls over weights packed as
 * K = 512 halves ran 5–7% faster than one over the K = 1024 panels (kernel calls, 512² outputs,
 * 2026-11-25, docs/benchmarks.md); reading the full panels with a stride gained nothing. Each
 * later slice starts from the f32 values the earlier one stored with ±Inf bounds, unclamped
 * and exact: the bits are the unsliced ones. One thread: 1.02–1.06× from K = 1024 at M ≥ 256
 * (2026-11-25, both builds in one process, best of 15 rounds). Why M ≥ 256: every call copies
 * the weights (K·N floats) for 2·M·K·N flops, and with few rows the copy costs more than the
 * slices win: 0.59× at 4×1024×4096, 0.73× at 8×2048×2048, 0.83× at 16×4096×1024, 0.96–0.98×
 * from M = 32 to 128, 1.00× at M = 200. Plans (threads) take the same slices, a stage per slice
 * and N block, copying the next one into a second buffer meanwhile: 1.01–1.08× on 2 threads from
 * 256×1024×256 to 2048×1024×1024 (512×1024×512: 0.96–1.02×); with fewer rows the barriers
 * outweigh the stages too (64×4096×64: 0.89–0.91× with a copy stage and a compute stage per slice).
 * The slices' scratch (two blocks of copied weights, up to ~1 MiB) is optional: where it does not
 * fit, Device.gemmScratch hands out the unsliced one and the GEMM keeps K whole (GemmArgs.sliceK).
 */
export function kSlices(m: number, k: number): number {
  return m >= 256 && k > 768 ? Math.ceil(k / 512) : 1;
}

/** The slice length when K is sliced (kSlices > 1): at most 512, the slices as equal as they go. */
const sliceK = (k: number) => Math.ceil(k / Math.ceil(k / 512));

/** The IGEMM parameter blocks writeRowEntries writes: the whole K's, then one per slice when K is sliced. */
const paramBlocksOf = (m: number, k: number) => (kSlices(m, k) > 1 ? 1 + kSlices(m, k) : 1);

/** Bytes of the IGEMM's parameter blocks and row entries for m×k (writeRowEntries). */
export const rowEntriesBytes = (m: number, k: number) => paramBlocksOf(m, k) * IGEMM_PARAMS_BYTES + Math.ceil(m / 4) * 16;

/** Byte offset of the row entries in writeRowEntries' block. */
export const rowEntriesAt = (m: number, k: number) => paramBlocksOf(m, k) * IGEMM_PARAMS_BYTES;

/** Columns per N block of a sliced GEMM: sized for L2 by one slice's panels. */
export function slicedNBlock(n: number, k: number): number {
  return nBlockColumns(n, PANEL, (PANEL + PANEL * sliceK(k)) * 4);
}

/**
 * Bytes of one N block of sliced weights (the largest slice), in whole 64-byte lines so that a
 * second buffer right after it starts on a line: the `sliced` scratch of slicedBlockGemm.
 */
export function slicedBlockBytes(n: number, k: number): number {
  return alignUp((slicedNBlock(n, k) / PANEL) * (PANEL + PANEL * sliceK(k)) * 4);
}

/**
 * The sliced GEMM (kSlices(m, k) > 1) of every row over one N block, serially: per slice, the
 * block's full-K panels at `w` (nc columns) copied in slice form into `sliced`
 * (slicedBlockBytes), then one IGEMM call over the m rows with the slice's parameters. `at`
 * holds what writeRowEntries wrote; C is the block's first column.
 */
export function slicedBlockGemm(mod: KernelModule, at: number, m: number, k: number, nc: number, w: number, sliced: number, c: number, cStride: number): void {
  const slices = kSlices(m, k), kc = Math.ceil(k / slices), panels = Math.ceil(nc / PANEL);
  const copy = mod.exports[ksliceKernel.name], serial = new Calls(mod, 0, true);
  for (let s = 0; s < slices; s++) {
    const k0 = s * kc, kcs = Math.min(kc, k - k0);
    copy(panels, k, k0, kcs, w, sliced);
    igemmCalls([m, nc, kcs, 1, at + rowEntriesAt(m, k), sliced, c, cStride, at + (1 + s) * IGEMM_PARAMS_BYTES], serial);
  }
}

/**
 * The sliced GEMM (kSlices(m, k) > 1) as plan stages, from the plan's current stage on: stage j
 * runs the rows of (N block, slice) j over one copy buffer while copy tasks fill the other with
 * step j + 1 (the first copy runs alone), a barrier between stages (each slice continues from
 * C). `w`: the full-K panels (packedBytes(n, k)); `buffers`: two of slicedBlockBytes(n, k);
 * `at`: what writeRowEntries wrote; C at `c`, rows cStride bytes apart.
 */
export function slicedPlanStages(plan: Plan, threads: number, at: number, m: number, n: number, k: number, w: number,
  buffers: readonly [number, number], c: number, cStride: number): void {
  const slices = kSlices(m, k), kc = Math.ceil(k / slices), sBlock = slicedNBlock(n, k), tiles = Math.ceil(m / 4);
  const panelBytes = (PANEL + PANEL * k) * 4;
  const steps: [number, number][] = [];
  for (let n0 = 0; n0 < n; n0 += sBlock) for (let s = 0; s < slices; s++) steps.push([n0, s]);
  const copyTasks = (j: number) => {
    const [n0, s] = steps[j], panels = Math.ceil(Math.min(sBlock, n - n0) / PANEL), kcs = Math.min(kc, k - s * kc);
    const per = Math.ceil(panels / threads), sliceBytes = (PANEL + PANEL * kcs) * 4;
    for (let p0 = 0; p0 < panels; p0 += per) {
      plan.task().call(ksliceKernel.name, [Math.min(per, panels - p0), k, s * kc, kcs, w + (n0 / PANEL + p0) * panelBytes, buffers[j % 2] + p0 * sliceBytes]);
    }
  };
  copyTasks(0);
  for (let j = 0; j < steps.length; j++) {
    plan.stage();
    if (j + 1 < steps.length) copyTasks(j + 1);
    const [n0, s] = steps[j], nc = Math.min(sBlock, n - n0), kcs = Math.min(kc, k - s * kc);
    // Each stage ends at a barrier, so its rows are split by spans of their own.
    for (const [t0, count] of new Spans(threads, tiles).of(tiles)) {
      igemmCalls([Math.min(count * 4, m - t0 * 4), nc, kcs, 1, at + rowEntriesAt(m, k) + t0 * 16, buffers[j % 2],
        c + n0 * 4 + t0 * 4 * cStride, cStride, at + (1 + s) * IGEMM_PARAMS_BYTES], plan.task());
    }
  }
}

/**
 * Writes the IGEMM's parameter blocks at `at`: the whole K's ({ aOffset = A, zero = A (no entry
 * pads), min, max }), then, when K is sliced (kSlices), one per slice: aOffset = A plus the
 * slice's first column, the clamp on the last slice only (±Inf before), accumulate on every
 * slice but the first. Then, at rowEntriesAt(m, k), the row entries: per tile of 4 rows their byte
 * offsets from A, the rows past m repeating the last one (the kernel reads them and stores only
 * the m rows).
 */
export function writeRowEntries(mod: KernelModule, at: number, a: number, m: number, k: number, aStride: number, min: number, max: number): void {
  const buf = mod.memory.buffer;
  writeIgemmParams(buf, at, a, a, min, max);
  const slices = kSlices(m, k), kc = Math.ceil(k / slices);
  if (slices > 1) {
    for (let s = 0; s < slices; s++) {
      const last = s === slices - 1;
      writeIgemmParams(buf, at + (1 + s) * IGEMM_PARAMS_BYTES, a + s * kc * 4, a, last ? min : -Infinity, last ? max : Infinity, s > 0);
    }
  }
  const tiles = Math.ceil(m / 4);
  const u32 = new Uint32Array(buf, at + rowEntriesAt(m, k), tiles * 4);
  for (let r = 0; r < tiles * 4; r++) u32[r] = Math.min(r, m - 1) * aStride;
}

/**
 * The kernel family of an m-row problem on weights in `layout`: the row kernels for M = 1, else
 * the 4×8 tile kernel over packed A. gemm() then decides how that tile runs: row-major A goes
 * through the IGEMM instead (readsRows), with K in slices where kSlices says so; the scratch
 * (gemmScratchBytes) follows the same decision.
 */
export function chooseGemmKernel(m: number, layout: WeightLayout = 'panels'): GemmKernelInfo {
  if (layout === 'rows') {
    if (m !== 1) throw new Error('lanewise: row-grouped weights serve M = 1 only');
    return rowsLayoutKernel;
  }
  return m === 1 ? rowKernel : tileKernel;
}

/**
 * The layout packed weights should hold for GEMMs of `rows` rows: row groups for the GEMV
 * (M = 1), panels otherwise; weights of one panel (n ≤ 8) are the same bytes in both.
 */
export function layoutFor(rows: number, n: number): WeightLayout {
  return rows === 1 && n > PANEL ? 'rows' : 'panels';
}

/** Bytes of scratch regroupWeights needs for k rows. */
export const regroupScratchBytes = (k: number) => 96 * (k + 1);

/** Converts packed weights in place between the panel and row-grouped layouts. */
export function regroupWeights(mod: KernelModule, n: number, k: number, w: number, scratch: number, to: WeightLayout): void {
  mod.exports[regroupKernel.name](n, k, w, scratch, to === 'rows' ? 1 : 0);
}

/** Packs B (k×n as given, or n×k when `transposed`) with an optional bias into panels. */
export function packWeights(mod: KernelModule, n: number, k: number, b: number, transposed: boolean, bias: number, out: number): void {
  const pk = packWKernels.find((p) => p.layout === (transposed ? 'goi' : 'gio'))!;
  mod.exports[pk.name](n, k, b, (transposed ? k : n) * 4, bias, out);
}

/** Rewrites the bias slots of packed weights (zeros where `bias` is null). */
export function setPackedBias(arena: Arena, n: number, k: number, w: number, bias: Float32Array | null,
  layout: WeightLayout = 'panels'): void {
  writePackedBias(arena.f32, w >> 2, n, k, bias, layout);
}

/**
 * setPackedBias on any element view: the f32 and the binary16 packings have the same layout in
 * elements (`base` is the weights' first element in `view`).
 */
export function writePackedBias(view: Float32Array | Uint16Array, base: number, n: number, k: number,
  bias: ArrayLike<number> | null, layout: WeightLayout = 'panels'): void {
  const panelElems = PANEL + PANEL * k;
  // Panels: a bias row of 8 per panel. Rows: a bias row of 8·q per group of q ≤ 3 panels, at
  // the group's first panel offset, its columns in order.
  const width = layout === 'rows' ? 3 * PANEL : PANEL;
  for (let n0 = 0; n0 < n; n0 += width) {
    const at = base + (n0 / PANEL) * panelElems;
    const cols = Math.min(width, Math.ceil((n - n0) / PANEL) * PANEL);
    for (let j = 0; j < cols; j++) view[at + j] = bias && n0 + j < n ? bias[n0 + j] : 0;
  }
}

/**
 * C = clamp(A·B + bias). Every f32-gemm variant shares one reduction order, so which kernel
 * computes a row, and how the loops below split the work, never changes a bit of the result.
 */
export function gemm(mod: KernelModule, g: GemmArgs, kern: GemmKernelInfo = chooseGemmKernel(g.m)): void {
  const { m, n, k } = g;
  if (m === 0 || n === 0) return;
  // With a worker pool attached (bindings/pool.ts) and enough work, the same calls run as a
  // plan across threads: it splits only the output, so the bits are the same. Serial calls
  // keep the direct loop below: building and running a plan instead measured 13.3 → 17.5 µs
  // for a 64³ GEMM (plan construction ~3 µs, 24 encoded calls).
  const threads = threadsFor(mod, 2 * m * n * k);
  const rows = readsRows(g, kern);
  if (rows) writeRowEntries(mod, g.scratch, g.a, m, k, g.aStride, g.min, g.max);
  if (threads > 1) { runPlan(mod, cachedPlan(mod, g, kern, threads)); return; }
  const panelBytes = (PANEL + PANEL * k) * 4;
  if (rows) {
    const slices = g.sliceK === false ? 1 : kSlices(m, k), entries = g.scratch + rowEntriesAt(m, k);
    if (slices === 1) {
      const nBlock = nBlockColumns(n, PANEL, panelBytes), serial = new Calls(mod, 0, true);
      for (let n0 = 0; n0 < n; n0 += nBlock) {
        igemmCalls([m, Math.min(nBlock, n - n0), k, 1, entries, g.w + (n0 / PANEL) * panelBytes, g.c + n0 * 4, g.cStride, g.scratch], serial);
      }
      return;
    }
    const nBlock = slicedNBlock(n, k), sliced = g.scratch + alignUp(rowEntriesBytes(m, k));
    for (let n0 = 0; n0 < n; n0 += nBlock) {
      slicedBlockGemm(mod, g.scratch, m, k, Math.min(nBlock, n - n0), g.w + (n0 / PANEL) * panelBytes, sliced, g.c + n0 * 4, g.cStride);
    }
    return;
  }
  let a = g.a, aStride = g.aStride, rowStep = aStride;
  if (kern.packA !== null) {
    const pk = packAKernels.find((p) => p.mr === kern.packA && p.source === (g.transposeA ? 't' : 'n'))!;
    mod.exports[pk.name](m, k, a, aStride, g.scratch);
    a = g.scratch; aStride = 0; rowStep = k * 4;
  } else if (g.transposeA) {
    // A row-reading kernel only runs with m = 1, where A's transpose (k×1) is the row itself.
    aStride = 4; rowStep = 4;
  }
  const fn = mod.exports[kern.name];
  const nBlock = kern.mr === 1 ? n : nBlockColumns(n, PANEL, panelBytes);
  for (let n0 = 0; n0 < n; n0 += nBlock) {
    const nc = Math.min(nBlock, n - n0);
    const w = g.w + (n0 / PANEL) * panelBytes;
    const c = g.c + n0 * 4;
    for (let m0 = 0; m0 < m; m0 += kern.mr) {
      fn(Math.min(kern.mr, m - m0), nc, k, a + m0 * rowStep, aStride, w, c + m0 * g.cStride, g.cStride, g.min, g.max);
    }
  }
}

// The last threaded GEMM plan of each module. A loop of same-shape calls gets the same blocks
// back from the arena, so its calls are the same and the plan is reused (building one costs
// ~8 µs at 256³ on 2 threads, 2% of the call).
const lastPlan = new WeakMap<KernelModule, { key: Float64Array; plan: Plan }>();

function cachedPlan(mod: KernelModule, g: GemmArgs, kern: GemmKernelInfo, threads: number): Plan {
  const key = Float64Array.of(g.m, g.n, g.k, g.a, g.aStride, g.transposeA ? 1 : 0, g.w, g.c, g.cStride, g.min, g.max,
    g.scratch, threads, kern.mr, kern.layout === 'rows' ? 1 : 0, g.sliceK === false ? 0 : 1);
  const last = lastPlan.get(mod);
  if (last && last.key.every((v, i) => Object.is(v, key[i]))) return last.plan;
  const plan = gemmPlan(mod, g, kern, threads);
  lastPlan.set(mod, { key, plan });
  return plan;
}

/**
 * The GEMM as a plan for `threads` threads (bindings/exec.ts): stage 1 packs A in chunks of
 * row tiles into the scratch (each chunk its own slice), stage 2 computes output tiles — N
 * blocks sized for L2 × groups of row tiles. The calls are exactly the serial loop's.
 */
export function gemmPlan(mod: KernelModule, g: GemmArgs, kern: GemmKernelInfo, threads: number): Plan {
  const { m, n, k } = g;
  const plan = new Plan(mod);
  let a = g.a, aStride = g.aStride, rowStep = aStride;
  const panelBytes = (PANEL + PANEL * k) * 4;
  const nBlock = nBlockColumns(n, PANEL, panelBytes);
  if (readsRows(g, kern)) {
    if (g.sliceK !== false && kSlices(m, k) > 1) {
      const buffer = g.scratch + alignUp(rowEntriesBytes(m, k)), bytes = slicedBlockBytes(n, k);
      slicedPlanStages(plan, threads, g.scratch, m, n, k, g.w, [buffer, buffer + bytes], g.c, g.cStride);
      return plan;
    }
    // Spans of row tiles per N block, each one IGEMM call over its rows (entries written by gemm()).
    const tiles = Math.ceil(m / 4), spans = new Spans(threads, Math.ceil(n / nBlock) * tiles);
    for (let n0 = 0; n0 < n; n0 += nBlock) {
      const nc = Math.min(nBlock, n - n0), w = g.w + (n0 / PANEL) * panelBytes;
      for (const [t0, count] of spans.of(tiles)) {
        igemmCalls([Math.min(count * 4, m - t0 * 4), nc, k, 1, g.scratch + rowEntriesAt(m, k) + t0 * 16, w,
          g.c + n0 * 4 + t0 * 4 * g.cStride, g.cStride, g.scratch], plan.task());
      }
    }
    return plan;
  }
  if (kern.packA !== null && kern.mr === kern.packA && n <= nBlock) {
    // One N block: each task packs its own row tiles and computes them (no barrier).
    const mr = kern.mr;
    const pk = packAKernels.find((p) => p.mr === mr && p.source === (g.transposeA ? 't' : 'n'))!;
    const tiles = Math.ceil(m / mr);
    for (const [t0, count] of new Spans(threads, tiles).of(tiles)) {
      const r0 = t0 * mr, rows = Math.min(count * mr, m - r0);
      const packed = g.scratch + r0 * k * 4;
      plan.task().call(pk.name, [rows, k, g.transposeA ? a + r0 * 4 : a + r0 * aStride, aStride, packed]);
      for (let i = 0; i < rows; i += mr) {
        plan.call(kern.name, [Math.min(mr, rows - i), n, k, packed + i * k * 4, 0, g.w, g.c + (r0 + i) * g.cStride, g.cStride, g.min, g.max]);
      }
    }
    return plan;
  }
  if (kern.packA !== null) {
    const mr = kern.packA;
    const pk = packAKernels.find((p) => p.mr === mr && p.source === (g.transposeA ? 't' : 'n'))!;
    const tiles = Math.ceil(m / mr);
    const per = Math.ceil(tiles / Math.min(tiles, threads * 2));
    for (let t0 = 0; t0 < tiles; t0 += per) {
      const r0 = t0 * mr;
      const src = g.transposeA ? a + r0 * 4 : a + r0 * aStride;
      plan.task().call(pk.name, [Math.min(per * mr, m - r0), k, src, aStride, g.scratch + r0 * k * 4]);
    }
    plan.stage();
    a = g.scratch; aStride = 0; rowStep = k * 4;
  } else if (g.transposeA) {
    aStride = 4; rowStep = 4;
  }
  const args = (m0: number, mr: number, n0: number, nc: number) =>
    [mr, nc, k, a + m0 * rowStep, aStride, g.w + (n0 / PANEL) * panelBytes, g.c + n0 * 4 + m0 * g.cStride, g.cStride, g.min, g.max];
  if (kern.mr === 1) {
    // Row kernel: columns split in chunks that start on a panel boundary.
    const unit = kern.nr % PANEL === 0 ? kern.nr : kern.nr * PANEL;
    const chunk = Math.max(unit, Math.ceil(n / Math.max(1, Math.ceil((threads * 8) / m)) / unit) * unit);
    for (let m0 = 0; m0 < m; m0++) {
      for (let n0 = 0; n0 < n; n0 += chunk) plan.task().call(kern.name, args(m0, 1, n0, Math.min(chunk, n - n0)));
    }
  } else {
    tileTasks(plan, Math.ceil(m / kern.mr), n, nBlock, threads, (t, n0, nc) => {
      const m0 = t * kern.mr;
      plan.call(kern.name, args(m0, Math.min(kern.mr, m - m0), n0, nc));
    });
  }
  return plan;
}

/**
 * The largest batch (GEMM operations) the batched plans take (here and in bindings/f16.ts). Every
 * thread that may run a task needs its own packed A and B (maxThreads of them, not only the
 * plan's threads), and a larger GEMM already splits well between the threads by itself (512³:
 * 1.97×); 256³ batches gained (4×256³: 1.43× -> 1.94× on 2 threads).
 */
export const BATCH_PLAN_MAX_OPS = 2 ** 25;

/**
 * The threads a batched plan (batchedGemmPlan, bindings/f16.ts f16GemmBatched) runs on for
 * `batches` GEMMs of m×n×k (`ops` its whole job as threadsFor counts it), or 0 when the batches
 * should run one GEMM at a time: M > 1, at least two batches per thread, and batches of at most
 * BATCH_PLAN_MAX_OPS.
 */
export function batchedPlanThreads(mod: KernelModule, batches: number, m: number, n: number, k: number, ops: number): number {
  const threads = threadsFor(mod, ops);
  return m < 2 || threads < 2 || batches < 2 * threads || 2 * m * n * k > BATCH_PLAN_MAX_OPS ? 0 : threads;
}

/** The batches of batchedGemmPlan: pointers per batch, the rest shared. */
export interface BatchedGemmArgs {
  batches: number; m: number; n: number; k: number;
  /** Per batch: A (row-major, or its transpose when transposeA), rows aStride bytes apart. */
  a: number[]; aStride: number; transposeA: boolean;
  /** Per batch: B to pack (K×N, or N×K when bTransposed), with `bias` (n floats or 0); or null: every batch uses the packed `w`. */
  b: number[] | null; bTransposed: boolean; bias: number;
  w: number;
  /** Per batch: C, rows cStride bytes apart. */
  c: number[]; cStride: number;
  min: number; max: number;
}

/** Scratch bytes per thread of batchedGemmPlan. */
export function batchedScratchBytes(m: number, n: number, k: number, packsB: boolean): number {
  return (packsB ? packedBytes(n, k) : 0) + packedABytes(m, k, tileKernel.packA!);
}

/**
 * A batch of f32 GEMMs (M > 1) that cannot fold into one (B batched, or A transposed), as one
 * plan whose tasks are whole batches: each packs its B (when `b` is given) and its A into the
 * running thread's scratch (`batchedScratchBytes` per thread at `scratch`), then computes its
 * output with the serial loop's calls (N blocks × row tiles). One GEMM per batch element on
 * the pool split each 128³ batch between the threads (1.12–1.44× at 8×128³); whole batches need
 * no barrier. Each output element is still one kernel call's, so the bits are the serial ones.
 */
export function batchedGemmPlan(mod: KernelModule, g: BatchedGemmArgs, threads: number, scratch: number): Plan {
  const { m, n, k } = g;
  const mr = tileKernel.packA!;
  const pa = packAKernels.find((p) => p.mr === mr && p.source === (g.transposeA ? 't' : 'n'))!;
  const pw = packWKernels.find((p) => p.layout === (g.bTransposed ? 'goi' : 'gio'))!;
  const wBytes = g.b ? packedBytes(n, k) : 0;
  const panelBytes = (PANEL + PANEL * k) * 4;
  const nBlock = nBlockColumns(n, PANEL, panelBytes);
  // Scratch-relative arguments: bit i adds the running thread's scratch to argument i.
  const A_ARG = 1 << 3, W_ARG = 1 << 5;
  const plan = new Plan(mod).threadScratch(scratch, batchedScratchBytes(m, n, k, g.b !== null));
  for (const [b0, count] of new Spans(threads, g.batches).of(g.batches)) {
    plan.task();
    for (let i = b0; i < b0 + count; i++) {
      if (g.b) plan.call(pw.name, [n, k, g.b[i], (g.bTransposed ? k : n) * 4, g.bias, 0], W_ARG);
      plan.call(pa.name, [m, k, g.a[i], g.aStride, wBytes], 1 << 4);
      for (let n0 = 0; n0 < n; n0 += nBlock) {
        const nc = Math.min(nBlock, n - n0), w = (g.b ? 0 : g.w) + (n0 / PANEL) * panelBytes;
        for (let m0 = 0; m0 < m; m0 += mr) {
          plan.call(tileKernel.name, [Math.min(mr, m - m0), nc, k, wBytes + m0 * k * 4, 0, w, g.c[i] + n0 * 4 + m0 * g.cStride,
            g.cStride, g.min, g.max], g.b ? A_ARG | W_ARG : A_ARG);
        }
      }
    }
  }
  return plan;
}
