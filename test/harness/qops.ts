// Shared checks of the quantized ops against the integer oracles in test/reference/quant.ts, for
// the op tests and the random-shape tests. Each takes the instance to run on.
import { expect } from 'vitest';
import type { Lanewise } from '../../src/index.js';
import { dyadicScales } from '../../src/index.js';
import { qconvRef, qgemmRef, quantizeRef, requantDyadicRef, requantFp32Ref, type ConvRefGeometry } from '../reference/quant.js';
import { randomF32, rng } from './random.js';

export const qRange = { int8: [-128, 127], uint8: [0, 255], int4: [-8, 7], int2: [-2, 1] } as const;

export function expectSame(got: ArrayLike<number>, want: ArrayLike<number>, what = ''): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) expect.fail(`${what} element ${i}: got ${got[i]}, want ${want[i]}`);
}

export interface MMCase { m: number; k: number; n: number; bits: 8 | 4 | 2; xType: 'int8' | 'uint8'; requant: 'fp32' | 'dyadic'; batch?: number[];
  axis?: 0 | 1; act?: 'relu' | 'relu6'; outType?: 'int8' | 'uint8'; }

/**
 * One qMatMul case against the integer reference, bit for bit: x quantized asymmetric, w symmetric
 * (per column), int32 bias, quantized and int32 outputs.
 */
export function checkQMatMul(lw: Lanewise, c: MMCase, seed: number): void {
  const r = rng(seed);
  const batch = c.batch ?? [];
  const M = batch.reduce((a, b) => a * b, 1) * c.m;
  const x = randomF32(M * c.k, seed, -1, 2);
  const axis = c.axis ?? 0;
  const wf = randomF32(c.k * c.n, seed + 1, -1, 1);
  const tx = lw.tensor('float32', x, [...batch, c.m, c.k]);
  const tw = lw.tensor('float32', wf, axis === 0 ? [c.n, c.k] : [c.k, c.n]);
  const qx = lw.quantize(tx, { scheme: 'asymmetric', signed: c.xType === 'int8' });
  const qw = lw.quantize(tw, { bits: c.bits, axis, scheme: 'symmetric' });
  const bias = Int32Array.from({ length: c.n }, () => Math.floor((r() - 0.5) * 2000));
  const outScale = 0.05 * Math.sqrt(c.k) / 8;
  const outType = c.outType ?? c.xType;
  const outZp = outType === 'uint8' ? 100 : -7;
  const y = lw.qMatMul(qx, qw, { bias, outScale, outZeroPoint: outZp, requant: c.requant, activation: c.act, outType });
  // Reference.
  const xd = qx.data, wd = qw.data;
  const wkn = new Int16Array(c.k * c.n);
  for (let p = 0; p < c.k; p++) for (let j = 0; j < c.n; j++) wkn[p * c.n + j] = axis === 0 ? wd[j * c.k + p] : wd[p * c.n + j];
  const acc = qgemmRef(M, c.n, c.k, xd, qx.zeroPoint[0], wkn, bias);
  const [qmin, qmax] = qRange[outType];
  let lo: number = qmin, hi: number = qmax;
  if (c.act) lo = Math.max(qmin, quantizeRef(0, Math.fround(outScale), outZp, qmin, qmax));
  if (c.act === 'relu6') hi = quantizeRef(6, Math.fround(outScale), outZp, qmin, qmax);
  const eff = Array.from({ length: c.n }, (_, j) => (qx.scale[0] * qw.scale[j]) / Math.fround(outScale));
  const dy = dyadicScales(eff);
  const want = Array.from(acc, (a, i) => {
    const j = i % c.n;
    return c.requant === 'fp32'
      ? requantFp32Ref(a, Math.fround(Math.fround(qx.scale[0] * qw.scale[j]) / Math.fround(outScale)), outZp, lo, hi)
      : requantDyadicRef(a, dy.multiplier[j], dy.shift, outZp, lo, hi);
  });
  expect(y.dims).toEqual([...batch, c.m, c.n]);
  expect(y.type).toBe(outType);
  expect(y.scale[0]).toBe(Math.fround(outScale));
  const got = y.data;
  expectSame(got, want, JSON.stringify(c));
  // Not all saturated: the test sees the requantization itself. Only where the sums can take
  // many values: with K = 1 and 2-bit weights (a random-shapes campaign case, LANEWISE_SEED=245)
  // 216 outputs legitimately held 5.
  if (want.length >= 200 && c.k >= 8) expect(new Set(want).size).toBeGreaterThan(5);
  const y32 = lw.qMatMul(qx, qw, { bias, output: 'int32' });
  expectSame(y32.read(), Array.from(acc), 'int32');
  y.dispose(); y32.dispose(); qx.dispose(); qw.dispose(); tx.dispose(); tw.dispose();
}

export interface QConvShape { n: number; h: number; w: number; ci: number; co: number; kh: number; kw: number; s: number; d: number; p: number; dw: boolean;
  groups?: number; }

/**
 * One qConv2d / qDepthwiseConv2d case against the integer reference, bit for bit, quantized and
 * int32 outputs. p pads every side; dw: depthwise (multiplier 1).
 */
export function checkQConv(lw: Lanewise, sh: QConvShape, signed: boolean, requant: 'fp32' | 'dyadic', seed: number, bits: 8 | 4 | 2 = 8): void {
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
