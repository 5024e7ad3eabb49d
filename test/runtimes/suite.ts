// Runs the cases of cases.ts on one runtime at several thread counts and reports output hashes.
// Bundled (rolldown) into one self-contained ES module / classic script by bundle.ts; the
// runners pass in the Lanewise class they imported the way a user of that runtime would.
import type { CreateOptions, Lanewise } from '../../src/index.js';
import { cases, type CaseOutput } from './cases.js';

export interface RunReport {
  threads: number;
  info: { threads: number; threadsReason: string; build: string; memoryLimit?: number };
  /** Tasks run per thread, from the pool (null when single-threaded). */
  stats: number[] | null;
  hashes: Record<string, string>;
  ms: number;
}

export interface SuiteReport {
  runtime: string;
  userAgent: string;
  runs: RunReport[];
  error?: string;
}

/** FNV-1a over the bytes, 2×32 bits; f32 NaNs canonicalized to 0x7fc00000 first. */
export function hashOutput(out: CaseOutput): string {
  let bytes: Uint8Array;
  if (out instanceof Float32Array) {
    const u = new Uint32Array(out.length);
    u.set(new Uint32Array(out.buffer, out.byteOffset, out.length));
    for (let i = 0; i < out.length; i++) if (out[i] !== out[i]) u[i] = 0x7fc00000;
    bytes = new Uint8Array(u.buffer);
  } else {
    bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }
  let h1 = 0x811c9dc5, h2 = 0xcbf29ce4;
  for (let i = 0; i < bytes.length; i++) {
    h1 = Math.imul(h1 ^ bytes[i], 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ bytes[bytes.length - 1 - i], 0x01000193) >>> 0;
  }
  return `${out.constructor.name}(${out.length}):${h1.toString(16).padStart(8, '0')}${h2.toString(16).padStart(8, '0')}`;
}

/** Where a stuck run was: the runners read it on timeout. */
function progress(what: string): void {
  (globalThis as { __lanewiseProgress?: string }).__lanewiseProgress = what;
}

export async function runSuite(L: typeof Lanewise, runtime: string, threadCounts: number[],
  create: CreateOptions = {}): Promise<SuiteReport> {
  const ua = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent ?? '';
  const report: SuiteReport = { runtime, userAgent: ua, runs: [] };
  for (const threads of threadCounts) {
    const t0 = Date.now();
    progress(`${runtime}: creating an instance with ${threads} thread(s)`);
    const lw = await L.create({ ...create, threads });
    try {
      // Thread every case that the pool would take, whatever its size.
      const pool = (lw as unknown as { threads?: { pool?: { minOps: number; stats(): number[] } | null } }).threads?.pool ?? null;
      if (pool) pool.minOps = 0;
      const hashes: Record<string, string> = {};
      for (const c of cases) {
        progress(`${runtime}: ${threads} thread(s), ${c.name}`);
        hashes[c.name] = hashOutput(c.run(lw));
      }
      const info = lw.info();
      report.runs.push({ threads, info: { threads: info.threads, threadsReason: info.threadsReason, build: info.build, memoryLimit: info.memory.limit },
        stats: pool ? pool.stats() : null, hashes, ms: Date.now() - t0 });
    } finally {
      lw.dispose();
    }
  }
  return report;
}

/** Runs the suite and never rejects: errors become `error` in the report. */
export async function runSuiteSafe(L: typeof Lanewise, runtime: string, threadCounts: number[],
  create: CreateOptions = {}): Promise<SuiteReport> {
  try {
    return await runSuite(L, runtime, threadCounts, create);
  } catch (e) {
    return { runtime, userAgent: '', runs: [], error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e) };
  }
}
