// Convolutions (f32 and float16), depthwise convolutions, pooling, elementwise ops and casts on
// the worker pool: the drivers split only the output (pixel ranges × channel blocks, element
// ranges), so every thread count gives the single-thread bits, and the workers really take tasks.
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

/** A float16 convolution (inputs rounded to binary16 by lw.cast), its output widened back for the comparison. */
function half(label: string, n: number, h: number, c: number, co: number, k: number, s: number, precision: 'f16' | 'f16-exact', depthwise = false): Case {
  const x = randomF32(n * h * h * c, h * 3 + c), f = randomF32(co * k * k * c, k * 5 + co), bias = randomF32(co, 7);
  return {
    label: `${label} ${precision} n${n} ${h}×${h}×${c}→${co} k${k} s${s}`,
    run: (lw) => {
      const x16 = lw.cast(lw.tensor('float32', x, [n, h, h, c]), 'float16');
      const opts = { strides: s, pad: 'same' as const, activation: 'relu6' as const, precision };
      const y = depthwise
        ? lw.depthwiseConv2d(x16, lw.cast(lw.tensor('float32', f.subarray(0, k * k * c), [k, k, c]), 'float16'), opts)
        : lw.conv2d(x16, lw.cast(lw.tensor('float32', f, [co, k, k, c]), 'float16'), { ...opts, bias: lw.cast(lw.tensor('float32', bias, [co]), 'float16') });
      return lw.cast(y, 'float32');
    },
  };
}

const cases: Case[] = [
  conv(2, 23, 17, 16, 24, 3, 1, 1, 'same'),
  conv(1, 30, 30, 12, 40, 5, 2, 1, 'valid'),
  conv(2, 14, 14, 32, 48, 1, 1, 1, 'valid'),   // GEMM route
  conv(2, 16, 16, 1025, 24, 1, 1, 1, 'valid'), // GEMM route with K above 768: the GEMM driver (K in slices from M = 256)
  conv(1, 15, 15, 12, 18, 3, 2, 3, 'same'),    // grouped
  dw(2, 40, 48, 3, 1), dw(1, 29, 70, 3, 2), dw(2, 20, 24, 5, 1), dw(1, 17, 20, 7, 2), dw(1, 16, 8, 3, 1, 2),
  half('conv', 2, 21, 16, 24, 3, 1, 'f16'), half('conv', 1, 12, 8, 16, 3, 2, 'f16-exact'), half('conv', 2, 20, 8, 12, 3, 1, 'f16-exact'), half('conv 1×1', 1, 14, 32, 40, 1, 1, 'f16'),
  half('depthwise', 2, 19, 24, 24, 3, 1, 'f16', true), half('depthwise', 1, 23, 20, 20, 5, 2, 'f16-exact', true),
  {
    // Bulk conversions split over threads: binary16 normals, subnormals, overflow and zeros.
    label: 'cast float32 → float16 → float32',
    run: (lw) => lw.cast(lw.cast(lw.tensor('float32', randomF32(70001, 13).map((v, i) => v * 2 ** ((i % 44) - 28))), 'float16'), 'float32'),
  },
  { label: 'add (relu6), same shapes', run: (lw) => lw.add(lw.tensor('float32', randomF32(10007, 21), [10007]), lw.tensor('float32', randomF32(10007, 22), [10007]), { activation: 'relu6' }) },
  { label: 'add, scalar broadcast', run: (lw) => lw.add(lw.tensor('float32', randomF32(9001, 23), [9001]), lw.tensor('float32', [0.25], [1])) },
  { label: 'clamp', run: (lw) => lw.clamp(lw.tensor('float32', randomF32(8191, 24, -3, 3), [8191]), -1, 2) },
  { label: 'maxPool', run: (lw) => lw.maxPool(lw.tensor('float32', randomF32(2 * 33 * 33 * 20, 9), [2, 33, 33, 20]), { windowShape: 3, strides: 2, pad: 'same' }) },
  { label: 'avgPool', run: (lw) => lw.avgPool(lw.tensor('float32', randomF32(2 * 33 * 33 * 20, 9), [2, 33, 33, 20]), { windowShape: 3, strides: 1, pad: 'same' }) },
  // Channel ranges of 16: 37 and 70 channels end in a partial range.
  { label: 'globalAvgPool', run: (lw) => lw.globalAvgPool(lw.tensor('float32', randomF32(2 * 9 * 11 * 37, 31), [2, 9, 11, 37])) },
  { label: 'globalAvgPool, 70 channels', run: (lw) => lw.globalAvgPool(lw.tensor('float32', randomF32(5 * 5 * 70, 32), [1, 5, 5, 70])) },
  // Transposes split along the longer side: columns (C < H·W for fromNCHW) or rows.
  { label: 'fromNCHW, split by columns', run: (lw) => lw.fromNCHW(lw.tensor('float32', randomF32(2 * 37 * 9 * 11, 33), [2, 37, 9, 11])) },
  { label: 'toNCHW, split by rows', run: (lw) => lw.toNCHW(lw.tensor('float32', randomF32(2 * 9 * 11 * 37, 34), [2, 9, 11, 37])) },
  { label: 'fromNCHW, split by rows', run: (lw) => lw.fromNCHW(lw.tensor('float32', randomF32(200 * 3 * 5, 35), [1, 200, 3, 5])) },
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
