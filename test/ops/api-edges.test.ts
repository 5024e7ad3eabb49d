// API edges a fuzz campaign on option combinations (2026-11-24) found: a misspelt clamp bound
// that silently did not clamp, plain arrays that wrapped into integer storage (or into binary16
// bits), and an OIHW depthwise filter of multiplier > 1 that prepackConv could not pack.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { DTypeError, Lanewise, ShapeError, ValueError } from '../../src/index.js';
import { expectTyped } from '../harness/errors.js';

let lw: Lanewise;
beforeAll(async () => { lw = await Lanewise.create({ threads: 1 }); });
afterAll(() => lw.dispose());


describe('activation { min, max }', () => {
  it('refuses any other key, in every op that takes it (a misspelt bound used to give an unclamped result)', () => {
    using a = lw.tensor('float32', [1, -2, 3, -4], [2, 2]);
    using h = lw.cast(a, 'float16');
    using x = lw.tensor('float32', new Float32Array(2 * 3 * 3 * 2).fill(-1), [2, 3, 3, 2]);
    using f = lw.tensor('float32', new Float32Array(2 * 3 * 3 * 2).fill(1), [2, 3, 3, 2]);
    using d = lw.tensor('float32', new Float32Array(3 * 3 * 2).fill(1), [3, 3, 2, 1]);
    using qa = lw.quantize(a);
    using qw = lw.quantize(a, { axis: 1 });
    const calls: [string, (act: object) => unknown][] = [
      ['matMul', (act) => lw.matMul(a, a, { activation: act })],
      ["matMul 'f16'", (act) => lw.matMul(h, h, { activation: act })],
      ['conv2d', (act) => lw.conv2d(x, f, { activation: act })],
      ['depthwiseConv2d', (act) => lw.depthwiseConv2d(x, d, { activation: act })],
      ['add', (act) => lw.add(a, a, { activation: act })],
      ['qMatMul', (act) => lw.qMatMul(qa, qw, { outScale: 0.1, activation: act })],
    ];
    for (const [name, call] of calls) {
      expectTyped(() => call({ minn: 0 }), ValueError, 'options.activation.minn');
      expectTyped(() => call({ min: 0, Max: 1 }), ValueError, 'options.activation.Max');
      const ok = call({ min: 0 }) as { dispose(): void };
      expect(ok, name).toBeDefined();
      ok.dispose();
    }
  });
});

describe('clamp bounds that round to an infinity', () => {
  it('are refused like the infinity itself (every output would be infinite): in f32, and in binary16 for the f16 ops', () => {
    using a = lw.tensor('float32', [1, -2, 3, -4], [2, 2]);
    using h = lw.cast(a, 'float16');
    using x = lw.cast(lw.tensor('float32', new Float32Array(2 * 3 * 3 * 2).fill(0.5), [2, 3, 3, 2]), 'float16');
    using f = lw.cast(lw.tensor('float32', new Float32Array(2 * 3 * 3 * 2).fill(0.25), [2, 3, 3, 2]), 'float16');
    expectTyped(() => lw.matMul(a, a, { activation: { min: 3.5e38 } }), ValueError, 'options.activation.min');
    expectTyped(() => lw.matMul(a, a, { activation: { max: -3.5e38 } }), ValueError, 'options.activation.max');
    expectTyped(() => lw.matMul(h, h, { activation: { min: 65520 } }), ValueError, 'options.activation.min');
    expectTyped(() => lw.conv2d(x, f, { activation: { max: -65520 } }), ValueError, 'options.activation.max');
    using ok = lw.matMul(h, h, { activation: { min: 65504 } });
    expect(Array.from(ok.data)).toEqual([0x7bff, 0x7bff, 0x7bff, 0x7bff]);
    using ok32 = lw.matMul(a, a, { activation: { min: 3.4e38 } });
    expect(ok32.data[0]).toBe(Math.fround(3.4e38));
  });
});

describe('lw.tensor from a plain array', () => {
  it('refuses the holes of a sparse array, as data and as a bias (forEach skipped them: NaN, or 0 in binary16)', () => {
    // eslint-disable-next-line no-sparse-arrays
    const holey = [1, , 3] as number[];
    expectTyped(() => lw.tensor('float32', holey), DTypeError, 'data[1]');
    using a = lw.tensor('float32', new Float32Array(6), [2, 3]);
    using b = lw.tensor('float32', new Float32Array(9), [3, 3]);
    using h = lw.cast(a, 'float16');
    using hb = lw.cast(b, 'float16');
    using x = lw.tensor('float32', new Float32Array(3 * 3 * 3), [1, 3, 3, 3]);
    using f = lw.tensor('float32', new Float32Array(3 * 3), [3, 1, 1, 3]);
    expectTyped(() => lw.matMul(a, b, { bias: holey }), DTypeError, 'options.bias[1]');
    expectTyped(() => lw.prepack(b, { bias: holey }), DTypeError, 'options.bias[1]');
    expectTyped(() => lw.matMul(h, hb, { bias: holey }), DTypeError, 'options.bias[1]');
    expectTyped(() => lw.conv2d(x, f, { bias: holey }), DTypeError, 'options.bias[1]');
  });

  it('refuses numbers the storage cannot hold instead of wrapping them', () => {
    for (const [type, bad] of [['int8', [128, -129, 1.5]], ['uint8', [-1, 256, 0.5]], ['int32', [2 ** 31, -(2 ** 31) - 1, 1e-3]],
      ['float16', [1.5, -1, 65536, NaN]]] as const) {
      for (const v of bad) expectTyped(() => lw.tensor(type, [0, v]), ValueError, 'data[1]');
    }
    using h = lw.tensor('float16', [0x3c00, 0xffff, 0]);
    expect(Array.from(h.data)).toEqual([0x3c00, 0xffff, 0]);
    using i = lw.tensor('int32', [-(2 ** 31), 2 ** 31 - 1]);
    expect(Array.from(i.data)).toEqual([-(2 ** 31), 2 ** 31 - 1]);
    using s = lw.tensor('float32', [1.5, NaN, -Infinity, 1e40]);
    expect(Array.from(s.data)).toEqual([1.5, NaN, -Infinity, Infinity]);
  });
});

describe('prepackConv of an OIHW depthwise filter with a multiplier', () => {
  const C = 2, M = 3;
  const xs = Float32Array.from({ length: 2 * 5 * 5 * C }, (_, i) => Math.sin(i));
  const fs = Float32Array.from({ length: C * M * 9 }, (_, i) => Math.cos(i));
  /** The same filter as HWCM [3, 3, C, M]: hwcm[ky][kx][c][j] = oihw[c·M + j][0][ky][kx]. */
  const hwcm = Float32Array.from({ length: fs.length }, (_, i) => {
    const j = i % M, c = Math.floor(i / M) % C, s = Math.floor(i / (M * C));
    return fs[(c * M + j) * 9 + s];
  });

  it('packs with options.multiplier: the unpacked call\'s bits, in float32 and binary16', () => {
    using x = lw.tensor('float32', xs, [2, 5, 5, C]);
    using f = lw.tensor('float32', fs, [C * M, 1, 3, 3]);
    using p = lw.prepackConv(f, { depthwise: true, filterLayout: 'OIHW', multiplier: M });
    using want = lw.depthwiseConv2d(x, f, { filterLayout: 'OIHW', pad: 1, strides: 2 });
    using got = lw.depthwiseConv2d(x, p, { pad: 1, strides: 2 });
    expect(got.dims).toEqual([2, 3, 3, C * M]);
    expect(Array.from(got.data)).toEqual(Array.from(want.data));
    // binary16: against the same filter given as HWCM.
    using xh = lw.cast(x, 'float16');
    using fh = lw.cast(f, 'float16');
    using h32 = lw.tensor('float32', hwcm, [3, 3, C, M]);
    using hh = lw.cast(h32, 'float16');
    using ph = lw.prepackConv(fh, { depthwise: true, filterLayout: 'OIHW', multiplier: M });
    using pw = lw.prepackConv(hh, { depthwise: true });
    for (const precision of ['f16', 'f16-exact'] as const) {
      using a = lw.depthwiseConv2d(xh, ph, { pad: 1, precision });
      using b = lw.depthwiseConv2d(xh, pw, { pad: 1, precision });
      expect(Array.from(a.data), precision).toEqual(Array.from(b.data));
    }
  });

  it('refuses a multiplier where it means nothing or does not divide, and names it when one was missing', () => {
    using x = lw.tensor('float32', xs, [2, 5, 5, C]);
    using f = lw.tensor('float32', fs, [C * M, 1, 3, 3]);
    using h32 = lw.tensor('float32', hwcm, [3, 3, C, M]);
    using plain = lw.tensor('float32', new Float32Array(6 * 3 * 3 * 2), [6, 3, 3, 2]);
    expectTyped(() => lw.prepackConv(plain, { multiplier: 2 }), ValueError, 'options.multiplier');
    expectTyped(() => lw.prepackConv(h32, { depthwise: true, multiplier: M }), ValueError, 'options.multiplier');
    expectTyped(() => lw.prepackConv(f, { depthwise: true, filterLayout: 'OIHW', multiplier: 4 }), ShapeError, 'filter.dims[0]');
    expectTyped(() => lw.prepackConv(f, { depthwise: true, filterLayout: 'OIHW', multiplier: 1.5 }), ValueError, 'options.multiplier');
    using p1 = lw.prepackConv(f, { depthwise: true, filterLayout: 'OIHW' });
    const e = expectTyped(() => lw.depthwiseConv2d(x, p1), ShapeError, 'filter');
    expect(e.message).toContain('multiplier: 3');
  });
});
