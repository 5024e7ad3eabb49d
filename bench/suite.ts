// What a benchmark suite is: cases, each with a lanewise runner and optional peer runners,
// timed side by side in one process by bench/run.ts.
import type { Lanewise } from '../src/index.js';

export interface Runner {
  /** One full call of the operation (async for peers that compute asynchronously). */
  run(): void | Promise<void>;
  dispose(): void | Promise<void>;
}

export interface BenchCase {
  /** Family and shape, e.g. 'f32 gemm 256×256×256'. */
  name: string;
  /** Operations per call: 2·M·N·K for a GEMM (multiply and add counted apart), likewise for integer ops. */
  ops: number;
  unit: 'GFLOPS' | 'GOPS';
  lanewise(lw: Lanewise): Runner | Promise<Runner>;
  /** Peer name → runner factory; resolves to a string (why it is unavailable) when it cannot run. */
  peers?: Record<string, () => Promise<Runner | string>>;
  /** Extra facts for the table's notes column (bytes of weights, accuracy, …). */
  notes?: Record<string, string | number>;
  /**
   * lanewise's own reference for this case (the f32 op on the same shape, for an f16 case): a
   * contender timed in the same interleaved rounds, also with --no-peers, so that the table's
   * ratio to it compares like with like.
   */
  reference?: { name: string; make(lw: Lanewise): Runner | Promise<Runner> };
}

export interface Suite {
  name: string;
  description: string;
  cases(options: { quick: boolean }): BenchCase[];
}
