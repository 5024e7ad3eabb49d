// Seeded random shapes and options for every op family, at 1 and 2 threads, each output checked
// bit for bit against the oracles: the fixed batteries of the other tests pick the edges of the
// kernels' tiles; these cover the combinations nobody listed (odd strides with dilation and
// asymmetric padding, grouped filters, transposes with prepacked bias, batches, widths, pooling
// windows, broadcast shapes). The 2-thread instance runs every case on its pool (minOps = 0),
// however small. Seeds are fixed, so a failure names a case that reproduces. LANEWISE_SEED=n
// shifts every battery's seed by n: `for n in $(seq 1 500); do LANEWISE_SEED=$n npx vitest run
// test/ops/random-shapes.test.ts || break; done` is a longer campaign on the same generators.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Lanewise, type Tensor } from '../../src/index.js';
import { conv2dRef, outSize, poolRef, resolvePad, type RefGeometry, type RefPad } from '../reference/conv.js';
import { gemmF32Ordered, transpose } from '../reference/gemm.js';
import { conv2dF16Exact, f16Value, gemmF16Exact, gemmF16Fast, randomF16, round16Bits, transpose16 } from '../reference/f16.js';
import { checkQConv, checkQMatMul } from '../harness/qops.js';
import { randomF32, rng, withSpecialsF16, withSpecialsF32 } from '../harness/random.js';
import { oneAndTwoThreads } from '../harness/instances.js';
import type { Pool } from '../../bindings/pool.js';

let instances: Lanewise[];
let pool: Pool;
let workerTasks = 0;
beforeAll(async () => { ({ instances, pool } = await oneAndTwoThreads()); });
afterAll(() => { for (const lw of instances) lw.dispose(); });
/** The worker (not only the calling thread) took tasks since the last call. */
function expectWorkerTookTasks(): void {
  const tasks = pool.stats()[1];
  expect(tasks).toBeGreaterThan(workerTasks);
  workerTasks = tasks;
}

type Precision = 'f32' | 'f16' | 'f16-exact';
const precisions: readonly Precision[] = ['f32', 'f16', 'f16-exact'];
const activations = [undefined, 'relu', 'relu6'] as const;
const bounds = (a: (typeof activations)[number]): [number, number] => (a === 'relu' ? [0, Infinity] : a === 'relu6' ? [0, 6] : [-Infinity, Infinity]);

/**
 * Records in `fails` the case (`label`, built only then) and its first element whose bits differ
 * (binary16: NaNs compared as one).
 */
function checkBits(fails: string[], label: () => string, got: ArrayLike<number>, want: ArrayLike<number>, half: boolean): void {
  const canon = (h: number) => ((h & 0x7fff) > 0x7c00 ? 0x7e00 : h);
  let bad = got.length === want.length ? -1 : 0;
  for (let i = 0; bad < 0 && i < want.length; i++) {
    if (half ? canon(got[i]) !== canon(want[i]) : !Object.is(got[i], want[i])) bad = i;
  }
  if (bad < 0) return;
  const show = (v: number) => (half ? `0x${v.toString(16)}` : Object.is(v, -0) ? '-0' : String(v));
  fails.push(`${label()}: element ${bad} got ${show(got[bad])} want ${show(want[bad])}`);
}

/** A seeded generator: r() uniform in [0, 1), ri(lo, hi) an integer in [lo, hi]. */
function seeded(seed: number): { r: () => number; ri: (lo: number, hi: number) => number } {
  const r = rng(seed + Number(process.env.LANEWISE_SEED ?? 0));
  return { r, ri: (lo, hi) => lo + Math.floor(r() * (hi - lo + 1)) };
}

/**
 * A random window over a random image: kernel 1..maxK per side, strides 1..3, dilations 1..2,
 * batch 1..2, sides up to maxSize (at least one window), 'same', 'valid' or explicit padding
 * below the dilated window (resolved), for the given channels and groups.
 */
function randomWindow(r: () => number, ri: (lo: number, hi: number) => number, maxK: number, maxSize: number,
  ci: number, co: number, groups: number): RefGeometry {
  const kh = ri(1, maxK), kw = ri(1, maxK), sh = ri(1, 3), sw = ri(1, 3), dh = ri(1, 2), dw = ri(1, 2);
  const n = ri(1, 2), ih = ri((kh - 1) * dh + 1, maxSize), iw = ri((kw - 1) * dw + 1, maxSize);
  const ph = Math.min(2, (kh - 1) * dh), pw = Math.min(2, (kw - 1) * dw);
  const pad: RefPad = r() < 0.3 ? 'same' : r() < 0.5 ? 'valid' : [ri(0, ph), ri(0, ph), ri(0, pw), ri(0, pw)];
  const [pt, pb, pl, pr] = resolvePad(ih, iw, kh, kw, sh, sw, dh, dw, pad);
  return { n, ih, iw, ci, co, kh, kw, groups, sh, sw, dh, dw, pt, pb, pl, pr };
}

function report(fails: string[]): void {
  if (fails.length) expect.fail(`${fails.length} mismatches, first:\n${fails.slice(0, 5).join('\n')}`);
}

describe('random shapes', () => {
  it('conv2d and depthwiseConv2d: f32, f16 and f16-exact, prepacked or not, 1 and 2 threads', () => {
    const { r, ri } = seeded(20261124);
    const fails: string[] = [];
    for (let t = 0; t < 70; t++) {
      const dw = r() < 0.4;
      let ci = ri(1, 40), co = ri(1, 40), groups = 1;
      if (dw) { groups = ci; co = ci; } else if (r() < 0.3) { groups = ri(2, 4); ci = groups * ri(1, 6); co = groups * ri(1, 6); }
      const g = randomWindow(r, ri, 5, 20, ci, co, groups);
      const { n, ih, iw, kh, kw, sh, sw, dh, dw: dwl, pt, pb, pl, pr } = g;
      const cig = ci / groups;
      const precision = precisions[ri(0, 2)], activation = activations[ri(0, 2)], withBias = r() < 0.7;
      const [lo, hi] = bounds(activation);
      const x16 = randomF16(n * ih * iw * ci, r), w16 = randomF16(co * kh * kw * cig, r), b16 = randomF16(co, r);
      const specials = r() < 0.25;
      if (specials) { withSpecialsF16(x16, r); withSpecialsF16(w16, r); withSpecialsF16(b16, r); }
      const x = Float32Array.from(x16, f16Value), w = Float32Array.from(w16, f16Value), b = Float32Array.from(b16, f16Value);
      const half = precision !== 'f32';
      const want = precision === 'f16-exact' ? conv2dF16Exact(x16, w16, withBias ? b16 : null, g, lo, hi).out
        : precision === 'f16' ? Uint16Array.from(conv2dRef(x, w, withBias ? b : null, g, lo, hi).ordered, round16Bits)
          : conv2dRef(x, w, withBias ? b : null, g, lo, hi).ordered;
      expect(want.length).toBe(n * outSize(g)[0] * outSize(g)[1] * co);
      // Depthwise filters are HWC: [kh][kw][c].
      const wOut = (src: Float32Array | Uint16Array) => {
        if (!dw) return src;
        const out = src instanceof Uint16Array ? new Uint16Array(src.length) : new Float32Array(src.length);
        for (let o = 0; o < co; o++) for (let s = 0; s < kh * kw; s++) out[s * co + o] = src[o * kh * kw + s];
        return out;
      };
      const wDims = dw ? [kh, kw, ci] : [co, kh, kw, cig];
      const bias = withBias ? (half ? b16 : b) : undefined;
      for (const lw of instances) {
        const xt: Tensor = half ? lw.tensor('float16', x16, [n, ih, iw, ci]) : lw.tensor('float32', x, [n, ih, iw, ci]);
        const wt: Tensor = half ? lw.tensor('float16', wOut(w16) as Uint16Array, wDims) : lw.tensor('float32', wOut(w) as Float32Array, wDims);
        const opts = { strides: [sh, sw] as [number, number], dilations: [dh, dwl] as [number, number], pad: [pt, pb, pl, pr] as const,
          activation, ...(half ? { precision } : {}) };
        for (const prepacked of [false, true]) {
          const filter = prepacked ? lw.prepackConv(wt, dw ? { depthwise: true, bias } : { groups, bias }) : wt;
          const o = prepacked ? opts : { ...opts, bias };
          // eslint-disable-next-line @typescript-eslint/no-explicit-any
          const y = dw ? lw.depthwiseConv2d(xt as any, filter as any, o) : lw.conv2d(xt as any, filter as any, { ...o, groups });
          checkBits(fails, () => `case ${t} ${JSON.stringify({ precision, activation, withBias, prepacked, specials, threads: lw.info().threads, dw, ...g })}`,
            y.data, want, half);
          y.dispose();
          if (prepacked) filter.dispose();
        }
        xt.dispose(); wt.dispose();
      }
    }
    report(fails);
    expectWorkerTookTasks();
  });

  it('matMul: f32, f16 and f16-exact, transposes, bias in the call or prepacked, GEMV, 1 and 2 threads', () => {
    const { r, ri } = seeded(11235813);
    const fails: string[] = [];
    for (let t = 0; t < 90; t++) {
      const big = r() < 0.15;
      const m = r() < 0.2 ? 1 : ri(1, big ? 160 : 20), n = ri(1, big ? 160 : 40), k = ri(1, big ? 300 : 40);
      const transposeA = r() < 0.5, transposeB = r() < 0.5, prepacked = r() < 0.4, withBias = r() < 0.6;
      const precision = precisions[ri(0, 2)], activation = activations[ri(0, 2)];
      const [lo, hi] = bounds(activation);
      const a16 = randomF16(m * k, r), b16 = randomF16(k * n, r), bias16 = randomF16(n, r);
      const specials = r() < 0.25;
      if (specials) { withSpecialsF16(a16, r); withSpecialsF16(b16, r); withSpecialsF16(bias16, r); }
      const a = Float32Array.from(a16, f16Value), b = Float32Array.from(b16, f16Value), bias32 = Float32Array.from(bias16, f16Value);
      const half = precision !== 'f32';
      const want = precision === 'f32' ? gemmF32Ordered(m, n, k, a, b, withBias ? bias32 : null, lo, hi)
        : (precision === 'f16' ? gemmF16Fast : gemmF16Exact)(m, n, k, a16, b16, withBias ? bias16 : null, lo, hi);
      const bias = withBias ? (half ? bias16 : bias32) : undefined;
      for (const lw of instances) {
        const A: Tensor = half ? lw.tensor('float16', transposeA ? transpose16(m, k, a16) : a16, transposeA ? [k, m] : [m, k])
          : lw.tensor('float32', transposeA ? transpose(m, k, a) : a, transposeA ? [k, m] : [m, k]);
        const B: Tensor = half ? lw.tensor('float16', transposeB ? transpose16(k, n, b16) : b16, transposeB ? [n, k] : [k, n])
          : lw.tensor('float32', transposeB ? transpose(k, n, b) : b, transposeB ? [n, k] : [k, n]);
        const opts = { transposeA, activation, ...(half ? { precision } : {}) };
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const packed = prepacked ? lw.prepack(B as any, { transposeB, bias: bias as any }) : null;
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const y = packed ? lw.matMul(A as any, packed as any, opts) : lw.matMul(A as any, B as any, { ...opts, transposeB, bias: bias as any });
        checkBits(fails, () => `case ${t} ${JSON.stringify({ precision, activation, withBias, prepacked, specials, threads: lw.info().threads, m, n, k, transposeA, transposeB })}`,
          y.data, want, half);
        y.dispose(); packed?.dispose(); A.dispose(); B.dispose();
      }
    }
    report(fails);
    expectWorkerTookTasks();
  });

  it('maxPool and avgPool: windows, strides, dilations, padding, countIncludePad, 1 and 2 threads', () => {
    const { r, ri } = seeded(1618);
    const fails: string[] = [];
    for (let t = 0; t < 60; t++) {
      const c = ri(1, 37);
      const g = randomWindow(r, ri, 4, 16, c, c, c);
      const { n, ih, iw, kh, kw, sh, sw, dh, dw: dwl, pt, pb, pl, pr } = g;
      const x = randomF32(n * ih * iw * c, 300 + t, -4, 4);
      if (r() < 0.25) withSpecialsF32(x, r);
      const countIncludePad = r() < 0.5;
      const opts = { windowShape: [kh, kw] as [number, number], strides: [sh, sw] as [number, number], dilations: [dh, dwl] as [number, number],
        pad: [pt, pb, pl, pr] as const };
      for (const lw of instances) {
        const xt = lw.tensor('float32', x, [n, ih, iw, c]);
        const runs = [['max', lw.maxPool(xt, opts), poolRef(x, g, 'max').ordered],
          ['avg', lw.avgPool(xt, { ...opts, countIncludePad }), poolRef(x, g, 'avg', countIncludePad).ordered]] as const;
        for (const [kind, y, want] of runs) {
          checkBits(fails, () => `case ${t} ${kind} ${JSON.stringify({ countIncludePad, threads: lw.info().threads, ...g })}`, y.data, want, false);
          y.dispose();
        }
        xt.dispose();
      }
    }
    report(fails);
    expectWorkerTookTasks();
  });

  it('add with broadcasting (ranks 1..4, either side, scalars) and activations, 1 and 2 threads', () => {
    const { r, ri } = seeded(5772);
    const fails: string[] = [];
    for (let t = 0; t < 80; t++) {
      const rank = ri(1, 4);
      const dims = Array.from({ length: rank }, () => ri(1, 7));
      const side = (): number[] => {
        const d = dims.map((v) => (r() < 0.35 ? 1 : v));
        return d.slice(ri(0, rank - 1) * (r() < 0.3 ? 1 : 0));
      };
      const xd = r() < 0.1 ? [1] : side(), yd = r() < 0.1 ? [1] : side();
      const rank2 = Math.max(xd.length, yd.length);
      const out = Array.from({ length: rank2 }, (_, i) => Math.max(xd[i - (rank2 - xd.length)] ?? 1, yd[i - (rank2 - yd.length)] ?? 1));
      const size = out.reduce((p, v) => p * v, 1);
      const x = randomF32(xd.reduce((p, v) => p * v, 1), 700 + t, -3, 3), y = randomF32(yd.reduce((p, v) => p * v, 1), 900 + t, -3, 3);
      if (r() < 0.25) { withSpecialsF32(x, r, 0.1); withSpecialsF32(y, r, 0.1); }
      const activation = activations[ri(0, 2)];
      const [lo, hi] = bounds(activation);
      // Reference: numpy broadcasting by index, one f32 add, then the clamp (pmax / pmin).
      const at = (d: number[], data: Float32Array, idx: number[]) => {
        let o = 0;
        for (let i = 0; i < d.length; i++) o = o * d[i] + (d[i] === 1 ? 0 : idx[idx.length - d.length + i]);
        return data[o];
      };
      const want = new Float32Array(size);
      const idx = new Array<number>(out.length).fill(0);
      for (let e = 0; e < size; e++) {
        let v = Math.fround(at(xd, x, idx) + at(yd, y, idx));
        if (v < lo) v = lo;
        if (v > hi) v = hi;
        want[e] = v;
        for (let d = out.length - 1; d >= 0 && ++idx[d] === out[d]; d--) idx[d] = 0;
      }
      for (const lw of instances) {
        const xt = lw.tensor('float32', x, xd), yt = lw.tensor('float32', y, yd);
        const z = lw.add(xt, yt, { activation });
        expect(z.dims).toEqual(out);
        checkBits(fails, () => `case ${t} ${JSON.stringify({ xd, yd, activation, threads: lw.info().threads })}`, z.data, want, false);
        z.dispose(); xt.dispose(); yt.dispose();
      }
    }
    report(fails);
  });

  it('qMatMul: 8, 4 and 2-bit weights, both activation types and requantizations, 1 and 2 threads', () => {
    const { r, ri } = seeded(31415);
    for (let t = 0; t < 50; t++) {
      const big = r() < 0.2;
      const c = {
        m: r() < 0.3 ? 1 : ri(1, big ? 120 : 20), k: ri(1, big ? 1500 : 80), n: ri(1, big ? 120 : 40),
        bits: ([8, 4, 2] as const)[ri(0, 2)], xType: r() < 0.5 ? 'int8' as const : 'uint8' as const,
        requant: r() < 0.5 ? 'fp32' as const : 'dyadic' as const, axis: r() < 0.5 ? 0 as const : 1 as const,
        act: ([undefined, 'relu', 'relu6'] as const)[ri(0, 2)], outType: r() < 0.5 ? 'int8' as const : 'uint8' as const,
        batch: r() < 0.2 ? [ri(1, 3)] : undefined,
      };
      for (const lw of instances) checkQMatMul(lw, c, 1000 + t);
    }
    expectWorkerTookTasks();
  });

  it('qConv2d and qDepthwiseConv2d: geometries, groups, 8, 4 and 2-bit filters, 1 and 2 threads', () => {
    const { r, ri } = seeded(27182);
    for (let t = 0; t < 50; t++) {
      const dw = r() < 0.4, kh = ri(1, 5), kw = ri(1, 5), d = ri(1, 2), s = ri(1, 3);
      const p = ri(0, Math.min(2, (Math.min(kh, kw) - 1) * d));
      const big = r() < 0.15;
      const h = ri(Math.max(1, (kh - 1) * d + 1 - 2 * p), big ? 32 : 14), w = ri(Math.max(1, (kw - 1) * d + 1 - 2 * p), big ? 32 : 14);
      let ci = ri(1, big ? 64 : 24), co = ri(1, big ? 64 : 24), groups = 1;
      if (!dw && r() < 0.3) { groups = ri(2, 4); ci = groups * ri(1, 6); co = groups * ri(1, 6); }
      const shape = { n: ri(1, 2), h, w, ci, co, kh, kw, s, d, p, dw, groups };
      const bits = dw ? 8 : ([8, 4, 2] as const)[ri(0, 2)];
      const signed = r() < 0.5, requant = r() < 0.5 ? 'fp32' as const : 'dyadic' as const;
      for (const lw of instances) checkQConv(lw, shape, signed, requant, 5000 + t, bits);
    }
    expectWorkerTookTasks();
  });
});
