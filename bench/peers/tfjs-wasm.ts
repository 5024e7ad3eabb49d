/**
 * Peer: TensorFlow.js WebAssembly backend (`@tensorflow/tfjs-backend-wasm`,
 * XNNPACK inside), single thread.
 *
 * Loading in Node: the package's Node entry (`dist/tf-backend-wasm.node.js`,
 * CommonJS) reads the `.wasm` with `fs` from the path that `setWasmPaths`
 * gives. We pass a file map pointing at the package's own `dist/` folder, so
 * nothing is fetched and no bundler is involved; the map is wrapped in a Proxy
 * to record which of the three binaries tfjs actually asked for
 * (`tfjs-backend-wasm-simd.wasm` when SIMD is detected; tfjs never enables
 * threads under Node, `WASM_HAS_MULTITHREAD_SUPPORT` is hard-wired to false).
 *
 * tfjs state is global (one backend per process), so the backend is set up
 * once and shared by every `gemm()`.
 */
import { createRequire } from 'node:module';
import { checkGemmArgs, errorMessage, type Peer, type PeerGemm } from './types.js';

type Tf = typeof import('@tensorflow/tfjs-core');
type TfWasm = typeof import('@tensorflow/tfjs-backend-wasm');

const WASM_BINARIES = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
] as const;
type WasmBinary = (typeof WASM_BINARIES)[number];

interface TfState {
  tf: Tf;
  versions: string;
  /** The wasm binary tfjs loaded (file name), from the setWasmPaths map lookups. */
  binary: string;
  threads: number;
}

/**
 * ESM import of a CommonJS package: Node's namespace has `default` =
 * `module.exports` and, usually, named exports detected by cjs-module-lexer.
 * Take `default` when it carries the API, else the namespace itself.
 */
function cjs<T extends object>(ns: T, probe: keyof T): T {
  const d = (ns as { default?: unknown }).default;
  return d !== null && typeof d === 'object' && probe in d ? (d as T) : ns;
}

let state: Promise<TfState> | undefined;

function init(): Promise<TfState> {
  state ??= (async () => {
    const tf = cjs<Tf>(await import('@tensorflow/tfjs-core'), 'matMul');
    const tfw = cjs<TfWasm>(await import('@tensorflow/tfjs-backend-wasm'), 'setWasmPaths');
    // The package has no "exports" map, so its package.json resolves; the wasm
    // files sit in dist/ next to the Node entry.
    const pkg = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json');
    const dist = pkg.slice(0, -'package.json'.length) + 'dist/';
    const files = Object.fromEntries(WASM_BINARIES.map((f) => [f, dist + f])) as Record<WasmBinary, string>;
    const requested: string[] = [];
    let armed = false; // setWasmPaths itself reads every entry to validate the map
    tfw.setWasmPaths(
      new Proxy(files, {
        get(target, key, receiver) {
          if (armed && typeof key === 'string') requested.push(key);
          return Reflect.get(target, key, receiver) as unknown;
        },
      }),
    );
    armed = true;
    tfw.setThreadsCount(1);
    if (!(await tf.setBackend('wasm')) || tf.getBackend() !== 'wasm') {
      throw new Error(`tfjs: the wasm backend did not initialise (backend is ${String(tf.getBackend())})`);
    }
    armed = false;
    const binary = requested[requested.length - 1] ?? '(default location)';
    if (binary !== 'tfjs-backend-wasm-simd.wasm' && binary !== 'tfjs-backend-wasm-threaded-simd.wasm') {
      throw new Error(`tfjs: loaded ${binary}, not a SIMD build`);
    }
    return {
      tf,
      versions: `tfjs-core ${tf.version_core}, tfjs-backend-wasm ${tfw.version_wasm}`,
      binary,
      threads: tfw.getThreadsCount(),
    };
  })();
  return state;
}

export const tfjsWasm: Peer = {
  name: 'tfjs-wasm',

  async available() {
    try {
      await init();
      return null;
    } catch (e) {
      return `tfjs-backend-wasm unavailable: ${errorMessage(e)}`;
    }
  },

  async describe() {
    const s = await init();
    return `${s.versions}; backend ${s.tf.getBackend()}, ${s.binary}, ${s.threads} thread(s)`;
  },

  async gemm(m, k, n, a, b): Promise<PeerGemm> {
    checkGemmArgs(m, k, n, a, b);
    const { tf } = await init();
    // B lives in wasm memory for the life of the gemm; XNNPACK's fully-connected
    // operator packs it on the first call and tfjs caches that operator by B's id.
    let bT: ReturnType<Tf['tensor2d']> | undefined = tf.tensor2d(b, [k, n], 'float32');
    let last: Float32Array | undefined;
    const run = (): void => {
      if (!bT) throw new Error('tfjs-wasm gemm used after dispose()');
      const weights = bT;
      // tensor2d copies A into wasm memory; tidy frees that copy; dataSync copies C out.
      const y = tf.tidy(() => tf.matMul(tf.tensor2d(a, [m, k], 'float32'), weights));
      last = y.dataSync() as Float32Array;
      y.dispose();
    };
    return {
      run,
      output() {
        if (!last) run();
        return last as Float32Array;
      },
      dispose() {
        bT?.dispose();
        bT = undefined;
      },
    };
  },
};

/** The initialised tfjs (wasm backend, one thread) for suites beyond GEMM (bench/peers/conv.ts). */
export async function tfjsCore(): Promise<Tf> {
  return (await init()).tf;
}
