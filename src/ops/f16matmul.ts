// matMul and prepack for float16 tensors: validation, broadcasting and binary16 weight packing
// around the f16 GEMM driver (bindings/f16.ts). Two precisions (docs/f16.md):
//   'f16'       f16 in/out, f32 accumulation in the f32 GEMM's order, one rounding at store.
//   'f16-exact' every multiply-accumulate rounded to binary16, as an FP16 FMA unit does.
// Every argument is checked before anything is allocated, so a failed call changes nothing.
import type { Block } from '../../bindings/device.js';
import { f16Gemm, f16GemmBatched, hasNonFinite, packedF16Bytes, packF16Weights, setPackedF16Bias, type F16Precision } from '../../bindings/f16.js';
import { DTypeError, ShapeError, ValueError } from '../errors.js';
import { checkTensor, Tensor, type Owner } from '../tensor.js';
import { PackedWeights } from '../packed.js';
import { broadcastBatch, checkBool, clampBounds, MATMUL_OPTIONS, matMulOperands, PREPACK_OPTIONS, PackedMatrix, sourceIndex, type MatMulOptions, type PrepackOptions } from './matmul.js';
import { checkNumbers, checkOptions } from './options.js';
import { halfBits, halfValue } from '../../bindings/half.js';

export type Precision = 'f32' | F16Precision;
const precisions: readonly Precision[] = ['f32', 'f16', 'f16-exact'];

/**
 * Binary16 weights packed once ([N/8][bias 8][K][8] halves: half the bytes of the float32
 * packing) and reused by matMul in either f16 precision.
 */
export class PackedMatrixF16 extends PackedWeights {
  readonly type = 'float16' as const;
  readonly k: number;
  readonly n: number;
  readonly transposeB: boolean;
  /** @internal Bias (binary16 bits) baked in at prepack time. */
  readonly bias: Uint16Array | null;
  /** @internal What the packed bias slots hold now (null: zeros). */
  slotBias: Uint16Array | null = null;
  /** @internal No weight is Inf or NaN (scanned at prepack): the GEMV skips its check for them, and large 2–4 row GEMMs read them as binary16. */
  readonly finite: boolean;

  /** @internal Use `lw.prepack(...)` with a float16 tensor (half the bytes of the float32 packing). */
  constructor(owner: Owner, k: number, n: number, transposeB: boolean, block: Block, bias: Uint16Array | null, finite: boolean) {
    super(owner, block);
    this.k = k; this.n = n; this.transposeB = transposeB; this.bias = bias; this.finite = finite;
  }
}

const isF16 = (x: unknown) => (x instanceof Tensor && x.type === 'float16') || x instanceof PackedMatrixF16;

function checkPrecision(v: unknown): Precision | undefined {
  if (v === undefined) return undefined;
  if (!precisions.includes(v as Precision)) throw new ValueError('options.precision', "'f32', 'f16' or 'f16-exact'", v);
  return v as Precision;
}

/**
 * Whether a matMul call goes to the f16 path: a precision of 'f16' or 'f16-exact', or float16
 * operands with no precision given (then 'f16'). Throws when the precision and the operand
 * types disagree, so float16 and float32 never mix without an explicit lw.cast.
 */
export function routesToF16(a: unknown, b: unknown, opts: unknown): boolean {
  if (typeof opts !== 'object' || opts === null) return false; // matMul's own check reports it
  const p = checkPrecision((opts as MatMulOptions).precision);
  if (p === 'f16' || p === 'f16-exact') return true;
  if (p === 'f32') {
    for (const [x, arg] of [[a, 'a'], [b, 'b']] as const) {
      if (isF16(x)) {
        throw new DTypeError(`${arg}.type`, `float32 for precision 'f32' (convert with lw.cast(${arg}, 'float32'))`, 'float16');
      }
    }
    return false;
  }
  return isF16(a) || isF16(b);
}

function checkHalfMatrix(t: unknown, arg: string, owner: Owner, precision: string): Tensor<'float16'> {
  const x = checkTensor(t, arg, owner);
  if (x.type !== 'float16') {
    throw new DTypeError(`${arg}.type`, `float16 for precision '${precision}' (convert with lw.cast(${arg}, 'float16'))`, x.type);
  }
  if (x.dims.length < 2) throw new ShapeError(`${arg}.dims`, 'rank ≥ 2 ([..., rows, cols])', x.dims);
  return x as Tensor<'float16'>;
}

/**
 * A bias for the f16 path as binary16 bits: a float16 Tensor [n], a Uint16Array of n halves,
 * or n numbers (rounded to binary16, nearest even). float32 tensors and Float32Arrays are
 * refused: cast them first.
 */
export function checkHalfBias(bias: unknown, n: number, owner: Owner, arg = 'options.bias'): Uint16Array | null {
  if (bias === undefined || bias === null) return null;
  if (bias instanceof Tensor) {
    checkTensor(bias, arg, owner);
    if (bias.type !== 'float16') {
      throw new DTypeError(`${arg}.type`, `float16 (convert with lw.cast(bias, 'float16'))`, bias.type);
    }
    if (bias.size !== n || bias.dims.length !== 1) throw new ShapeError(`${arg}.dims`, `[${n}]`, bias.dims);
    return (bias as Tensor<'float16'>).read();
  }
  if (bias instanceof Uint16Array) {
    if (bias.length !== n) throw new ShapeError(`${arg}.length`, String(n), bias.length);
    return bias.slice();
  }
  if (Array.isArray(bias)) {
    if (bias.length !== n) throw new ShapeError(`${arg}.length`, String(n), bias.length);
    checkNumbers(bias, arg);
    return Uint16Array.from(bias as number[], halfBits);
  }
  throw new DTypeError(arg, 'a float16 Tensor, a Uint16Array of binary16 bits or an array of numbers', bias);
}

export function prepackF16(owner: Owner, b: unknown, options?: PrepackOptions): PackedMatrixF16 {
  const opts: PrepackOptions = checkOptions(options, PREPACK_OPTIONS);
  const bt = checkHalfMatrix(b, 'b', owner, 'f16');
  if (bt.dims.length !== 2) throw new ShapeError('b.dims', 'rank 2 ([k, n], or [n, k] with transposeB)', bt.dims);
  const transposeB = checkBool(opts.transposeB, 'options.transposeB');
  const [k, n] = transposeB ? [bt.dims[1], bt.dims[0]] : [bt.dims[0], bt.dims[1]];
  const bias = checkHalfBias(opts.bias, n, owner);
  const dev = owner.device;
  const block = dev.alloc(packedF16Bytes(n, k), 'packed weights');
  packF16Weights(dev, bt.block, 0, k, n, transposeB, block);
  const finite = !hasNonFinite(dev, bt.block, k * n);
  const packed = new PackedMatrixF16(owner, k, n, transposeB, block, bias, finite);
  if (bias) { setPackedF16Bias(dev, block, n, k, bias); packed.slotBias = bias; }
  return packed;
}

/** Clamp bounds rounded to binary16 (nearest even), so clamping commutes with the final rounding. */
export function halfBounds(act: unknown): [number, number] {
  const [min, max] = clampBounds(act);
  const lo = halfValue(halfBits(min)), hi = halfValue(halfBits(max));
  // 65520 and above round to +Infinity in binary16: as a min, every output would be infinite.
  if (lo === Infinity) throw new ValueError('options.activation.min', 'a number below +Infinity in binary16 (under 65520)', min);
  if (hi === -Infinity) throw new ValueError('options.activation.max', 'a number above -Infinity in binary16 (over -65520)', max);
  if (!(lo <= hi)) throw new ValueError('options.activation', 'min ≤ max after rounding to binary16', `min ${min}, max ${max}`);
  return [lo, hi];
}

export function matMulF16(owner: Owner, a: unknown, b: unknown, options?: MatMulOptions): Tensor<'float16'> {
  const opts: MatMulOptions = checkOptions(options, MATMUL_OPTIONS);
  const precision: F16Precision = checkPrecision(opts.precision) === 'f16-exact' ? 'f16-exact' : 'f16';
  const at = checkHalfMatrix(a, 'a', owner, precision);
  const transposeA = checkBool(opts.transposeA, 'options.transposeA');
  const transposeB = checkBool(opts.transposeB, 'options.transposeB');
  const [min, max] = halfBounds(opts.activation);
  if (b instanceof PackedMatrix) {
    throw new DTypeError('b', `float16 weights for precision '${precision}' (prepack a float16 tensor)`, 'float32 packed weights');
  }
  const { m, k, n, batchA, batchB, packed, bt } = matMulOperands(owner, at, b, opts, transposeA, transposeB,
    PackedMatrixF16, (x) => checkHalfMatrix(x, 'b', owner, precision));
  const bias = checkHalfBias(opts.bias, n, owner);
  if (bias && packed?.bias) throw new ValueError('options.bias', 'no bias (these packed weights carry one from prepack)', 'a bias');
  const batch = broadcastBatch(batchA, batchB);
  const batches = batch.reduce((x, y) => x * y, 1);

  const dev = owner.device;
  const out = dev.alloc(batches * m * n * 2, 'output');
  const result = new Tensor(owner, 'float16' as const, [...batch, m, n], out);
  if (batches * m * n === 0) return result;
  let scratch: Block | null = null;
  try {
    let w: Block | null = null;
    if (packed) {
      w = packed.block;
      const want = bias ?? packed.bias;
      if (packed.slotBias !== want) { setPackedF16Bias(dev, w, n, k, want); packed.slotBias = want; }
    }
    const bBatches = batchB.reduce((x, y) => x * y, 1);
    // One GEMM over A's batches stacked as rows when B has a single batch (same bits: each
    // output element's reduction is the same whichever call computes it).
    const fold = !transposeA && bBatches === 1;
    const steps = fold ? 1 : batches;
    if (steps > 1 && f16GemmBatched(dev, { batches: steps, m, n, k, a: at.block, aOff: (i) => sourceIndex(i, batch, batchA) * m * k * 2, transposeA,
      b: bt ? bt.block : null, bOff: (i) => sourceIndex(i, batch, batchB) * k * n * 2, transposeB, bias, w, c: out, min, max, precision })) return result;
    if (!w) w = scratch = dev.alloc(packedF16Bytes(n, k), 'packed b (scratch)');
    let lastB = -1;
    for (let i = 0; i < steps; i++) {
      if (bt) {
        const bi = fold ? 0 : sourceIndex(i, batch, batchB);
        if (bi !== lastB) {
          packF16Weights(dev, bt.block, bi * k * n * 2, k, n, transposeB, w);
          setPackedF16Bias(dev, w, n, k, bias);
          lastB = bi;
        }
      }
      const ai = fold ? 0 : sourceIndex(i, batch, batchA);
      f16Gemm(dev, { m: fold ? batches * m : m, n, k, a: at.block, aOff: ai * m * k * 2, transposeA,
        w, wOff: 0, c: out, cOff: i * m * n * 2, min, max, precision, finiteWeights: packed?.finite });
    }
  } catch (e) {
    result.dispose();
    throw e;
  } finally {
    if (scratch) dev.free(scratch);
  }
  return result;
}
