// Threads: lanewise on 2 threads (1 worker + the calling thread) against itself on 1 thread
// and against onnxruntime-web on 1 and 2 threads (env.wasm.numThreads), f32 GEMM, B prepacked.
// The lanewise contender is the 2-thread instance; the "× lanewise-1t" column is the speedup.
//   node dist/src/cli/main.js bench --suite threads
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Lanewise } from '../../src/index.js';
import { ortGemm, type OrtApi } from '../peers/ort-common.js';
import { errorMessage } from '../peers/types.js';
import type { BenchCase, Runner, Suite } from '../suite.js';
import { lanewiseGemm, peerGemm, randomData } from './gemm.js';
import { one, weights } from './conv.js';
import { convNetFlops, lanewiseConvNet } from '../peers/conv.js';
import { peers } from '../peers/index.js';

/** A runner made by `make` on its own Lanewise instance with `threads` threads (disposed with the runner). */
async function on(threads: number, make: (lw: Lanewise) => Runner): Promise<Runner> {
  const lw = await Lanewise.create({ threads });
  if (lw.info().threads !== threads) {
    const why = lw.info().threadsReason;
    lw.dispose();
    throw new Error(`lanewise: ${threads} threads unavailable (${why})`);
  }
  const r = make(lw);
  return { run: () => r.run(), dispose: () => { r.dispose(); lw.dispose(); } };
}

const gemmOn = (threads: number, m: number, k: number, n: number, a: Float32Array, b: Float32Array) =>
  on(threads, (lw) => lanewiseGemm(lw, m, k, n, a, b));

// onnxruntime-web keeps one wasm runtime per module instance, initialised with the thread
// count of its first session. The gemm suite's peer is the 1-thread instance; a second
// instance (the same file imported under another URL) runs with numThreads = 2. In Node,
// ort-web starts its pthreads as worker_threads (one extra OS thread for numThreads = 2).
let ort2: Promise<OrtApi> | undefined;
function ortWeb2(): Promise<OrtApi> {
  ort2 ??= (async () => {
    const require = createRequire(import.meta.url);
    const entry = pathToFileURL(require.resolve('onnxruntime-web')).href;
    const ort = await import(`${entry}?threads=2`);
    ort.env.wasm.numThreads = 2;
    ort.env.wasm.proxy = false;
    ort.env.wasm.wasmPaths = {
      mjs: pathToFileURL(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.mjs')).href,
      wasm: pathToFileURL(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm')).href,
    };
    ort.env.logLevel = 'error';
    return ort as unknown as OrtApi;
  })();
  return ort2;
}

const ortOptions2 = { executionProviders: ['wasm'], executionMode: 'sequential', graphOptimizationLevel: 'all', logSeverityLevel: 3, intraOpNumThreads: 2 };

function threadsCase(s: number): BenchCase {
  const a = randomData(s * s, 1), b = randomData(s * s, 2);
  const ortWeb1 = peers.find((p) => p.name === 'ort-web');
  const cases: Record<string, () => Promise<Runner | string>> = {
    'lanewise-1t': async () => gemmOn(1, s, s, s, a, b),
    'ort-web-2t': async () => {
      try {
        const g = await ortGemm(await ortWeb2(), ortOptions2, s, s, s, a, b);
        return { run: () => g.run(), dispose: () => g.dispose() };
      } catch (e) {
        return `onnxruntime-web with 2 threads unavailable: ${errorMessage(e)}`;
      }
    },
  };
  if (ortWeb1) cases['ort-web'] = peerGemm(ortWeb1, s, s, s, a, b);
  return {
    name: `f32 gemm ${s}×${s}×${s} 2 threads`,
    ops: 2 * s * s * s,
    unit: 'GFLOPS',
    lanewise: () => gemmOn(2, s, s, s, a, b),
    peers: cases,
    notes: { threads: 2 },
  };
}

/** The convolution issue's 56×56×64→64 3×3 (bias + ReLU fused) on 2 threads against 1. */
function convThreadsCase(): BenchCase {
  const spec = one(56, 56, 64, 'conv', 3, 1, 1, 64);
  const w = weights(spec, 7), x = randomData(56 * 56 * 64, 3);
  return {
    name: 'f32 conv 56×56×64→64 k3 p1 2 threads',
    ops: convNetFlops(spec),
    unit: 'GFLOPS',
    lanewise: () => on(2, (lw) => lanewiseConvNet(lw, spec, w, x)),
    peers: { 'lanewise-1t': () => on(1, (lw) => lanewiseConvNet(lw, spec, w, x)) },
    notes: { threads: 2 },
  };
}

export const threadsSuite: Suite = {
  name: 'threads',
  description: 'f32 GEMM and the 56×56×64 conv on 2 threads (1 worker + caller) vs lanewise 1 thread; GEMM also vs onnxruntime-web 1 and 2 threads',
  cases: ({ quick }) => [...(quick ? [64, 256, 512] : [64, 128, 256, 512, 1024]).map(threadsCase), convThreadsCase()],
};
