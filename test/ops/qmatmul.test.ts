// The quantization API: quantize / dequantize / requantize and qMatMul against the integer
// reference (bit-exact), every weight width, both activation types, both requantization modes,
// batch dimensions, weight layouts, GEMV and GEMM paths; and typed errors for bad input.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { executorOf } from '../../bindings/exec.js';
import { Lanewise, QuantizedTensor, ValueError, ShapeError, DTypeError, DisposedError, dyadicScales, quantizeMultiplier,
  type Tensor } from '../../src/index.js';
import { clamp, dequantizeRef, qgemmRef, quantizeMultiplierRef, quantizeRef, requantDyadicRef, rne } from '../reference/quant.js';
import { randomF32 } from '../harness/random.js';
import { checkQMatMul, expectSame } from '../harness/qops.js';

let lw: Lanewise;
beforeAll(async () => { lw = await Lanewise.create(); });
afterAll(() => lw.dispose());

describe('quantize / dequantize / requantize', () => {
  it('symmetric per-channel weights: 8, 4 and 2 bits, packed storage', () => {
    for (const bits of [8, 4, 2] as const) {
      const n = 5, k = 7;
      const w = randomF32(n * k, bits, -2, 2);
      const t = lw.tensor('float32', w, [n, k]);
      const q = lw.quantize(t, { bits, axis: 0, scheme: 'symmetric' });
      const qs = 2 ** (bits - 1) - 1;
      expect(q.type).toBe(bits === 8 ? 'int8' : `int${bits}`);
      expect(q.axis).toBe(0);
      expect(q.byteLength).toBe(Math.ceil((n * k * bits) / 8));
      const data = q.data;
      for (let c = 0; c < n; c++) {
        let mx = 0, sum = 0;
        for (let j = 0; j < k; j++) { mx = Math.max(mx, Math.abs(w[c * k + j])); sum += Math.abs(w[c * k + j]); }
        expect(q.scale[c]).toBe(Math.fround(bits === 2 ? (1.4 * sum) / k : mx / qs));
        expect(q.zeroPoint[c]).toBe(0);
        for (let j = 0; j < k; j++) {
          expect(data[c * k + j]).toBe(quantizeRef(w[c * k + j], q.scale[c], 0, -qs, qs));
        }
      }
      // Low bits first, two's complement.
      if (bits === 4) expect(q.bytes[0]).toBe((data[0] & 15) | ((data[1] & 15) << 4));
      if (bits === 2) expect(q.bytes[0]).toBe((data[0] & 3) | ((data[1] & 3) << 2) | ((data[2] & 3) << 4) | ((data[3] & 3) << 6));
      const d = lw.dequantize(q).read();
      for (let i = 0; i < d.length; i++) expect(d[i]).toBe(dequantizeRef(data[i], q.scale[Math.floor(i / k)], 0));
      q.dispose(); t.dispose();
    }
  });

  it('8-bit per-channel rows (axis 0) through the wasm passes: the reference bits, ties, ±0, static parameters, NaN and Inf errors', async () => {
    const n = 9, k = 1003;
    const w = randomF32(n * k, 77, -2, 2);
    for (let c = 0; c < n; c++) w[c * k + 5] = -0;
    w[3 * k + 17] = 0.5 * Math.fround(2 / 127) * 3;                 // near a tie of its row
    const lw2 = await Lanewise.create({ threads: 2 });
    const pool = executorOf(lw2.device.kmod) as unknown as { minOps: number } | null;
    if (pool) pool.minOps = 0; // rows on the pool even at this size
    for (const threads of [1, 2]) {
      const l = threads === 1 ? lw : lw2;
      const t = l.tensor('float32', w, [n, k]);
      const q = l.quantize(t, { axis: 0, scheme: 'symmetric' });
      const data = q.data;
      for (let c = 0; c < n; c++) {
        let mx = 0;
        for (let j = 0; j < k; j++) mx = Math.max(mx, Math.abs(w[c * k + j]));
        expect(q.scale[c]).toBe(Math.fround(mx / 127));
        for (let j = 0; j < k; j++) if (data[c * k + j] !== quantizeRef(w[c * k + j], q.scale[c], 0, -127, 127)) expect.fail(`${threads} threads [${c}][${j}]`);
      }
      const d = l.dequantize(q).read();
      for (let i = 0; i < n * k; i++) if (d[i] !== dequantizeRef(data[i], q.scale[Math.floor(i / k)], 0)) expect.fail(`dequantize ${threads} threads [${i}]`);
      const s = l.quantize(t, { axis: 0, scheme: 'asymmetric', scale: Array.from({ length: n }, (_, c) => 0.01 * (c + 1)), zeroPoint: Array.from({ length: n }, (_, c) => 20 * c) });
      const sd = s.data;
      for (let i = 0; i < n * k; i++) {
        const c = Math.floor(i / k);
        if (sd[i] !== quantizeRef(w[i], Math.fround(0.01 * (c + 1)), 20 * c, 0, 255)) expect.fail(`static ${threads} threads [${i}]`);
      }
      // requantize = quantize(dequantize), per-channel rows and per tensor, both through wasm.
      for (const src of [q, l.quantize(t, { scheme: 'asymmetric' })]) {
        const sv = src.data;
        const r = l.requantize(src, { scale: 0.004, zeroPoint: -3, signed: true });
        const rv = r.data;
        for (let i = 0; i < n * k; i++) {
          const c = src.axis === null ? 0 : Math.floor(i / k);
          const want = quantizeRef(dequantizeRef(sv[i], src.scale[c], src.zeroPoint[c]), Math.fround(0.004), -3, -128, 127);
          if (rv[i] !== want) expect.fail(`requantize axis ${src.axis} ${threads} threads [${i}]: ${rv[i]} vs ${want}`);
        }
        r.dispose();
      }
      const sdq = l.dequantize(s).read();
      for (let i = 0; i < n * k; i++) {
        const c = Math.floor(i / k);
        if (sdq[i] !== dequantizeRef(sd[i], Math.fround(0.01 * (c + 1)), 20 * c)) expect.fail(`static dequantize ${threads} threads [${i}]`);
      }
      const bad = w.slice(); bad[4 * k + 900] = NaN;
      expect(() => l.quantize(l.tensor('float32', bad, [n, k]), { axis: 0, scheme: 'symmetric' })).toThrow(`x.data[${4 * k + 900}]`);
      bad[4 * k + 900] = Infinity;
      expect(() => l.quantize(l.tensor('float32', bad, [n, k]), { axis: 0, scheme: 'symmetric' })).toThrow(ValueError);
      q.dispose(); s.dispose(); t.dispose();
    }
    lw2.dispose();
  });

  it('asymmetric per-tensor activations (ONNX DynamicQuantizeLinear), uint8 and int8', () => {
    const x = randomF32(50, 3, -1.5, 3);
    const t = lw.tensor('float32', x, [5, 10]);
    for (const signed of [false, true]) {
      const q = lw.quantize(t, { bits: 8, scheme: 'asymmetric', signed });
      const [qmin, qmax] = signed ? [-128, 127] : [0, 255];
      let lo = 0, hi = 0;
      for (const v of x) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
      const s = Math.fround(Math.fround(hi - lo) / (qmax - qmin));
      const zp = clamp(rne(clamp(Math.fround(qmin - Math.fround(lo / s)), qmin, qmax)), qmin, qmax);
      expect(q.type).toBe(signed ? 'int8' : 'uint8');
      expect(q.scale[0]).toBe(s);
      expect(q.zeroPoint[0]).toBe(zp);
      expectSame(q.data, Array.from(x, (v) => quantizeRef(v, s, zp, qmin, qmax)));
      q.dispose();
    }
    t.dispose();
  });

  it('static parameters, per tensor and per channel, and requantize = quantize(dequantize)', () => {
    const x = randomF32(24, 4, -3, 3);
    const t = lw.tensor('float32', x, [2, 3, 4]);
    const q = lw.quantize(t, { scheme: 'asymmetric', axis: 1, scale: [0.02, 0.03, 0.05], zeroPoint: [10, 128, 250] });
    expect(q.type).toBe('uint8');
    const data = q.data;
    for (let i = 0; i < 24; i++) {
      const c = Math.floor(i / 4) % 3;
      expect(data[i]).toBe(quantizeRef(x[i], Math.fround([0.02, 0.03, 0.05][c]), [10, 128, 250][c], 0, 255));
    }
    const r = lw.requantize(q, { scale: 0.04, zeroPoint: -3, signed: true });
    expect(r.type).toBe('int8');
    const rd = r.data;
    for (let i = 0; i < 24; i++) {
      const c = Math.floor(i / 4) % 3;
      const real = dequantizeRef(data[i], q.scale[c], q.zeroPoint[c]);
      expect(rd[i]).toBe(quantizeRef(real, Math.fround(0.04), -3, -128, 127));
    }
    r.dispose(); q.dispose(); t.dispose();
  });

  it('per-tensor 8 bits on a long tensor (the wasm quantizer): every element against the reference', () => {
    const n = 10007;
    const x = randomF32(n, 11, -4, 9);
    for (let i = 0; i < n; i += 97) x[i] = (Math.floor(i / 97) - 50 + 0.5) * 0.03; // ties at scale 0.03
    x[5] = Infinity; x[6] = -Infinity; x[7] = -0;
    const t = lw.tensor('float32', x, [n]);
    for (const signed of [false, true]) {
      const [qmin, qmax] = signed ? [-128, 127] : [0, 255];
      const q = lw.quantize(t, { scale: 0.03, zeroPoint: signed ? -5 : 130, signed, scheme: 'asymmetric' });
      expectSame(q.data, Array.from(x, (v) => quantizeRef(v, Math.fround(0.03), signed ? -5 : 130, qmin, qmax)), `static ${signed}`);
      const d = lw.dequantize(q);
      expectSame(d.read(), Array.from(q.data, (v) => dequantizeRef(v, q.scale[0], q.zeroPoint[0])), `dequantize ${signed}`);
      d.dispose(); q.dispose();
    }
    x[5] = 7; x[6] = -3;
    const t2 = lw.tensor('float32', x, [n]);
    const q = lw.quantize(t2, { scheme: 'symmetric' });
    let mx = 0;
    for (const v of x) mx = Math.max(mx, Math.abs(v));
    expect(q.scale[0]).toBe(Math.fround(mx / 127));
    expectSame(q.data, Array.from(x, (v) => quantizeRef(v, q.scale[0], 0, -127, 127)), 'symmetric');
    q.dispose(); t.dispose(); t2.dispose();
  });

  it('rounds ties to even and saturates', () => {
    const t = lw.tensor('float32', [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 1000, -1000], [8]);
    const q = lw.quantize(t, { scale: 1, zeroPoint: 0, signed: true, scheme: 'asymmetric' });
    expect(Array.from(q.data)).toEqual([0, 2, 2, 0, -2, -2, 127, -128]);
    q.dispose(); t.dispose();
  });

  it('dyadic helpers: TFLite QuantizeMultiplier and one shift per tensor', () => {
    for (const s of [0.75, 0.5, 1e-3, 3.3e-5, 0.2499999, 123.456, 2 ** -31]) {
      expect(quantizeMultiplier(s)).toEqual(quantizeMultiplierRef(s));
      const { multiplier: b, shift } = quantizeMultiplier(s);
      expect(b).toBeGreaterThanOrEqual(2 ** 30);
      expect(b).toBeLessThan(2 ** 31);
      expect(Math.abs(b / 2 ** shift - s) / s).toBeLessThan(2 ** -30);
    }
    const d = dyadicScales([1e-3, 2.5e-4, 7e-4]);
    expect(d.shift).toBe(40);
    expect(Array.from(d.multiplier)).toEqual([1e-3, 2.5e-4, 7e-4].map((s) => Math.round(s * 2 ** 40)));
    expect(Math.max(...d.multiplier)).toBeLessThan(2 ** 31);
    expect(() => quantizeMultiplier(0)).toThrow(ValueError);
    expect(() => quantizeMultiplier(2 ** 31)).toThrow(ValueError);
    expect(() => dyadicScales([1, 1e-12])).toThrow(ValueError);
  });
});


describe('qMatMul', () => {
  let seed = 100;
  for (const bits of [8, 4, 2] as const) {
    for (const xType of ['uint8', 'int8'] as const) {
      for (const requant of ['fp32', 'dyadic'] as const) {
        it(`int${bits} weights, ${xType} activations, ${requant} requantization: bit-exact`, () => {
          for (const [m, k, n] of [[1, 64, 40], [1, 33, 17], [5, 67, 29], [13, 128, 64], [4, 8, 8], [1, 1, 1], [3, 2, 9], [20, 70, 37], [33, 129, 64]]) {
            checkQMatMul(lw, { m, k, n, bits, xType, requant }, seed++);
          }
          checkQMatMul(lw, { m: 3, k: 40, n: 24, bits, xType, requant, batch: [2, 3], axis: 1, act: 'relu' }, seed++);
          checkQMatMul(lw, { m: 1, k: 40, n: 24, bits, xType, requant, act: 'relu6', outType: xType === 'int8' ? 'uint8' : 'int8' }, seed++);
        });
      }
    }
  }

  it('int2 GEMV (mask kernel, pre-scaled activations) gives the bits of the GEMM kernel for the same row', () => {
    for (const signed of [false, true]) {
      for (const [k, n] of [[1000, 70], [7, 9], [8, 16], [129, 33]]) {
        const xf = randomF32(2 * k, k + n, -1, 2);
        const tx2 = lw.tensor('float32', xf, [2, k]);
        const qx2 = lw.quantize(tx2, { scheme: 'asymmetric', signed });
        const row = qx2.data.slice(0, k);
        const qx1 = lw.quantized(qx2.type, row, [1, k], { scale: qx2.scale[0], zeroPoint: qx2.zeroPoint[0] });
        const qw = lw.quantize(lw.tensor('float32', randomF32(n * k, n), [n, k]), { bits: 2, axis: 0 });
        for (const requant of ['fp32', 'dyadic'] as const) {
          const o = { outScale: 0.3, outZeroPoint: signed ? 0 : 128, requant };
          expectSame(lw.qMatMul(qx1, qw, o).data, lw.qMatMul(qx2, qw, o).data.slice(0, n), `k ${k} n ${n} ${requant}`);
        }
        expectSame(lw.qMatMul(qx1, qw, { output: 'int32' }).read(), lw.qMatMul(qx2, qw, { output: 'int32' }).read().slice(0, n), 'int32');
      }
    }
  });

  it('dyadic with explicit per-column shifts (scalar path) equals the reference', () => {
    const qx = lw.quantize(lw.tensor('float32', randomF32(6 * 20, 5), [6, 20]), { scheme: 'asymmetric' });
    const qw = lw.quantize(lw.tensor('float32', randomF32(20 * 9, 6), [9, 20]), { axis: 0 });
    const multiplier = Array.from({ length: 9 }, (_, j) => 2 ** 30 + j * 12345);
    const shift = Array.from({ length: 9 }, (_, j) => 20 + 2 * j); // includes shifts < 32
    const y = lw.qMatMul(qx, qw, { outScale: 1, requant: 'dyadic', dyadic: { multiplier, shift } });
    const wd = qw.data, wkn = new Int16Array(20 * 9);
    for (let p = 0; p < 20; p++) for (let j = 0; j < 9; j++) wkn[p * 9 + j] = wd[j * 20 + p];
    const acc = qgemmRef(6, 9, 20, qx.data, qx.zeroPoint[0], wkn, null);
    expectSame(y.data, Array.from(acc, (a, i) => requantDyadicRef(a, multiplier[i % 9], shift[i % 9], 0, 0, 255)));
    // One shift below 32 for all columns also takes the scalar path.
    const y2 = lw.qMatMul(qx, qw, { outScale: 1, requant: 'dyadic', dyadic: { multiplier, shift: 28 } });
    expectSame(y2.data, Array.from(acc, (a, i) => requantDyadicRef(a, multiplier[i % 9], 28, 0, 0, 255)));
  });

  it('dyadic with per-column shifts in [32, 62] (SIMD pass) equals the reference, int8 and uint8 out', () => {
    const qx = lw.quantize(lw.tensor('float32', randomF32(7 * 33, 15), [7, 33]), { scheme: 'asymmetric' });
    const qw = lw.quantize(lw.tensor('float32', randomF32(33 * 23, 16), [23, 33]), { axis: 0 });
    const multiplier = Array.from({ length: 23 }, (_, j) => 2 ** 30 + j * 54321);
    const shift = Array.from({ length: 23 }, (_, j) => [32, 33, 35, 38, 62][j % 5]);
    const wd = qw.data, wkn = new Int16Array(33 * 23);
    for (let p = 0; p < 33; p++) for (let j = 0; j < 23; j++) wkn[p * 23 + j] = wd[j * 33 + p];
    const acc = qgemmRef(7, 23, 33, qx.data, qx.zeroPoint[0], wkn, null);
    for (const [outType, zp, lo, hi] of [['uint8', 7, 0, 255], ['int8', -3, -128, 127]] as const) {
      const y = lw.qMatMul(qx, qw, { outScale: 1, outZeroPoint: zp, outType, requant: 'dyadic', dyadic: { multiplier, shift } });
      expectSame(y.data, Array.from(acc, (a, i) => requantDyadicRef(a, multiplier[i % 23], shift[i % 23], zp, lo, hi)));
    }
  });

  it('uint8 weights with a zero point (ONNX QLinearMatMul) are exact', () => {
    const qx = lw.quantize(lw.tensor('float32', randomF32(4 * 30, 8, 0, 1), [4, 30]), { scheme: 'asymmetric' });
    const qw = lw.quantize(lw.tensor('float32', randomF32(30 * 11, 9, -1, 2), [30, 11]), { scheme: 'asymmetric' });
    expect(qw.zeroPoint[0]).toBeGreaterThan(0);
    const y = lw.qMatMul(qx, qw, { output: 'int32' });
    const wkn = Int16Array.from(qw.data, (v) => v - qw.zeroPoint[0]);
    expectSame(y.read(), Array.from(qgemmRef(4, 11, 30, qx.data, qx.zeroPoint[0], wkn, null)));
  });
});

describe('typed errors', () => {
  let t: Tensor<'float32'>;
  let qx: QuantizedTensor, qw: QuantizedTensor;
  beforeAll(() => {
    t = lw.tensor('float32', randomF32(4 * 16, 1), [4, 16]);
    qx = lw.quantize(t, { scheme: 'asymmetric' });
    qw = lw.quantize(lw.tensor('float32', randomF32(16 * 8, 2), [8, 16]), { bits: 4, axis: 0 });
  });
  const err = (f: () => unknown, type: Function, arg: string) => {
    try { f(); } catch (e) {
      expect(e).toBeInstanceOf(type);
      expect((e as { argument: string }).argument).toBe(arg);
      return;
    }
    expect.fail(`no error for ${arg}`);
  };
  it('quantize', () => {
    err(() => lw.quantize(t, { bits: 3 as 8 }), ValueError, 'options.bits');
    err(() => lw.quantize(t, { axis: 2 }), ValueError, 'options.axis');
    err(() => lw.quantize(t, { axis: -3 }), ValueError, 'options.axis');
    err(() => lw.quantize(t, { scale: 0 }), ValueError, 'options.scale');
    err(() => lw.quantize(t, { scale: -1 }), ValueError, 'options.scale');
    err(() => lw.quantize(t, { scale: NaN }), ValueError, 'options.scale');
    err(() => lw.quantize(t, { scale: Infinity }), ValueError, 'options.scale');
    err(() => lw.quantize(t, { scale: 0.1, zeroPoint: 256 }), ValueError, 'options.zeroPoint');
    err(() => lw.quantize(t, { scale: 0.1, zeroPoint: -1 }), ValueError, 'options.zeroPoint');
    err(() => lw.quantize(t, { scale: 0.1, zeroPoint: 1.5 }), ValueError, 'options.zeroPoint');
    err(() => lw.quantize(t, { axis: 0, scale: [0.1, 0.2] }), ShapeError, 'options.scale.length');
    err(() => lw.quantize(t, { axis: 0, scale: [0.1, 0.2, 0.3, 0] }), ValueError, 'options.scale[3]');
    err(() => lw.quantize(t, { bits: 4, scheme: 'asymmetric' }), ValueError, 'options.bits');
    err(() => lw.quantize(t, { scheme: 'symmetric', scale: 0.1, zeroPoint: 3 }), ValueError, 'options.zeroPoint');
    err(() => lw.quantize(lw.tensor('int32', [1, 2], [2]), {}), DTypeError, 'x.type');
    const bad = lw.tensor('float32', [1, NaN], [2]);
    err(() => lw.quantize(bad), ValueError, 'x.data[1]');
    err(() => lw.requantize(qx, { scale: 0 }), ValueError, 'options.scale');
    err(() => lw.requantize(qx, { scale: 1, zeroPoint: 300 }), ValueError, 'options.zeroPoint');
  });
  it('qMatMul', () => {
    err(() => lw.qMatMul(qx, qw, {}), ValueError, 'options.outScale');
    err(() => lw.qMatMul(qx, qw, { outScale: 0 }), ValueError, 'options.outScale');
    err(() => lw.qMatMul(qx, qw, { outScale: NaN }), ValueError, 'options.outScale');
    err(() => lw.qMatMul(qx, qw, { outScale: 1, outZeroPoint: -1 }), ValueError, 'options.outZeroPoint');
    err(() => lw.qMatMul(qx, qw, { outScale: 1, outType: 'int8', outZeroPoint: 128 }), ValueError, 'options.outZeroPoint');
    err(() => lw.qMatMul(qx, qw, { outScale: 1, requant: 'int' as 'fp32' }), ValueError, 'options.requant');
    err(() => lw.qMatMul(qw, qx, { outScale: 1 }), DTypeError, 'x.type');
    err(() => lw.qMatMul(qx, qx, { outScale: 1 }), ShapeError, 'w.dims');
    err(() => lw.qMatMul(qx, qw, { outScale: 1, bias: [1, 2] }), ShapeError, 'options.bias.length');
    err(() => lw.qMatMul(qx, qw, { outScale: 1, bias: new Float32Array(8) as unknown as Int32Array }), DTypeError, 'options.bias');
    err(() => lw.qMatMul(qx, qw, { outScale: 1, bias: [0, 0, 0, 2 ** 31, 0, 0, 0, 0] }), ValueError, 'options.bias[3]');
    // Overflow risk: |bias| + k·max|x − zp|·max|w| ≥ 2^31.
    err(() => lw.qMatMul(qx, qw, { outScale: 1, bias: [0, 0, 0, 0, 0, 2 ** 31 - 100, 0, 0] }), ValueError, 'options.bias[5]');
    err(() => lw.qMatMul(qx, qw, { outScale: 1, requant: 'dyadic', dyadic: { multiplier: [1], shift: 40 } }), ShapeError, 'options.dyadic.multiplier.length');
    err(() => lw.qMatMul(qx, qw, { outScale: 1, requant: 'dyadic', dyadic: { multiplier: new Array(8).fill(2 ** 30), shift: 63 } }), ValueError, 'options.dyadic.shift');
    err(() => lw.qMatMul(qx, qw, { outScale: 1, transposeB: false }), ValueError, 'options.transposeB');
    err(() => lw.qMatMul(qx, qw, { output: 'int32', outScale: 1 }), ValueError, 'options');
    err(() => lw.qMatMul(qx, qw, { outscale: 1 } as never), ValueError, 'options.outscale');
    // Weights packed by a call that is then refused are dropped again: nothing stays allocated.
    const fresh = lw.quantize(t, { axis: 0 });
    const before = lw.info().memory.blocks;
    err(() => lw.qMatMul(qx, fresh, { outScale: 1, transposeB: true, bias: [0, 0, 0, 2 ** 31 - 100] }), ValueError, 'options.bias[3]');
    expect(lw.info().memory.blocks).toBe(before);
    fresh.dispose();
    const qw8 = lw.quantize(lw.tensor('float32', randomF32(16 * 8, 2), [16, 8]), { bits: 8, scale: 0.1, zeroPoint: 3, scheme: 'asymmetric' });
    const q4 = lw.quantize(lw.tensor('float32', randomF32(16 * 8, 2), [16, 8]), { bits: 4, scheme: 'symmetric' });
    expect(() => lw.qMatMul(qx, qw8, { outScale: 1 })).not.toThrow();
    expect(() => lw.qMatMul(qx, q4, { outScale: 1 })).not.toThrow();
    const d = lw.quantize(t, { scheme: 'asymmetric' });
    d.dispose();
    err(() => lw.qMatMul(d, qw, { outScale: 1 }), DisposedError, 'x');
  });
});
