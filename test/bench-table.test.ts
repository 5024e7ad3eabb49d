// The final table of `lanewise bench` (bench/run.ts formatTable): each contender's figure and
// lanewise's ratio to it (peers and lanewise's own references alike), the share of the measured
// peak, and the notes column, from a hand-made report.
import { describe, expect, it } from 'vitest';
import { formatTable, type BenchReport } from '../bench/run.js';

const report: BenchReport = {
  date: '2026-11-24T00:00:00.000Z', runtime: 'test', peakGflops: 50, startupMs: 5, wasm: [],
  cases: [
    { suite: 'f16', name: 'f16 gemm 8', unit: 'GFLOPS', ops: 1,
      results: [{ contender: 'lanewise', value: 38 }, { contender: 'lanewise-f32', value: 40 }],
      notes: { 'bytes per weight': 2.0625, 'packed weight bytes': 528 } },
    { suite: 'f16', name: 'cast', unit: 'GOPS', ops: 1, results: [{ contender: 'lanewise', value: 3.5 }] },
    { suite: 'gemm', name: 'f32 gemm 64', unit: 'GFLOPS', ops: 1,
      results: [{ contender: 'lanewise', value: 30 }, { contender: 'tfjs-wasm', value: 20 }, { contender: 'ort-web', value: null, reason: 'n/a here' }] },
  ],
};

const rowsOf = (table: string, suite: string) => table.split('\n\n').find((t) => t.startsWith(`suite ${suite}\n`))!
  .split('\n').slice(1).map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));

describe('formatTable', () => {
  const table = formatTable(report);

  it("shows a reference contender's figure and ratio, and the notes where a suite has them", () => {
    const [header, , ...rows] = rowsOf(table, 'f16');
    expect(header).toEqual(['case', 'unit', 'lanewise', 'lanewise-f32', '× lanewise-f32', '% peak', 'notes']);
    expect(rows[0]).toEqual(['f16 gemm 8', 'GFLOPS', '38.0', '40.0', '0.95×', '76%', 'bytes per weight 2.06, packed weight bytes 528']);
    expect(rows[1]).toEqual(['cast', 'GOPS', '3.5', '', '', '', '']);
  });

  it('keeps the peer columns (n/a for one that could not run), and no notes column where no case has notes', () => {
    const [header, , row] = rowsOf(table, 'gemm');
    expect(header).toEqual(['case', 'unit', 'lanewise', 'tfjs-wasm', '× tfjs-wasm', 'ort-web', '× ort-web', '% peak']);
    expect(row).toEqual(['f32 gemm 64', 'GFLOPS', '30.0', '20.0', '1.50×', 'n/a', '', '60%']);
  });
});
