// The worker pool: workers that each instantiate the simd-mt build over the caller's shared
// WebAssembly.Memory and take tasks of the plans bindings/exec.ts describes. The calling thread
// takes its share too. Node uses node:worker_threads; Deno, Bun and browsers the Web Worker.
//
// Calls stay synchronous: the caller publishes a job in shared memory, runs tasks itself, then
// waits for the last ones (spinning; blocking in Atomics.wait only where that is allowed).
// A worker that dies or stops answering mid-call leaves a task unfinished: the caller's
// watchdog throws WorkerError after `stallMs` without progress, the pool replaces its workers
// and later calls run on the threads that come back (serially until then). Never a hang.
import type { KernelModule } from './module.js';
import type { Arena } from './memory.js';
import { OutOfMemoryError } from './errors.js';
import {
  attachExecutor, C, canBlock, clearErrorDetail, CONTROL_BYTES, CALL_SLOTS, errorDetail, functionList, jobWindows,
  MAX_THREADS, now, Plan, publishJob, runSerial, shareJob, SharedViews, WorkerError,
  type Executor,
} from './exec.js';

export { WorkerError } from './exec.js';

export interface PoolOptions {
  /** Worker threads to start (the calling thread comes on top). */
  workers: number;
  /**
   * Jobs below this many operations run on the calling thread alone. Default 2^20, twice a 64³
   * GEMM: a plan costs ~2 µs to hand out and gather, and from ~2^19 the f32 GEMM, convolutions,
   * elementwise ops and casts gain on 2 threads when both cores are free (64³ 1.11–1.24×), but a
   * job of ~12 µs waits for a worker whose core the host lends elsewhere (64³ 0.85× in two runs
   * of the threads suite), so 64³ stays on one thread (drivers whose plans pay later raise their
   * own bar: exec.ts, opsFrom).
   */
  minOps?: number;
  /** How long idle workers spin before sleeping, microseconds. Default 1500. */
  spinMicros?: number;
  /** No progress for this long during a call → WorkerError. Default 2000 ms. */
  stallMs?: number;
  /** Time allowed for workers to start, ms. Default 15 000. */
  startTimeoutMs?: number;
  /** Testing: the calling thread only waits, workers run every task. */
  callerTakesWork?: boolean;
}

/** What a platform worker looks like to the pool. */
interface WorkerHandle {
  post(msg: unknown): void;
  terminate(): void;
  /** Registers the callbacks (once). */
  listen(onMessage: (m: WorkerMessage) => void, onExit: (why: string) => void): void;
}

type WorkerMessage = { type: 'ready'; thread: number } | { type: 'error'; thread: number; message: string }
  | { type: 'exit'; thread: number; code: number };

interface Slot {
  thread: number;
  handle: WorkerHandle | null;
  ready: boolean;
  /** The control block it was started on. */
  ctrl: number;
}

type Spawner = (thread: number) => Promise<WorkerHandle>;

// ---- platform ----

/** Why this runtime cannot run the pool, or null when it can. */
export async function threadSupport(): Promise<string | null> {
  const g = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown; document?: unknown; WebSocketPair?: unknown; EdgeRuntime?: unknown };
  if (typeof SharedArrayBuffer === 'undefined') {
    if (g.crossOriginIsolated === false || g.document !== undefined) {
      return 'SharedArrayBuffer unavailable: serve the page with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp (or credentialless)';
    }
    return 'SharedArrayBuffer unavailable in this runtime';
  }
  if (typeof g.Worker === 'function') return null;
  if (await nodeWorkerThreads() !== null) return null;
  if (g.WebSocketPair !== undefined) return 'no Worker in this runtime (workerd / Cloudflare Workers)';
  if (g.EdgeRuntime !== undefined) return 'no Worker in this runtime (edge-runtime)';
  return 'no Worker in this runtime';
}

type NodeWT = typeof import('node:worker_threads');
let nodeWT: Promise<NodeWT | null> | undefined;
function nodeWorkerThreads(): Promise<NodeWT | null> {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (!p?.versions?.node) return Promise.resolve(null);
  // A variable specifier keeps bundlers from resolving a Node built-in in browser builds.
  const spec = 'node:worker_threads';
  nodeWT ??= import(/* @vite-ignore */ spec).then((m: NodeWT) => (m.Worker ? m : null), () => null);
  return nodeWT;
}

/** Threads the hardware offers (navigator.hardwareConcurrency, or Node's os). */
export async function hardwareThreads(): Promise<number> {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  if (nav && typeof nav.hardwareConcurrency === 'number' && nav.hardwareConcurrency > 0) return nav.hardwareConcurrency;
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (p?.versions?.node) {
    try {
      const spec = 'node:os';
      const os = await import(/* @vite-ignore */ spec) as typeof import('node:os');
      return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
    } catch { /* fall through */ }
  }
  return 1;
}

function webSpawner(): Spawner {
  return async () => {
    // Bundlers (Vite, webpack 5, Parcel, esbuild with plugins) recognise exactly this form and
    // emit the worker as its own chunk; unbundled, it resolves next to this file.
    const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    // Bun's Worker has unref(): an idle pool then does not keep the process alive.
    (w as { unref?: () => void }).unref?.();
    return {
      post: (m) => w.postMessage(m),
      terminate: () => w.terminate(),
      listen(onMessage, onExit) {
        let ended = false;
        const end = (why: string) => { if (!ended) { ended = true; onExit(why); } };
        w.onmessage = (ev: MessageEvent) => {
          const m = ev.data as WorkerMessage;
          if (m?.type === 'exit') end(`worker exited with code ${m.code}`);
          else onMessage(m);
        };
        w.onerror = (ev: ErrorEvent) => { ev.preventDefault?.(); end(`worker error: ${ev.message ?? 'unknown'}`); };
        w.onmessageerror = () => end('worker message could not be deserialized');
      },
    };
  };
}

function nodeSpawner(wt: NodeWT): Spawner {
  return async () => {
    // From the TypeScript sources (tests), the compiled worker lives in dist/.
    const self = import.meta.url;
    const file = self.endsWith('.ts') ? '../dist/bindings/worker.js' : './worker.js';
    // Workers get the process's execArgv, except --input-type, which makes a worker started
    // from a file fail (node --input-type=module -e …). Node refuses per-process and V8 options
    // there (--max-old-space-size, --expose-gc, --stack-size, --title: ERR_WORKER_INVALID_EXEC_ARGV);
    // the worker then starts without any: V8 flags are process-wide anyway, and it needs no other.
    const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
    let w: InstanceType<NodeWT['Worker']>;
    try {
      w = new wt.Worker(new URL(file, self), { execArgv });
    } catch (e) {
      if ((e as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw e;
      w = new wt.Worker(new URL(file, self), { execArgv: [] });
    }
    let exited = false;
    return {
      post: (m) => w.postMessage(m),
      terminate: () => { void w.terminate(); },
      listen(onMessage, onExit) {
        w.on('message', (m: WorkerMessage) => onMessage(m));
        w.on('error', (e: Error) => { if (!exited) { exited = true; onExit(`worker error: ${e.message}`); } });
        w.on('exit', (code: number) => { if (!exited) { exited = true; onExit(`worker exited with code ${code}`); } });
        // After the listeners: adding a 'message' listener refs the worker again, and a
        // referenced worker would keep the process alive.
        w.unref();
      },
    };
  };
}

async function platformSpawner(): Promise<Spawner | null> {
  // Node and Deno: node:worker_threads, whose workers can be unref'd (an idle pool must not
  // keep the process alive; Deno's Web Workers cannot be). Node first also because Emscripten
  // modules in the same process (onnxruntime-web, …) may set globalThis.Worker to
  // node:worker_threads' Worker, which is not a Web Worker. Bun: Web Workers (with unref).
  const g = globalThis as { Worker?: unknown; Bun?: unknown; process?: { versions?: { node?: string; bun?: string } } };
  if (g.process?.versions?.node && g.Bun === undefined && !g.process.versions.bun) {
    const wt = await nodeWorkerThreads();
    if (wt) return nodeSpawner(wt);
  }
  if (typeof g.Worker === 'function') return webSpawner();
  const wt = await nodeWorkerThreads();
  return wt ? nodeSpawner(wt) : null;
}

// ---- the pool ----

/**
 * One of a job's tables (calls, tasks) in the arena, grown by doubling when a plan needs more.
 * The old block is let go before the new one is taken, so an allocation that fails
 * (OutOfMemoryError, passed on) leaves the table empty, never holding a freed block that a live
 * tensor may now occupy.
 */
class JobTable {
  ptr = 0;
  private cap = 0;
  constructor(private readonly arena: Arena, private readonly what: string, private readonly minBytes: number) {}

  fit(bytes: number): void {
    if (bytes <= this.cap) return;
    const cap = Math.max(bytes, 2 * this.cap, this.minBytes);
    if (this.ptr) this.arena.free(this.ptr);
    this.ptr = 0; this.cap = 0;
    this.ptr = this.arena.alloc(cap, `thread pool job (${this.what})`);
    this.cap = cap;
  }
}

export class Pool implements Executor {
  readonly mod: KernelModule;
  readonly arena: Arena;
  readonly workers: number;
  readonly maxThreads: number;
  minOps: number;
  stallMs: number;
  callerTakesWork: boolean;
  /** Set when the pool gave up on threads; info() reports it. */
  failure: string | null = null;
  private readonly spawn: Spawner;
  private readonly spinMicros: number;
  private readonly views: SharedViews;
  private readonly block = canBlock();
  private readonly fns: ReturnType<typeof functionList>;
  private ctrlPtr = 0;
  private seq = 0;
  private slots: Slot[] = [];
  private disposed = false;
  private calls!: JobTable;
  private tasks!: JobTable;
  private restarts = 0;
  private onReadyChange: (() => void) | null = null;

  private constructor(mod: KernelModule, arena: Arena, spawn: Spawner, o: PoolOptions) {
    this.mod = mod; this.arena = arena; this.spawn = spawn;
    this.newJobTables();
    this.workers = o.workers;
    this.maxThreads = o.workers + 1;
    this.minOps = o.minOps ?? 2 ** 20;
    this.stallMs = o.stallMs ?? 2000;
    this.spinMicros = o.spinMicros ?? 1500;
    this.callerTakesWork = o.callerTakesWork ?? true;
    this.views = new SharedViews(mod.memory);
    this.fns = functionList(mod.module, mod.exports as unknown as WebAssembly.Exports);
  }

  /**
   * Starts `workers` workers on a simd-mt module and attaches the pool as the module's
   * executor. Throws (with the reason) when they cannot start.
   */
  static async start(mod: KernelModule, arena: Arena, o: PoolOptions): Promise<Pool> {
    if (!mod.shared) throw new WorkerError('build', "the 'simd-mt' build (shared memory)", mod.build);
    if (!(o.workers >= 1 && o.workers < MAX_THREADS)) throw new WorkerError('workers', `1..${MAX_THREADS - 1}`, o.workers);
    const spawn = await platformSpawner();
    if (!spawn) throw new WorkerError('runtime', 'a Worker implementation', 'none');
    const pool = new Pool(mod, arena, spawn, o);
    pool.newControlBlock();
    try {
      await pool.startWorkers(o.startTimeoutMs ?? 15_000);
    } catch (e) {
      pool.dispose();   // the workers that did start
      throw e;
    }
    attachExecutor(mod, pool);
    return pool;
  }

  private newControlBlock(): void {
    this.ctrlPtr = this.arena.alloc(CONTROL_BYTES, 'thread pool control block');
    this.views.refresh();
    const c = this.ctrlPtr >> 2;
    this.views.i32.fill(0, c, c + (CONTROL_BYTES >> 2));
    Atomics.store(this.views.i32, c + C.SPIN_US, this.spinMicros);
    this.seq = 0;
  }

  private startWorkers(timeoutMs: number): Promise<void> {
    const ctrl = this.ctrlPtr;
    const pending: Promise<void>[] = [];
    this.slots = [];
    for (let i = 1; i <= this.workers; i++) {
      const slot: Slot = { thread: i, handle: null, ready: false, ctrl };
      this.slots.push(slot);
      pending.push(this.startSlot(slot, timeoutMs));
    }
    return Promise.all(pending).then(() => undefined);
  }

  private async startSlot(slot: Slot, timeoutMs: number): Promise<void> {
    const handle = await this.spawn(slot.thread);
    slot.handle = handle;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new WorkerError(`worker ${slot.thread}`, `to start within ${timeoutMs} ms`, 'no answer')), timeoutMs);
      handle.listen((m) => {
        if (m.type === 'ready') { clearTimeout(timer); slot.ready = true; this.onReadyChange?.(); resolve(); }
      }, (why) => {
        clearTimeout(timer);
        const wasReady = slot.ready;
        slot.ready = false;
        if (slot.handle === handle) slot.handle = null;
        reject(new WorkerError(`worker ${slot.thread}`, 'to start', why));
        if (wasReady) this.lost(slot, why);
      });
      handle.post({ type: 'init', module: this.mod.module, memory: this.mod.memory, ctrl: slot.ctrl, thread: slot.thread });
    });
  }

  /** A worker ended outside a call: replace it (its control block is still the current one). */
  private lost(slot: Slot, why: string): void {
    if (this.disposed || slot.ctrl !== this.ctrlPtr) return;
    this.lastLoss = why;
    this.startSlot(slot, 15_000).catch((e: Error) => { this.failure = `a worker could not be restarted: ${e.message}`; });
  }

  lastLoss: string | null = null;

  /** Workers ready now. */
  get readyWorkers(): number {
    let n = 0;
    for (const s of this.slots) if (s.ready && s.ctrl === this.ctrlPtr) n++;
    return n;
  }

  threadsFor(ops: number): number {
    if (this.disposed || this.failure !== null || ops < this.minOps) return 1;
    return 1 + this.readyWorkers;
  }

  /** Tasks each thread has run (index 0: the calling thread), since the control block was made. */
  stats(): number[] {
    this.views.refresh();
    const c = this.ctrlPtr >> 2;
    return Array.from({ length: this.maxThreads }, (_, t) => Atomics.load(this.views.i32, c + C.STATS + t));
  }

  /** Resolves when `n` workers are ready (tests, after a restart). */
  whenReady(n = this.workers, timeoutMs = 15_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const t0 = now();
      const check = () => {
        if (this.readyWorkers >= n) { this.onReadyChange = null; resolve(); }
        else if (now() - t0 > timeoutMs) { this.onReadyChange = null; reject(new WorkerError('pool', `${n} ready workers`, this.readyWorkers)); }
        else setTimeout(check, 5);
      };
      check();
    });
  }

  /** Test hook: worker `thread` exits (as if it crashed) when it claims its next task. */
  killOnNextTask(thread: number): void {
    this.views.refresh();
    Atomics.store(this.views.i32, (this.ctrlPtr >> 2) + C.KILL, thread + 1);
  }

  /** Test hook: terminates worker `thread` now (the pool notices asynchronously). */
  terminateWorker(thread: number): void {
    this.slots.find((s) => s.thread === thread)?.handle?.terminate();
  }

  /**
   * Whether the job's call and task tables hold the plan (grown when it needs more). False when
   * a table does not fit in the instance's memory: the caller then runs the plan on its own
   * thread, which needs neither.
   */
  private ensureBuffers(plan: Plan): boolean {
    try {
      this.calls.fit(plan.nCalls * CALL_SLOTS * 8);
      this.tasks.fit((plan.taskCount + 1) * 4);
    } catch (e) {
      if (e instanceof OutOfMemoryError) return false;
      throw e;
    }
    return true;
  }

  run(plan: Plan): void {
    plan.finish();
    if (this.disposed || this.readyWorkers === 0 || plan.taskCount <= 1) { runSerial(this.mod, plan); return; }
    // A plan longer than a control block holds (int4/int2 qMatMul: two stages per N block; a
    // batch of 65,536 small images: as many tasks in one stage) runs as several jobs in a row.
    const windows = jobWindows(plan);
    if (windows[0] !== plan) { for (const w of windows) this.run(w); return; }
    if (!this.ensureBuffers(plan)) { runSerial(this.mod, plan); return; }
    const ctrl = this.ctrlPtr >> 2;
    const seq = this.seq = (this.seq % 0x7fff) + 1;
    publishJob(this.views, ctrl, seq, plan, this.calls.ptr, this.tasks.ptr);
    clearErrorDetail();
    // Watchdog: total finished tasks must keep moving.
    const start = now();
    let last = -1, lastAt = start;
    const onWait = () => {
      const i32 = this.views.i32;
      let done = 0;
      for (let s = 0; s < plan.stageCount; s++) done += Atomics.load(i32, ctrl + C.STAGE0 + 4 * s + 1);
      const t = now();
      if (done !== last) { last = done; lastAt = t; return; }
      // A long job (big tasks) may go longer between finished tasks: allow twice its age.
      if (t - lastAt > Math.max(this.stallMs, 2 * (lastAt - start))) {
        throw new WorkerError('threads', `progress within ${this.stallMs} ms`,
          `a stalled worker (${done} of ${plan.taskCount} tasks finished)`,
          'a worker died or stopped answering during the call; the output was not fully written. The pool restarts its workers.');
      }
    };
    try {
      if (this.callerTakesWork) shareJob(this.views, ctrl, seq, this.fns, 0, { block: this.block, onWait });
      else waitJob(this.views, ctrl, plan.stageCount, this.block, onWait);
    } catch (e) {
      if (e instanceof WorkerError) this.restart(e.message);
      throw e;
    }
    this.views.refresh();
    if (Atomics.load(this.views.i32, ctrl + C.ERROR) !== 0) {
      if (errorDetail !== null) throw errorDetail;
      const t = Atomics.load(this.views.i32, ctrl + C.ERROR_THREAD);
      throw new WorkerError('threads', 'every task to finish', `an exception in worker ${t}`);
    }
  }

  /** Empty job tables; a restart leaves the old ones' blocks unused, like the old control block. */
  private newJobTables(): void {
    this.calls = new JobTable(this.arena, 'calls', 4096);
    this.tasks = new JobTable(this.arena, 'tasks', 1024);
  }

  /** Ends every worker and starts new ones on a fresh control block (the old one is left unused). */
  private restart(why: string): void {
    this.lastLoss = why;
    this.stopAll();
    if (++this.restarts > 3) { this.failure = `workers failed ${this.restarts} times (last: ${why}); running on one thread`; return; }
    this.ctrlPtr = 0;
    this.newJobTables();
    this.newControlBlock();
    // A worker that fails to start counts as one more loss: the pool tries again, up to the same limit.
    this.startWorkers(15_000).catch((e: Error) => { if (!this.disposed) this.restart(`workers could not be restarted: ${e.message}`); });
  }

  private stopAll(): void {
    if (this.ctrlPtr) {
      this.views.refresh();
      const c = this.ctrlPtr >> 2;
      Atomics.store(this.views.i32, c + C.STOP, 1);
      Atomics.notify(this.views.i32, c + C.SEQ);
    }
    for (const s of this.slots) { s.ready = false; const h = s.handle; s.handle = null; h?.terminate(); }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    attachExecutor(this.mod, null);
    this.stopAll();
  }
}

/** The caller's wait when it takes no tasks (testing): every stage's barrier in turn. */
function waitJob(v: SharedViews, ctrl: number, nStages: number, block: boolean, onWait: () => void): void {
  for (let s = 0; s < nStages; s++) {
    const sw = ctrl + C.STAGE0 + 4 * s;
    let spins = 0;
    for (;;) {
      v.refresh();
      const i32 = v.i32;
      const done = Atomics.load(i32, sw + 1);
      if (done >= Atomics.load(i32, sw + 2)) break;
      if (++spins > 2000 && block) Atomics.wait(i32, sw + 1, done, 1);
      if (spins > 2000 || (spins & 255) === 0) onWait();
    }
  }
}

// ---- choosing a thread count (Lanewise.create) ----

export type ThreadsOption = 'auto' | number | undefined;

export interface ThreadsPlan {
  /** Threads to start (1: no pool). */
  want: number;
  /** The build to compile (undefined: the caller's choice). */
  build: 'simd' | 'simd-mt' | undefined;
  /** Why the count is what it is, when it is 1. */
  reason: string;
}

/**
 * Decides, before the module is compiled, how many threads `threads` asks for and whether this
 * runtime can have them. `moduleBuild` is the build of a module the caller passed, if any.
 */
export async function planThreads(threads: ThreadsOption, moduleBuild: 'simd' | 'simd-mt' | undefined,
  build: 'simd' | 'simd-mt' | undefined, features: { threads: boolean }): Promise<ThreadsPlan> {
  if (threads === undefined || threads === 1) {
    return { want: 1, build, reason: "single-threaded: the threads option is 1 (pass threads: 'auto' or a number for workers)" };
  }
  const one = (reason: string): ThreadsPlan => ({ want: 1, build, reason: `single-threaded: ${reason}` });
  const why = await threadSupport();
  if (why) return one(why);
  let want: number;
  if (threads === 'auto') {
    want = Math.min(16, await hardwareThreads());
    if (want <= 1) return one('the runtime reports one hardware thread');
  } else want = threads;
  if (!features.threads) return one('this runtime has no WebAssembly threads (shared memory)');
  if (moduleBuild === 'simd') return one("options.module is the single-thread build (lanewise-simd.wasm); pass lanewise-simd-mt.wasm for threads");
  if (build === 'simd') return one("options.build is 'simd' (the threads build is 'simd-mt')");
  return { want, build: 'simd-mt', reason: '' };
}

/** The plan when the threads build's shared memory (up to `maxMemory` bytes) could not be reserved. */
export function noSharedMemoryPlan(maxMemory: number, refused: string): ThreadsPlan {
  return { want: 1, build: 'simd', reason: `single-threaded: the runtime could not reserve a shared memory of ${maxMemory} bytes (pass a smaller maxMemory for threads; ${refused})` };
}

export interface Threads { pool: Pool | null; reason: string }

/** Starts the pool a plan asked for; on failure, runs single-threaded and says why. */
export async function startThreads(mod: KernelModule, arena: Arena, plan: ThreadsPlan): Promise<Threads> {
  if (plan.want <= 1) return { pool: null, reason: plan.reason };
  try {
    const pool = await Pool.start(mod, arena, { workers: plan.want - 1 });
    return { pool, reason: `${plan.want} threads: ${plan.want - 1} worker(s) and the calling thread share one WebAssembly.Memory` };
  } catch (e) {
    return { pool: null, reason: `single-threaded: the workers could not start (${e instanceof Error ? e.message : String(e)})` };
  }
}

/** info(): the thread count now and why. */
export function threadsNow(t: Threads): { threads: number; reason: string } {
  const p = t.pool;
  if (!p) return { threads: 1, reason: t.reason };
  if (p.failure) return { threads: 1, reason: `single-threaded: ${p.failure}` };
  const ready = p.readyWorkers;
  if (ready < p.workers) {
    return { threads: 1 + ready, reason: `${1 + ready} of ${p.maxThreads} threads: restarting worker(s)${p.lastLoss ? ` after: ${p.lastLoss}` : ''}` };
  }
  return { threads: p.maxThreads, reason: `${t.reason}; problems under ${p.minOps} operations run on the calling thread` };
}
