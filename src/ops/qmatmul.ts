// qMatMul: quantized matrix multiply (int8 activations × int8/int4/int2 weights, int32
// accumulation, fp32 or dyadic requantization). Validation, bias folding, overflow bounds and
// weight packing around bindings/quant.ts. Semantics to the bit: docs/quant.md.
import type { Block } from '../../bindings/device.js';
import { makeQPlan, packQ2Gemv, packQWeights, q2GemvBytes, qPackedWeightBytes, QMode, runQPlan, type QPlan } from '../../bindings/quant.js';
import { DTypeError, OutOfMemoryError, ShapeError, ValueError } from '../errors.js';
import { filling, Tensor, type Owner } from '../tensor.js';
import { checkBoundKeys, type Activation } from './matmul.js';
import { checkOptions } from './options.js';
import { QuantizedTensor, rangeOf, type PackedWeights, type QuantizedType } from '../quant/tensor.js';
import { checkQuantized, checkScale, checkZeroPoint, dyadicScales, rne, TWO31 } from '../quant/quantize.js';

export interface QMatMulOptions {
  /** int32 bias per output column, in units of s_x · s_w[c] (an Int32Array, int32 Tensor or integers). */
  bias?: Int32Array | Tensor | readonly number[];
  /** Output scale (required unless output is 'int32'). */
  outScale?: number;
  /** Output zero point (default 0), in the range of outType. */
  outZeroPoint?: number;
  /** Output storage: 'int8' or 'uint8'. Default: the type of x. */
  outType?: 'int8' | 'uint8';
  /** 'fp32' (default): f32 scale, round half to even (ONNX QLinearMatMul). 'dyadic': integer only. */
  requant?: 'fp32' | 'dyadic';
  /** Explicit dyadic multipliers b[c] and shift(s) (one, or one per column); default from dyadicScales. */
  dyadic?: { multiplier: ArrayLike<number>; shift: number | ArrayLike<number> };
  /** Clamp in real units, applied in the quantized domain: 'linear' | 'relu' | 'relu6' | { min, max }. */
  activation?: Activation;
  /** 'quantized' (default) or 'int32': the exact accumulators (ONNX MatMulInteger), no requantization. */
  output?: 'quantized' | 'int32';
  /** Per-tensor weights only: w is [n, k] instead of [k, n]. */
  transposeB?: boolean;
}

/** Which weight dimension is K: per-channel axis 0 means [n, k] (a PyTorch Linear weight). */
function weightLayout(qw: QuantizedTensor, transposeB: unknown): { k: number; n: number; transposed: boolean } {
  if (qw.dims.length !== 2) throw new ShapeError('w.dims', 'rank 2 ([k, n], or [n, k] per channel on axis 0)', qw.dims);
  let transposed: boolean;
  if (qw.axis === null) {
    if (transposeB !== undefined && typeof transposeB !== 'boolean') throw new ValueError('options.transposeB', 'a boolean', transposeB);
    transposed = transposeB === true;
  } else {
    transposed = qw.axis === 0;
    if (transposeB !== undefined && transposeB !== transposed) {
      throw new ValueError('options.transposeB', `${transposed} or omitted (fixed by the per-channel axis ${qw.axis} of w)`, transposeB);
    }
  }
  const [d0, d1] = qw.dims;
  return transposed ? { k: d1, n: d0, transposed } : { k: d0, n: d1, transposed };
}

/** Packs (once, cached on qw under `key`) and returns the GEMM form of a weight tensor. */
function packedWeightsOf(owner: Owner, qw: QuantizedTensor, key: string, k: number, n: number, transposed: boolean): PackedWeights {
  const hit = qw.packed.get(key);
  if (hit) return hit;
  const dev = owner.device;
  // Every column takes 12 bytes of plan in wasm memory (bias, scale or multiplier, shift), so
  // a weight with more columns than the memory could plan for is refused before its per-column
  // JS arrays are built: an empty [0, 2^31] weight would have taken 24 GB of them.
  const limit = dev.memoryLimit;
  if (n * 12 > limit) {
    throw new OutOfMemoryError('w.dims', `at most ${Math.floor(limit / 12)} output columns (12 bytes of plan each, ${limit} bytes of wasm memory at most)`, qw.dims);
  }
  // The wasm blocks first: their sizes grow with k·n, and a refusal then comes before the JS copies.
  const [block, gemv] = dev.allocAll([qPackedWeightBytes(n, k, qw.bits as 8 | 4 | 2), 'packed quantized weights'],
    qw.bits === 2 ? [q2GemvBytes(n, k), 'packed int2 weights (GEMV layout)'] : null);
  const colSum = new Int32Array(n), colMaxAbs = new Int32Array(n), scale = new Float32Array(n);
  try {
    const v = qw.data;
    const w = new Int16Array(k * n);
    const perCol = qw.axis !== null;
    for (let j = 0; j < n; j++) {
      const zp = qw.zeroPoint[perCol ? j : 0];
      scale[j] = qw.scale[perCol ? j : 0];
      let sum = 0, mx = 0;
      for (let p = 0; p < k; p++) {
        const x = v[transposed ? j * k + p : p * n + j] - zp;
        w[p * n + j] = x;
        sum += x;
        if (Math.abs(x) > mx) mx = Math.abs(x);
      }
      colSum[j] = sum; colMaxAbs[j] = mx;
    }
    packQWeights(dev.viewU8(block), n, k, qw.bits as 8 | 4 | 2, w);
    if (gemv) packQ2Gemv(dev.viewU8(gemv), n, k, w);
  } catch (e) {
    dev.freeAll(block, gemv);
    throw e;
  }
  const packed: PackedWeights = { block, k, n, colSum, colMaxAbs, scale, gemv, plans: new Map() };
  qw.packed.set(key, packed);
  return packed;
}

function checkBias(bias: unknown, n: number, owner: Owner): Float64Array | null {
  if (bias === undefined || bias === null) return null;
  let vals: ArrayLike<number>;
  if (bias instanceof Tensor) {
    if (bias.owner !== owner) throw new ValueError('options.bias', 'a tensor of this Lanewise instance', 'one of another instance');
    bias.check('options.bias');
    if (bias.type !== 'int32') throw new DTypeError('options.bias.type', 'int32', bias.type);
    if (bias.size !== n || bias.dims.length !== 1) throw new ShapeError('options.bias.dims', `[${n}]`, bias.dims);
    vals = (bias as Tensor<'int32'>).read();
  } else if (bias instanceof Int32Array || Array.isArray(bias)) {
    if (bias.length !== n) throw new ShapeError('options.bias.length', String(n), bias.length);
    vals = bias as ArrayLike<number>;
  } else {
    throw new DTypeError('options.bias', 'an Int32Array, an int32 Tensor or an array of integers', bias);
  }
  const out = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const b = vals[j];
    if (typeof b !== 'number' || !Number.isInteger(b) || b < -TWO31 || b >= TWO31) {
      throw new ValueError(`options.bias[${j}]`, 'an int32 integer', b);
    }
    out[j] = b;
  }
  return out;
}

/** The output options qMatMul shares with the quantized convolutions. */
export const OUTPUT_OPTIONS = ['bias', 'outScale', 'outZeroPoint', 'outType', 'requant', 'dyadic', 'activation', 'output'] as const;
type OutputOptions = Pick<QMatMulOptions, (typeof OUTPUT_OPTIONS)[number]>;

/** [lo, hi] in the output's integer domain for an activation given in real units. */
function quantizedBounds(act: unknown, scale: number, zp: number, type: QuantizedType): [number, number] {
  const [qmin, qmax] = rangeOf(type);
  const q = (x: number) => Math.min(qmax, Math.max(qmin, rne(Math.fround(x / scale)) + zp));
  if (act === undefined || act === 'linear') return [qmin, qmax];
  if (act === 'relu') return [q(0), qmax];
  if (act === 'relu6') return [q(0), q(6)];
  if (typeof act === 'object' && act !== null && !Array.isArray(act)) {
    checkBoundKeys(act, 'options.activation');
    const { min = -Infinity, max = Infinity } = act as { min?: unknown; max?: unknown };
    if (typeof min !== 'number' || Number.isNaN(min)) throw new ValueError('options.activation.min', 'a number (not NaN)', min);
    if (typeof max !== 'number' || Number.isNaN(max)) throw new ValueError('options.activation.max', 'a number (not NaN)', max);
    if (!(min <= max)) throw new ValueError('options.activation', 'min ≤ max', `min ${min} > max ${max}`);
    return [min === -Infinity ? qmin : q(min), max === Infinity ? qmax : q(max)];
  }
  throw new ValueError('options.activation', "'linear', 'relu', 'relu6' or { min, max }", act);
}

export function qMatMul(owner: Owner, x: unknown, w: unknown, options?: QMatMulOptions): QuantizedTensor | Tensor<'int32'> {
  const opts: QMatMulOptions = checkOptions(options, [...OUTPUT_OPTIONS, 'transposeB']);
  const qx = checkQuantized(x, 'x', owner);
  const qw = checkQuantized(w, 'w', owner);
  if (qx.bits !== 8) throw new DTypeError('x.type', "'int8' or 'uint8' activations", qx.type);
  if (qx.axis !== null) throw new ValueError('x.axis', 'per-tensor activations (quantized without axis)', qx.axis);
  if (qx.dims.length < 1) throw new ShapeError('x.dims', 'rank ≥ 1 ([..., m, k])', qx.dims);
  const { k, n, transposed } = weightLayout(qw, opts.transposeB);
  const kx = qx.dims[qx.dims.length - 1];
  if (kx !== k) {
    throw new ShapeError('w.dims', `inner dimension ${kx} (the last dimension of x)`, k,
      `x.dims [${qx.dims.join(', ')}], w.dims [${qw.dims.join(', ')}]${transposed ? ' ([n, k])' : ' ([k, n])'}`);
  }
  if (qw.bits !== 8 && qw.zeroPoint.some((z) => z !== 0)) {
    throw new ValueError('w.zeroPoint', `0 for ${qw.type} weights (symmetric)`, Array.from(qw.zeroPoint));
  }
  const m = qx.dims.slice(0, -1).reduce((a, b) => a * b, 1);
  const outDims = [...qx.dims.slice(0, -1), n];
  const key = transposed ? 'nk' : 'kn';
  return withPackedPlan(owner, qx, qw, key, () => packedWeightsOf(owner, qw, key, k, n, transposed), n, opts, outDims,
    (packed, plan, out) => runQPlan(owner.device, plan,
      { m, k, bits: qw.bits as 8 | 4 | 2, a: qx.block, aSigned: qx.type === 'int8', w: packed.block, w2: packed.gemv, out }));
}

/** Output parameters of a quantized op and its requantization plan (cached per weight under planKey). */
interface ResolvedPlan { plan: QPlan; planKey: string; freshPlan: boolean; output: 'quantized' | 'int32'; outType: QuantizedType; outScale: number; outZp: number; }

/**
 * @internal One quantized op, for qMatMul and the quantized convolutions: the weights `pack`
 * returns (cached on qw under `key`), the call's checked output options and plan, an output of
 * `outDims` (int32 sums, or the quantized tensor the plan requantizes to) that `run` fills. The
 * plan's overflow check needs the packed column bounds, so packing comes first. When anything
 * after it fails (options refused, the output's allocation, the run), the output and any packing
 * or plan this call made are dropped again, so a failed call keeps nothing.
 */
export function withPackedPlan(owner: Owner, qx: QuantizedTensor, qw: QuantizedTensor, key: string, pack: () => PackedWeights, n: number,
  opts: OutputOptions, outDims: number[], run: (packed: PackedWeights, plan: QPlan, out: Block) => void): QuantizedTensor | Tensor<'int32'> {
  const fresh = !qw.packed.has(key);
  const packed = pack();
  let r: ResolvedPlan | null = null;
  try {
    r = resolvePlan(owner, qx, packed, packed.k, n, opts);
    const { plan, output, outType, outScale, outZp } = r;
    const out = owner.device.alloc(outDims.reduce((a, b) => a * b, 1) * (output === 'int32' ? 4 : 1), 'output');
    const result = output === 'int32' ? new Tensor(owner, 'int32' as const, outDims, out)
      : new QuantizedTensor(owner, outType, outDims, out, Float32Array.of(outScale), Int32Array.of(outZp), null);
    return filling(result, () => run(packed, plan, out));
  } catch (e) {
    if (fresh) qw.dropPacked(key);
    else if (r?.freshPlan) { owner.device.free(r.plan.block); packed.plans.delete(r.planKey); }
    throw e;
  }
}

/** Checks the output options of qMatMul / qConv2d and returns the (cached) plan. */
function resolvePlan(owner: Owner, qx: QuantizedTensor, packed: PackedWeights, k: number, n: number,
  opts: OutputOptions): ResolvedPlan {
  const bias = checkBias(opts.bias, n, owner);
  const output = opts.output ?? 'quantized';
  if (output !== 'quantized' && output !== 'int32') throw new ValueError('options.output', "'quantized' or 'int32'", output);
  const requant = opts.requant ?? 'fp32';
  if (requant !== 'fp32' && requant !== 'dyadic') throw new ValueError('options.requant', "'fp32' or 'dyadic'", requant);

  // Output parameters.
  let outType: QuantizedType = 'int8', outScale = 1, outZp = 0, lo = -128, hi = 127;
  if (output === 'quantized') {
    if (opts.outType !== undefined && opts.outType !== 'int8' && opts.outType !== 'uint8') {
      throw new ValueError('options.outType', "'int8' or 'uint8'", opts.outType);
    }
    outType = opts.outType ?? (qx.type as 'int8' | 'uint8');
    if (opts.outScale === undefined) throw new ValueError('options.outScale', "an output scale (or output: 'int32')", undefined);
    outScale = checkScale(opts.outScale, 'options.outScale');
    outZp = checkZeroPoint(opts.outZeroPoint ?? 0, 'options.outZeroPoint', outType);
    [lo, hi] = quantizedBounds(opts.activation, outScale, outZp, outType);
  } else if (opts.activation !== undefined || opts.outScale !== undefined || opts.requant !== undefined) {
    throw new ValueError('options', "no activation, outScale or requant with output: 'int32'", Object.keys(opts));
  }

  const dev = owner.device;
  const sx = qx.scale[0], zpx = qx.zeroPoint[0];
  if (opts.dyadic !== undefined && (output !== 'quantized' || requant !== 'dyadic')) {
    throw new ValueError('options.dyadic', "omitted unless requant is 'dyadic'", opts.dyadic);
  }
  const dy = opts.dyadic !== undefined ? checkDyadic(opts.dyadic, n) : undefined;
  const key = [qx.type, sx, zpx, output, requant, outType, outScale, outZp, lo, hi,
    dy ? `${dy.multiplier}/${dy.shift}` : ''].join('|');
  let plan: QPlan | undefined;
  let freshPlan = false;
  const hit = packed.plans.get(key);
  if (hit && (hit.bias === bias || (hit.bias !== null && bias !== null && hit.bias.every((v, j) => v === bias[j])))) {
    plan = hit.plan as QPlan;
  } else {
    plan = makePlan(owner, qx.type, sx, zpx, packed, k, n, bias, output, requant, dy, outScale, outZp, lo, hi, outType);
    if (hit) dev.free(hit.block);
    packed.plans.delete(key);
    if (packed.plans.size >= 8) {
      const [oldKey, old] = packed.plans.entries().next().value as [string, { block: Block }];
      dev.free(old.block);
      packed.plans.delete(oldKey);
    }
    packed.plans.set(key, { block: plan.block, bias, plan });
    freshPlan = true;
  }

  return { plan, planKey: key, freshPlan, output, outType, outScale, outZp };
}

function makePlan(owner: Owner, xType: QuantizedType, sx: number, zpx: number, packed: PackedWeights, k: number, n: number,
  bias: Float64Array | null, output: 'quantized' | 'int32', requant: 'fp32' | 'dyadic', dyadic: { multiplier: Int32Array; shift: number | Int32Array } | undefined,
  outScale: number, outZp: number, lo: number, hi: number, outType: QuantizedType): QPlan {
  // int32 overflow bound: |bias| + k · max|x − zp_x| · max|w − zp_w| per column must fit int32
  // (the kernels accumulate modulo 2^32, which is exact whenever the true sum fits).
  const [xmin, xmax] = rangeOf(xType);
  const maxX = Math.max(Math.abs(xmin - zpx), Math.abs(xmax - zpx));
  const bias32 = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    const b = bias ? bias[j] : 0;
    const bound = Math.abs(b) + k * maxX * packed.colMaxAbs[j];
    if (bound >= TWO31) {
      throw new ValueError(bias ? `options.bias[${j}]` : 'w', 'int32 accumulation without overflow risk (|bias| + k·max|x−zp|·max|w| < 2^31)',
        `a bound of ${bound} for column ${j} (k = ${k})`);
    }
    bias32[j] = (b - zpx * packed.colSum[j]) | 0;
  }

  // Requantization parameters.
  let mode: QMode = QMode.Int32;
  let scale: Float32Array | undefined, multiplier: Int32Array | undefined, shift: number | Int32Array | undefined;
  if (output === 'quantized') {
    if (requant === 'fp32') {
      mode = QMode.Fp32;
      scale = new Float32Array(n);
      for (let j = 0; j < n; j++) {
        const s = Math.fround(Math.fround(sx * packed.scale[j]) / outScale);
        if (!Number.isFinite(s)) throw new ValueError('options.outScale', 'a scale with s_x·s_w/s_out finite in f32', outScale);
        scale[j] = s;
      }
    } else {
      mode = QMode.Dyadic;
      if (dyadic !== undefined) {
        ({ multiplier, shift } = dyadic);
      } else {
        const eff = new Float64Array(n);
        for (let j = 0; j < n; j++) eff[j] = (sx * packed.scale[j]) / outScale;
        if (n === 0) {
          multiplier = new Int32Array(0); shift = 1;
        } else {
          // dyadicScales names its own argument; the caller passed scales, not that array.
          try { ({ multiplier, shift } = dyadicScales(eff)); } catch (e) {
            if (!(e instanceof ValueError)) throw e;
            throw new ValueError('options.requant', "'fp32', or effective scales s_x·s_w[c]/s_out that one dyadic shift can express", 'dyadic', e.message);
          }
        }
      }
    }
  }

  return makeQPlan(owner.device, { n, bias: bias32, mode, scale, multiplier, shift, zeroPoint: outZp, lo, hi, unsignedOut: outType === 'uint8' });
}

function checkDyadic(d: unknown, n: number): { multiplier: Int32Array; shift: number | Int32Array } {
  if (typeof d !== 'object' || d === null) throw new ValueError('options.dyadic', '{ multiplier, shift }', d);
  const { multiplier, shift } = d as { multiplier?: unknown; shift?: unknown };
  const arr = (v: unknown, arg: string, lo: number, hi: number): Int32Array => {
    if (v === null || typeof v !== 'object' || typeof (v as ArrayLike<number>).length !== 'number') {
      throw new ValueError(arg, 'an array of integers', v);
    }
    const a = v as ArrayLike<number>;
    if (a.length !== n) throw new ShapeError(`${arg}.length`, `${n} (one per output column)`, a.length);
    const out = new Int32Array(n);
    for (let j = 0; j < n; j++) {
      if (typeof a[j] !== 'number' || !Number.isInteger(a[j]) || a[j] < lo || a[j] > hi) throw new ValueError(`${arg}[${j}]`, `an integer in [${lo}, ${hi}]`, a[j]);
      out[j] = a[j];
    }
    return out;
  };
  const mult = arr(multiplier, 'options.dyadic.multiplier', 1, TWO31 - 1);
  if (typeof shift === 'number') {
    if (!Number.isInteger(shift) || shift < 1 || shift > 62) throw new ValueError('options.dyadic.shift', 'an integer in [1, 62]', shift);
    return { multiplier: mult, shift };
  }
  return { multiplier: mult, shift: arr(shift, 'options.dyadic.shift', 1, 62) };
}
