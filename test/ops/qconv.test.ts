// qConv2d / qDepthwiseConv2d against the exact integer reference: geometries (padding, stride,
// dilation, odd channel counts, batch), signed and unsigned activations, fp32 and dyadic
// requantization, int32 output; typed errors.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Lanewise, ValueError, ShapeError, DTypeError, dyadicScales } from '../../src/index.js';
import { qconvRef, requantDyadicRef, requantFp32Ref, type ConvRefGeometry } from '../reference/quant.js';
import { randomF32, rng } from '../harness/random.js';

let lw: Lanewise;
beforeAll(async () => { lw = await Lanewise.create(); });
afterAll(() => lw.dispose());

interface Shape { n: number; h: number; w: number; ci: number; co: number; kh: number; kw: number; s: number; d: number; p: number; dw: boolean;
  groups?: number; }

function expectSame(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) expect.fail(`${what} element ${i}: got ${got[i]}, want ${want[i]}`);
}

function check(sh: Shape, signed: boolean, requant: 'fp32' | 'dyadic', seed: number, bits: 8 | 4 | 2 = 8): void {
  const r = rng(seed);
  const co = sh.dw ? sh.ci : sh.co;
  const groups = sh.groups ?? 1;
  const tx = lw.tensor('float32', randomF32(sh.n * sh.h * sh.w * sh.ci, seed, -1, 2), [sh.n, sh.h, sh.w, sh.ci]);
  const wDims = sh.dw ? [sh.kh, sh.kw, sh.ci] : [co, sh.kh, sh.kw, sh.ci / groups];
  const tw = lw.tensor('float32', randomF32(wDims.reduce((a, b) => a * b, 1), seed + 1), wDims);
  const qx = lw.quantize(tx, { scheme: 'asymmetric', signed });
  const qw = lw.quantize(tw, { axis: sh.dw ? 2 : 0, scheme: 'symmetric', bits });
  const bias = Array.from({ length: co }, () => Math.floor((r() - 0.5) * 3000));
  const oh = Math.floor((sh.h + 2 * sh.p - ((sh.kh - 1) * sh.d + 1)) / sh.s) + 1;
  const ow = Math.floor((sh.w + 2 * sh.p - ((sh.kw - 1) * sh.d + 1)) / sh.s) + 1;
  const g: ConvRefGeometry = { n: sh.n, ih: sh.h, iw: sh.w, ci: sh.ci, co, kh: sh.kh, kw: sh.kw, sh: sh.s, sw: sh.s, dh: sh.d, dw: sh.d,
    pt: sh.p, pl: sh.p, oh, ow, depthwise: sh.dw, groups };
  // Reference weights in OHWI (depthwise: [c][kh][kw][1]).
  const wd = qw.data;
  const wo = sh.dw ? Int16Array.from({ length: co * sh.kh * sh.kw }, (_, i) => wd[(i % (sh.kh * sh.kw)) * co + Math.floor(i / (sh.kh * sh.kw))]) : Int16Array.from(wd);
  const acc = qconvRef(g, qx.data, qx.zeroPoint[0], wo, bias);
  const outScale = 0.05 * Math.sqrt(sh.kh * sh.kw * (sh.dw ? 1 : sh.ci / groups));
  const outZp = signed ? 3 : 120;
  const opts = { strides: sh.s, dilations: sh.d, pad: sh.p, bias, outScale, outZeroPoint: outZp, requant, ...(sh.dw ? {} : { groups }) };
  const y = sh.dw ? lw.qDepthwiseConv2d(qx, qw, opts) : lw.qConv2d(qx, qw, opts);
  expect(y.dims).toEqual([sh.n, oh, ow, co]);
  const [lo, hi] = signed ? [-128, 127] : [0, 255];
  const eff = Array.from({ length: co }, (_, j) => (qx.scale[0] * qw.scale[j]) / Math.fround(outScale));
  const dy = dyadicScales(eff);
  const want = Array.from(acc, (a, i) => {
    const j = i % co;
    return requant === 'fp32' ? requantFp32Ref(a, Math.fround(Math.fround(qx.scale[0] * qw.scale[j]) / Math.fround(outScale)), outZp, lo, hi)
      : requantDyadicRef(a, dy.multiplier[j], dy.shift, outZp, lo, hi);
  });
  expectSame(y.data, want, `${JSON.stringify(sh)} int${bits}`);
  const y32 = sh.dw ? lw.qDepthwiseConv2d(qx, qw, { ...opts, outScale: undefined, outZeroPoint: undefined, requant: undefined, output: 'int32' })
    : lw.qConv2d(qx, qw, { ...opts, outScale: undefined, outZeroPoint: undefined, requant: undefined, output: 'int32' });
  expectSame(y32.read(), Array.from(acc), `${JSON.stringify(sh)} int32`);
  for (const t of [y, y32, qx, qw, tx, tw]) t.dispose();
}

const shapes: Shape[] = [
  { n: 1, h: 5, w: 6, ci: 3, co: 5, kh: 3, kw: 3, s: 1, d: 1, p: 1, dw: false },
  { n: 2, h: 7, w: 5, ci: 8, co: 17, kh: 3, kw: 2, s: 2, d: 1, p: 1, dw: false },
  { n: 1, h: 9, w: 9, ci: 16, co: 8, kh: 3, kw: 3, s: 1, d: 2, p: 2, dw: false },
  { n: 1, h: 4, w: 4, ci: 5, co: 3, kh: 1, kw: 1, s: 1, d: 1, p: 0, dw: false },
  { n: 1, h: 11, w: 4, ci: 1, co: 9, kh: 5, kw: 3, s: 1, d: 1, p: 2, dw: false },
  { n: 1, h: 6, w: 7, ci: 13, co: 13, kh: 3, kw: 3, s: 1, d: 1, p: 1, dw: true },
  { n: 2, h: 8, w: 8, ci: 16, co: 16, kh: 3, kw: 3, s: 2, d: 1, p: 1, dw: true },
  { n: 1, h: 9, w: 9, ci: 5, co: 5, kh: 5, kw: 5, s: 1, d: 1, p: 2, dw: true },
  // Depthwise tap pairs: an even window, a single tap (paired with zero weights), dilation.
  { n: 1, h: 6, w: 5, ci: 9, co: 9, kh: 3, kw: 2, s: 1, d: 1, p: 1, dw: true },
  { n: 1, h: 4, w: 4, ci: 11, co: 11, kh: 1, kw: 1, s: 1, d: 1, p: 0, dw: true },
  { n: 1, h: 10, w: 9, ci: 24, co: 24, kh: 3, kw: 3, s: 1, d: 2, p: 2, dw: true },
];

describe('qConv2d / qDepthwiseConv2d', () => {
  let seed = 1;
  for (const signed of [false, true]) {
    for (const requant of ['fp32', 'dyadic'] as const) {
      it(`${signed ? 'int8' : 'uint8'} activations, ${requant}: bit-exact on ${shapes.length} geometries`, () => {
        for (const sh of shapes) check(sh, signed, requant, seed++);
      });
    }
  }

  // int4/int2 filters stay packed and are unpacked to i16 a block of panels at a time (the
  // second shape has K = 9·130 = 1170 and 300 output channels: several blocks); groups slice
  // the i16 image per group.
  const more: Shape[] = [
    ...shapes,
    { n: 2, h: 5, w: 4, ci: 130, co: 300, kh: 3, kw: 3, s: 1, d: 1, p: 1, dw: false },
    { n: 1, h: 6, w: 5, ci: 6, co: 9, kh: 3, kw: 3, s: 1, d: 1, p: 1, dw: false, groups: 3 },
    { n: 2, h: 7, w: 6, ci: 10, co: 4, kh: 3, kw: 2, s: 2, d: 1, p: 1, dw: false, groups: 2 },
    { n: 1, h: 5, w: 5, ci: 16, co: 32, kh: 3, kw: 3, s: 1, d: 2, p: 2, dw: false, groups: 4 },
    { n: 1, h: 4, w: 4, ci: 8, co: 8, kh: 1, kw: 1, s: 1, d: 1, p: 0, dw: false, groups: 8 },
  ];
  for (const bits of [8, 4, 2] as const) {
    for (const requant of ['fp32', 'dyadic'] as const) {
      it(`int${bits} filters (grouped too), ${requant}: bit-exact`, () => {
        for (const [i, sh] of more.entries()) check(sh, i % 2 === 1, requant, seed++, bits);
      });
    }
  }

  it('typed errors', () => {
    const qx = lw.quantize(lw.tensor('float32', randomF32(2 * 5 * 5 * 3, 1), [2, 5, 5, 3]), { scheme: 'asymmetric' });
    const qw = lw.quantize(lw.tensor('float32', randomF32(4 * 3 * 3 * 3, 2), [4, 3, 3, 3]), { axis: 0 });
    const q4 = lw.quantize(lw.tensor('float32', randomF32(4 * 3 * 3 * 3, 2), [4, 3, 3, 3]), { axis: 0, bits: 4 });
    const wrongC = lw.quantize(lw.tensor('float32', randomF32(4 * 3 * 3 * 2, 2), [4, 3, 3, 2]), { axis: 0 });
    const err = (f: () => unknown, type: Function, arg: string) => {
      try { f(); } catch (e) { expect(e).toBeInstanceOf(type); expect((e as { argument: string }).argument).toBe(arg); return; }
      expect.fail(`no error for ${arg}`);
    };
    const q4zp = lw.quantized('int4', new Int8Array(4 * 3 * 3 * 3), [4, 3, 3, 3], { scale: 1, zeroPoint: 1 });
    err(() => lw.qConv2d(qx, q4zp, { outScale: 1 }), ValueError, 'filter.zeroPoint');
    err(() => lw.qConv2d(qx, q4, { outScale: 1, groups: 3 }), ValueError, 'options.groups');
    err(() => lw.qConv2d(qx, q4, { outScale: 1, groups: 2 }), ShapeError, 'x.dims[3]');
    err(() => lw.qConv2d(qx, wrongC, { outScale: 1 }), ShapeError, 'x.dims[3]');
    err(() => lw.qConv2d(qx, qw, {}), ValueError, 'options.outScale');
    err(() => lw.qConv2d(qx, qw, { outScale: 1, pad: 3 }), ValueError, 'options.pad');
    err(() => lw.qConv2d(qx, qw, { outScale: 1, strides: 0 }), ValueError, 'options.strides');
    err(() => lw.qConv2d(qx, qw, { outScale: 1, groups: 0 }), ValueError, 'options.groups');
    err(() => lw.qDepthwiseConv2d(qx, qw, { outScale: 1 }), ShapeError, 'filter.dims');
  });
});
