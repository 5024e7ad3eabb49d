// matMul: validation, broadcasting and weight packing around the f32 GEMM.
import type { Block } from '../../bindings/device.js';
import { layoutFor, type WeightLayout } from '../../bindings/gemm.js';
import { DTypeError, ShapeError, ValueError } from '../errors.js';
import { checkTensor, Tensor, type Owner } from '../tensor.js';
import { PackedWeights } from '../packed.js';
import { checkNumbers, checkOptions } from './options.js';

export type Activation = 'linear' | 'relu' | 'relu6' | { min?: number; max?: number };

export interface MatMulOptions {
  transposeA?: boolean;
  transposeB?: boolean;
  /** One value per output column: a float32 Tensor of shape [n], a Float32Array or numbers. */
  bias?: Tensor | Float32Array | readonly number[];
  activation?: Activation;
  /**
   * 'f32' (float32 operands, the default for them), 'f16' (float16 operands, f32 accumulation,
   * one rounding at store: the default for them) or 'f16-exact' (float16, every multiply-add
   * rounded to binary16 as an FP16 FMA unit does). See src/ops/f16matmul.ts and docs/f16.md.
   */
  precision?: 'f32' | 'f16' | 'f16-exact';
}

/** The options matMul takes in every precision. */
export const MATMUL_OPTIONS = ['transposeA', 'transposeB', 'bias', 'activation', 'precision'];
/** The options prepack takes in every precision. */
export const PREPACK_OPTIONS = ['transposeB', 'bias'];

export interface PrepackOptions {
  transposeB?: boolean;
  bias?: Tensor | Float32Array | readonly number[];
}

/** Weights packed once into the kernels' panel layout ([N/8][bias 8][K][8]) and reused. */
export class PackedMatrix extends PackedWeights {
  /** Inner dimension. */
  readonly k: number;
  /** Output columns. */
  readonly n: number;
  readonly transposeB: boolean;
  /** @internal Bias baked in at prepack time. */
  readonly bias: Float32Array | null;
  /** @internal What the packed bias slots hold now (null: zeros). */
  slotBias: Float32Array | null = null;
  /**
   * @internal The layout the block holds now: the panels every kernel reads, or the row groups
   * of the M = 1 kernel. matMul converts in place when M = 1 and M > 1 calls alternate (one pass
   * over the weights per switch; no second copy is kept).
   */
  layout: WeightLayout = 'panels';

  /** @internal Use `lw.prepack(...)`. */
  constructor(owner: Owner, k: number, n: number, transposeB: boolean, block: Block, bias: Float32Array | null) {
    super(owner, block);
    this.k = k; this.n = n; this.transposeB = transposeB; this.bias = bias;
  }
}

export function checkBool(v: unknown, arg: string): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new ValueError(arg, 'a boolean', v);
  return v;
}

/** `{ min, max }` has no other key: a misspelt bound would otherwise be dropped, and the op not clamp. */
export function checkBoundKeys(act: object, arg: string): void {
  for (const k of Object.keys(act)) {
    if (k !== 'min' && k !== 'max') throw new ValueError(`${arg}.${k}`, 'min or max (the keys of { min, max })', k, 'unknown key');
  }
}

export function clampBounds(act: unknown, arg = 'options.activation'): [number, number] {
  if (act === undefined || act === 'linear') return [-Infinity, Infinity];
  if (act === 'relu') return [0, Infinity];
  if (act === 'relu6') return [0, 6];
  if (typeof act === 'object' && act !== null && !Array.isArray(act)) {
    checkBoundKeys(act, arg);
    const { min = -Infinity, max = Infinity } = act as { min?: unknown; max?: unknown };
    // The kernels clamp with f32 bounds: a finite bound that rounds to ±Infinity in f32 would
    // make every output infinite, as the infinite bound that is refused would.
    if (typeof min !== 'number' || Number.isNaN(min) || Math.fround(min) === Infinity) {
      throw new ValueError(`${arg}.min`, 'a number below +Infinity in f32 (not NaN)', min);
    }
    if (typeof max !== 'number' || Number.isNaN(max) || Math.fround(max) === -Infinity) {
      throw new ValueError(`${arg}.max`, 'a number above -Infinity in f32 (not NaN)', max);
    }
    if (!(Math.fround(min) <= Math.fround(max))) throw new ValueError(arg, 'min ≤ max', `min ${min} > max ${max}`);
    return [min, max];
  }
  throw new ValueError(arg, "'linear', 'relu', 'relu6' or { min, max }", act);
}

function checkBias(bias: unknown, n: number, owner: Owner, arg = 'options.bias'): Float32Array | null {
  if (bias === undefined || bias === null) return null;
  let out: Float32Array;
  if (bias instanceof Tensor) {
    checkTensor(bias, arg, owner);
    if (bias.type !== 'float32') throw new DTypeError(`${arg}.type`, 'float32', bias.type);
    if (bias.size !== n || bias.dims.length !== 1) throw new ShapeError(`${arg}.dims`, `[${n}]`, bias.dims);
    out = (bias as Tensor<'float32'>).read();
  } else if (bias instanceof Float32Array) {
    if (bias.length !== n) throw new ShapeError(`${arg}.length`, String(n), bias.length);
    out = bias.slice();
  } else if (Array.isArray(bias)) {
    if (bias.length !== n) throw new ShapeError(`${arg}.length`, String(n), bias.length);
    checkNumbers(bias, arg);
    out = Float32Array.from(bias as number[]);
  } else {
    throw new DTypeError(arg, 'a float32 Tensor, a Float32Array or an array of numbers', bias);
  }
  return out;
}

function checkFloat32Matrix(t: unknown, arg: string, owner: Owner): Tensor<'float32'> {
  const x = checkTensor(t, arg, owner);
  if (x.type !== 'float32') throw new DTypeError(`${arg}.type`, 'float32', x.type);
  if (x.dims.length < 2) throw new ShapeError(`${arg}.dims`, 'rank ≥ 2 ([..., rows, cols])', x.dims);
  return x as Tensor<'float32'>;
}

/** Numpy-style broadcast of batch dimensions. */
export function broadcastBatch(a: readonly number[], b: readonly number[]): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const da = a[a.length - r + i] ?? 1, db = b[b.length - r + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError('b.dims', `batch dimensions broadcastable with a's [${a.join(', ')}]`, b);
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Flat index into a broadcast source batch for output batch index `i`. */
export function sourceIndex(i: number, out: readonly number[], src: readonly number[]): number {
  let idx = 0, stride = 1;
  for (let d = out.length - 1; d >= 0; d--) {
    const coord = i % out[d];
    i = Math.floor(i / out[d]);
    const sd = src[d - (out.length - src.length)];
    if (sd !== undefined) { if (sd !== 1) idx += coord * stride; stride *= sd; }
  }
  return idx;
}

export function prepack(owner: Owner, b: unknown, options?: PrepackOptions): PackedMatrix {
  const opts: PrepackOptions = checkOptions(options, PREPACK_OPTIONS);
  const bt = checkFloat32Matrix(b, 'b', owner);
  if (bt.dims.length !== 2) throw new ShapeError('b.dims', 'rank 2 ([k, n], or [n, k] with transposeB)', bt.dims);
  const transposeB = checkBool(opts.transposeB, 'options.transposeB');
  const [k, n] = transposeB ? [bt.dims[1], bt.dims[0]] : [bt.dims[0], bt.dims[1]];
  const bias = checkBias(opts.bias, n, owner);
  const dev = owner.device;
  const block = dev.alloc(dev.packedGemmBytes(n, k), 'packed weights');
  if (n > 0) dev.packGemm(bt.block, 0, k, n, transposeB, block);
  const packed = new PackedMatrix(owner, k, n, transposeB, block, bias);
  if (bias) { dev.setPackedBias(block, n, k, bias); packed.slotBias = bias; }
  return packed;
}

/** b of a matMul as the caller's packed weights or a tensor, with the shapes both operands imply. */
export interface MatMulOperands<P, T> {
  m: number; k: number; n: number;
  batchA: number[]; batchB: number[];
  packed: P | null; bt: T | null;
}

/**
 * The checks matMul and matMulF16 share once `a` is validated: b is packed weights of the
 * caller's class (made by this instance, transposeB as fixed at prepack) or a tensor that
 * `checkB` accepts, and the inner dimensions agree.
 */
export function matMulOperands<P extends PackedWeights & { k: number; n: number; transposeB: boolean }, T extends Tensor>(
  owner: Owner, at: T, b: unknown, opts: MatMulOptions, transposeA: boolean, transposeB: boolean,
  packedClass: abstract new (...args: never[]) => P, checkB: (b: unknown) => T,
): MatMulOperands<P, T> {
  const ra = at.dims.length;
  const [m, k] = transposeA ? [at.dims[ra - 1], at.dims[ra - 2]] : [at.dims[ra - 2], at.dims[ra - 1]];
  const batchA = at.dims.slice(0, ra - 2);
  let packed: P | null = null;
  let bt: T | null = null;
  let kb: number, n: number, batchB: number[];
  if (b instanceof packedClass) {
    b.check('b');
    if (b.owner !== owner) throw new ValueError('b', 'packed weights made by this Lanewise instance', 'packed weights of another instance');
    if (opts.transposeB !== undefined && transposeB !== b.transposeB) {
      throw new ValueError('options.transposeB', `${b.transposeB} (fixed when the weights were prepacked) or omitted`, transposeB);
    }
    packed = b; kb = b.k; n = b.n; batchB = [];
  } else {
    bt = checkB(b);
    const rb = bt.dims.length;
    [kb, n] = transposeB ? [bt.dims[rb - 1], bt.dims[rb - 2]] : [bt.dims[rb - 2], bt.dims[rb - 1]];
    batchB = bt.dims.slice(0, rb - 2);
  }
  if (kb !== k) {
    throw new ShapeError('b.dims', `inner dimension ${k} (from a${transposeA ? ' transposed' : ''})`, kb,
      `a.dims [${at.dims.join(', ')}], b ${packed ? `packed k=${packed.k} n=${packed.n}` : `dims [${bt!.dims.join(', ')}]`}${transposeB ? ' transposed' : ''}`);
  }
  return { m, k, n, batchA, batchB, packed, bt };
}

export function matMul(owner: Owner, a: unknown, b: unknown, options?: MatMulOptions): Tensor<'float32'> {
  const opts: MatMulOptions = checkOptions(options, MATMUL_OPTIONS);
  const at = checkFloat32Matrix(a, 'a', owner);
  const transposeA = checkBool(opts.transposeA, 'options.transposeA');
  const transposeB = checkBool(opts.transposeB, 'options.transposeB');
  const [min, max] = clampBounds(opts.activation);
  const { m, k, n, batchA, batchB, packed, bt } = matMulOperands(owner, at, b, opts, transposeA, transposeB,
    PackedMatrix, (x) => checkFloat32Matrix(x, 'b', owner));
  const bias = checkBias(opts.bias, n, owner);
  if (bias && packed?.bias) throw new ValueError('options.bias', 'no bias (these packed weights carry one from prepack)', 'a bias');
  const batch = broadcastBatch(batchA, batchB);
  const batches = batch.reduce((x, y) => x * y, 1);

  const dev = owner.device;
  const out = dev.alloc(batches * m * n * 4, 'output');
  const result = new Tensor(owner, 'float32' as const, [...batch, m, n], out);
  if (batches * m * n === 0) return result;
  let scratch: Block | null = null;
  const bBatches = batchB.reduce((x, y) => x * y, 1);
  const fold = !transposeA && bBatches === 1;
  try {
    let w: Block | null = null;
    let layout: WeightLayout = 'panels';
    if (packed) {
      w = packed.block;
      layout = layoutFor(fold ? batches * m : m, n);
      if (packed.layout !== layout) { dev.regroup(w, n, k, layout); packed.layout = layout; }
      const wantBias = bias ?? packed.bias;
      if (packed.slotBias !== wantBias) { dev.setPackedBias(w, n, k, wantBias, layout); packed.slotBias = wantBias; }
    }
    const steps = fold ? 1 : batches;
    if (steps > 1 && dev.gemmBatched({ batches: steps, m, n, k, a: at.block, aOff: (i) => sourceIndex(i, batch, batchA) * m * k * 4, transposeA,
      b: bt ? bt.block : null, bOff: (i) => sourceIndex(i, batch, batchB) * k * n * 4, transposeB, bias, w, c: out, min, max })) return result;
    if (!w) w = scratch = dev.alloc(dev.packedGemmBytes(n, k), 'packed b (scratch)');
    let lastB = -1;
    for (let i = 0; i < steps; i++) {
      if (bt) {
        const bi = fold ? 0 : sourceIndex(i, batch, batchB);
        if (bi !== lastB) {
          dev.packGemm(bt.block, bi * k * n * 4, k, n, transposeB, w);
          dev.setPackedBias(w, n, k, bias);
          lastB = bi;
        }
      }
      // Folding: when B has a single batch, A's batches are consecutive rows of one taller
      // matrix and one GEMM covers the whole output.
      const ai = fold ? 0 : sourceIndex(i, batch, batchA);
      dev.gemm({ m: fold ? batches * m : m, n, k, a: at.block, aOff: ai * m * k * 4, transposeA,
        w, c: out, cOff: i * m * n * 4, min, max, layout });
    }
  } catch (e) {
    result.dispose();
    throw e;
  } finally {
    if (scratch) dev.free(scratch);
  }
  return result;
}
