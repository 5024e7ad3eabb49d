/**
 * Peer: onnxruntime-web, WebAssembly execution provider (MLAS kernels
 * compiled to wasm SIMD), one thread.
 *
 * Loading in Node: `import('onnxruntime-web')` resolves (export condition
 * "node") to `dist/ort.node.min.mjs`, which dynamic-imports the Emscripten glue
 * `ort-wasm-simd-threaded.mjs`, which reads `ort-wasm-simd-threaded.wasm` with
 * `fs`. By default both are found next to `ort.node.min.mjs`; we set
 * `env.wasm.wasmPaths` to the two files' `file://` URLs, resolved through the
 * package's own export map, so the choice does not depend on where the ort
 * bundle ends up. Since 1.19 every onnxruntime-web binary is a SIMD build
 * (`env.wasm.simd = true` only asks ORT to check that the engine has SIMD).
 * `numThreads = 1` keeps it on the calling thread: no worker, no
 * SharedArrayBuffer pool.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { ortGemm, type OrtApi } from './ort-common.js';
import { errorMessage, type Peer, type PeerGemm } from './types.js';

type OrtWeb = typeof import('onnxruntime-web');

interface OrtWebState {
  ort: OrtWeb;
  wasm: string;
}

let state: Promise<OrtWebState> | undefined;

function init(): Promise<OrtWebState> {
  state ??= (async () => {
    const ort = await import('onnxruntime-web');
    const require = createRequire(import.meta.url);
    const wasm = require.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm');
    const mjs = require.resolve('onnxruntime-web/ort-wasm-simd-threaded.mjs');
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.simd = true;
    ort.env.wasm.proxy = false;
    ort.env.wasm.wasmPaths = { mjs: pathToFileURL(mjs).href, wasm: pathToFileURL(wasm).href };
    ort.env.logLevel = 'error';
    // Creating one tiny session initialises the wasm runtime, so a broken
    // install shows up in available() rather than in the first benchmark.
    const probe = await ortGemm(ort as unknown as OrtApi, sessionOptions, 1, 1, 1, new Float32Array([2]), new Float32Array([3]));
    const y = await probe.output();
    await probe.dispose();
    if (y[0] !== 6) throw new Error(`onnxruntime-web: 2·3 gave ${y[0]}`);
    return { ort, wasm };
  })();
  return state;
}

const sessionOptions = {
  executionProviders: ['wasm'],
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
  logSeverityLevel: 3,
} as const;

export const ortWeb: Peer = {
  name: 'ort-web',

  async available() {
    try {
      await init();
      return null;
    } catch (e) {
      return `onnxruntime-web unavailable: ${errorMessage(e)}`;
    }
  },

  async describe() {
    const { ort, wasm } = await init();
    const file = wasm.slice(wasm.lastIndexOf('/') + 1);
    return `onnxruntime-web ${ort.env.versions.web ?? '?'} (common ${ort.env.versions.common}); wasm EP, ${file}, ${ort.env.wasm.numThreads} thread(s)`;
  },

  async gemm(m, k, n, a, b): Promise<PeerGemm> {
    const { ort } = await init();
    return ortGemm(ort as unknown as OrtApi, sessionOptions, m, k, n, a, b);
  },
};

/** The initialised onnxruntime-web and its session options, for suites beyond GEMM (bench/peers/conv.ts). */
export async function ortWebApi(): Promise<{ ort: OrtApi; sessionOptions: object }> {
  return { ort: (await init()).ort as unknown as OrtApi, sessionOptions };
}
