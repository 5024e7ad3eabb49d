// qConv2d / qDepthwiseConv2d against the exact integer reference: geometries (padding, stride,
// dilation, odd channel counts, batch), signed and unsigned activations, fp32 and dyadic
// requantization, int32 output; typed errors.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Lanewise, ValueError, ShapeError } from '../../src/index.js';
import { checkQConv, type QConvShape } from '../harness/qops.js';
import { randomF32 } from '../harness/random.js';

let lw: Lanewise;
beforeAll(async () => { lw = await Lanewise.create(); });
afterAll(() => lw.dispose());

const shapes: QConvShape[] = [
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
        for (const sh of shapes) checkQConv(lw, sh, signed, requant, seed++);
      });
    }
  }

  // int4/int2 filters stay packed and are unpacked to i16 a block of panels at a time (the
  // second shape has K = 9·130 = 1170 and 300 output channels: several blocks); groups slice
  // the i16 image per group.
  const more: QConvShape[] = [
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
        for (const [i, sh] of more.entries()) checkQConv(lw, sh, i % 2 === 1, requant, seed++, bits);
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
    // A refused call keeps nothing, not even the packed filter: the geometry is checked before
    // packing, and a filter packed for a call whose output options are then refused is dropped.
    const before = lw.info().memory.blocks;
    err(() => lw.qConv2d(qx, qw, { outScale: 1, strides: 0 }), ValueError, 'options.strides');
    err(() => lw.qConv2d(qx, qw, { outScale: 1, outZeroPoint: 1.5 }), ValueError, 'options.outZeroPoint');
    err(() => lw.qDepthwiseConv2d(qx, lw.quantize(lw.tensor('float32', randomF32(27, 3), [3, 3, 3])), { outScale: -1 }), ValueError, 'options.outScale');
    expect(lw.info().memory.blocks).toBe(before + 2);  // the depthwise filter and its float source
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
