// The final table of `lanewise bench` (bench/run.ts formatTable): peer ratios, the share of the
// measured peak, the baseline ratio and the notes column, from a hand-made report.
import { describe, expect, it } from 'vitest';
import { formatTable, type BenchReport } from '../bench/run.js';

const report: BenchReport = {
  date: '2026-11-24T00:00:00.000Z', runtime: 'test', peakGflops: 50, startupMs: 5, wasm: [],
  cases: [
    { suite: 'f16', name: 'f32 gemm 8 (reference)', unit: 'GFLOPS', ops: 1, results: [{ contender: 'lanewise', value: 40 }],
      notes: { 'bytes per weight': 4.125, 'packed weight bytes': 1056 } },
    { suite: 'f16', name: 'f16 gemm 8', unit: 'GFLOPS', ops: 1, results: [{ contender: 'lanewise', value: 38 }],
      notes: { 'bytes per weight': 2.0625 }, baseline: 'f32 gemm 8 (reference)' },
    { suite: 'f16', name: 'cast', unit: 'GOPS', ops: 1, results: [{ contender: 'lanewise', value: 3.5 }] },
    { suite: 'gemm', name: 'f32 gemm 64', unit: 'GFLOPS', ops: 1,
      results: [{ contender: 'lanewise', value: 30 }, { contender: 'tfjs-wasm', value: 20 }] },
  ],
};

const rowsOf = (table: string, suite: string) => table.split('\n\n').find((t) => t.startsWith(`suite ${suite}\n`))!
  .split('\n').slice(1).map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));

describe('formatTable', () => {
  const table = formatTable(report);

  it('adds the baseline ratio and the notes where a suite has them', () => {
    const [header, , ...rows] = rowsOf(table, 'f16');
    expect(header).toEqual(['case', 'unit', 'lanewise', '% peak', '× baseline', 'notes']);
    expect(rows[0]).toEqual(['f32 gemm 8 (reference)', 'GFLOPS', '40.0', '80%', '', 'bytes per weight 4.13, packed weight bytes 1056']);
    expect(rows[1]).toEqual(['f16 gemm 8', 'GFLOPS', '38.0', '76%', '0.95×', 'bytes per weight 2.06']);
    expect(rows[2]).toEqual(['cast', 'GOPS', '3.5', '', '', '']);
  });

  it('keeps the peer columns, and no baseline or notes column where no case has one', () => {
    const [header, , row] = rowsOf(table, 'gemm');
    expect(header).toEqual(['case', 'unit', 'lanewise', 'tfjs-wasm', '× tfjs-wasm', '% peak']);
    expect(row).toEqual(['f32 gemm 64', 'GFLOPS', '30.0', '20.0', '1.50×', '60%']);
  });
});
