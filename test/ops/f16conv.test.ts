// conv2d / depthwiseConv2d with float16 tensors: 'f16' = round16 of the f32 convolution's
// documented order on the widened operands; 'f16-exact' = a binary16 FMA per tap and channel,
// bit for bit against test/reference/f16.ts; prepacked filters in binary16; typed errors.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Lanewise, DTypeError, ValueError, PackedConvF16 } from '../../src/index.js';
import { conv2dF16Exact, f16Value, randomF16, round16Bits, type F16ConvGeometry } from '../reference/f16.js';
import { conv2dRef, resolvePad, type RefPad } from '../reference/conv.js';
import { rng } from '../harness/random.js';
import { f16Conv } from '../../bindings/f16.js';

let lw: Lanewise;
beforeAll(async () => { lw = await Lanewise.create(); });
afterAll(() => lw.dispose());

function expectSameHalves(got: Uint16Array, want: Uint16Array, what = ''): void {
  expect(got.length).toBe(want.length);
  const canon = (h: number) => ((h & 0x7fff) > 0x7c00 ? 0x7e00 : h);
  for (let i = 0; i < got.length; i++) {
    if (canon(got[i]) !== canon(want[i])) expect.fail(`${what} element ${i}: got 0x${got[i].toString(16)}, want 0x${want[i].toString(16)}`);
  }
}

interface Case { name: string; n: number; ih: number; iw: number; ci: number; co: number; kh: number; kw: number;
  groups: number; s: number; d: number; pad: RefPad; depthwise?: boolean }
const cases: Case[] = [
  { name: '3×3 same', n: 1, ih: 7, iw: 6, ci: 5, co: 11, kh: 3, kw: 3, groups: 1, s: 1, d: 1, pad: 'same' },
  { name: '1×1 (GEMM route)', n: 2, ih: 4, iw: 5, ci: 9, co: 10, kh: 1, kw: 1, groups: 1, s: 1, d: 1, pad: 'valid' },
  { name: '5×3 stride 2 dilation 2', n: 1, ih: 13, iw: 11, ci: 3, co: 9, kh: 5, kw: 3, groups: 1, s: 2, d: 2, pad: [2, 1, 0, 2] },
  { name: 'grouped 3×3', n: 1, ih: 6, iw: 6, ci: 8, co: 12, kh: 3, kw: 3, groups: 4, s: 1, d: 1, pad: 'same' },
  { name: 'grouped 1×1, one image', n: 1, ih: 5, iw: 7, ci: 12, co: 20, kh: 1, kw: 1, groups: 4, s: 1, d: 1, pad: 'valid' },
  { name: 'grouped 1×1, two images', n: 2, ih: 3, iw: 9, ci: 20, co: 12, kh: 1, kw: 1, groups: 4, s: 1, d: 1, pad: 'valid' },
  { name: 'depthwise 3×3', n: 2, ih: 8, iw: 7, ci: 10, co: 10, kh: 3, kw: 3, groups: 10, s: 1, d: 1, pad: 'same', depthwise: true },
  { name: 'depthwise 5×5 stride 2', n: 1, ih: 9, iw: 9, ci: 9, co: 9, kh: 5, kw: 5, groups: 9, s: 2, d: 1, pad: 'same', depthwise: true },
  { name: 'depthwise 3×3 40×36×40', n: 2, ih: 40, iw: 36, ci: 40, co: 40, kh: 3, kw: 3, groups: 40, s: 1, d: 1, pad: 'same', depthwise: true },
  { name: 'depthwise 3×3 stride 2 dilation 2, asymmetric padding', n: 1, ih: 61, iw: 45, ci: 36, co: 36, kh: 3, kw: 3, groups: 36, s: 2, d: 2, pad: [3, 0, 1, 2], depthwise: true },
  // One group per input channel and more outputs than inputs: the repeated-input route ('f16').
  { name: 'multiplier 2 (grouped conv2d)', n: 2, ih: 9, iw: 8, ci: 6, co: 12, kh: 3, kw: 3, groups: 6, s: 1, d: 1, pad: 'same' },
  { name: 'multiplier 5, stride 2, dilation 2', n: 1, ih: 11, iw: 13, ci: 4, co: 20, kh: 3, kw: 3, groups: 4, s: 2, d: 2, pad: [1, 0, 2, 1] },
  { name: 'one input channel, 3 outputs, 5×5', n: 1, ih: 10, iw: 9, ci: 1, co: 3, kh: 5, kw: 5, groups: 1, s: 1, d: 1, pad: 'same' },
  { name: 'depthwise 3×3 stride 2 valid', n: 1, ih: 9, iw: 10, ci: 13, co: 13, kh: 3, kw: 3, groups: 13, s: 2, d: 1, pad: 'valid', depthwise: true },
];

function geometryOf(c: Case): F16ConvGeometry {
  const [pt, pb, pl, pr] = resolvePad(c.ih, c.iw, c.kh, c.kw, c.s, c.s, c.d, c.d, c.pad);
  return { n: c.n, ih: c.ih, iw: c.iw, ci: c.ci, co: c.co, kh: c.kh, kw: c.kw, groups: c.groups,
    sh: c.s, sw: c.s, dh: c.d, dw: c.d, pt, pb, pl, pr };
}

/** OHWI [co][kh][kw][cig] → HWCM [kh][kw][c] for a depthwise filter with multiplier 1. */
function ohwiToHWC(w: Uint16Array, c: Case): Uint16Array {
  const out = new Uint16Array(w.length);
  for (let o = 0; o < c.co; o++) for (let s = 0; s < c.kh * c.kw; s++) out[s * c.co + o] = w[o * c.kh * c.kw + s];
  return out;
}

describe('conv2d / depthwiseConv2d with float16 tensors', () => {
  for (const c of cases) {
    for (const precision of ['f16', 'f16-exact'] as const) {
      it(`${c.name}, precision '${precision}': bit for bit, prepacked or not, with bias and relu6`, () => {
        const r = rng(c.ci * 31 + c.co);
        const g = geometryOf(c);
        const cig = c.ci / c.groups;
        const x = randomF16(c.n * c.ih * c.iw * c.ci, r), w = randomF16(c.co * c.kh * c.kw * cig, r), bias = randomF16(c.co, r);
        const want = precision === 'f16-exact' ? conv2dF16Exact(x, w, bias, g, 0, 6).out
          : Uint16Array.from(conv2dRef(Array.from(x, f16Value), Array.from(w, f16Value), Array.from(bias, f16Value), g, 0, 6).ordered, round16Bits);
        const tx = lw.tensor('float16', x, [c.n, c.ih, c.iw, c.ci]);
        const wt = c.depthwise ? lw.tensor('float16', ohwiToHWC(w, c), [c.kh, c.kw, c.ci]) : lw.tensor('float16', w, [c.co, c.kh, c.kw, cig]);
        const opts = { strides: c.s, dilations: c.d, pad: c.pad, bias, activation: 'relu6' as const, precision };
        const direct = c.depthwise ? lw.depthwiseConv2d(tx, wt, opts) : lw.conv2d(tx, wt, { ...opts, groups: c.groups });
        expect(direct.type).toBe('float16');
        expectSameHalves(direct.data, want, 'direct');
        const packed = lw.prepackConv(wt, c.depthwise ? { depthwise: true, bias } : { groups: c.groups, bias });
        expect(packed).toBeInstanceOf(PackedConvF16);
        const { bias: _b, ...noBias } = opts;
        const viaPacked = c.depthwise ? lw.depthwiseConv2d(tx, packed, noBias) : lw.conv2d(tx, packed, noBias);
        expectSameHalves(viaPacked.data, want, 'prepacked');
        // Half the bytes of the float32 packing of the same filter.
        const p32 = lw.prepackConv(lw.cast(wt, 'float32'), c.depthwise ? { depthwise: true } : { groups: c.groups });
        expect(packed.byteLength).toBeLessThanOrEqual(Math.ceil(p32.byteLength / 2 / 64) * 64);
        for (const t of [tx, wt, direct, viaPacked]) t.dispose();
        packed.dispose(); p32.dispose();
      });
    }
  }

  it('gives the single-thread bits at 2 threads: 3×3 depthwise, stride 1 and 2', async () => {
    const mt = await Lanewise.create({ threads: 2 });
    try {
      const r = rng(77);
      for (const s of [1, 2]) {
        // 64×64×64: 4.7M operations at stride 1, above the pool's 4M threshold.
        const ih = 64 * s, c = 64;
        const x = randomF16(ih * ih * c, r), w = randomF16(9 * c, r), bias = randomF16(c, r);
        const run = (l: Lanewise) => {
          const tx = l.tensor('float16', x, [1, ih, ih, c]), tw = l.tensor('float16', w, [3, 3, c]);
          const y = l.depthwiseConv2d(tx, tw, { strides: s, pad: 'same', bias, precision: 'f16' });
          const out = y.data;
          tx.dispose(); tw.dispose(); y.dispose();
          return out;
        };
        expectSameHalves(run(mt), run(lw), `stride ${s}, 2 threads`);
      }
    } finally {
      mt.dispose();
    }
  });

  it("'f16-exact' conv2d runs in bands: a 112×112×32 image fits under maxMemory 16 MiB, bit for bit, 1 and 2 threads", async () => {
    // Its whole-image im2col and widened packing would take 6 · 12544 pixels · 288 = 21.7 MB.
    const c: Case = { name: 'banded', n: 1, ih: 112, iw: 112, ci: 32, co: 2, kh: 3, kw: 3, groups: 1, s: 1, d: 1, pad: 'same' };
    const r = rng(2024);
    const x = randomF16(112 * 112 * 32, r), w = randomF16(2 * 9 * 32, r), bias = randomF16(2, r);
    const want = conv2dF16Exact(x, w, bias, geometryOf(c)).out;
    for (const threads of [1, 2]) {
      const small = await Lanewise.create({ threads, maxMemory: 16 << 20 });
      try {
        const tx = small.tensor('float16', x, [1, 112, 112, 32]), tw = small.tensor('float16', w, [2, 3, 3, 32]);
        const y = small.conv2d(tx, tw, { pad: 'same', bias, precision: 'f16-exact' });
        expectSameHalves(y.data, want, `${threads} thread(s)`);
        for (const t of [tx, tw, y]) t.dispose();
      } finally {
        small.dispose();
      }
    }
  });

  it('depthwise in bands of output rows past 4 MB of f32 rows: bit for bit under maxMemory 12 MiB, 1 and 2 threads', async () => {
    // Bands (bindings/f16.ts rowBands): A 3 bands, the first with top padding; B 2 bands in
    // both precisions, stride 2, dilation 2, asymmetric padding; C two images of 2 bands each, a
    // 5×5 window (indirection kernel). Widened whole, A's scratch (9.5 MB) and its tensors
    // (4.7 MB) would not fit. (The exact oracle is slow: one case of it.)
    const bandCases: (Case & { precisions: ('f16' | 'f16-exact')[] })[] = [
      { name: 'A', n: 1, ih: 136, iw: 136, ci: 64, co: 64, kh: 3, kw: 3, groups: 64, s: 1, d: 1, pad: 'same', depthwise: true, precisions: ['f16'] },
      { name: 'B', n: 1, ih: 150, iw: 140, ci: 56, co: 56, kh: 3, kw: 3, groups: 56, s: 2, d: 2, pad: [3, 0, 1, 2], depthwise: true, precisions: ['f16', 'f16-exact'] },
      { name: 'C', n: 2, ih: 150, iw: 150, ci: 40, co: 40, kh: 5, kw: 5, groups: 40, s: 2, d: 1, pad: 'same', depthwise: true, precisions: ['f16'] },
    ];
    const instances = [await Lanewise.create({ maxMemory: 12 << 20 }), await Lanewise.create({ threads: 2, maxMemory: 12 << 20 })];
    try {
      for (const c of bandCases) {
        const r = rng(c.ih * 7 + c.ci);
        const g = geometryOf(c);
        const x = randomF16(c.n * c.ih * c.iw * c.ci, r), w = randomF16(c.co * c.kh * c.kw, r), bias = randomF16(c.co, r);
        for (const precision of c.precisions) {
          const want = precision === 'f16-exact' ? conv2dF16Exact(x, w, bias, g).out
            : Uint16Array.from(conv2dRef(Array.from(x, f16Value), Array.from(w, f16Value), Array.from(bias, f16Value), g).ordered, round16Bits);
          for (const small of instances) {
            const tx = small.tensor('float16', x, [c.n, c.ih, c.iw, c.ci]), tw = small.tensor('float16', ohwiToHWC(w, c), [c.kh, c.kw, c.ci]);
            const y = small.depthwiseConv2d(tx, tw, { strides: c.s, dilations: c.d, pad: c.pad, bias, precision });
            expectSameHalves(y.data, want, `${c.name} '${precision}', ${small.info().threads} thread(s)`);
            for (const t of [tx, tw, y]) t.dispose();
          }
        }
      }
    } finally {
      for (const l of instances) l.dispose();
    }
  });

  it('bands of any size give the whole-image bits: random geometries, depthwise in both precisions and exact conv, 1 and 2 threads', async () => {
    // Through the driver with the test hook F16ConvCall.bandBytes: down to one output row (depthwise)
    // or one row tile (exact im2col) per band.
    const mt = await Lanewise.create({ threads: 2 });
    try {
      const r = rng(909);
      const ri = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
      for (let trial = 0; trial < 48; trial++) {
        const l = trial % 2 ? mt : lw, dev = l.device;
        const depthwise = trial % 3 !== 2;
        const kh = ri(1, 5), kw = ri(1, 5), sh = ri(1, 3), sw = ri(1, 3), dh = ri(1, 2), dw = ri(1, 2);
        const ekh = (kh - 1) * dh + 1, ekw = (kw - 1) * dw + 1;
        const pt = ri(0, ekh - 1), pb = ri(0, ekh - 1), pl = ri(0, ekw - 1), pr = ri(0, ekw - 1);
        const ih = ri(Math.max(1, ekh - pt - pb), 24), iw = ri(Math.max(1, ekw - pl - pr), 12);
        const oh = Math.floor((ih + pt + pb - ekh) / sh) + 1, ow = Math.floor((iw + pl + pr - ekw) / sw) + 1;
        const n = ri(1, 3), ci = ri(1, 20), co = depthwise ? ci : ri(1, 12), groups = depthwise ? ci : 1;
        const g = { n, ih, iw, ci, oh, ow, co, kh, kw, sh, sw, dh, dw, pt, pb, pl, pr, groups };
        const x = l.tensor('float16', randomF16(n * ih * iw * ci, r), [n, ih, iw, ci]);
        const wt = depthwise ? l.tensor('float16', randomF16(kh * kw * ci, r), [kh, kw, ci]) : l.tensor('float16', randomF16(co * kh * kw * ci, r), [co, kh, kw, ci]);
        const packed = l.prepackConv(wt, depthwise ? { depthwise: true } : {}) as PackedConvF16;
        const bias = randomF16(co, r);
        const run = (precision: 'f16' | 'f16-exact', bandBytes: number) => {
          const out = dev.alloc(n * oh * ow * co * 2, 'output');
          try {
            f16Conv(dev, { geometry: g, x: x.block, w: packed.block, packing: packed.packing, bias, out, min: -Infinity, max: Infinity,
              precision, cache: packed.cache, bandBytes });
            return dev.read(out, new Uint16Array(n * oh * ow * co));
          } finally {
            dev.free(out);
          }
        };
        const rowBytes = iw * ci * 4 + ow * co * 4;
        for (const precision of depthwise ? ['f16', 'f16-exact'] as const : ['f16-exact'] as const) {
          const whole = run(precision, Infinity);
          for (const budget of [1, ri(1, 6) * rowBytes, ri(1, 60) * 6 * kh * kw * ci]) {
            expectSameHalves(run(precision, budget), whole, `trial ${trial} ${JSON.stringify(g)} '${precision}' budget ${budget}`);
          }
        }
        for (const t of [x, wt, packed]) t.dispose();
      }
    } finally {
      mt.dispose();
    }
  });

  it("float16 operands without an options argument take the binary16 path with the defaults ('f16', stride 1, valid)", () => {
    const r = rng(77);
    const g: F16ConvGeometry = { n: 1, ih: 6, iw: 5, ci: 4, co: 4, kh: 3, kw: 3, groups: 1, sh: 1, sw: 1, dh: 1, dw: 1, pt: 0, pb: 0, pl: 0, pr: 0 };
    const x = randomF16(6 * 5 * 4, r), w = randomF16(4 * 9 * 4, r);
    const want = Uint16Array.from(conv2dRef(Array.from(x, f16Value), Array.from(w, f16Value), new Array(4).fill(0), g, -Infinity, Infinity).ordered, round16Bits);
    const tx = lw.tensor('float16', x, [1, 6, 5, 4]), tw = lw.tensor('float16', w, [4, 3, 3, 4]);
    const dwFilter = lw.tensor('float16', ohwiToHWC(w.subarray(0, 4 * 9), { co: 4, kh: 3, kw: 3 } as Case), [3, 3, 4]);
    const packed = lw.prepackConv(tw);
    for (const y of [lw.conv2d(tx, tw), lw.conv2d(tx, packed)]) {
      expect(y.type).toBe('float16');
      expect(y.dims).toEqual([1, 4, 3, 4]);
      expectSameHalves(y.data, want);
    }
    expectSameHalves(lw.depthwiseConv2d(tx, dwFilter).data, lw.depthwiseConv2d(tx, dwFilter, {}).data, 'depthwise');
    for (const t of [tx, tw, dwFilter, packed]) t.dispose();
  });

  it('refuses mixed float16/float32 operands and unknown precisions with typed errors', () => {
    const x16 = lw.tensor('float16', new Uint16Array(2 * 4 * 4 * 3), [2, 4, 4, 3]);
    const w32 = lw.tensor('float32', new Float32Array(5 * 3 * 3 * 3), [5, 3, 3, 3]);
    const x32 = lw.tensor('float32', new Float32Array(2 * 4 * 4 * 3), [2, 4, 4, 3]);
    const w16 = lw.tensor('float16', new Uint16Array(5 * 3 * 3 * 3), [5, 3, 3, 3]);
    expect(() => lw.conv2d(x16, w32)).toThrow(DTypeError);
    expect(() => lw.conv2d(x32, w16)).toThrow(DTypeError);
    expect(() => lw.conv2d(x32, w32, { precision: 'f16' })).toThrow(DTypeError);
    expect(() => lw.conv2d(x16, w16, { precision: 'f32' })).toThrow(DTypeError);
    expect(() => lw.conv2d(x16, w16, { precision: 'half' as never })).toThrow(ValueError);
    expect(() => lw.conv2d(x16, lw.prepackConv(w32))).toThrow(DTypeError);
    expect(() => lw.conv2d(x16, w16, { bias: new Float32Array(5) as never })).toThrow(DTypeError);
    // precision 'f32' on float32 operands is accepted and is the f32 path.
    expect(lw.conv2d(x32, w32, { precision: 'f32' }).type).toBe('float32');
  });
});
