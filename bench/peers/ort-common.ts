/**
 * What the two ONNX Runtime peers share: run the `matMulModel` of
 * ./onnx-model.ts in an `InferenceSession` and time `session.run`.
 *
 * onnxruntime-web and onnxruntime-node expose the same onnxruntime-common API,
 * but each gets its own copy of it at run time (ort-web's Node entry is ESM and
 * imports `onnxruntime-common`'s ESM build, ort-node is CommonJS and requires
 * the CJS build), so their backend registries and `env` objects are separate.
 * Both still register a backend named 'cpu' — always name the execution
 * provider explicitly ('wasm' for ort-web, 'cpu' for ort-node).
 */
import { matMulModel } from './onnx-model.js';
import { checkGemmArgs, type PeerGemm } from './types.js';

/** The slice of the onnxruntime-common API the peers use. */
export interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
  dispose?(): void;
}
export interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor | undefined>>;
  release(): Promise<void>;
}
export interface OrtApi {
  InferenceSession: { create(model: Uint8Array, options?: object): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
}

/**
 * Builds a session for `Y = A·B` with B as a constant initializer (ORT's CPU
 * MatMul kernel prepacks a constant B once, at session creation) and returns
 * the timing closure. `run()` is one `session.run`: A is copied into the
 * runtime, Y is computed and copied out into a new Float32Array.
 */
export async function ortGemm(
  ort: OrtApi,
  sessionOptions: object,
  m: number,
  k: number,
  n: number,
  a: Float32Array,
  b: Float32Array,
): Promise<PeerGemm> {
  checkGemmArgs(m, k, n, a, b);
  let session: OrtSession | undefined = await ort.InferenceSession.create(matMulModel(k, n, b), sessionOptions);
  // The Tensor wraps `a` without copying; session.run reads it on every call.
  const feeds = { A: new ort.Tensor('float32', a, [m, k]) };
  let last: Float32Array | undefined;
  const run = async (): Promise<void> => {
    if (!session) throw new Error('ort gemm used after dispose()');
    const { Y } = await session.run(feeds);
    if (!Y || !(Y.data instanceof Float32Array) || Y.data.length !== m * n) {
      throw new Error(`ort: unexpected output ${Y ? `dims [${Y.dims.join(', ')}]` : 'missing'}`);
    }
    last = Y.data;
  };
  return {
    run,
    async output() {
      if (!last) await run();
      return last as Float32Array;
    },
    async dispose() {
      const s = session;
      session = undefined;
      await s?.release();
    },
  };
}
