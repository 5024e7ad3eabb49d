// Quantized inference: int8 / int4 / int2-weight GEMM and GEMV (qMatMul, weights quantized and
// packed once, uint8 activations, fp32 requantization unless stated) against onnxruntime-web
// (wasm EP, 1 thread: QLinearMatMul and MatMulInteger u8·s8, MatMulNBits 4-bit) and
// onnxruntime-node (native, 1 thread). GOPS count 2·M·N·K. Notes: bytes of weights and the
// accuracy of each bit width against f32 on random data.
// Run as a script (`node dist/bench/suites/quant.js [quick] [rounds] [ms=60]`) it measures every case
// with interleaved best-of rounds in one process and prints the ratios the issue asks for.
import { Lanewise, type QuantizedTensor, type Tensor } from '../../src/index.js';
import { matMulIntegerModel, matMulNBitsModel, qLinearConvModel, qLinearMatMulModel } from '../peers/onnx-model.js';
import { ortNode } from '../peers/ort-node.js';
import { ortWeb } from '../peers/ort-web.js';
import type { BenchCase, Runner, Suite } from '../suite.js';
import { randomData } from './gemm.js';

type Bits = 8 | 4 | 2;

interface OrtLike {
  InferenceSession: { create(model: Uint8Array, options?: object): Promise<{ run(f: object): Promise<Record<string, { data: unknown }>>; release(): Promise<void> }> };
  Tensor: new (type: string, data: ArrayBufferView, dims: readonly number[]) => object;
}

const webOptions = { executionProviders: ['wasm'], executionMode: 'sequential', graphOptimizationLevel: 'all', logSeverityLevel: 3 };
const nodeOptions = { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential',
  graphOptimizationLevel: 'all', logSeverityLevel: 3 };

async function ortOf(which: 'web' | 'node'): Promise<OrtLike | string> {
  const why = await (which === 'web' ? ortWeb : ortNode).available(); // initializes env (wasm paths, 1 thread)
  if (why !== null) return why;
  const ns = (which === 'web' ? await import('onnxruntime-web') : await import('onnxruntime-node')) as unknown as { default?: OrtLike } & OrtLike;
  return which === 'node' ? (ns.default ?? ns) : ns;
}

/** A peer runner: one session.run with A fed each call (as the f32 suite's ORT peers). */
function ortPeer(which: 'web' | 'node', model: () => Uint8Array, aType: 'uint8' | 'float32', a: ArrayBufferView, m: number, k: number,
  input = 'A', dims: readonly number[] = [m, k]): () => Promise<Runner | string> {
  return async () => {
    const ort = await ortOf(which);
    if (typeof ort === 'string') return ort;
    const session = await ort.InferenceSession.create(model(), which === 'web' ? webOptions : nodeOptions);
    const feeds = { [input]: new ort.Tensor(aType, a, dims) };
    return { run: async () => { await session.run(feeds); }, dispose: () => session.release() };
  };
}

const u8Data = (n: number, seed: number) => Uint8Array.from(randomData(n, seed), (v) => Math.round((v + 1) * 127.5));
const s8Data = (n: number, seed: number) => Int8Array.from(randomData(n, seed), (v) => Math.round(v * 127));

interface Prepared { qx: QuantizedTensor; qw: QuantizedTensor; outScale: number; }

function prepare(lw: Lanewise, m: number, k: number, n: number, bits: Bits, signedX = false): Prepared {
  const tx = lw.tensor('float32', randomData(m * k, 1), [m, k]);
  const tw = lw.tensor('float32', randomData(n * k, 2), [n, k]);
  const qx = lw.quantize(tx, { scheme: 'asymmetric', signed: signedX });
  const qw = lw.quantize(tw, { bits, axis: 0, scheme: 'symmetric' });
  tx.dispose(); tw.dispose();
  return { qx, qw, outScale: 0.02 * Math.sqrt(k) };
}

function qRunner(lw: Lanewise, m: number, k: number, n: number, bits: Bits, requant: 'fp32' | 'dyadic' = 'fp32', signedX = false): Runner {
  const { qx, qw, outScale } = prepare(lw, m, k, n, bits, signedX);
  const opts = { outScale, outZeroPoint: signedX ? 0 : 128, requant };
  lw.qMatMul(qx, qw, opts).dispose(); // packs the weights once
  return {
    run() { const y = lw.qMatMul(qx, qw, opts); y.bytes; y.dispose(); },
    dispose() { qx.dispose(); qw.dispose(); },
  };
}

/** Relative RMS error of x·w through quantization (int32 accumulators dequantized) against f64, per bit width. */
export function accuracy(lw: Lanewise, bits: Bits, m = 64, k = 256, n = 256): number {
  const x = randomData(m * k, 11), w = randomData(n * k, 12);
  const tx = lw.tensor('float32', x, [m, k]), tw = lw.tensor('float32', w, [n, k]);
  const qx = lw.quantize(tx, { scheme: 'asymmetric' });
  const qw = lw.quantize(tw, { bits, axis: 0, scheme: 'symmetric' });
  const acc = lw.qMatMul(qx, qw, { output: 'int32' }) as Tensor<'int32'>;
  const y = acc.read();
  let num = 0, den = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let ref = 0;
      for (let p = 0; p < k; p++) ref += x[i * k + p] * w[j * k + p];
      const got = y[i * n + j] * qx.scale[0] * qw.scale[j];
      num += (got - ref) ** 2; den += ref ** 2;
    }
  }
  for (const t of [acc, qx, qw, tx, tw]) t.dispose();
  return Math.sqrt(num / den);
}

const weightBytes = (k: number, n: number, bits: Bits) => Math.ceil((k * n * bits) / 8);
/** Bytes of the kernels' packed form: int8 is pre-widened to i16 (2 bytes), int4/int2 stay packed. */
const packedBytes = (k: number, n: number, bits: Bits) =>
  Math.ceil(n / 8) * (bits === 2 ? Math.ceil(k / 4) * 2 : Math.ceil(k / 2)) * (bits === 8 ? 32 : bits === 4 ? 8 : 4)
  + (bits === 2 ? Math.ceil(n / 8) * Math.ceil(k / 8) * 16 : 0); // int2 also keeps the mask-GEMV layout

/** int8 convolution (NHWC, uint8 activations, per-channel int8/int4/int2 OHWI filters) vs QLinearConv (NCHW, int8). */
function convCase(h: number, w: number, ci: number, co: number, k: number, pad: number, depthwise = false, bits: Bits = 8): BenchCase {
  const oh = h + 2 * pad - k + 1, ow = w + 2 * pad - k + 1;
  const ops = 2 * oh * ow * co * k * k * (depthwise ? 1 : ci);
  const peers: Record<string, () => Promise<Runner | string>> = {};
  if (!depthwise && bits === 8) {
    const x = u8Data(ci * h * w, 5), wt = s8Data(co * ci * k * k, 6);
    const q = { xScale: 0.02, xZeroPoint: 128, wScale: 0.01, yScale: 0.02 * Math.sqrt(ci * k * k), yZeroPoint: 128 };
    peers['ort-web QLinearConv'] = ortPeer('web', () => qLinearConvModel(ci, h, w, co, k, pad, wt, q), 'uint8', x, 0, 0, 'X', [1, ci, h, w]);
    peers['ort-node QLinearConv'] = ortPeer('node', () => qLinearConvModel(ci, h, w, co, k, pad, wt, q), 'uint8', x, 0, 0, 'X', [1, ci, h, w]);
  }
  return {
    name: `int${bits} ${depthwise ? 'dwconv' : 'conv'} ${h}×${w}×${ci}→${co} k${k} p${pad}`, ops, unit: 'GOPS', peers,
    lanewise: (lw) => {
      const tx = lw.tensor('float32', randomData(h * w * ci, 7), [1, h, w, ci]);
      const tf = lw.tensor('float32', randomData(co * k * k * (depthwise ? 1 : ci), 8), depthwise ? [k, k, ci] : [co, k, k, ci]);
      const qx = lw.quantize(tx, { scheme: 'asymmetric' });
      const qf = lw.quantize(tf, { axis: depthwise ? 2 : 0, scheme: 'symmetric', bits });
      tx.dispose(); tf.dispose();
      const opts = { pad, outScale: 0.02 * Math.sqrt(k * k * (depthwise ? 1 : ci)), outZeroPoint: 128 };
      const call = () => (depthwise ? lw.qDepthwiseConv2d(qx, qf, opts) : lw.qConv2d(qx, qf, opts));
      call().dispose();
      return { run() { const y = call(); y.bytes; y.dispose(); }, dispose() { qx.dispose(); qf.dispose(); } };
    },
  };
}

function gemmCase(m: number, k: number, n: number, bits: Bits): BenchCase {
  const shape = `${m}×${k}×${n}`;
  const kind = m === 1 ? 'gemv' : 'gemm';
  const ops = 2 * m * n * k;
  const notes: Record<string, string | number> = { 'stored weight bytes': weightBytes(k, n, bits),
    'packed weight bytes': packedBytes(k, n, bits), 'f32 weight bytes': 4 * k * n };
  const peers: Record<string, () => Promise<Runner | string>> = {};
  if (bits === 8) {
    const a = u8Data(m * k, 3), b = s8Data(k * n, 4);
    const q = { aScale: 0.01, aZeroPoint: 128, bScale: 0.01, bZeroPoint: 0, yScale: 0.02 * Math.sqrt(k), yZeroPoint: 128 };
    peers['ort-web QLinearMatMul'] = ortPeer('web', () => qLinearMatMulModel(k, n, b, q), 'uint8', a, m, k);
    peers['ort-web MatMulInteger'] = ortPeer('web', () => matMulIntegerModel(k, n, b, 128), 'uint8', a, m, k);
    peers['ort-node QLinearMatMul'] = ortPeer('node', () => qLinearMatMulModel(k, n, b, q), 'uint8', a, m, k);
  } else if (bits === 4) {
    const a = randomData(m * k, 3), b = randomData(k * n, 4);
    peers['ort-web MatMulNBits'] = ortPeer('web', () => matMulNBitsModel(k, n, b), 'float32', a, m, k);
    peers['ort-node MatMulNBits'] = ortPeer('node', () => matMulNBitsModel(k, n, b), 'float32', a, m, k);
  }
  return {
    name: `int${bits} ${kind} ${shape}`, ops, unit: 'GOPS', notes, peers,
    lanewise: (lw) => {
      if (m > 1 && k === 256 && n === 256) notes['rel. RMS error vs f32 (64×256×256)'] = accuracy(lw, bits).toExponential(2);
      return qRunner(lw, m, k, n, bits);
    },
  };
}

export const quantSuite: Suite = {
  name: 'quant',
  description: 'qMatMul and qConv2d: int8 activations × int8/int4/int2 weights (per-channel, packed once), fp32 requantization, single thread; onnxruntime-web/-node QLinearMatMul, MatMulInteger (u8·s8), MatMulNBits (4-bit), QLinearConv',
  cases: ({ quick }) => {
    const sizes = quick ? [256] : [256, 512, 1024];
    const list: BenchCase[] = [];
    for (const s of sizes) for (const bits of [8, 4, 2] as const) list.push(gemmCase(s, s, s, bits));
    const d = 256;
    list.push({ name: `int8 gemm ${d}×${d}×${d} dyadic requantization`, ops: 2 * d * d * d, unit: 'GOPS', lanewise: (lw) => qRunner(lw, d, d, d, 8, 'dyadic') });
    list.push({ name: `int8 gemm ${d}×${d}×${d} int8 (signed) activations`, ops: 2 * d * d * d, unit: 'GOPS', lanewise: (lw) => qRunner(lw, d, d, d, 8, 'fp32', true) });
    for (const [k, n] of quick ? [[1024, 1024]] : [[1024, 1024], [4096, 4096]]) for (const bits of [8, 4, 2] as const) list.push(gemmCase(1, k, n, bits));
    list.push(convCase(56, 56, 64, 64, 3, 1));
    if (!quick) for (const bits of [4, 2] as const) list.push(convCase(56, 56, 64, 64, 3, 1, false, bits));
    if (!quick) list.push(convCase(112, 112, 32, 32, 3, 1, true));
    return list;
  },
};

/** Interleaved best-of rounds of every contender of every case in this process; prints GOPS and ratios. */
export async function quantFigures(quick = false, rounds = 9, minMs = 60): Promise<void> {
  const lw = await Lanewise.create();
  const filter = typeof process !== 'undefined' && process.env.QUANT_FILTER ? new RegExp(process.env.QUANT_FILTER) : null;
  const cases = quantSuite.cases({ quick }).filter((c) => !filter || filter.test(c.name));
  const rows: { c: BenchCase; name: string; r: Runner; best: number }[] = [];
  for (const c of cases) {
    rows.push({ c, name: 'lanewise', r: await c.lanewise(lw), best: Infinity });
    for (const [name, make] of Object.entries(c.peers ?? {})) {
      const r = await make().catch((e: unknown) => String(e));
      if (typeof r === 'string') console.log(`${c.name}: ${name} unavailable: ${r}`);
      else rows.push({ c, name, r, best: Infinity });
    }
  }
  for (const x of rows) { const t0 = performance.now(); for (let i = 0; i < 20 || performance.now() - t0 < 150; i++) await x.r.run(); }
  for (let round = 0; round < rounds; round++) {
    for (const x of rows) {
      let n = 0; const t0 = performance.now(); let t: number;
      do { await x.r.run(); n++; t = performance.now() - t0; } while (t < minMs);
      x.best = Math.min(x.best, t / n);
    }
  }
  const gops = (x: { c: BenchCase; best: number }) => x.c.ops / x.best / 1e6;
  for (const c of cases) {
    const mine = rows.find((x) => x.c === c && x.name === 'lanewise')!;
    const peers = rows.filter((x) => x.c === c && x.name !== 'lanewise');
    const ratios = peers.map((p) => `${p.name} ${gops(p).toFixed(2)} (×${(p.best / mine.best).toFixed(2)})`).join(', ');
    const notes = c.notes ? ` [${Object.entries(c.notes).map(([k, v]) => `${k} ${v}`).join(', ')}]` : '';
    console.log(`${c.name.padEnd(46)} lanewise ${gops(mine).toFixed(2).padStart(7)} GOPS${ratios ? ` | ${ratios}` : ''}${notes}`);
  }
  for (const [k, n] of quick ? [[1024, 1024]] : [[1024, 1024], [4096, 4096]]) {
    const t = (bits: number) => rows.find((x) => x.name === 'lanewise' && x.c.name === `int${bits} gemv 1×${k}×${n}`)?.best ?? NaN;
    if (Number.isNaN(t(4))) continue;
    console.log(`int2 gemv / int4 gemv 1×${k}×${n}: ×${(t(4) / t(2)).toFixed(2)}; int4 / int8: ×${(t(8) / t(4)).toFixed(2)}`);
  }
  for (const x of rows) await x.r.dispose();
  lw.dispose();
}

const argv1 = typeof process !== 'undefined' ? process.argv[1] ?? '' : '';
if (/bench[\\/]suites[\\/]quant\.js$/.test(argv1)) {
  const rounds = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 9);
  const ms = Number(/^ms=(\d+)$/.exec(process.argv.find((a) => a.startsWith('ms=')) ?? '')?.[1] ?? 60);
  await quantFigures(process.argv.includes('quick'), rounds, ms);
  process.exit(0);
}
