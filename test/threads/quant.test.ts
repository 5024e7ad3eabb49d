// Quantized ops on the worker pool: qMatMul (every weight width, GEMV and GEMM, fp32 and dyadic
// requantization with one shift or a shift per column, int32 output) and qConv2d /
// qDepthwiseConv2d (batch > 1) give the same bits on 2 threads, every job threaded
// (minOps = 0), as on one thread.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Lanewise } from '../../src/index.js';
import { executorOf } from '../../bindings/exec.js';
import type { Pool } from '../../bindings/pool.js';
import { randomF32 } from '../harness/random.js';

let one: Lanewise, two: Lanewise;
beforeAll(async () => {
  one = await Lanewise.create({ threads: 1 });
  two = await Lanewise.create({ threads: 2 });
  (executorOf(two.device.kmod) as Pool).minOps = 0;
});
afterAll(() => { one.dispose(); two.dispose(); });

type Run = (lw: Lanewise) => ArrayLike<number>;

function same(run: Run, what: string): void {
  expect(two.info().threads).toBe(2);
  const a = run(one), b = run(two);
  expect(b.length).toBe(a.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) expect.fail(`${what} element ${i}: 1 thread ${a[i]}, 2 threads ${b[i]}`);
}

describe('quantized ops on 2 threads', () => {
  it('quantize and dequantize per tensor (min/max ranges, then element ranges): same bytes, parameters and floats', () => {
    for (const n of [1, 100, 1000, 70001]) {
      const x = randomF32(n, n, -2, 5);
      for (const opts of [{ scheme: 'asymmetric', signed: false }, { scheme: 'asymmetric', signed: true }, { scheme: 'symmetric' },
        { scale: 0.01, zeroPoint: 7, signed: true }] as const) {
        same((lw) => {
          const q = lw.quantize(lw.tensor('float32', x, [n]), opts);
          return [...q.bytes, ...q.scale, ...q.zeroPoint, ...lw.dequantize(q).read()];
        }, `quantize ${n} ${JSON.stringify(opts)}`);
      }
    }
    // A NaN is found (and named) wherever it is.
    const x = randomF32(70001, 9);
    x[69999] = NaN;
    expect(() => two.quantize(two.tensor('float32', x, [70001]))).toThrow(/x\.data\[69999\]/);
  });

  for (const bits of [8, 4, 2] as const) {
    // 200×1024×500: three N blocks of unpacked int4/int2 panels (stages: unpack, tiles, unpack, …).
    for (const [m, k, n] of [[1, 300, 77], [37, 129, 203], [130, 64, 40], [200, 1024, 500]]) {
      it(`qMatMul int${bits} ${m}×${k}×${n}: fp32, dyadic and int32 outputs`, () => {
        for (const signed of [false, true]) {
          same((lw) => {
            const x = lw.quantize(lw.tensor('float32', randomF32(m * k, 1, -1, 2), [m, k]), { scheme: 'asymmetric', signed });
            const w = lw.quantize(lw.tensor('float32', randomF32(n * k, 2), [n, k]), { bits, axis: 0, scheme: 'symmetric' });
            const outs = [
              lw.qMatMul(x, w, { outScale: 0.07, outZeroPoint: signed ? 1 : 128 }),
              lw.qMatMul(x, w, { outScale: 0.07, outZeroPoint: 3, requant: 'dyadic', activation: 'relu' }),
              lw.qMatMul(x, w, { output: 'int32' }),
              // A shift per column: the unfused path (int32 GEMM, then the requantization stage).
              lw.qMatMul(x, w, { outScale: 0.07, outZeroPoint: signed ? -5 : 130, requant: 'dyadic',
                dyadic: { multiplier: Array(n).fill(1 << 30), shift: Array.from({ length: n }, (_, i) => 35 + (i % 4)) } }),
            ];
            const all = outs.flatMap((o) => Array.from(o.data as ArrayLike<number>));
            for (const t of [x, w, ...outs]) t.dispose();
            return all;
          }, `int${bits} ${m}×${k}×${n} signed=${signed}`);
        }
      });
    }
  }

  for (const bits of [8, 4, 2] as const) {
    it(`qConv2d int${bits} filters (plain and grouped) and qDepthwiseConv2d, batch 2`, () => {
      same((lw) => {
        const x = lw.quantize(lw.tensor('float32', randomF32(2 * 13 * 11 * 24, 3, -1, 2), [2, 13, 11, 24]), { scheme: 'asymmetric' });
        const f = lw.quantize(lw.tensor('float32', randomF32(20 * 3 * 3 * 24, 4), [20, 3, 3, 24]), { bits, axis: 0, scheme: 'symmetric' });
        const d = lw.quantize(lw.tensor('float32', randomF32(3 * 3 * 24, 5), [3, 3, 24]), { bits, axis: 2, scheme: 'symmetric' });
        const g = lw.quantize(lw.tensor('float32', randomF32(16 * 3 * 3 * 6, 6), [16, 3, 3, 6]), { bits, axis: 0, scheme: 'symmetric' });
        const outs = [
          lw.qConv2d(x, f, { pad: 1, outScale: 0.3, outZeroPoint: 128 }),
          lw.qConv2d(x, f, { strides: 2, outScale: 0.3, outZeroPoint: 120, requant: 'dyadic' }),
          lw.qDepthwiseConv2d(x, d, { pad: 1, strides: 2, outScale: 0.1, outZeroPoint: 128 }),
          lw.qConv2d(x, g, { groups: 4, pad: 1, outScale: 0.2, outZeroPoint: 128 }),
          // A shift per channel: the unfused path (int32 accumulators, then a requantization stage).
          lw.qConv2d(x, f, { pad: 1, outScale: 0.3, outZeroPoint: 128, requant: 'dyadic',
            dyadic: { multiplier: Array(20).fill(1 << 30), shift: Array.from({ length: 20 }, (_, i) => 36 + (i % 3)) } }),
          lw.qDepthwiseConv2d(x, d, { pad: 1, outScale: 0.1, outZeroPoint: 128, requant: 'dyadic',
            dyadic: { multiplier: Array(24).fill(1 << 30), shift: Array.from({ length: 24 }, (_, i) => 33 + (i % 5)) } }),
        ];
        const all = outs.flatMap((o) => Array.from(o.data as ArrayLike<number>));
        for (const t of [x, f, d, g, ...outs]) t.dispose();
        return all;
      }, `conv int${bits}`);
    });
  }

  it('the quantized jobs ran on both threads', () => {
    const pool = executorOf(two.device.kmod) as Pool;
    const stats = pool.stats();
    expect(stats[1]).toBeGreaterThan(0);
  });
});
