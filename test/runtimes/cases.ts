// The fixed vectors every runtime computes (test/runtimes/*). One line per case: add a conv,
// f16 or quantized op by appending `op('name', (lw) => …)` that returns its output.
// Inputs come from a seeded generator, so every runtime sees the same bits; the suite hashes
// each output (NaN canonicalized) and the runners compare hashes across runtimes.
import type { Lanewise } from '../../src/index.js';

/** What a case returns: its output elements (hashed as raw bytes; f32 NaNs canonicalized). */
export type CaseOutput = Float32Array | Uint16Array | Int8Array | Uint8Array | Int32Array;

export interface RuntimeCase {
  name: string;
  run(lw: Lanewise): CaseOutput;
}

/** xorshift32 values in [lo, hi), as f32 (the same sequence in every engine). */
export function seeded(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    out[i] = lo + (hi - lo) * (s / 4294967296);
  }
  return out;
}

/** Seeded data with special values sprinkled in: ±0, subnormals, huge values, ±Inf, NaN. */
export function special(n: number, seed: number): Float32Array {
  const x = seeded(n, seed);
  const sp = [0, -0, 1e-40, -1e-42, 3e38, -3e38, Infinity, -Infinity, NaN];
  for (let i = 0; i < n; i += 97) x[i] = sp[(i / 97) % sp.length];
  return x;
}

interface GemmSpec {
  m: number; n: number; k: number; seed: number;
  transposeA?: boolean; transposeB?: boolean; bias?: boolean;
  activation?: 'relu' | 'relu6' | { min: number; max: number };
  data?: 'uniform' | 'special';
  prepacked?: boolean;
}

function gemm(name: string, g: GemmSpec): RuntimeCase {
  return {
    name,
    run(lw) {
      const gen = g.data === 'special' ? special : seeded;
      const a = gen(g.m * g.k, g.seed), b = gen(g.k * g.n, g.seed + 1);
      const bias = g.bias ? seeded(g.n, g.seed + 2) : undefined;
      const ta = lw.tensor('float32', a, g.transposeA ? [g.k, g.m] : [g.m, g.k]);
      const tb = lw.tensor('float32', b, g.transposeB ? [g.n, g.k] : [g.k, g.n]);
      const w = g.prepacked ? lw.prepack(tb, { transposeB: g.transposeB, bias }) : tb;
      const c = lw.matMul(ta, w, {
        transposeA: g.transposeA, transposeB: g.prepacked ? undefined : g.transposeB,
        bias: g.prepacked ? undefined : bias, activation: g.activation,
      });
      const out = c.read();
      c.dispose(); if (w !== tb) w.dispose(); tb.dispose(); ta.dispose();
      return out;
    },
  };
}

// Helpers for one-line cases: seeded f32 / f16 tensors, and reading an output (then freeing it).
const t = (lw: Lanewise, dims: number[], seed: number) => lw.tensor('float32', seeded(dims.reduce((x, y) => x * y, 1), seed), dims);
const h = (lw: Lanewise, dims: number[], seed: number) => lw.cast(t(lw, dims, seed), 'float16');
function take(y: { data: CaseOutput; dispose(): void }): CaseOutput {
  const out = y.data;
  y.dispose();
  return out;
}

/** Seeded finite binary16 values of either sign, magnitudes in [2^-12, 1) (drawn directly: no f32 copy). */
function halves(n: number, seed: number): Uint16Array {
  let s = seed >>> 0 || 1;
  const out = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    out[i] = (s & 0x8000) | (0x0c00 + (s >>> 16) % 0x3000);
  }
  return out;
}

/** A quantized tensor's bytes, then its scales' bytes (the scales are computed in JavaScript). */
function quantBytes(q: { data: Int8Array | Uint8Array; scale: Float32Array; dispose(): void }): Uint8Array {
  const d = q.data, sc = new Uint8Array(q.scale.buffer, q.scale.byteOffset, q.scale.byteLength);
  const out = new Uint8Array(d.length + sc.length);
  out.set(new Uint8Array(d.buffer, d.byteOffset, d.length)); out.set(sc, d.length);
  q.dispose();
  return out;
}

/** Every binary16 bit pattern, in order. */
const allHalves = () => Uint16Array.from({ length: 65536 }, (_, i) => i);

/** A generic case: any op, any output. */
export function op(name: string, run: (lw: Lanewise) => CaseOutput): RuntimeCase { return { name, run }; }

export const cases: RuntimeCase[] = [
  gemm('f32 gemm 1x300x77 (row kernel)', { m: 1, n: 300, k: 77, seed: 1 }),
  gemm('f32 gemm 7x13x5 bias relu6', { m: 7, n: 13, k: 5, seed: 2, bias: true, activation: 'relu6' }),
  gemm('f32 gemm 33x65x129 tA', { m: 33, n: 65, k: 129, seed: 3, transposeA: true }),
  gemm('f32 gemm 64x64x64', { m: 64, n: 64, k: 64, seed: 4 }),
  gemm('f32 gemm 61x47x95 special values', { m: 61, n: 47, k: 95, seed: 5, data: 'special', bias: true }),
  gemm('f32 gemm 20x30x40 special values clamp', { m: 20, n: 30, k: 40, seed: 6, data: 'special', activation: { min: -0.5, max: 0.25 } }),
  gemm('f32 gemm 160x200x192 tB prepacked bias', { m: 160, n: 200, k: 192, seed: 7, transposeB: true, prepacked: true, bias: true }),
  gemm('f32 gemm 256x256x256', { m: 256, n: 256, k: 256, seed: 8 }),
  gemm('f32 gemm 301x129x257 tA tB relu', { m: 301, n: 129, k: 257, seed: 9, transposeA: true, transposeB: true, activation: 'relu' }),
  gemm('f32 gemm 4x1000x600', { m: 4, n: 1000, k: 600, seed: 10, bias: true }),
  gemm('f32 gemm 260x1025x45 K in slices relu6', { m: 260, n: 45, k: 1025, seed: 60, bias: true, activation: 'relu6' }),
  // 2^22 weights under 3 rows: A packed rather than read as rows (bindings/gemm.ts streamsWeights).
  gemm('f32 gemm 3x4096x1024 prepacked bias relu (A packed)', { m: 3, n: 4096, k: 1024, seed: 61, prepacked: true, bias: true, activation: 'relu' }),
  op('f32 conv2d 2x14x14x16→24 k3 same relu', (lw) => take(lw.conv2d(t(lw, [2, 14, 14, 16], 11), t(lw, [24, 3, 3, 16], 12), { pad: 'same', activation: 'relu' }))),
  op('f32 depthwise 1x15x15x24 k3 s2', (lw) => take(lw.depthwiseConv2d(t(lw, [1, 15, 15, 24], 13), t(lw, [3, 3, 24], 14), { strides: 2, pad: 1 }))),
  op('f16 matmul 37x91x45 f16', (lw) => take(lw.matMul(h(lw, [37, 91], 15), h(lw, [91, 45], 16), { precision: 'f16' }))),
  op('f16 matmul 37x91x45 f16-exact', (lw) => take(lw.matMul(h(lw, [37, 91], 15), h(lw, [91, 45], 16), { precision: 'f16-exact' }))),
  op('int8 qMatMul 33x64x40 fp32', (lw) => take(lw.qMatMul(lw.quantize(t(lw, [33, 64], 17), { scheme: 'asymmetric', signed: true }),
    lw.quantize(t(lw, [40, 64], 18), { bits: 8, axis: 0, scheme: 'symmetric' }), { outScale: 0.05 }))),
  op('int4 qMatMul 33x64x40 dyadic', (lw) => take(lw.qMatMul(lw.quantize(t(lw, [33, 64], 19), { scheme: 'asymmetric' }),
    lw.quantize(t(lw, [40, 64], 20), { bits: 4, axis: 0, scheme: 'symmetric' }), { outScale: 0.05, requant: 'dyadic' }))),
  // Large enough to run on the pool at 2 threads.
  op('int8 qMatMul 256x256x200 fp32', (lw) => take(lw.qMatMul(lw.quantize(t(lw, [256, 256], 21), { scheme: 'asymmetric' }),
    lw.quantize(t(lw, [200, 256], 22), { bits: 8, axis: 0, scheme: 'symmetric' }), { outScale: 0.1 }))),
  op('int4 qConv2d 2x28x28x32→32 k3 p1 fp32', (lw) => take(lw.qConv2d(lw.quantize(t(lw, [2, 28, 28, 32], 23), { scheme: 'asymmetric' }),
    lw.quantize(t(lw, [32, 3, 3, 32], 24), { bits: 4, axis: 0, scheme: 'symmetric' }), { pad: 1, outScale: 0.2 }))),
  // 4.5M operations: above the pool's threshold, so it runs on 2 threads where there are 2.
  op('int8 qDepthwiseConv2d 2x56x56x40 k3 p1 fp32', (lw) => take(lw.qDepthwiseConv2d(lw.quantize(t(lw, [2, 56, 56, 40], 25), { scheme: 'asymmetric' }),
    lw.quantize(t(lw, [3, 3, 40], 26), { bits: 8, axis: 2, scheme: 'symmetric' }), { pad: 1, outScale: 0.1 }))),
  // The batched plans (whole batches per task), the f16 GEMV's column ranges, int4 weights
  // unpacked per N block (k = 1024: 192 columns per block), strided transposes and pooling.
  op('f32 matMul batched 6x9x20x17 B batched, bias', (lw) => take(lw.matMul(t(lw, [6, 9, 20], 27), t(lw, [6, 20, 17], 28), { bias: seeded(17, 29) }))),
  op('f16 matMul batched 6x9x21x19 tB f16', (lw) => take(lw.matMul(h(lw, [6, 9, 21], 30), h(lw, [6, 19, 21], 31), { transposeB: true, precision: 'f16' }))),
  op('f16 matMul 1x300x77 f16 (GEMV)', (lw) => take(lw.matMul(h(lw, [1, 77], 32), lw.prepack(h(lw, [77, 300], 33)), { precision: 'f16' }))),
  op('f16 matMul 1x300x77 f16 (GEMV, weights not prepacked: checked for Inf/NaN)', (lw) => take(lw.matMul(h(lw, [1, 77], 32), h(lw, [77, 300], 33), { precision: 'f16' }))),
  // 2^23 finite prepacked binary16 weights under 4 rows: read as binary16 (bindings/f16.ts fewRows).
  op('f16 matMul 4x4096x2048 f16 relu (binary16 weights read by the 4x8 kernel)', (lw) => {
    const b = lw.tensor('float16', halves(2048 * 4096, 62), [2048, 4096]), w = lw.prepack(b, { bias: halves(4096, 63) });
    b.dispose();
    const a = lw.tensor('float16', halves(4 * 2048, 64), [4, 2048]);
    const out = take(lw.matMul(a, w, { precision: 'f16', activation: 'relu' }));
    a.dispose(); w.dispose();
    return out;
  }),
  op('f16 matMul 2x300x77 f16 (2x16 kernel, prepacked finite weights)', (lw) => take(lw.matMul(h(lw, [2, 77], 65), lw.prepack(h(lw, [77, 300], 33)), { precision: 'f16' }))),
  op('f16 matMul 3x300x77 f16 relu6 (3x8 kernel, prepacked finite weights)', (lw) => take(lw.matMul(h(lw, [3, 77], 66), lw.prepack(h(lw, [77, 300], 33)), { precision: 'f16', activation: 'relu6' }))),
  op('f16 matMul 1x300x77 f16-exact (one-row kernel)', (lw) => take(lw.matMul(h(lw, [1, 77], 32), lw.prepack(h(lw, [77, 300], 33)), { precision: 'f16-exact' }))),
  op('int4 qMatMul 33x1024x300 fp32', (lw) => take(lw.qMatMul(lw.quantize(t(lw, [33, 1024], 34), { scheme: 'asymmetric' }),
    lw.quantize(t(lw, [300, 1024], 35), { bits: 4, axis: 0, scheme: 'symmetric' }), { outScale: 0.2 }))),
  op('fromNCHW 2x37x9x11', (lw) => take(lw.fromNCHW(t(lw, [2, 37, 9, 11], 36)))),
  op('globalAvgPool 2x9x11x37', (lw) => take(lw.globalAvgPool(t(lw, [2, 9, 11, 37], 37)))),
  // Pooling, elementwise ops, layout, casts, the binary16 convolutions, and quantization, whose
  // scales are computed in JavaScript (the same f64 arithmetic in every engine is the claim).
  op('maxPool 2x17x19x24 k3 s2 same', (lw) => take(lw.maxPool(t(lw, [2, 17, 19, 24], 38), { windowShape: 3, strides: 2, pad: 'same' }))),
  op('avgPool 2x17x19x24 k3 s1 p1', (lw) => take(lw.avgPool(t(lw, [2, 17, 19, 24], 39), { windowShape: 3, pad: 1 }))),
  op('avgPool 1x16x16x8 k2 s2 countIncludePad', (lw) => take(lw.avgPool(t(lw, [1, 16, 16, 8], 40), { windowShape: 2, strides: 2, countIncludePad: true }))),
  op('add 2x9x11x37 + [37] relu6', (lw) => take(lw.add(t(lw, [2, 9, 11, 37], 41), t(lw, [37], 42), { activation: 'relu6' }))),
  op('clamp special values', (lw) => take(lw.clamp(lw.tensor('float32', special(1000, 43), [1000]), -0.5, 0.25))),
  op('relu special values', (lw) => take(lw.relu(lw.tensor('float32', special(1000, 44), [1000])))),
  op('toNCHW 2x9x11x37', (lw) => take(lw.toNCHW(t(lw, [2, 9, 11, 37], 45)))),
  op('cast f32→f16 special values', (lw) => take(lw.cast(lw.tensor('float32', special(4000, 46), [4000]), 'float16'))),
  op('cast f16→f32 every half', (lw) => take(lw.cast(lw.tensor('float16', allHalves(), [65536]), 'float32'))),
  op('f16 conv2d 1x12x12x16→8 k3 same f16', (lw) => take(lw.conv2d(h(lw, [1, 12, 12, 16], 47), h(lw, [8, 3, 3, 16], 48), { pad: 'same', precision: 'f16' }))),
  op('f16 conv2d 1x12x12x16→8 k3 same f16-exact', (lw) => take(lw.conv2d(h(lw, [1, 12, 12, 16], 47), h(lw, [8, 3, 3, 16], 48), { pad: 'same', precision: 'f16-exact' }))),
  op('f16 depthwise 1x13x13x16 k3 s2 f16', (lw) => take(lw.depthwiseConv2d(h(lw, [1, 13, 13, 16], 49), h(lw, [3, 3, 16], 50), { strides: 2, pad: 1, precision: 'f16' }))),
  op('f16 depthwise 1x13x13x16 k3 s2 f16-exact', (lw) => take(lw.depthwiseConv2d(h(lw, [1, 13, 13, 16], 49), h(lw, [3, 3, 16], 50), { strides: 2, pad: 1, precision: 'f16-exact' }))),
  op('quantize int4 per-channel', (lw) => quantBytes(lw.quantize(t(lw, [24, 50], 51), { bits: 4, axis: 0, scheme: 'symmetric' }))),
  op('quantize uint8 asymmetric over [-3.7, 11.3)', (lw) => quantBytes(lw.quantize(lw.tensor('float32', seeded(999, 52, -3.7, 11.3), [999]), { scheme: 'asymmetric', signed: false }))),
  op('quantize int2 per-channel', (lw) => quantBytes(lw.quantize(t(lw, [16, 40], 53), { bits: 2, axis: 0 }))),
  op('dequantize int8 per-channel', (lw) => take(lw.dequantize(lw.quantize(t(lw, [24, 50], 54), { axis: 0, scheme: 'symmetric' })))),
  op('requantize int8 → uint8', (lw) => quantBytes(lw.requantize(lw.quantize(t(lw, [777], 55), { scheme: 'asymmetric' }), { scale: 0.011, zeroPoint: 131, signed: false }))),
  op('int2 qMatMul 33x64x40 dyadic', (lw) => take(lw.qMatMul(lw.quantize(t(lw, [33, 64], 56), { scheme: 'asymmetric' }),
    lw.quantize(t(lw, [40, 64], 57), { bits: 2, axis: 0 }), { outScale: 0.05, requant: 'dyadic' }))),
  op('int8 qMatMul 33x64x40 int32 output', (lw) => take(lw.qMatMul(lw.quantize(t(lw, [33, 64], 58), { scheme: 'asymmetric', signed: true }),
    lw.quantize(t(lw, [40, 64], 59), { bits: 8, axis: 0, scheme: 'symmetric' }), { output: 'int32' }))),
];
