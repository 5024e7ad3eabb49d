// f32 GEMM and GEMV against tfjs-backend-wasm (XNNPACK), onnxruntime-web and onnxruntime-node.
import type { Lanewise } from '../../src/index.js';
import { peers } from '../peers/index.js';
import type { Peer } from '../peers/types.js';
import type { BenchCase, Runner, Suite } from '../suite.js';

export function randomData(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; out[i] = s / 2 ** 31 - 1; }
  return out;
}

/** A lanewise GEMM runner: A in wasm memory, B prepacked, C read back into a JS array every call. */
export function lanewiseGemm(lw: Lanewise, m: number, k: number, n: number, a: Float32Array, b: Float32Array): Runner {
  const ta = lw.tensor('float32', a, [m, k]);
  const tb = lw.tensor('float32', b, [k, n]);
  const w = lw.prepack(tb);
  tb.dispose();
  const out = new Float32Array(m * n);
  return {
    run() { const c = lw.matMul(ta, w); c.read(out); c.dispose(); },
    dispose() { ta.dispose(); w.dispose(); },
  };
}

export function peerGemm(peer: Peer, m: number, k: number, n: number, a: Float32Array, b: Float32Array): () => Promise<Runner | string> {
  return async () => {
    const why = await peer.available();
    if (why !== null) return why;
    const g = await peer.gemm(m, k, n, a, b);
    return { run: () => g.run(), dispose: () => g.dispose() };
  };
}

function gemmCase(m: number, k: number, n: number): BenchCase {
  const a = randomData(m * k, 1), b = randomData(k * n, 2);
  return {
    name: m === 1 ? `f32 gemv 1×${k}×${n}` : `f32 gemm ${m}×${k}×${n}`,
    ops: 2 * m * n * k,
    unit: 'GFLOPS',
    lanewise: (lw) => lanewiseGemm(lw, m, k, n, a, b),
    peers: Object.fromEntries(peers.map((p) => [p.name, peerGemm(p, m, k, n, a, b)])),
  };
}

export const gemmSuite: Suite = {
  name: 'gemm',
  description: 'f32 GEMM (M×K×N) and GEMV, B prepacked, single thread',
  cases: ({ quick }) => (quick ? [[64, 64, 64], [256, 256, 256], [1, 1024, 1024]] :
    [[64, 64, 64], [128, 128, 128], [256, 256, 256], [512, 512, 512], [1024, 1024, 1024], [1, 1024, 1024]])
    .map(([m, k, n]) => gemmCase(m, k, n)),
};
