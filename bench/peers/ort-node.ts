/**
 * Peer: onnxruntime-node, the native CPU execution provider (MLAS with AVX2 /
 * AVX-512 kernels), one intra-op thread: a ceiling for what wasm can reach.
 *
 * Loading: `onnxruntime-node` is CommonJS; its `.node` addon and
 * `libonnxruntime.so.1` are shipped inside the npm tarball
 * (`bin/napi-v6/<platform>/<arch>/`). Its postinstall script only downloads
 * the optional CUDA / TensorRT providers on linux-x64; npm 11 skips that
 * script unless it is approved in `allowScripts`, and the CPU provider does
 * not need it.
 */
import { ortGemm, type OrtApi } from './ort-common.js';
import { errorMessage, type Peer, type PeerGemm } from './types.js';

type OrtNode = typeof import('onnxruntime-node');

let state: Promise<OrtNode> | undefined;

function init(): Promise<OrtNode> {
  state ??= (async () => {
    const ns = await import('onnxruntime-node');
    // CommonJS module: `default` is module.exports.
    const ort = ((ns as { default?: OrtNode }).default ?? ns) as OrtNode;
    const probe = await ortGemm(ort as unknown as OrtApi, sessionOptions, 1, 1, 1, new Float32Array([2]), new Float32Array([3]));
    const y = await probe.output();
    await probe.dispose();
    if (y[0] !== 6) throw new Error(`onnxruntime-node: 2·3 gave ${y[0]}`);
    return ort;
  })();
  return state;
}

const sessionOptions = {
  executionProviders: ['cpu'],
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
  logSeverityLevel: 3,
} as const;

export const ortNode: Peer = {
  name: 'ort-node',

  async available() {
    try {
      await init();
      return null;
    } catch (e) {
      return `onnxruntime-node unavailable: ${errorMessage(e)}`;
    }
  },

  async describe() {
    const ort = await init();
    return `onnxruntime-node ${ort.env.versions.node ?? '?'} (common ${ort.env.versions.common}); native cpu EP, ${sessionOptions.intraOpNumThreads} intra-op thread(s)`;
  },

  async gemm(m, k, n, a, b): Promise<PeerGemm> {
    return ortGemm((await init()) as unknown as OrtApi, sessionOptions, m, k, n, a, b);
  },
};

/** The initialised onnxruntime-node and its session options, for suites beyond GEMM (bench/peers/conv.ts). */
export async function ortNodeApi(): Promise<{ ort: OrtApi; sessionOptions: object }> {
  return { ort: (await init()) as unknown as OrtApi, sessionOptions };
}
