// The executor: drivers (GEMM, convolution, f16, quantized) describe their work as a Plan — a
// list of independent kernel calls (an export of the module plus up to 10 numeric arguments),
// grouped into tasks (run in order by one thread) and stages (a barrier between them) — and
// `runPlan` runs it: serially on the calling thread, or across the worker pool of bindings/pool.ts
// when one is attached to the module. Tasks are handed out with a shared atomic counter, so
// which thread runs a task changes nothing but the time: a driver that splits only the OUTPUT
// into tasks gets the same bits for every thread count.
//
// This file is also imported by bindings/worker.ts: keep it free of runtime-specific imports.
import type { KernelModule } from './module.js';
import { LanewiseError } from './errors.js';

/** A worker failed, died or stopped answering during a call; the call's output is undefined. */
export class WorkerError extends LanewiseError {}

/** Numeric arguments per call at most. */
export const MAX_ARGS = 10;
/** f64 slots per encoded call: export index, scratch mask, MAX_ARGS arguments. */
export const CALL_SLOTS = 2 + MAX_ARGS;

// Function exports in module order: the same list on every thread that instantiates the module.
const fnTables = new WeakMap<WebAssembly.Module, Map<string, number>>();
export function functionNames(module: WebAssembly.Module): string[] {
  return WebAssembly.Module.exports(module).filter((e) => e.kind === 'function').map((e) => e.name);
}
function fnTable(module: WebAssembly.Module): Map<string, number> {
  let t = fnTables.get(module);
  if (!t) {
    t = new Map(functionNames(module).map((name, i) => [name, i]));
    fnTables.set(module, t);
  }
  return t;
}

/**
 * Work for runPlan. Build it with `call` (appends a kernel call to the current task), `task`
 * (starts a new task) and `stage` (a barrier: every task of the stages before has finished
 * before any task after it starts). Tasks of one stage must not depend on each other.
 */
export class Plan {
  /** Encoded calls: CALL_SLOTS f64 each (room for more; nCalls are used). */
  calls = new Float64Array(16 * CALL_SLOTS);
  nCalls = 0;
  /** First call of each task. */
  readonly taskStarts: number[] = [];
  /** First task of each stage. */
  readonly stageStarts: number[] = [];
  /** Per-thread scratch: thread t gets `scratch + t·scratchBytes` (see threadScratch). */
  scratch = 0;
  scratchBytes = 0;
  private readonly table: Map<string, number>;
  private lastFn = '';
  private lastIdx = 0;

  constructor(readonly mod: KernelModule) {
    this.table = fnTable(mod.module);
  }

  /** Starts a new task (a no-op when the current task has no call yet). */
  task(): this {
    if (this.stageStarts.length === 0) this.stageStarts.push(0);
    const n = this.taskStarts.length;
    const curStageFirst = this.stageStarts[this.stageStarts.length - 1];
    if (n === curStageFirst || this.taskStarts[n - 1] !== this.nCalls) this.taskStarts.push(this.nCalls);
    return this;
  }

  /** A barrier: later tasks start only after every earlier task has finished. */
  stage(): this {
    const n = this.taskStarts.length;
    // Drop an empty trailing task, then open the stage if the current one has tasks.
    if (n > 0 && this.taskStarts[n - 1] === this.nCalls) this.taskStarts.pop();
    const tasks = this.taskStarts.length;
    if (this.stageStarts.length === 0) this.stageStarts.push(0);
    if (this.stageStarts[this.stageStarts.length - 1] < tasks) this.stageStarts.push(tasks);
    return this;
  }

  /**
   * Calls export `fn` with `args`. Bit i of `scratchMask` adds the running thread's scratch
   * address (see threadScratch) to argument i.
   */
  call(fn: string, args: readonly number[], scratchMask = 0): this {
    // Plans call a few exports many times: the last name's index saves a Map lookup per call.
    let idx = this.lastIdx;
    if (fn !== this.lastFn) {
      const found = this.table.get(fn);
      if (found === undefined) throw new Error(`lanewise: the module has no export named ${fn}`);
      idx = found; this.lastFn = fn; this.lastIdx = found;
    }
    if (args.length > MAX_ARGS) throw new Error(`lanewise: ${fn} called with ${args.length} > ${MAX_ARGS} arguments`);
    if (this.taskStarts.length === 0 || (this.stageStarts.length > 0 && this.stageStarts[this.stageStarts.length - 1] === this.taskStarts.length)) this.task();
    if ((this.nCalls + 1) * CALL_SLOTS > this.calls.length) {
      const grown = new Float64Array(this.calls.length * 2);
      grown.set(this.calls);
      this.calls = grown;
    }
    const calls = this.calls, at = this.nCalls * CALL_SLOTS;
    calls[at] = idx;
    calls[at + 1] = scratchMask;
    for (let i = 0; i < args.length; i++) calls[at + 2 + i] = args[i];
    for (let i = args.length; i < MAX_ARGS; i++) calls[at + 2 + i] = 0;
    this.nCalls++;
    return this;
  }

  /**
   * Per-thread scratch: thread t (0 = the calling thread) uses `ptr + t·bytes`. The caller
   * allocates `bytes · maxThreads(mod)` at `ptr` and keeps it until runPlan returns.
   */
  threadScratch(ptr: number, bytes: number): this {
    this.scratch = ptr; this.scratchBytes = bytes;
    return this;
  }

  /** Closes the plan: drops empty trailing tasks and stages. */
  finish(): this {
    this.stage();
    while (this.stageStarts.length > 0 && this.stageStarts[this.stageStarts.length - 1] >= this.taskStarts.length) {
      this.stageStarts.pop();
    }
    return this;
  }

  get taskCount(): number { return this.taskStarts.length; }
  get stageCount(): number { return this.stageStarts.length; }
}

/**
 * The plan cut into jobs that one control block holds: at most MAX_STAGES stages of at most
 * MAX_TASKS_PER_STAGE tasks (a longer stage is cut into several). Run one after another, the
 * jobs only add barriers: every output gets the same calls, so the same bits. A plan within
 * both limits comes back whole.
 */
export function jobWindows(plan: Plan): Plan[] {
  const bounds: number[] = [];
  for (let s = 0; s < plan.stageCount; s++) {
    const end = s + 1 < plan.stageCount ? plan.stageStarts[s + 1] : plan.taskCount;
    for (let t = plan.stageStarts[s]; t < end; t += MAX_TASKS_PER_STAGE) bounds.push(t);
  }
  if (bounds.length <= MAX_STAGES && bounds.length === plan.stageCount) return [plan];
  const out: Plan[] = [];
  for (let i = 0; i < bounds.length; i += MAX_STAGES) {
    const last = Math.min(i + MAX_STAGES, bounds.length);
    const t0 = bounds[i], t1 = last < bounds.length ? bounds[last] : plan.taskCount;
    const c0 = plan.taskStarts[t0], c1 = t1 < plan.taskCount ? plan.taskStarts[t1] : plan.nCalls;
    const w = new Plan(plan.mod);
    w.calls = plan.calls.subarray(c0 * CALL_SLOTS, c1 * CALL_SLOTS);
    w.nCalls = c1 - c0;
    for (let t = t0; t < t1; t++) w.taskStarts.push(plan.taskStarts[t] - c0);
    for (let j = i; j < last; j++) w.stageStarts.push(bounds[j] - t0);
    w.threadScratch(plan.scratch, plan.scratchBytes);
    out.push(w);
  }
  return out;
}

/**
 * The drivers describe their work as kernel calls split over the OUTPUT only (pixel ranges ×
 * channel blocks), so the bits never depend on the thread count. With one thread the calls
 * run at once; with more (bindings/pool.ts attached and enough work) they become a plan.
 */
export class Calls {
  readonly plan: Plan | null;
  readonly threads: number;
  /** `ops` decides whether threads are worth waking; `serial` keeps the calls on this thread. */
  constructor(private readonly mod: KernelModule, private readonly ops: number, serial = false) {
    this.threads = serial ? 1 : threadsFor(mod, ops);
    this.plan = this.threads > 1 ? new Plan(mod) : null;
  }
  /** Task spans over `total` units of work (Spans): one span per run serially. */
  spans(total: number, min = 1): Spans { return new Spans(this.plan ? this.threads : 1, total, min); }
  /**
   * [first, count] ranges of n elements for element-wise work: one range serially, 2 per thread
   * on the pool, each start a multiple of `align` (whole vectors for the kernels).
   */
  ranges(n: number, align = 64): [number, number][] {
    const chunk = Math.ceil(n / (this.plan ? 2 * this.threads : 1) / align) * align;
    const out: [number, number][] = [];
    for (let i = 0; i < n; i += chunk) out.push([i, Math.min(chunk, n - i)]);
    return out;
  }
  task(): this { this.plan?.task(); return this; }
  stage(): this { this.plan?.stage(); return this; }
  call(name: string, args: number[]): this {
    if (this.plan) this.plan.call(name, args);
    else this.mod.exports[name](...args);
    return this;
  }
  run(): void { if (this.plan) runPlan(this.mod, this.plan, this.ops); }
}

/**
 * How the drivers cut runs of work units (row tiles, output rows, pixels) into tasks. One
 * thread: each run is one span (the kernel walks it). Threads: guided sizes, each span about
 * 1/(2·threads) of the work still left in the whole job (this run's rest and the runs after
 * it), never under `min` units. The first tasks are long (few claims, long streams through the
 * kernel) and the last ones short, so the threads finish within a short task of each other.
 * The equal tasks used before (1/16 of a job on 2 threads) could leave one thread idle for most
 * of a task at the end: ~6% of a 256³ GEMM. Only the output is split, so the bits never depend
 * on the spans.
 */
export class Spans {
  private left: number;
  constructor(private readonly threads: number, total: number, private readonly min = 1) { this.left = total; }
  /** The next run of `units` (part of the total) as [first unit, count] spans. */
  of(units: number): [number, number][] {
    if (this.threads <= 1) return units > 0 ? [[0, units]] : [];
    const out: [number, number][] = [];
    for (let u = 0; u < units;) {
      const size = Math.min(units - u, Math.max(this.min, Math.ceil(this.left / (2 * this.threads))));
      out.push([u, size]);
      u += size;
      this.left -= size;
    }
    return out;
  }
}

/**
 * Bytes of packed weights per N block of the f32 and f16 GEMM-like drivers: the block stays in L2
 * (1 MiB per Zen 5 core; half of it leaves room for A and C) while every row tile streams past.
 */
export const L2_BLOCK_BYTES = 512 * 1024;

/**
 * Columns per N block of a GEMM-like call: as many panels of `panelBytes` as fit in `budget`
 * bytes (the block stays in L2 while every row tile streams past it), with the call's blocks made
 * equal. Why equal: a remainder block a few panels wide is a stage of short tasks at the end
 * (512³: 248 + 248 + 16 columns → 176 + 176 + 160; on 2 threads up to 1.08× faster in
 * interleaved runs on the noisy shared host, one thread unchanged). Blocking never
 * changes a result: each output is still reduced over all of K in one call.
 */
export function nBlockColumns(n: number, panel: number, panelBytes: number, budget = L2_BLOCK_BYTES): number {
  const panels = Math.max(1, Math.ceil(n / panel));
  const perBlock = Math.max(1, Math.floor(budget / Math.max(panelBytes, 1)));
  return Math.ceil(panels / Math.ceil(panels / perBlock)) * panel;
}

/**
 * The output tiling of every GEMM-like plan: N blocks of `nBlock` columns × spans of row tiles
 * (Spans), one task per (block, span). `call(t, n0, nc)` adds the kernel call for row tile t of
 * the block that starts at column n0 (nc columns).
 */
export function tileTasks(plan: Plan, tiles: number, n: number, nBlock: number, threads: number,
  call: (t: number, n0: number, nc: number) => void): void {
  const spans = new Spans(threads, Math.ceil(n / nBlock) * tiles);
  for (let n0 = 0; n0 < n; n0 += nBlock) {
    const nc = Math.min(nBlock, n - n0);
    for (const [t0, count] of spans.of(tiles)) {
      plan.task();
      for (let t = t0; t < t0 + count; t++) call(t, n0, nc);
    }
  }
}

type Fn = (...args: number[]) => unknown;

/** The export functions of an instance, by index (same order as functionNames). */
export function functionList(module: WebAssembly.Module, exports: WebAssembly.Exports): Fn[] {
  return functionNames(module).map((n) => exports[n] as Fn);
}

/** Runs calls [from, to) of an encoded call array on thread `thread`. */
export function runCalls(fns: readonly Fn[], calls: ArrayLike<number>, base: number, from: number, to: number,
  scratch: number, scratchBytes: number, thread: number): void {
  const own = scratch + thread * scratchBytes;
  for (let c = from; c < to; c++) {
    const at = base + c * CALL_SLOTS;
    const mask = calls[at + 1];
    let a0 = calls[at + 2], a1 = calls[at + 3], a2 = calls[at + 4], a3 = calls[at + 5], a4 = calls[at + 6];
    let a5 = calls[at + 7], a6 = calls[at + 8], a7 = calls[at + 9], a8 = calls[at + 10], a9 = calls[at + 11];
    if (mask !== 0) {
      if (mask & 1) a0 += own; if (mask & 2) a1 += own; if (mask & 4) a2 += own; if (mask & 8) a3 += own;
      if (mask & 16) a4 += own; if (mask & 32) a5 += own; if (mask & 64) a6 += own; if (mask & 128) a7 += own;
      if (mask & 256) a8 += own; if (mask & 512) a9 += own;
    }
    // Extra arguments are ignored by a wasm function with fewer parameters.
    fns[calls[at]](a0, a1, a2, a3, a4, a5, a6, a7, a8, a9);
  }
}

// ---- Serial execution and the executor hook ----

/** What bindings/pool.ts attaches to a module: runs a plan on `threads` threads. */
export interface Executor {
  /** Threads a plan of `ops` operations would use now (1: the caller may run it serially). */
  threadsFor(ops: number): number;
  /** Threads this executor can use at most (scratch sizing). */
  readonly maxThreads: number;
  run(plan: Plan): void;
}

const executors = new WeakMap<KernelModule, Executor>();
const serialFns = new WeakMap<KernelModule, Fn[]>();

export function attachExecutor(mod: KernelModule, ex: Executor | null): void {
  if (ex) executors.set(mod, ex); else executors.delete(mod);
}
export function executorOf(mod: KernelModule): Executor | null { return executors.get(mod) ?? null; }

/**
 * `ops` for a job whose plan pays on threads only from `min` operations, 0 below (the pool's
 * minOps then keeps it on one thread, unless a test sets minOps to 0). For plans with several
 * stages, each a barrier, or passes that cost more per operation than the unit says.
 */
export function opsFrom(ops: number, min: number): number {
  return ops < min ? 0 : ops;
}

/**
 * The bar (opsFrom's min) of the drivers whose plans have several stages: 2^22 operations, a
 * 128³ GEMM, the pool's default before it went down to 2^20. The quantized GEMM and convolutions
 * (pack, multiply, requantize), the binary16 GEMMs (A and the weights widened in a stage of their
 * own) and the binary16 depthwise convolutions (widen, convolve, narrow) ran up to 1.75× slower on
 * 2 threads below it; each driver's measurements are at its use.
 */
export const STAGED_PLAN_OPS = 2 ** 22;

/** How many threads a job of `ops` operations (2·m·n·k for a GEMM) would run on; 1 when serial. */
export function threadsFor(mod: KernelModule, ops: number): number {
  const ex = executors.get(mod);
  return ex ? ex.threadsFor(ops) : 1;
}

/** Threads a plan may run on at most: size per-thread scratch with this. */
export function maxThreads(mod: KernelModule): number {
  const ex = executors.get(mod);
  return ex ? ex.maxThreads : 1;
}

/** Runs a plan serially on the calling thread (thread index 0). */
export function runSerial(mod: KernelModule, plan: Plan): void {
  let fns = serialFns.get(mod);
  if (!fns) { fns = functionList(mod.module, mod.exports as unknown as WebAssembly.Exports); serialFns.set(mod, fns); }
  runCalls(fns, plan.calls, 0, 0, plan.nCalls, plan.scratch, plan.scratchBytes, 0);
}

/**
 * Runs a plan: on the pool attached to `mod` (bindings/pool.ts) when there is one and the
 * plan has more than one task, else serially. `ops` decides whether threads are worth waking.
 */
export function runPlan(mod: KernelModule, plan: Plan, ops = Infinity): void {
  plan.finish();
  const ex = executors.get(mod);
  if (ex && plan.taskCount > 1 && ex.threadsFor(ops) > 1) ex.run(plan);
  else runSerial(mod, plan);
}

// ---- Shared-memory job protocol (used by the pool and the workers) ----
//
// A control block of Int32 words in the shared wasm memory. The caller writes a job (calls,
// task table, per-stage counts), then bumps SEQ. Each stage has a claim word
// `(seq & 0x7fff) << 16 | next task` taken by compare-exchange, so a thread still inside an
// old job can never claim a task of a newer one, and a DONE counter; a stage's barrier is
// DONE reaching COUNT. A job is complete when the last stage's DONE reaches its COUNT: every
// claimed task has then finished, so nothing of the job's memory is touched after that.

export const C = {
  SEQ: 0, NSTAGES: 1, SLEEPERS: 2, ERROR: 3, STOP: 4, CALLS: 5, TASKS: 6, SCRATCH: 7, SCRATCH_BYTES: 8,
  /** Test hook: the worker with this thread index + 1 exits when it claims its next task. */
  KILL: 9,
  /** Spin budget of idle workers, microseconds. */
  SPIN_US: 10,
  ERROR_THREAD: 11,
  /** Tasks run per thread (statistics), MAX_THREADS words. */
  STATS: 16,
  STAGE0: 16 + 64,
} as const;
export const MAX_THREADS = 64;
export const MAX_STAGES = 32;
export const MAX_TASKS_PER_STAGE = 0xffff;
const S_CLAIM = 0, S_DONE = 1, S_COUNT = 2, S_BASE = 3;
/** Bytes of the control block. */
export const CONTROL_BYTES = (C.STAGE0 + 4 * MAX_STAGES) * 4;

export const now: () => number = typeof performance !== 'undefined' && typeof performance.now === 'function'
  ? () => performance.now() : () => Date.now();

/** Whether this thread may block in Atomics.wait (not a page's main thread, not workerd). */
export function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** Views over the shared memory, refreshed when it grows. */
export class SharedViews {
  private buf: ArrayBufferLike | null = null;
  i32 = new Int32Array(0);
  f64 = new Float64Array(0);
  constructor(readonly memory: WebAssembly.Memory) { this.refresh(); }
  refresh(): void {
    const b = this.memory.buffer;
    if (b !== this.buf) { this.buf = b; this.i32 = new Int32Array(b); this.f64 = new Float64Array(b); }
  }
}

export interface ShareOptions {
  /** Called while waiting at a barrier; throws to abandon the job (main thread watchdog). */
  onWait?: () => void;
  /** Block with Atomics.wait after spinning (never on a page's main thread). */
  block: boolean;
}

/**
 * One thread's share of job `seq`: claims and runs tasks stage by stage, waiting at each
 * barrier. Returns false when the job ended under it (the thread was late).
 */
export function shareJob(v: SharedViews, ctrl: number, seq: number, fns: readonly Fn[], thread: number,
  opts: ShareOptions): boolean {
  v.refresh();
  let i32 = v.i32;
  const tag = (seq & 0x7fff) << 16;
  const nStages = Atomics.load(i32, ctrl + C.NSTAGES);
  for (let s = 0; s < nStages; s++) {
    const sw = ctrl + C.STAGE0 + 4 * s;
    let count = 0;
    for (;;) {
      const cur = Atomics.load(i32, sw + S_CLAIM);
      if ((cur & 0x7fff0000) !== tag) return false;
      const idx = cur & 0xffff;
      count = Atomics.load(i32, sw + S_COUNT);
      if (idx >= count) break;
      if (Atomics.compareExchange(i32, sw + S_CLAIM, cur, cur + 1) !== cur) continue;
      // Claimed task idx of this job: the job cannot complete before it is done, so its
      // descriptors stay valid while it runs.
      const kill = Atomics.load(i32, ctrl + C.KILL);
      if (kill !== 0 && kill === thread + 1 && thread > 0) {
        Atomics.store(i32, ctrl + C.KILL, 0);
        throw new KillSignal();
      }
      const t = Atomics.load(i32, sw + S_BASE) + idx;
      try {
        v.refresh(); i32 = v.i32;
        const tasks = Atomics.load(i32, ctrl + C.TASKS) >> 2;
        const from = i32[tasks + t], to = i32[tasks + t + 1];
        runCalls(fns, v.f64, Atomics.load(i32, ctrl + C.CALLS) >> 3, from, to,
          Atomics.load(i32, ctrl + C.SCRATCH) >>> 0, Atomics.load(i32, ctrl + C.SCRATCH_BYTES), thread);
      } catch (e) {
        // Recorded and the task counted as done, so no thread waits for it; the caller
        // throws after the job has ended.
        if (Atomics.compareExchange(i32, ctrl + C.ERROR, 0, 1) === 0) Atomics.store(i32, ctrl + C.ERROR_THREAD, thread);
        errorDetail ??= e;
      }
      v.refresh(); i32 = v.i32;
      Atomics.add(i32, ctrl + C.STATS + thread, 1);
      finishTask(i32, sw, count);
    }
    // Barrier: every task of this stage done. Spin first (the last tasks usually end within
    // microseconds, and waking from Atomics.wait costs 10-60 µs), then block where allowed.
    let spins = 0, spinStart = -1;
    for (;;) {
      const done = Atomics.load(i32, sw + S_DONE);
      if (done >= count) break;
      if ((Atomics.load(i32, sw + S_CLAIM) & 0x7fff0000) !== tag) return false;
      if ((++spins & 255) !== 0) continue;
      opts.onWait?.();
      if (opts.block) {
        const t = now();
        if (spinStart < 0) spinStart = t;
        else if (t - spinStart > BARRIER_SPIN_MS) Atomics.wait(i32, sw + S_DONE, done, 1);
      }
    }
  }
  return true;
}

/** How long a thread spins at a barrier before it blocks (where blocking is allowed). */
const BARRIER_SPIN_MS = 0.25;

function finishTask(i32: Int32Array, sw: number, count: number): void {
  const d = Atomics.add(i32, sw + S_DONE, 1) + 1;
  if (d >= count) Atomics.notify(i32, sw + S_DONE);
}

/** The first error this thread caught while running a task of the current job. */
export let errorDetail: unknown = null;
export function clearErrorDetail(): void { errorDetail = null; }

/** Thrown inside a worker by the KILL test hook. */
export class KillSignal extends Error {}

/**
 * Writes a plan into the shared buffers as job `seq` and publishes it. `calls` and `tasks`
 * are byte addresses with room for plan.nCalls·CALL_SLOTS f64 and taskCount + 1 i32.
 */
export function publishJob(v: SharedViews, ctrl: number, seq: number, plan: Plan, calls: number, tasks: number): void {
  v.refresh();
  const { i32, f64 } = v;
  f64.set(plan.calls.subarray(0, plan.nCalls * CALL_SLOTS), calls >> 3);
  const t0 = tasks >> 2;
  for (let t = 0; t < plan.taskCount; t++) i32[t0 + t] = plan.taskStarts[t];
  i32[t0 + plan.taskCount] = plan.nCalls;
  Atomics.store(i32, ctrl + C.CALLS, calls);
  Atomics.store(i32, ctrl + C.TASKS, tasks);
  Atomics.store(i32, ctrl + C.SCRATCH, plan.scratch | 0);
  Atomics.store(i32, ctrl + C.SCRATCH_BYTES, plan.scratchBytes);
  Atomics.store(i32, ctrl + C.ERROR, 0);
  const nStages = plan.stageCount;
  // jobWindows keeps plans within these; past them the claim words would wrap and skip tasks.
  if (nStages > MAX_STAGES) throw new Error(`lanewise: a job with ${nStages} > ${MAX_STAGES} stages`);
  Atomics.store(i32, ctrl + C.NSTAGES, nStages);
  const tag = (seq & 0x7fff) << 16;
  for (let s = 0; s < nStages; s++) {
    const sw = ctrl + C.STAGE0 + 4 * s;
    const first = plan.stageStarts[s];
    const end = s + 1 < nStages ? plan.stageStarts[s + 1] : plan.taskCount;
    if (end - first > MAX_TASKS_PER_STAGE) throw new Error(`lanewise: a job stage with ${end - first} > ${MAX_TASKS_PER_STAGE} tasks`);
    Atomics.store(i32, sw + S_COUNT, end - first);
    Atomics.store(i32, sw + S_BASE, first);
    Atomics.store(i32, sw + S_DONE, 0);
    Atomics.store(i32, sw + S_CLAIM, tag);
  }
  Atomics.store(i32, ctrl + C.SEQ, seq);
  if (Atomics.load(i32, ctrl + C.SLEEPERS) > 0) Atomics.notify(i32, ctrl + C.SEQ);
}

/** The idle loop of a worker: spin, then sleep, until a new job or STOP. */
export function workerLoop(v: SharedViews, ctrl: number, fns: readonly Fn[], thread: number,
  onError: (e: unknown) => void, seenAtReady: number): void {
  // Jobs published after the worker said it was ready have a newer SEQ than this.
  let seen = seenAtReady;
  for (;;) {
    let i32 = v.i32;
    let t0 = -1, spins = 0;
    while (Atomics.load(i32, ctrl + C.SEQ) === seen && Atomics.load(i32, ctrl + C.STOP) === 0) {
      if ((++spins & 63) !== 0) continue;
      const t = now();
      if (t0 < 0) t0 = t;
      else if (t - t0 > Atomics.load(i32, ctrl + C.SPIN_US) / 1000) {
        Atomics.add(i32, ctrl + C.SLEEPERS, 1);
        if (Atomics.load(i32, ctrl + C.SEQ) === seen && Atomics.load(i32, ctrl + C.STOP) === 0) {
          Atomics.wait(i32, ctrl + C.SEQ, seen, 1000);
        }
        Atomics.sub(i32, ctrl + C.SLEEPERS, 1);
      }
    }
    if (Atomics.load(i32, ctrl + C.STOP) !== 0) return;
    seen = Atomics.load(i32, ctrl + C.SEQ);
    errorDetail = null;
    shareJob(v, ctrl, seen, fns, thread, { block: true });
    if (errorDetail !== null) onError(errorDetail);
    v.refresh(); i32 = v.i32;
  }
}
