/**
 * Peer adapters for side-by-side benchmarks: each peer builds a ready-to-run
 * f32 matrix multiply in another library and hands back a closure to time.
 */

/** One prepared matmul `C = A·B` (A m×k, B k×n, C m×n, all row-major f32). */
export interface PeerGemm {
  /**
   * Does the whole matmul of a fresh call: copy A in, compute, copy C out.
   * Async peers return a promise that resolves once the result is computed.
   */
  run(): void | Promise<void>;
  /** The result of the most recent `run()` (runs once first if `run()` was never called). */
  output(): Float32Array | Promise<Float32Array>;
  /** Frees the peer's native / wasm resources. The object is unusable afterwards. */
  dispose(): void | Promise<void>;
}

export interface Peer {
  /** Short stable name for tables, e.g. `tfjs-wasm`. */
  name: string;
  /**
   * `null` when the peer can run here, else the reason it cannot (package not
   * installed, backend failed to initialise, ...). Never throws.
   */
  available(): Promise<string | null>;
  /** A short description of what actually runs (version, backend, binary), once available. */
  describe?(): Promise<string>;
  /**
   * Prepares `C = A·B`. `b` is a constant weight: the peer may preprocess or
   * prepack it once here, the way an inference engine does with a weight
   * initializer. `a` is read again on every `run()` (it is not copied here), so
   * the caller may change its contents between runs.
   */
  gemm(m: number, k: number, n: number, a: Float32Array, b: Float32Array): Promise<PeerGemm>;
}

/** Checks the shapes of a gemm request; throws a RangeError on a mismatch. */
export function checkGemmArgs(m: number, k: number, n: number, a: Float32Array, b: Float32Array): void {
  for (const [name, v] of [['m', m], ['k', k], ['n', n]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`gemm: ${name} must be a positive integer, got ${v}`);
  }
  if (a.length !== m * k) throw new RangeError(`gemm: a has ${a.length} elements, expected m*k = ${m * k}`);
  if (b.length !== k * n) throw new RangeError(`gemm: b has ${b.length} elements, expected k*n = ${k * n}`);
}

/** Message of an unknown thrown value. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
