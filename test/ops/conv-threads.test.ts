// Convolutions, depthwise convolutions and pooling on the worker pool: the drivers split only
// the output (pixel ranges × channel blocks), so every thread count gives the single-thread bits,
// and the workers really take tasks.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Lanewise, type Tensor } from '../../src/index.js';
import { executorOf } from '../../bindings/exec.js';
import type { Pool } from '../../bindings/pool.js';
import { expectSameBits } from '../harness/gemm.js';
import { randomF32 } from '../harness/random.js';

interface Case { label: string; run(lw: Lanewise): Tensor }

function conv(n: number, h: number, w: number, ci: number, co: number, k: number, s: number, groups: number, pad: 'same' | 'valid'): Case {
  const x = randomF32(n * h * w * ci, h * 7 + ci), f = randomF32(co * k * k * (ci / groups), k * 11 + co), bias = randomF32(co, 5);
  return {
    label: `conv n${n} ${h}×${w}×${ci}→${co} k${k} s${s} g${groups} ${pad}`,
    run: (lw) => lw.conv2d(lw.tensor('float32', x, [n, h, w, ci]), lw.tensor('float32', f, [co, k, k, ci / groups]),
      { strides: s, pad, groups, bias, activation: 'relu6' }),
  };
}

function dw(n: number, h: number, c: number, k: number, s: number, m = 1): Case {
  const x = randomF32(n * h * h * c, h + c), f = randomF32(k * k * c * m, k + c);
  return {
    label: `depthwise n${n} ${h}×${h}×${c} k${k} s${s} ×${m}`,
    run: (lw) => lw.depthwiseConv2d(lw.tensor('float32', x, [n, h, h, c]), lw.tensor('float32', f, [k, k, c, m]), { strides: s, pad: 'same' }),
  };
}

const cases: Case[] = [
  conv(2, 23, 17, 16, 24, 3, 1, 1, 'same'),
  conv(1, 30, 30, 12, 40, 5, 2, 1, 'valid'),
  conv(2, 14, 14, 32, 48, 1, 1, 1, 'valid'),   // GEMM route
  conv(1, 15, 15, 12, 18, 3, 2, 3, 'same'),    // grouped
  dw(2, 40, 48, 3, 1), dw(1, 29, 70, 3, 2), dw(2, 20, 24, 5, 1), dw(1, 17, 20, 7, 2), dw(1, 16, 8, 3, 1, 2),
  { label: 'maxPool', run: (lw) => lw.maxPool(lw.tensor('float32', randomF32(2 * 33 * 33 * 20, 9), [2, 33, 33, 20]), { windowShape: 3, strides: 2, pad: 'same' }) },
  { label: 'avgPool', run: (lw) => lw.avgPool(lw.tensor('float32', randomF32(2 * 33 * 33 * 20, 9), [2, 33, 33, 20]), { windowShape: 3, strides: 1, pad: 'same' }) },
];

let single: Lanewise;
const reference = new Map<Case, Float32Array>();
beforeAll(async () => {
  single = await Lanewise.create();
  for (const c of cases) reference.set(c, c.run(single).read() as Float32Array);
});
afterAll(() => single.dispose());

describe('convolution family on the worker pool', () => {
  for (const threads of [2, 3]) {
    it(`gives the single-thread bits on ${threads} threads, workers taking tasks`, async () => {
      const lw = await Lanewise.create({ threads });
      try {
        expect(lw.info().threads).toBe(threads);
        const pool = executorOf(lw.device.kmod) as Pool;
        await pool.whenReady();
        pool.minOps = 0; // thread even the small cases
        for (const callerTakesWork of [true, false]) {
          pool.callerTakesWork = callerTakesWork;
          for (const c of cases) {
            expectSameBits(c.run(lw).read() as Float32Array, reference.get(c)!, `${threads} threads (caller works: ${callerTakesWork}): ${c.label}`);
          }
        }
        // Workers ran tasks (on a 2-core machine one of two workers may find none left).
        const stats = pool.stats();
        expect(stats.slice(1).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      } finally {
        lw.dispose();
      }
    });
  }
});
