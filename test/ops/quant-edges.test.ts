// Edges of the quantization API that a fuzz campaign (2026-11-24) found wrong: scales at the ends
// of the f32 range, storage that cannot hold a scheme's values, channel counts no array can
// hold, windows whose indirection no JS array can hold, and calls that failed after packing
// their weights. Each case is a typed error or the documented value, and a failed call leaves
// the arena as it found it.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { dyadicScales, Lanewise, OutOfMemoryError, ShapeError, ValueError } from '../../src/index.js';
import { expectTyped } from '../harness/errors.js';
import { requantDyadicRef } from '../reference/quant.js';

let lw: Lanewise;
beforeAll(async () => { lw = await Lanewise.create({ threads: 1 }); });
afterAll(() => lw.dispose());

const f = Math.fround;
const arenaOf = (l: Lanewise) => { const m = l.info().memory; return { blocks: m.blocks, bytes: m.bytesInUse }; };


describe('quantize at the ends of the f32 range', () => {
  it('asymmetric: finite data spanning more than the f32 range gets a finite scale (the width taken in f64)', () => {
    const vals = [-3e38, -1, 0, 1, 3e38].map(f);
    using x = lw.tensor('float32', vals, [5]);
    using q = lw.quantize(x);
    const s = f((vals[4] - vals[0]) / 255);
    expect(q.scale[0]).toBe(s);
    expect(Number.isFinite(s)).toBe(true);
    expect(q.zeroPoint[0]).toBe(128);
    using back = lw.dequantize(q);
    const d = back.data;
    for (let i = 0; i < 5; i++) expect(Math.abs(d[i] - vals[i])).toBeLessThanOrEqual(s);
  });

  it('asymmetric: data whose f32 width is finite keeps the f32 formula fl(fl(hi − lo) / 255)', () => {
    const vals = [-1.7e38, 1.7e38, 0.5].map(f);
    using x = lw.tensor('float32', vals, [3]);
    using q = lw.quantize(x);
    expect(q.scale[0]).toBe(f(f(vals[1] - vals[0]) / 255));
  });

  it('2 bits: values within 1.4× of the largest f32 get the largest f32 as scale, not 1', () => {
    using x = lw.tensor('float32', [3e38, -3e38, 3e38, 3e38], [4]);
    using q = lw.quantize(x, { bits: 2, scheme: 'symmetric' });
    expect(q.scale[0]).toBe(3.4028234663852886e38);
    expect(Array.from(q.data)).toEqual([1, -1, 1, 1]);
  });

  it('2 bits: the scale is fl((1.4 · Σ|x|) / n), the sum in f64 in element order (docs/quant.md)', () => {
    for (const vals of [[4.2, 5.3, 1.8], [0, -0.17, -0.33, -0.59, 0.56]]) {
      const x32 = Float32Array.from(vals);
      using x = lw.tensor('float32', x32, [x32.length]);
      using q = lw.quantize(x, { bits: 2, scheme: 'symmetric' });
      let sum = 0;
      for (const v of x32) sum += Math.abs(v);
      expect(q.scale[0]).toBe(f((1.4 * sum) / x32.length));
    }
  });
});

describe('quantize: what the storage and the parameters can hold', () => {
  it("refuses scheme 'symmetric' with unsigned storage (zero point 0 leaves no room for negative values)", () => {
    using x = lw.tensor('float32', [-1, -0.5, 0, 0.5, 1], [5]);
    for (const o of [{}, { axis: 0 }, { scale: 1 / 127 }]) {
      expectTyped(() => lw.quantize(x, { scheme: 'symmetric', signed: false, ...o }), ValueError, 'options.signed');
    }
    using q = lw.quantize(x, { scheme: 'symmetric' });
    expect(q.type).toBe('int8');
    expect(Array.from(q.data)).toEqual([-127, -64, 0, 64, 127]);
  });

  it('refuses a per-channel axis of more than 2^24 channels, even on an empty tensor, instead of building its arrays', () => {
    using t = lw.tensor('float32', [], [2 ** 31, 0]);
    const before = arenaOf(lw);
    expectTyped(() => lw.quantize(t, { axis: 0, scale: 0.5 }), ValueError, 'options.axis');
    expectTyped(() => lw.quantized('int8', [], [2 ** 24 + 1, 0], { axis: 0, scale: 0.5 }), ValueError, 'options.axis');
    expect(arenaOf(lw)).toEqual(before);
    using ok = lw.quantized('int8', [], [4096, 0], { axis: 0, scale: 0.5 });
    expect(ok.scale.length).toBe(4096);
    expect(ok.scale.every((s) => s === 0.5)).toBe(true);
  });

  it('checks a broadcast scale once, under its own name', () => {
    using t = lw.tensor('float32', new Float32Array(6), [3, 2]);
    expectTyped(() => lw.quantize(t, { axis: 0, scale: -1 }), ValueError, 'options.scale');
    expectTyped(() => lw.quantize(t, { axis: 0, scale: [0.5, -1, 0.5] }), ValueError, 'options.scale[1]');
  });
});

describe('quantized ops: refused shapes and failed calls', () => {
  it('qDepthwiseConv2d refuses a filter with a zero dimension, like qConv2d and depthwiseConv2d', () => {
    using x = lw.quantized('uint8', new Array(48).fill(200), [1, 4, 4, 3], { scale: 0.1, zeroPoint: 3 });
    using hwc = lw.quantized('int8', [], [0, 3, 3], { scale: 0.1 });
    using oihw = lw.quantized('int8', [], [3, 1, 3, 0], { scale: 0.1 });
    for (const o of [{ output: 'int32' as const }, { output: 'int32' as const, pad: 'same' as const }, { outScale: 1, pad: 'same' as const }]) {
      expectTyped(() => lw.qDepthwiseConv2d(x, hwc, o), ShapeError, 'filter.dims');
      expectTyped(() => lw.qDepthwiseConv2d(x, oihw, { ...o, filterLayout: 'OIHW' }), ShapeError, 'filter.dims');
    }
  });

  it('qMatMul with no output columns gives an empty result in every output mode', () => {
    using x = lw.quantized('int8', [1, 2, 3, 4, 5, 6], [2, 3], { scale: 0.1 });
    using w = lw.quantized('int8', [], [3, 0], { scale: 0.1 });
    for (const o of [{ output: 'int32' as const }, { outScale: 0.5 }, { outScale: 0.5, requant: 'dyadic' as const }]) {
      using y = lw.qMatMul(x, w, o);
      expect(y.dims).toEqual([2, 0]);
    }
  });

  it("a dyadic requantization that one shift cannot express names options.requant, not the helper's argument", () => {
    using x = lw.quantized('int8', [1, 2, 3], [1, 3], { scale: 0.1 });
    using w = lw.quantized('int8', [1, 1, 1, 1, 1, 1], [3, 2], { scale: [1, 2 ** -60], axis: 1 });
    expectTyped(() => lw.qMatMul(x, w, { outScale: 0.5, requant: 'dyadic' }), ValueError, 'options.requant');
    using y = lw.qMatMul(x, w, { outScale: 0.5 });
    expect(y.dims).toEqual([1, 2]);
  });

  it('dyadic requantization of effective scales below 2^-32 keeps shift 62 with a shorter multiplier (the documented rule), bit for bit', () => {
    // |acc| < 2^31, so outputs below an effective scale of 2^-32 are the zero point (or one step
    // off it): what matters is that the call runs, with the documented parameters, as fp32 does.
    const k = 4096, n = 3;
    const xs = Array.from({ length: 2 * k }, (_, i) => ((i * 37) % 255) - 127);
    const ws = Array.from({ length: k * n }, (_, i) => (i % 7 === 0 ? -127 : 127));
    using x = lw.quantized('int8', xs, [2, k], { scale: 2 ** -10 });
    using w = lw.quantized('int8', ws, [k, n], { scale: [2 ** -12, 2 ** -13, 2 ** -14], axis: 1 });
    const outScale = 2 ** 12;
    const eff = [0, 1, 2].map((j) => (2 ** -10 * w.scale[j]) / outScale);
    const { multiplier, shift } = dyadicScales(eff);
    expect(shift).toBe(62);
    expect(Array.from(multiplier)).toEqual([2 ** 28, 2 ** 27, 2 ** 26]);
    using acc = lw.qMatMul(x, w, { output: 'int32' });
    using y = lw.qMatMul(x, w, { outScale, outZeroPoint: 3, requant: 'dyadic' });
    const a = acc.data, got = y.data;
    const want = Array.from(a, (v, i) => requantDyadicRef(v, multiplier[i % n], shift, 3, -128, 127));
    expect(Array.from(got)).toEqual(want);
  });

  it('a weight with more output columns than wasm memory could plan for is refused before its arrays are built', async () => {
    // 2^31 columns (24 GB of JS arrays before the check), and 2^21 under a 16 MiB cap.
    for (const [o, n] of [[{ threads: 1 }, 2 ** 31], [{ threads: 2 }, 2 ** 31], [{ threads: 1, maxMemory: 2 ** 24 }, 2 ** 21]] as const) {
      const l = await Lanewise.create(o);
      try {
        using x = l.quantized('int8', [], [1, 0], { scale: 0.1 });
        using w = l.quantized('int8', [], [0, n], { scale: 0.1 });
        const before = arenaOf(l);
        expectTyped(() => l.qMatMul(x, w, { output: 'int32' }), OutOfMemoryError, 'w.dims');
        expect(arenaOf(l)).toEqual(before);
      } finally {
        l.dispose();
      }
    }
  });

  it('a window whose indirection no array could hold is an OutOfMemoryError naming filter.dims, before anything is kept', async () => {
    const S = 300;
    using xq = lw.quantized('uint8', new Uint8Array(S * S), [1, S, S, 1], { scale: 0.1 });
    using fq = lw.quantized('int8', new Int8Array(S * S), [1, S, S, 1], { scale: 0.1 });
    using dq = lw.quantized('int8', new Int8Array(S * S), [S, S, 1], { scale: 0.1 });
    using x = lw.tensor('float32', new Float32Array(S * S), [1, S, S, 1]);
    using fw = lw.tensor('float32', new Float32Array(S * S), [1, S, S, 1]);
    using dw = lw.tensor('float32', new Float32Array(S * S), [S, S, 1, 1]);
    const calls: [string, () => { dispose(): void }][] = [
      ['qConv2d', () => lw.qConv2d(xq, fq, { pad: 'same', output: 'int32' })],
      ['qDepthwiseConv2d', () => lw.qDepthwiseConv2d(xq, dq, { pad: 'same', output: 'int32' })],
      ['conv2d', () => lw.conv2d(x, fw, { pad: 'same' })],
      ['depthwiseConv2d', () => lw.depthwiseConv2d(x, dw, { pad: 'same' })],
    ];
    for (const [name, call] of calls) {
      const before = arenaOf(lw);
      expectTyped(call, OutOfMemoryError, 'filter.dims');
      expect(arenaOf(lw), name).toEqual(before);
    }
  });

  it('a quantized weight dropped without dispose() frees its packed forms and plans with it (FinalizationRegistry backstop)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const before = arenaOf(lw);
    (() => {
      const t = lw.tensor('float32', Float32Array.from({ length: 64 * 64 }, (_, i) => Math.sin(i)), [64, 64]);
      const qx = lw.quantize(t), qw = lw.quantize(t, { axis: 0 });
      const x = lw.quantize(lw.tensor('float32', new Float32Array(6 * 6 * 8).fill(0.5), [1, 6, 6, 8]));
      const f = lw.quantize(lw.tensor('float32', new Float32Array(8 * 3 * 3 * 8).fill(0.25), [8, 3, 3, 8]), { axis: 0 });
      lw.qMatMul(qx, qw, { outScale: 0.1 });
      lw.qMatMul(qx, qw, { output: 'int32' });
      lw.qConv2d(x, f, { outScale: 0.1 });
    })();
    expect(arenaOf(lw).blocks).toBeGreaterThan(before.blocks);
    // Finalizers run as tasks some time after a collection: collect and yield until they have.
    for (let i = 0; i < 50 && arenaOf(lw).blocks !== before.blocks; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(arenaOf(lw)).toEqual(before);
  });

  it('a call that fails after packing its weights (here: its output does not fit) keeps neither the packing nor the plan', async () => {
    const capped = await Lanewise.create({ threads: 1, maxMemory: 2 * 2 ** 20 });
    try {
      const k = 64, n = 1024;
      const w = capped.quantized('int8', new Int8Array(k * n).fill(1), [k, n], { scale: 0.1 });
      const small = capped.quantized('int8', new Int8Array(2 * k).fill(1), [2, k], { scale: 0.1 });
      // int8 output 2.4 MB, past the 2 MiB cap.
      const big = capped.quantized('int8', new Int8Array(2400 * k).fill(1), [2400, k], { scale: 0.1 });
      const before = arenaOf(capped);
      expectTyped(() => capped.qMatMul(big, w, { output: 'int32' }), OutOfMemoryError, 'output');
      expect(arenaOf(capped)).toEqual(before);
      // Packed by a call that worked, then a new plan (other options) for a call that fails: the
      // packing stays (it served a call), the new plan goes.
      capped.qMatMul(small, w, { output: 'int32' }).dispose();
      const packed = arenaOf(capped);
      expectTyped(() => capped.qMatMul(big, w, { outScale: 0.5 }), OutOfMemoryError, 'output');
      expect(arenaOf(capped)).toEqual(packed);
      const f1 = capped.quantized('uint8', new Uint8Array(4 * 30 * 30).fill(1), [1, 30, 30, 4], { scale: 0.1 });
      const fw = capped.quantized('int8', new Int8Array(2048 * 4).fill(1), [2048, 1, 1, 4], { scale: 0.1 });
      const beforeConv = arenaOf(capped);
      expectTyped(() => capped.qConv2d(f1, fw, { output: 'int32' }), OutOfMemoryError, 'output');
      expect(arenaOf(capped)).toEqual(beforeConv);
      for (const t of [w, small, big, f1, fw]) t.dispose();
    } finally {
      capped.dispose();
    }
  });
});
