// Runs suites: lanewise and its peers side by side in this process, after warm-up, best-of
// rounds interleaved between contenders so that machine noise hits them alike.
import { Lanewise } from '../src/index.js';
import { Device } from '../bindings/device.js';
import { buildBytes, buildNames } from '../bindings/module.js';
import { gzipSync } from 'node:zlib';
import type { BenchCase, Runner, Suite } from './suite.js';
import { suites as allSuites } from './suites/index.js';

export interface BenchOptions {
  suites?: string[];
  quick?: boolean;
  peers?: boolean;
  /** Minimum length of one timed round (ms). */
  minRoundMs?: number;
  rounds?: number;
  log?: (line: string) => void;
}

export interface Measurement { contender: string; value: number | null; reason?: string; msPerCall?: number; }
export interface CaseResult {
  suite: string; name: string; unit: string; ops: number; results: Measurement[];
  notes?: Record<string, string | number>;
}
export interface BenchReport {
  date: string; runtime: string; peakGflops: number;
  /** Lanewise.create() until the first 64×64×64 matMul result is read, in this process. */
  startupMs: number;
  wasm: { build: string; bytes: number; gzipBytes: number }[];
  cases: CaseResult[];
}

/** Times Lanewise.create() (compile, instantiate, warm-up) through the first GEMM result. */
async function measureStartup(): Promise<number> {
  const a = new Float32Array(64 * 64).fill(0.5);
  const t = now();
  const lw = await Lanewise.create();
  lw.matMul(lw.tensor('float32', a, [64, 64]), lw.tensor('float32', a, [64, 64])).data;
  const ms = now() - t;
  lw.dispose();
  return ms;
}

const now = () => performance.now();
/** Pause before every timed round (see measureCase). */
const SETTLE_MS = 20;

async function callsPerRound(r: Runner, minMs: number): Promise<number> {
  let n = 1;
  for (;;) {
    const t = now();
    for (let i = 0; i < n; i++) await r.run();
    const dt = now() - t;
    if (dt >= minMs / 4 || n > 1 << 20) return Math.max(1, Math.ceil(n * minMs / Math.max(dt, 0.01)));
    n *= 2;
  }
}

/**
 * The f32 microkernel's own ceiling on this machine: the 4×8 kernel on operands that stay in
 * L1, so only the core's SIMD mul+add throughput limits it: K = 256 and 24 columns, so A
 * (4 KiB) and B (24.1 KiB) fit a 32 KiB L1.
 */
export async function measurePeak(rounds = 25): Promise<number> {
  const dev = await Device.create({ build: 'simd' });
  const k = 256, n = 24;
  const fn = dev.kmod.exports.f32_gemm_4x8__simd_packa;
  const a = dev.alloc(4 * k * 4, 'peak'), w = dev.alloc(dev.packedGemmBytes(n, k), 'peak'), c = dev.alloc(4 * n * 4, 'peak');
  dev.fill(a, 0); dev.fill(w, 0);
  const call = () => fn(4, n, k, a.ptr, 0, w.ptr, c.ptr, n * 4, -Infinity, Infinity);
  for (let i = 0; i < 3000; i++) call();
  let best = Infinity;
  const reps = 4000;
  for (let r = 0; r < rounds; r++) {
    const t = now();
    for (let i = 0; i < reps; i++) call();
    best = Math.min(best, (now() - t) / reps);
  }
  return (2 * 4 * n * k) / best / 1e6;
}

async function measureCase(lw: Lanewise, c: BenchCase, opts: Required<Pick<BenchOptions, 'peers' | 'minRoundMs' | 'rounds'>>): Promise<Measurement[]> {
  const contenders: { name: string; runner: Runner | null; reason?: string }[] = [];
  contenders.push({ name: 'lanewise', runner: await c.lanewise(lw) });
  if (c.reference) contenders.push({ name: c.reference.name, runner: await c.reference.make(lw) });
  if (opts.peers) {
    for (const [name, make] of Object.entries(c.peers ?? {})) {
      try {
        const r = await make();
        contenders.push(typeof r === 'string' ? { name, runner: null, reason: r } : { name, runner: r });
      } catch (e) {
        contenders.push({ name, runner: null, reason: e instanceof Error ? e.message : String(e) });
      }
    }
  }
  const live = contenders.filter((x) => x.runner);
  // Warm-up: engines start wasm in a baseline tier; 20+ calls and ~200 ms get optimized code.
  for (const x of live) {
    const t = now();
    for (let i = 0; i < 20 || now() - t < 200; i++) { await x.runner!.run(); if (i > 5000) break; }
  }
  const counts = new Map<string, number>();
  for (const x of live) counts.set(x.name, await callsPerRound(x.runner!, opts.minRoundMs));
  const best = new Map<string, number>();
  for (let r = 0; r < opts.rounds; r++) {
    for (const x of live) {
      const n = counts.get(x.name)!;
      // Idle first: threads a contender leaves spinning after its round (lanewise's workers spin
      // ~1.5 ms, onnxruntime's pool longer) must not steal the next contender's cores.
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      const t = now();
      for (let i = 0; i < n; i++) await x.runner!.run();
      const ms = (now() - t) / n;
      best.set(x.name, Math.min(best.get(x.name) ?? Infinity, ms));
    }
  }
  for (const x of live) await x.runner!.dispose();
  return contenders.map((x) => {
    const ms = best.get(x.name);
    return ms === undefined ? { contender: x.name, value: null, reason: x.reason }
      : { contender: x.name, value: c.ops / ms / 1e6, msPerCall: ms };
  });
}

export async function runBench(options: BenchOptions = {}): Promise<BenchReport> {
  const log = options.log ?? ((s: string) => console.log(s));
  const quick = options.quick ?? false;
  const opts = { peers: options.peers ?? true, minRoundMs: options.minRoundMs ?? (quick ? 25 : 50), rounds: options.rounds ?? (quick ? 5 : 15) };
  const chosen: Suite[] = options.suites?.length
    ? options.suites.map((name) => {
      const s = allSuites.find((x) => x.name === name);
      if (!s) throw new Error(`unknown suite '${name}'; known: ${allSuites.map((x) => x.name).join(', ')}`);
      return s;
    })
    : [...allSuites];
  const startupMs = await measureStartup();
  const wasm = buildNames.map((build) => {
    const bytes = buildBytes(build);
    return { build, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
  });
  log(`Lanewise.create() to first 64³ GEMM result: ${startupMs.toFixed(1)} ms`);
  log(`wasm builds: ${wasm.map((w) => `${w.build} ${w.bytes} B (${w.gzipBytes} B gzip)`).join(', ')}`);
  const lw = await Lanewise.create();
  const peakGflops = await measurePeak();
  log(`f32 SIMD microkernel peak on this machine: ${peakGflops.toFixed(1)} GFLOPS (4×8 kernel, operands in L1)`);
  const cases: CaseResult[] = [];
  try {
    for (const suite of chosen) {
      const list = suite.cases({ quick });
      log(`suite ${suite.name}: ${suite.description} (${list.length} cases)`);
      for (let i = 0; i < list.length; i++) {
        const c = list[i];
        const results = await measureCase(lw, c, opts);
        cases.push({ suite: suite.name, name: c.name, unit: c.unit, ops: c.ops, results, notes: c.notes });
        log(`  [${i + 1}/${list.length}] ${c.name}: ${results.map((r) => `${r.contender} ${r.value === null ? 'n/a' : r.value.toFixed(1)}`).join(', ')} ${c.unit}`);
      }
    }
  } finally {
    lw.dispose();
  }
  const runtime = typeof process !== 'undefined' && process.versions?.node ? `node ${process.versions.node} (V8 ${process.versions.v8})` : 'unknown';
  return { date: new Date().toISOString(), runtime, peakGflops, startupMs, wasm, cases };
}

/** A note's value as printed: integers as they are, other numbers to 2 decimals. */
function noteValue(v: string | number): string {
  return typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(2) : String(v);
}

/**
 * The final tables, one per suite: lanewise's figure, each other contender's (peers and
 * lanewise's own references) and lanewise's ratio to it, for GFLOPS cases the share of the
 * measured SIMD peak, and the notes where the suite's cases have them.
 */
export function formatTable(report: BenchReport): string {
  const bySuite = new Map<string, CaseResult[]>();
  for (const c of report.cases) bySuite.set(c.suite, [...(bySuite.get(c.suite) ?? []), c]);
  const tables: string[] = [];
  for (const [suite, cases] of bySuite) {
    const peerNames = [...new Set(cases.flatMap((c) => c.results.map((r) => r.contender)).filter((n) => n !== 'lanewise'))];
    const withNotes = cases.some((c) => c.notes !== undefined);
    const header = ['case', 'unit', 'lanewise', ...peerNames.flatMap((p) => [p, `× ${p}`]), '% peak', ...(withNotes ? ['notes'] : [])];
    const rows = cases.map((c) => {
      const own = c.results.find((r) => r.contender === 'lanewise')?.value ?? null;
      const cells = [c.name, c.unit, own === null ? 'n/a' : own.toFixed(1)];
      for (const p of peerNames) {
        const r = c.results.find((x) => x.contender === p);
        const v = r?.value ?? null;
        cells.push(r === undefined ? '' : v === null ? 'n/a' : v.toFixed(1), v === null || own === null ? '' : `${(own / v).toFixed(2)}×`);
      }
      cells.push(own === null || c.unit !== 'GFLOPS' ? '' : `${Math.round((own / report.peakGflops) * 100)}%`);
      if (withNotes) cells.push(Object.entries(c.notes ?? {}).map(([k, v]) => `${k} ${noteValue(v)}`).join(', '));
      return cells;
    });
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => `| ${cells.map((x, i) => x.padEnd(widths[i])).join(' | ')} |`;
    tables.push([`suite ${suite}`, line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n'));
  }
  return tables.join('\n\n');
}
