// A pool worker (bindings/pool.ts starts it): instantiates the simd-mt module it is sent over
// the shared memory, says it is ready, then runs job shares from the control block until told
// to stop. Runs as a Node worker_threads worker or a module Web Worker (Deno, Bun, browsers).
import { C, functionList, KillSignal, SharedViews, workerLoop } from './exec.js';

interface Init { type: 'init'; module: WebAssembly.Module; memory: WebAssembly.Memory; ctrl: number; thread: number }

type Post = (m: unknown) => void;

async function start(init: Init, post: Post, exit: (code: number) => void): Promise<void> {
  const instance = await WebAssembly.instantiate(init.module, { env: { memory: init.memory } });
  const fns = functionList(init.module, instance.exports);
  const views = new SharedViews(init.memory);
  // Read before saying ready: the caller counts this worker for jobs published after that.
  const seen = Atomics.load(views.i32, (init.ctrl >> 2) + C.SEQ);
  post({ type: 'ready', thread: init.thread });
  // Let the ready message leave before this thread starts its blocking loop.
  setTimeout(() => {
    try {
      workerLoop(views, init.ctrl >> 2, fns, init.thread,
        (e) => post({ type: 'error', thread: init.thread, message: e instanceof Error ? e.message : String(e) }), seen);
      exit(0);
    } catch (e) {
      exit(e instanceof KillSignal ? 70 : 1);
    }
  }, 0);
}

const g = globalThis as unknown as {
  postMessage?: (m: unknown) => void;
  close?: () => void;
  addEventListener?: (t: string, f: (ev: MessageEvent) => void) => void;
};

if (typeof g.postMessage === 'function' && typeof g.addEventListener === 'function') {
  // Web Worker (Deno, Bun, browsers).
  const onMessage = (ev: MessageEvent) => {
    const m = ev.data as Init;
    if (m?.type !== 'init') return;
    const post = (x: unknown) => g.postMessage!(x);
    const exit = (code: number) => { post({ type: 'exit', thread: m.thread, code }); g.close?.(); };
    start(m, post, exit).catch((e) => {
      post({ type: 'error', thread: m.thread, message: String(e) });
      exit(1);
    });
  };
  g.addEventListener('message', onMessage);
} else {
  // Node worker_threads. (No top-level await: bundlers may emit workers as classic scripts.)
  const spec = 'node:worker_threads';
  void (import(/* @vite-ignore */ spec) as Promise<typeof import('node:worker_threads')>).then((wt) => {
    const port = wt.parentPort!;
    port.once('message', (m: Init) => {
      start(m, (x) => port.postMessage(x), (code) => { process.exit(code); }).catch((e) => {
        port.postMessage({ type: 'error', thread: m.thread, message: String(e) });
        process.exit(1);
      });
    });
  });
}
