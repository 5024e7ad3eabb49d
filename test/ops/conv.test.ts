// The convolution-family API: conv2d, depthwiseConv2d, prepackConv, pooling, add / relu / clamp,
// layout converters; against the f64 / ordered-f32 oracles, and every bad argument → a typed
// error that names it, with nothing allocated or written.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Lanewise, ShapeError, DTypeError, ValueError, DisposedError, LanewiseError, OutOfMemoryError, Tensor, PackedConv } from '../../src/index.js';
import { conv2dRef, nchwToNhwc, nhwcToNchw, outSize, poolRef, resolvePad, type RefGeometry, type RefPad } from '../reference/conv.js';
import { expectSameBits, expectWithinBound } from '../harness/gemm.js';
import { randomF32 } from '../harness/random.js';

let lw: Lanewise;
beforeAll(async () => { lw = await Lanewise.create(); });
afterAll(() => lw.dispose());

function geom(n: number, ih: number, iw: number, ci: number, co: number, kh: number, kw: number, groups: number,
  s: [number, number], d: [number, number], pad: RefPad): RefGeometry {
  const [pt, pb, pl, pr] = resolvePad(ih, iw, kh, kw, s[0], s[1], d[0], d[1], pad);
  return { n, ih, iw, ci, co, kh, kw, groups, sh: s[0], sw: s[1], dh: d[0], dw: d[1], pt, pb, pl, pr };
}

/** OHWI [co][kh][kw][cig] → OIHW / HWIO. */
function ohwiTo(w: Float32Array, co: number, kh: number, kw: number, cig: number, layout: 'OIHW' | 'HWIO'): Float32Array {
  const out = new Float32Array(w.length);
  for (let o = 0; o < co; o++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < cig; i++) {
    const v = w[((o * kh + y) * kw + x) * cig + i];
    if (layout === 'OIHW') out[((o * cig + i) * kh + y) * kw + x] = v;
    else out[((y * kw + x) * cig + i) * co + o] = v;
  }
  return out;
}

describe('conv2d', () => {
  const cases: [string, RefGeometry, string | undefined][] = [
    ['3×3 same', geom(2, 9, 7, 5, 11, 3, 3, 1, [1, 1], [1, 1], 'same'), 'relu'],
    ['5×3 stride 2 dilation 2 explicit', geom(1, 13, 12, 3, 9, 5, 3, 1, [2, 3], [2, 1], [2, 1, 0, 2]), undefined],
    ['1×1 (GEMM route)', geom(3, 4, 5, 16, 24, 1, 1, 1, [1, 1], [1, 1], 'valid'), 'relu6'],
    ['1×1 with 1025 input channels over 288 pixels (the GEMM driver, K in slices)', geom(2, 16, 9, 1025, 13, 1, 1, 1, [1, 1], [1, 1], 'valid'), 'relu6'],
    ['1×1 with 800 input channels, one pixel (the IGEMM driver)', geom(1, 1, 1, 800, 20, 1, 1, 1, [1, 1], [1, 1], 'valid'), undefined],
    ['1×1 stride 2', geom(1, 7, 7, 8, 8, 1, 1, 1, [2, 2], [1, 1], 'valid'), undefined],
    ['grouped 3×3', geom(2, 6, 6, 6, 9, 3, 3, 3, [1, 1], [1, 1], 'same'), undefined],
    ['7×7 stride 3 valid', geom(1, 17, 15, 4, 5, 7, 7, 1, [3, 3], [1, 1], 'valid'), undefined],
    ['depthwise via groups', geom(1, 8, 8, 12, 12, 3, 3, 12, [2, 2], [1, 1], 'same'), 'relu'],
  ];
  for (const [label, g, activation] of cases) {
    it(`${label}: every filter layout, bias, activation, prepacked or not`, () => {
      const cig = g.ci / g.groups;
      const x = randomF32(g.n * g.ih * g.iw * g.ci, 1), w = randomF32(g.co * g.kh * g.kw * cig, 2), bias = randomF32(g.co, 3);
      const [lo, hi] = activation === 'relu' ? [0, Infinity] : activation === 'relu6' ? [0, 6] : [-Infinity, Infinity];
      const ref = conv2dRef(x, w, bias, g, lo, hi);
      const [oh, ow] = outSize(g);
      const pad = [g.pt, g.pb, g.pl, g.pr] as const;
      const opts = { strides: [g.sh, g.sw] as [number, number], dilations: [g.dh, g.dw] as [number, number], pad, groups: g.groups,
        bias, activation: activation as 'relu' | undefined };
      const xt = lw.tensor('float32', x, [g.n, g.ih, g.iw, g.ci]);
      for (const layout of ['OHWI', 'OIHW', 'HWIO'] as const) {
        const data = layout === 'OHWI' ? w : ohwiTo(w, g.co, g.kh, g.kw, cig, layout);
        const dims = layout === 'OHWI' ? [g.co, g.kh, g.kw, cig] : layout === 'OIHW' ? [g.co, cig, g.kh, g.kw] : [g.kh, g.kw, cig, g.co];
        const ft = lw.tensor('float32', data, dims);
        const y = lw.conv2d(xt, ft, { ...opts, filterLayout: layout });
        expect(y.dims).toEqual([g.n, oh, ow, g.co]);
        expectSameBits(y.data as Float32Array, ref.ordered, `${label} ${layout}`);
        expectWithinBound(y.data as Float32Array, conv2dRef(x, w, bias, g).f64.map((v) => Math.min(Math.max(v, lo), hi)), ref.abs, ref.k);
        const packed = lw.prepackConv(ft, { groups: g.groups, bias, filterLayout: layout });
        const { bias: _b, groups: _g, ...rest } = opts;
        const y2 = lw.conv2d(xt, packed, rest);
        expectSameBits(y2.data as Float32Array, ref.ordered, `${label} ${layout} prepacked`);
        // Same packed weights, second call (cached indirection), and a bias supplied per call to unbiased packed weights.
        expectSameBits(lw.conv2d(xt, packed, rest).data as Float32Array, ref.ordered, 'second call');
        const unbiased = lw.prepackConv(ft, { groups: g.groups, filterLayout: layout });
        expectSameBits(lw.conv2d(xt, unbiased, { ...rest, bias }).data as Float32Array, ref.ordered, 'bias per call');
        expectSameBits(lw.conv2d(xt, unbiased, rest).data as Float32Array, conv2dRef(x, w, null, g, lo, hi).ordered, 'no bias');
        ft.dispose(); y.dispose(); y2.dispose(); packed.dispose(); unbiased.dispose();
      }
      xt.dispose();
    });
  }

  it("'same' pads like TensorFlow (extra at the end), and strides/dilations accept a number", () => {
    const x = randomF32(1 * 6 * 6 * 2, 9), w = randomF32(3 * 4 * 4 * 2, 10);
    const y = lw.conv2d(lw.tensor('float32', x, [1, 6, 6, 2]), lw.tensor('float32', w, [3, 4, 4, 2]), { pad: 'same', strides: 2 });
    expect(y.dims).toEqual([1, 3, 3, 3]);
    const g = geom(1, 6, 6, 2, 3, 4, 4, 1, [2, 2], [1, 1], [1, 1, 1, 1]);
    expectSameBits(y.data as Float32Array, conv2dRef(x, w, null, g).ordered);
  });

  it('a dilation far beyond the image: only the centre tap lands inside (conv2d, depthwise, maxPool, f16, int8)', () => {
    // 'same' padding of 2^29 on each side; the kernels take the geometry as int32.
    const xs = Float32Array.from({ length: 25 }, (_, i) => i + 1), ws = Float32Array.from({ length: 9 }, (_, i) => i + 1);
    const x = lw.tensor('float32', xs, [1, 5, 5, 1]);
    const o = { dilations: 2 ** 29, pad: 'same' as const };
    const want = Array.from(xs, (v) => v * 5);
    expect(Array.from(lw.conv2d(x, lw.tensor('float32', ws, [1, 3, 3, 1]), o).data)).toEqual(want);
    expect(Array.from(lw.depthwiseConv2d(x, lw.tensor('float32', ws, [3, 3, 1]), o).data)).toEqual(want);
    expect(Array.from(lw.maxPool(x, { windowShape: 3, ...o }).data)).toEqual(Array.from(xs));
    const h = lw.conv2d(lw.cast(x, 'float16'), lw.cast(lw.tensor('float32', ws, [1, 3, 3, 1]), 'float16'), { ...o, precision: 'f16-exact' });
    expect(Array.from(h.toFloat32().data)).toEqual(want);
    const q = lw.qConv2d(lw.quantize(x, { scale: 1, zeroPoint: 0 }), lw.quantize(lw.tensor('float32', ws, [1, 3, 3, 1]), { scale: 1 }), { ...o, output: 'int32' });
    expect(Array.from(q.data)).toEqual(want);
    // The largest stride: one output pixel, its window at the top left.
    const x3 = lw.tensor('float32', Float32Array.from({ length: 5 * 6 * 3 }, (_, i) => i % 7), [1, 5, 6, 3]);
    const one = lw.depthwiseConv2d(x3, lw.tensor('float32', new Float32Array(27).fill(1), [3, 3, 3]), { strides: 2 ** 31 - 1, pad: 1 });
    expect(one.dims).toEqual([1, 1, 1, 3]);
    expect(Array.from(one.data)).toEqual([7, 11, 15]);
  });

  it('packed weights serve many input shapes (indirection cache eviction) and stay correct', () => {
    const f = randomF32(5 * 3 * 3 * 3, 31), bias = randomF32(5, 32);
    const packed = lw.prepackConv(lw.tensor('float32', f, [5, 3, 3, 3]), { bias });
    const dw = lw.prepackConv(lw.tensor('float32', randomF32(9 * 3, 33), [3, 3, 3]), { depthwise: true });
    const before = lw.info().memory.blocks;
    for (let round = 0; round < 2; round++) {
      for (const [h, w] of [[4, 4], [5, 7], [9, 3], [6, 6], [2, 11], [8, 8], [4, 4]]) {
        const x = randomF32(2 * h * w * 3, h * 100 + w);
        const xt = lw.tensor('float32', x, [2, h, w, 3]);
        const g = geom(2, h, w, 3, 5, 3, 3, 1, [1, 1], [1, 1], 'same');
        const y = lw.conv2d(xt, packed, { pad: 'same' });
        expectSameBits(y.data as Float32Array, conv2dRef(x, f, bias, g).ordered, `${h}×${w}`);
        lw.depthwiseConv2d(xt, dw, { pad: 'same', strides: 2 }).dispose();
        y.dispose(); xt.dispose();
      }
    }
    // At most 4 cached indirection buffers (+ a zero row) per packed filter.
    expect(lw.info().memory.blocks - before).toBeLessThanOrEqual(10);
    packed.dispose(); dw.dispose();
  });

  it('results do not depend on batch position', () => {
    const g = geom(3, 5, 5, 4, 6, 3, 3, 1, [1, 1], [1, 1], 'same');
    const x = randomF32(3 * 25 * 4, 4), w = lw.prepackConv(lw.tensor('float32', randomF32(6 * 9 * 4, 5), [6, 3, 3, 4]));
    const all = lw.conv2d(lw.tensor('float32', x, [3, 5, 5, 4]), w, { pad: 'same' }).data as Float32Array;
    for (let b = 0; b < 3; b++) {
      const one = lw.conv2d(lw.tensor('float32', x.slice(b * 100, b * 100 + 100), [1, 5, 5, 4]), w, { pad: 'same' }).data as Float32Array;
      expectSameBits(one, all.slice(b * 150, b * 150 + 150), `image ${b}`);
    }
    void g;
  });
});

describe('depthwiseConv2d', () => {
  for (const [k, s, m, pad] of [[3, 1, 1, 'same'], [3, 2, 1, 'same'], [5, 1, 1, 'same'], [5, 2, 1, 'valid'], [3, 1, 2, 'same'], [7, 2, 1, 'same'], [2, 1, 3, 'valid']] as const) {
    it(`${k}×${k} stride ${s} multiplier ${m} pad ${pad}: HWCM, OIHW and prepacked agree with the reference`, () => {
      const c = 13, n = 2, h = 11, wd = 10;
      const x = randomF32(n * h * wd * c, k * 10 + s), hwcm = randomF32(k * k * c * m, k * 10 + s + 1), bias = randomF32(c * m, 3);
      // OHWI grouped view: output channel c·m + j, one input channel.
      const ohwi = new Float32Array(c * m * k * k);
      for (let y = 0; y < k; y++) for (let xx = 0; xx < k; xx++) for (let ch = 0; ch < c; ch++) for (let j = 0; j < m; j++) {
        ohwi[((ch * m + j) * k + y) * k + xx] = hwcm[((y * k + xx) * c + ch) * m + j];
      }
      const g = geom(n, h, wd, c, c * m, k, k, c, [s, s], [1, 1], pad);
      const ref = conv2dRef(x, ohwi, bias, g, 0, Infinity);
      const xt = lw.tensor('float32', x, [n, h, wd, c]);
      const y1 = lw.depthwiseConv2d(xt, lw.tensor('float32', hwcm, [k, k, c, m]), { strides: s, pad, bias, activation: 'relu' });
      expectSameBits(y1.data as Float32Array, ref.ordered, 'HWCM');
      const y2 = lw.depthwiseConv2d(xt, lw.tensor('float32', ohwi, [c * m, 1, k, k]), { strides: s, pad, bias, activation: 'relu', filterLayout: 'OIHW' });
      expectSameBits(y2.data as Float32Array, ref.ordered, 'OIHW');
      const p = lw.prepackConv(lw.tensor('float32', hwcm, [k, k, c, m]), { depthwise: true, bias });
      expectSameBits(lw.depthwiseConv2d(xt, p, { strides: s, pad, activation: 'relu' }).data as Float32Array, ref.ordered, 'prepacked');
      // The same filter as a grouped conv2d gives the same bits.
      const y3 = lw.conv2d(xt, lw.tensor('float32', ohwi, [c * m, k, k, 1]), { strides: s, pad, groups: c, bias, activation: 'relu' });
      expectSameBits(y3.data as Float32Array, ref.ordered, 'conv2d groups');
      if (m === 1) {
        const y4 = lw.depthwiseConv2d(xt, lw.tensor('float32', hwcm, [k, k, c]), { strides: s, pad, bias, activation: 'relu' });
        expectSameBits(y4.data as Float32Array, ref.ordered, 'rank-3 HWC');
      }
    });
  }
});

describe('pooling', () => {
  const x = randomF32(2 * 9 * 8 * 6, 77, -4, 4);
  const xt = () => lw.tensor('float32', x, [2, 9, 8, 6]);
  for (const [k, s, pad, d] of [[2, 2, 'valid', 1], [3, 2, 'same', 1], [3, 1, [1, 1, 1, 1], 1], [3, 2, 'valid', 2], [5, 3, [2, 0, 1, 2], 1]] as const) {
    it(`window ${k} stride ${s} pad ${JSON.stringify(pad)} dilation ${d}`, () => {
      const g = geom(2, 9, 8, 6, 6, k, k, 6, [s, s], [d, d], pad as RefPad);
      const mx = lw.maxPool(xt(), { windowShape: k, strides: s, pad: pad as 'same', dilations: d });
      const r = poolRef(x, g, 'max');
      expect(mx.dims).toEqual([2, r.oh, r.ow, 6]);
      expectSameBits(mx.data as Float32Array, r.ordered, 'max');
      for (const countIncludePad of [false, true]) {
        const av = lw.avgPool(xt(), { windowShape: [k, k], strides: [s, s], pad: pad as 'same', dilations: d, countIncludePad });
        expectSameBits(av.data as Float32Array, poolRef(x, g, 'avg', countIncludePad).ordered, `avg ${countIncludePad}`);
      }
    });
  }

  it('max pooling of special values: NaN wins, +0 counts above −0, padding never wins', () => {
    const v = [-0, 0, NaN, -Infinity, Infinity, -0, -0, -1];
    const x1 = new Float32Array(2 * 4 * 4);  // [1, 2, 4, 4]: 4 channels (one SIMD step) and a scalar-tail shape
    for (let i = 0; i < x1.length; i++) x1[i] = v[(i * 5 + (i >> 3)) % v.length];
    for (const c of [4, 2]) {
      const dims = [1, 2, (x1.length / 2) / c, c];
      const g = geom(1, dims[1], dims[2], c, c, 2, 2, c, [1, 1], [1, 1], 'same');
      const y = lw.maxPool(lw.tensor('float32', x1, dims), { windowShape: 2, pad: 'same' });
      expectSameBits(y.data as Float32Array, poolRef(x1, g, 'max').ordered, `max, ${c} channels`);
    }
  });

  it('globalAvgPool averages every pixel of each image', () => {
    const y = lw.globalAvgPool(xt());
    expect(y.dims).toEqual([2, 1, 1, 6]);
    const want = new Float64Array(12);
    for (let b = 0; b < 2; b++) for (let p = 0; p < 72; p++) for (let c = 0; c < 6; c++) want[b * 6 + c] += x[(b * 72 + p) * 6 + c] / 72;
    const got = y.data as Float32Array;
    for (let i = 0; i < 12; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-5);
  });
});

describe('add, relu, relu6, clamp', () => {
  it('adds with numpy broadcasting and a fused activation', () => {
    const f = Math.fround;
    const shapes: [number[], number[]][] = [[[2, 3, 4, 5], [2, 3, 4, 5]], [[2, 3, 4, 5], [5]], [[2, 3, 4, 5], [1]], [[1], [3, 4]],
      [[2, 3, 1, 5], [1, 1, 4, 1]], [[2, 3, 4, 1], [4, 7]], [[3, 1], [1, 4]], [[0, 3], [3]],
      [[5], [2, 3, 4, 5]], [[4, 5], [2, 3, 4, 5]], [[2, 3, 4, 5], [1, 4, 5]], [[37, 13], [13]]];
    for (const [da, db] of shapes) {
      const a = randomF32(da.reduce((p, q) => p * q, 1), 1, -2, 2), b = randomF32(db.reduce((p, q) => p * q, 1), 2, -2, 2);
      const y = lw.add(lw.tensor('float32', a, da), lw.tensor('float32', b, db), { activation: { min: -1, max: 1.5 } });
      const r = Math.max(da.length, db.length);
      const pa = [...Array(r - da.length).fill(1), ...da], pb = [...Array(r - db.length).fill(1), ...db];
      const dims = pa.map((v, i) => Math.max(v, pb[i]) * (v === 0 || pb[i] === 0 ? 0 : 1));
      expect(y.dims).toEqual(dims);
      const size = dims.reduce((p, q) => p * q, 1);
      const want = new Float32Array(size);
      for (let i = 0; i < size; i++) {
        let rem = i, ia = 0, ib = 0, sa = 1, sb = 1;
        for (let d = r - 1; d >= 0; d--) {
          const c = rem % dims[d]; rem = Math.floor(rem / dims[d]);
          if (pa[d] !== 1) ia += c * sa; sa *= pa[d];
          if (pb[d] !== 1) ib += c * sb; sb *= pb[d];
        }
        want[i] = Math.min(Math.max(f(a[ia] + b[ib]), -1), 1.5);
      }
      expectSameBits(y.data as Float32Array, want, `${da} + ${db}`);
    }
  });

  it('relu, relu6 and clamp (NaN passes)', () => {
    const x = new Float32Array([-3, -0.5, 0, 0.5, 3, 7, NaN, -Infinity, Infinity, 2]);
    const t = lw.tensor('float32', x, [10]);
    expect(Array.from(lw.relu(t).data)).toEqual([0, 0, 0, 0.5, 3, 7, NaN, 0, Infinity, 2]);
    expect(Array.from(lw.relu6(t).data)).toEqual([0, 0, 0, 0.5, 3, 6, NaN, 0, 6, 2]);
    expect(Array.from(lw.clamp(t, -1, 1).data)).toEqual([-1, -0.5, 0, 0.5, 1, 1, NaN, -1, 1, 1]);
  });
});

describe('layout converters', () => {
  it('fromNCHW / toNCHW round-trip and match the reference permutation', () => {
    const x = randomF32(2 * 3 * 4 * 5, 8);
    const t = lw.tensor('float32', x, [2, 3, 4, 5]); // NCHW
    const nhwc = lw.fromNCHW(t);
    expect(nhwc.dims).toEqual([2, 4, 5, 3]);
    expectSameBits(nhwc.data as Float32Array, nchwToNhwc(x, 2, 3, 4, 5));
    const back = lw.toNCHW(nhwc);
    expect(back.dims).toEqual([2, 3, 4, 5]);
    expectSameBits(back.data as Float32Array, x);
    expectSameBits(nhwcToNchw(nchwToNhwc(x, 2, 3, 4, 5), 2, 4, 5, 3), x);
  });
});

describe('bad input: typed errors naming the argument, nothing allocated or written', () => {
  function expectError(fn: () => unknown, type: typeof LanewiseError, argument: string | RegExp): void {
    const before = lw.info().memory;
    let err: unknown;
    try { fn(); } catch (e) { err = e; }
    expect(err, `expected ${type.name} for ${argument}`).toBeInstanceOf(type);
    const e = err as LanewiseError;
    if (typeof argument === 'string') expect(e.argument).toBe(argument); else expect(e.argument).toMatch(argument);
    expect(e.expected.length).toBeGreaterThan(0);
    const after = lw.info().memory;
    expect(after.bytesInUse).toBe(before.bytesInUse);
    expect(after.blocks).toBe(before.blocks);
  }

  it('conv2d', () => {
    const x = lw.tensor('float32', randomF32(1 * 5 * 5 * 4, 1), [1, 5, 5, 4]);
    const xData = x.data.slice();
    const f = lw.tensor('float32', randomF32(6 * 3 * 3 * 4, 2), [6, 3, 3, 4]);
    const f2 = lw.tensor('float32', randomF32(6 * 3 * 3 * 2, 2), [6, 3, 3, 2]);
    expectError(() => lw.conv2d(x, f, { groups: 2 }), ShapeError, 'x.dims[3]');                // channels vs groups
    expectError(() => lw.conv2d(x, f2, { groups: 4 }), ShapeError, 'filter.dims');             // co % groups
    expectError(() => lw.conv2d(x, f2, { groups: 0 }), ValueError, 'options.groups');
    expectError(() => lw.conv2d(x, f, { strides: 0 }), ValueError, 'options.strides');
    expectError(() => lw.conv2d(x, f, { strides: [-1, 1] }), ValueError, 'options.strides');
    expectError(() => lw.conv2d(x, f, { strides: 1.5 }), ValueError, 'options.strides');
    expectError(() => lw.conv2d(x, f, { dilations: [1, 0] }), ValueError, 'options.dilations');
    expectError(() => lw.conv2d(x, f, { pad: [3, 0, 0, 0] }), ValueError, 'options.pad');       // pad ≥ window
    expectError(() => lw.conv2d(x, f, { pad: -1 }), ValueError, 'options.pad');
    expectError(() => lw.conv2d(x, f, { pad: 'full' as never }), ValueError, 'options.pad');
    expectError(() => lw.conv2d(x, f, { dilations: 3 }), ShapeError, /x\.dims/);               // output ≤ 0
    // Past the kernels' int32 geometry: the dilated window, or the input with 'same' padding.
    expectError(() => lw.conv2d(x, f, { dilations: 2 ** 31, pad: 'same' }), ValueError, 'options.dilations');
    expectError(() => lw.conv2d(x, f, { dilations: [1, 2 ** 32 + 1], pad: 'same' }), ValueError, 'options.dilations');
    expectError(() => lw.conv2d(x, f, { dilations: 2 ** 30 - 1, pad: 'same' }), ValueError, 'options.dilations');
    expectError(() => lw.conv2d(x, f, { dilations: 2 ** 30, pad: [2 ** 30, 0, 0, 0] }), ValueError, 'options.dilations');
    expectError(() => lw.conv2d(x, f, { strides: 2 ** 32, pad: 1 }), ValueError, 'options.strides'); // was an int32 0: a wasm divide by zero
    const dwf = lw.tensor('float32', new Float32Array(36), [3, 3, 4]);
    expectError(() => lw.depthwiseConv2d(x, dwf, { strides: [1, 2 ** 31] }), ValueError, 'options.strides');
    expectError(() => lw.maxPool(x, { windowShape: 3, strides: 2 ** 32 }), ValueError, 'options.strides');
    const _t1 = lw.tensor('float32', new Float32Array(6 * 3 * 4), [6, 3, 4]);
    expectError(() => lw.conv2d(x, _t1, {}), ShapeError, 'filter.dims');
    expectError(() => lw.conv2d(x, f, { filterLayout: 'IOHW' as never }), ValueError, 'options.filterLayout');
    expectError(() => lw.conv2d(x, f, { bias: [1, 2, 3] }), ShapeError, 'options.bias.length');
    expectError(() => lw.conv2d(x, f, { activation: 'gelu' as never }), ValueError, 'options.activation');
    expectError(() => lw.conv2d(x, f, { stride: 2 } as never), ValueError, 'options.stride');
    const _t2 = lw.tensor('float32', new Float32Array(100), [1, 5, 5, 4]);
    expectError(() => lw.conv2d(_t2.dims as never, f), ValueError, 'x');
    const _t3 = lw.tensor('int32', new Int32Array(100), [1, 5, 5, 4]);
    expectError(() => lw.conv2d(_t3, f), DTypeError, 'x.type');
    const _t4 = lw.tensor('float32', new Float32Array(100), [25, 4]);
    expectError(() => lw.conv2d(_t4, f), ShapeError, 'x.dims');
    const p = lw.prepackConv(f, { bias: new Float32Array(6) });
    expectError(() => lw.conv2d(x, p, { bias: new Float32Array(6) }), ValueError, 'options.bias');
    expectError(() => lw.conv2d(x, p, { groups: 2 }), ValueError, 'options.groups');
    p.dispose();
    expectError(() => lw.conv2d(x, p), DisposedError, 'filter');
    const gone = lw.tensor('float32', new Float32Array(100), [1, 5, 5, 4]);
    gone.dispose();
    expectError(() => lw.conv2d(gone, f), DisposedError, 'x');
    expect(Array.from(x.data)).toEqual(Array.from(xData));
  });

  it('depthwiseConv2d, prepackConv, pooling, add, clamp', () => {
    const x = lw.tensor('float32', randomF32(1 * 5 * 5 * 4, 1), [1, 5, 5, 4]);
    const _t5 = lw.tensor('float32', new Float32Array(9 * 3), [3, 3, 3, 1]);
    expectError(() => lw.depthwiseConv2d(x, _t5), ShapeError, 'x.dims[3]');
    const _t6 = lw.tensor('float32', new Float32Array(9 * 6), [6, 1, 3, 3]);
    expectError(() => lw.depthwiseConv2d(x, _t6, { filterLayout: 'OIHW' }), ShapeError, 'filter.dims[0]');
    const _t7 = lw.tensor('float32', new Float32Array(9 * 8), [4, 2, 3, 3]);
    expectError(() => lw.depthwiseConv2d(x, _t7, { filterLayout: 'OIHW' }), ShapeError, 'filter.dims');
    const _t8 = lw.tensor('float32', new Float32Array(9 * 4), [3, 3, 4]);
    expectError(() => lw.depthwiseConv2d(x, _t8, { strides: 0 }), ValueError, 'options.strides');
    const notDw = lw.prepackConv(lw.tensor('float32', new Float32Array(8 * 9 * 4), [8, 3, 3, 4]));
    expectError(() => lw.depthwiseConv2d(x, notDw), ShapeError, 'filter');
    const _t9 = lw.tensor('float32', new Float32Array(9 * 4), [3, 3, 4]);
    expectError(() => lw.prepackConv(_t9, { depthwise: true, groups: 2 }), ValueError, 'options.groups');
    const _t10 = lw.tensor('float32', new Float32Array(9), [9]);
    expectError(() => lw.prepackConv(_t10, {}), ShapeError, 'filter.dims');
    expectError(() => lw.maxPool(x, {} as never), ValueError, 'options.windowShape');
    expectError(() => lw.maxPool(x, { windowShape: 0 }), ValueError, 'options.windowShape');
    expectError(() => lw.maxPool(x, { windowShape: 6 }), ShapeError, /x\.dims/);
    expectError(() => lw.maxPool(x, { windowShape: 2, pad: [2, 0, 0, 0] }), ValueError, 'options.pad');
    expectError(() => lw.maxPool(x, { windowShape: 2, countIncludePad: true } as never), ValueError, 'options.countIncludePad');
    expectError(() => lw.avgPool(x, { windowShape: 2, countIncludePad: 1 as never }), ValueError, 'options.countIncludePad');
    // 'same' padding grows with the window: a window whose indirection cannot fit in wasm32
    // memory is refused before any per-pixel work (this once threw a RangeError after ~10 s).
    // One beyond the kernels' int32 geometry is refused before that.
    expectError(() => lw.avgPool(x, { windowShape: 2 ** 31, pad: 'same' }), ValueError, 'options.windowShape');
    expectError(() => lw.avgPool(x, { windowShape: 2 ** 30, pad: 'same' }), OutOfMemoryError, 'options.windowShape');
    expectError(() => lw.maxPool(x, { windowShape: [2 ** 16, 2 ** 15], pad: 'same' }), OutOfMemoryError, 'options.windowShape');
    const _t11 = lw.tensor('float32', new Float32Array(4), [1, 4]);
    expectError(() => lw.globalAvgPool(_t11), ShapeError, 'x.dims');
    const _t12 = lw.tensor('float32', new Float32Array(3), [3]);
    expectError(() => lw.add(x, _t12), ShapeError, 'y.dims');
    expectError(() => lw.add(x, x, { activation: { min: 2, max: 1 } }), ValueError, 'options.activation');
    expectError(() => lw.clamp(x, 2, 1), ValueError, 'min');
    expectError(() => lw.clamp(x, NaN, 1), ValueError, 'min');
    const _t13 = lw.tensor('float32', new Float32Array(4), [4]);
    expectError(() => lw.fromNCHW(_t13), ShapeError, 'x.dims');
  });

  it('the instance stays usable after errors', () => {
    const x = lw.tensor('float32', new Float32Array(16).fill(1), [1, 2, 2, 4]);
    try { lw.conv2d(x, x, { strides: 0 }); } catch { /* expected */ }
    const y = lw.conv2d(x, lw.tensor('float32', new Float32Array(4).fill(1), [1, 1, 1, 4]));
    expect(Array.from(y.data)).toEqual([4, 4, 4, 4]);
    expect(y).toBeInstanceOf(Tensor);
    expect(lw.prepackConv(lw.tensor('float32', new Float32Array(4), [1, 1, 1, 4]))).toBeInstanceOf(PackedConv);
  });
});
