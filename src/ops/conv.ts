// conv2d, depthwiseConv2d and prepackConv: validation, geometry and weight packing around the
// convolution drivers of bindings/conv.ts. Activations NHWC, filters OHWI (converters for OIHW,
// HWIO and the depthwise HWCM layout). Every argument is checked before anything is allocated
// or written, so a failed call leaves memory and every tensor as they were.
import type { Block } from '../../bindings/device.js';
import { conv2d as runConv, IndirectionCache, packConv, packedConvBytes, packingOf, setConvBias,
  type ConvGeometry } from '../../bindings/conv.js';
import { DTypeError, ShapeError, ValueError } from '../errors.js';
import { checkTensor, Tensor, type Owner } from '../tensor.js';
import { PackedWeights } from '../packed.js';
import { checkNumbers, checkOptions } from './options.js';
import { clampBounds, type Activation } from './matmul.js';
import { depthwiseToOHWI, filterToOHWI, type DepthwiseFilterLayout, type FilterLayout } from '../layout.js';

/** 'same': output = ceil(input / stride), extra padding at the bottom/right (TensorFlow, ONNX SAME_UPPER). */
export type Padding = 'same' | 'valid' | number | readonly [top: number, bottom: number, left: number, right: number];

export interface Conv2DOptions {
  /** Default 1. A number or [height, width]. */
  strides?: number | readonly [number, number];
  /** Default 'valid'. */
  pad?: Padding;
  /** Default 1. A number or [height, width]. */
  dilations?: number | readonly [number, number];
  /** Default 1; must divide the input and output channels. Fixed at prepack time for packed filters. */
  groups?: number;
  /** One value per output channel. Not allowed with packed filters that carry one. */
  bias?: Tensor | Float32Array | readonly number[];
  activation?: Activation;
  /** Layout of a filter tensor: 'OHWI' (default), 'OIHW' (PyTorch, ONNX) or 'HWIO' (tfjs). */
  filterLayout?: FilterLayout;
}

export interface DepthwiseConv2DOptions {
  strides?: number | readonly [number, number];
  pad?: Padding;
  dilations?: number | readonly [number, number];
  bias?: Tensor | Float32Array | readonly number[];
  activation?: Activation;
  /** 'HWCM' (default: [kh, kw, channels, multiplier], or [kh, kw, channels]) or 'OIHW' ([channels·multiplier, 1, kh, kw]). */
  filterLayout?: DepthwiseFilterLayout;
}

export interface PrepackConvOptions {
  /** Default 1 (ignored with depthwise: groups = channels). */
  groups?: number;
  bias?: Tensor | Float32Array | readonly number[];
  /** A depthwise filter (layouts of DepthwiseConv2DOptions.filterLayout). */
  depthwise?: boolean;
  /**
   * Depthwise 'OIHW' filters only: output channels per input channel (default 1). [C·M, 1, kh, kw]
   * names C·M but not C; depthwiseConv2d learns C from x, prepackConv from this.
   */
  multiplier?: number;
  filterLayout?: FilterLayout | DepthwiseFilterLayout;
}

/** Convolution weights packed once for the kernels (and the indirection buffers of the shapes seen). */
export class PackedConv extends PackedWeights {
  readonly outChannels: number;
  readonly kernelHeight: number;
  readonly kernelWidth: number;
  /** Input channels per group. */
  readonly groupChannels: number;
  readonly groups: number;
  /** Input channels the filter expects (groups · groupChannels). */
  get inChannels(): number { return this.groups * this.groupChannels; }
  /** @internal */ readonly packing: 'panels' | 'dwconv';
  /** @internal */ readonly bias: Float32Array | null;
  /** @internal What the packed bias slots hold now (null: zeros). */
  slotBias: Float32Array | null;
  /** @internal */ readonly cache: IndirectionCache;

  /** @internal Use `lw.prepackConv(...)`. */
  constructor(owner: Owner, dims: readonly number[], groups: number, block: Block, bias: Float32Array | null) {
    super(owner, block);
    [this.outChannels, this.kernelHeight, this.kernelWidth, this.groupChannels] = dims;
    this.groups = groups;
    this.packing = packingOf(groups * this.groupChannels, this.outChannels, groups);
    this.bias = bias;
    this.slotBias = bias;
    this.cache = new IndirectionCache(owner.device);
  }

  /** @internal */
  protected freeExtra(): void { this.cache.clear(); }
}

// ---------------------------------------------------------------------------------------------
// Argument checks (shared with pooling)

const isPosInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;

export function checkPair(v: unknown, arg: string, dflt: number): [number, number] {
  if (v === undefined) return [dflt, dflt];
  if (isPosInt(v)) return [v, v];
  if (Array.isArray(v) && v.length === 2 && isPosInt(v[0]) && isPosInt(v[1])) return [v[0], v[1]];
  throw new ValueError(arg, 'a positive integer or [height, width] of positive integers', v);
}

export function checkX(x: unknown, owner: Owner, arg = 'x'): Tensor<'float32'> {
  const t = checkTensor(x, arg, owner);
  if (t.type !== 'float32') throw new DTypeError(`${arg}.type`, 'float32', t.type);
  if (t.dims.length !== 4) throw new ShapeError(`${arg}.dims`, 'rank 4 [batch, height, width, channels] (NHWC)', t.dims);
  return t as Tensor<'float32'>;
}

const I32_MAX = 0x7fffffff;

/**
 * Output size and padding of one spatial axis. Explicit padding must be smaller than the
 * dilated window (a larger one would make outputs that see only padding). The kernels take the
 * geometry as int32 and compute input rows as o·s − lo + k·d, which lie in [−lo, input + hi):
 * the stride, the dilated window and the padded input must all fit in an int32.
 */
function axis(input: number, k: number, s: number, d: number, pad: 'same' | 'valid' | [number, number], arg: string, xArg: string, windowArg: string): [number, number, number] {
  if (s > I32_MAX) throw new ValueError('options.strides', 'strides of at most 2^31 − 1', s);
  const eff = (k - 1) * d + 1;
  const [wArg, wGot] = d > 1 ? ['options.dilations', d] : [windowArg, k];
  if (eff > I32_MAX) {
    throw new ValueError(wArg, `a dilated window (size − 1)·dilation + 1 of at most 2^31 − 1`, wGot, `size ${k}, dilation ${d}: window ${eff}`);
  }
  let lo: number, hi: number, out: number;
  if (pad === 'same') {
    out = Math.ceil(input / s);
    const total = Math.max(0, (out - 1) * s + eff - input);
    lo = Math.floor(total / 2); hi = total - lo;
  } else {
    [lo, hi] = pad === 'valid' ? [0, 0] : pad;
    if (lo >= eff || hi >= eff) {
      throw new ValueError(arg, `padding below the dilated window size ${eff} on each side`, pad);
    }
    out = Math.floor((input + lo + hi - eff) / s) + 1;
  }
  if (input + lo + hi > I32_MAX) {
    throw new ValueError(pad === 'same' ? wArg : arg, 'an input of at most 2^31 − 1 with its padding', pad === 'same' ? wGot : pad,
      `${input} + ${lo} + ${hi}`);
  }
  if (!(out >= 1)) {
    throw new ShapeError(xArg, `a spatial size of at least ${eff - lo - hi} (window ${eff} with padding ${lo}+${hi})`, input,
      `output size would be ${out}`);
  }
  return [out, lo, hi];
}

export function checkPad(v: unknown, arg: string): 'same' | 'valid' | [number, number, number, number] {
  if (v === undefined || v === 'valid') return 'valid';
  if (v === 'same') return 'same';
  const nonNeg = (p: unknown) => typeof p === 'number' && Number.isSafeInteger(p) && p >= 0;
  if (nonNeg(v)) return [v as number, v as number, v as number, v as number];
  if (Array.isArray(v) && v.length === 4 && v.every(nonNeg)) return v.slice() as [number, number, number, number];
  throw new ValueError(arg, "'same', 'valid', a non-negative integer or [top, bottom, left, right]", v);
}

/** The full geometry of a 2-D window op, checked. */
export function geometry(xDims: readonly number[], co: number, kh: number, kw: number, groups: number,
  o: { strides?: unknown; dilations?: unknown; pad?: unknown }, windowArg = 'filter.dims'): ConvGeometry {
  const [n, ih, iw, ci] = xDims;
  const [sh, sw] = checkPair(o.strides, 'options.strides', 1);
  const [dh, dw] = checkPair(o.dilations, 'options.dilations', 1);
  const pad = checkPad(o.pad, 'options.pad');
  const [oh, pt, pb] = axis(ih, kh, sh, dh, pad === 'same' || pad === 'valid' ? pad : [pad[0], pad[1]], 'options.pad', 'x.dims[1] (height)', windowArg);
  const [ow, pl, pr] = axis(iw, kw, sw, dw, pad === 'same' || pad === 'valid' ? pad : [pad[2], pad[3]], 'options.pad', 'x.dims[2] (width)', windowArg);
  return { n, ih, iw, ci, oh, ow, co, kh, kw, sh, sw, dh, dw, pt, pb, pl, pr, groups };
}

export function checkBias(bias: unknown, n: number, owner: Owner, arg = 'options.bias'): Float32Array | null {
  if (bias === undefined || bias === null) return null;
  if (bias instanceof Tensor) {
    checkTensor(bias, arg, owner);
    if (bias.type !== 'float32') throw new DTypeError(`${arg}.type`, 'float32', bias.type);
    if (bias.size !== n || bias.dims.length !== 1) throw new ShapeError(`${arg}.dims`, `[${n}]`, bias.dims);
    return bias.read() as Float32Array;
  }
  if (bias instanceof Float32Array) {
    if (bias.length !== n) throw new ShapeError(`${arg}.length`, String(n), bias.length);
    return bias.slice();
  }
  if (Array.isArray(bias)) {
    if (bias.length !== n) throw new ShapeError(`${arg}.length`, String(n), bias.length);
    checkNumbers(bias, arg);
    return Float32Array.from(bias as number[]);
  }
  throw new DTypeError(arg, 'a float32 Tensor, a Float32Array or an array of numbers', bias);
}

function checkGroups(v: unknown, arg: string): number {
  if (v === undefined) return 1;
  if (!isPosInt(v)) throw new ValueError(arg, 'a positive integer', v);
  return v;
}

function checkLayout<T extends string>(v: unknown, allowed: readonly T[], arg: string): T {
  if (v === undefined) return allowed[0];
  if (!allowed.includes(v as T)) throw new ValueError(arg, allowed.map((a) => `'${a}'`).join(' or '), v);
  return v as T;
}

function checkFilter(f: unknown, owner: Owner): Tensor<'float32'> {
  const t = checkTensor(f, 'filter', owner);
  if (t.type !== 'float32') throw new DTypeError('filter.type', 'float32', t.type);
  return t as Tensor<'float32'>;
}

/** A filter tensor as OHWI data and dims, checked against its layout and groups. */
function ohwiOf(filter: Tensor<'float32'>, layout: FilterLayout): { data: Float32Array; dims: number[] } {
  if (filter.dims.length !== 4) {
    throw new ShapeError('filter.dims', `rank 4 (${layout})`, filter.dims);
  }
  if (filter.dims.some((d) => d === 0)) throw new ShapeError('filter.dims', 'no zero dimension', filter.dims);
  return filterToOHWI(filter.read() as Float32Array, filter.dims, layout);
}

/**
 * Refuses packed weights that are not depthwise over c channels (both float types), naming the
 * `multiplier` option when an OIHW filter packed with multiplier 1 explains the mismatch.
 */
export function checkDepthwisePacked(w: { groups: number; groupChannels: number }, c: number): void {
  const { groups, groupChannels } = w;
  if (groupChannels === 1 && groups === c) return;
  throw new ShapeError('filter', `depthwise packed weights for ${c} channels`, `packed weights with ${groups} groups of ${groupChannels} channels`,
    groupChannels === 1 && groups > c && groups % c === 0
      ? `an OIHW filter of multiplier ${groups / c} is prepacked with prepackConv(filter, { depthwise: true, filterLayout: 'OIHW', multiplier: ${groups / c} })`
      : undefined);
}

function dwOhwiOf(filter: Tensor<'float32'>, layout: DepthwiseFilterLayout): { data: Float32Array; dims: number[] } {
  const r = filter.dims.length;
  if (layout === 'OIHW' ? r !== 4 || filter.dims[1] !== 1 : r !== 4 && r !== 3) {
    throw new ShapeError('filter.dims', layout === 'OIHW' ? '[channels·multiplier, 1, kh, kw] (OIHW)'
      : '[kh, kw, channels, multiplier] or [kh, kw, channels] (HWCM)', filter.dims);
  }
  if (filter.dims.some((d) => d === 0)) throw new ShapeError('filter.dims', 'no zero dimension', filter.dims);
  return depthwiseToOHWI(filter.read() as Float32Array, filter.dims, layout);
}

function pack(owner: Owner, ohwi: { data: Float32Array; dims: number[] }, groups: number, bias: Float32Array | null): PackedConv {
  const [co, kh, kw, cig] = ohwi.dims;
  const packing = packingOf(cig * groups, co, groups);
  const dev = owner.device;
  const block = dev.alloc(packedConvBytes(co, kh, kw, cig, groups, packing), 'packed filter');
  try {
    packConv(dev, ohwi.data, bias, co, kh, kw, cig, groups, packing, block);
  } catch (e) {
    dev.free(block);
    throw e;
  }
  return new PackedConv(owner, ohwi.dims, groups, block, bias);
}

function checkGroupsFit(co: number, groups: number, arg: string): void {
  if (co % groups !== 0) {
    throw new ShapeError('filter.dims', `output channels divisible by groups = ${groups}`, co, `via ${arg}`);
  }
}

/** The options prepackConv takes, for float32 and float16 filters. */
export const PREPACK_CONV_OPTIONS = ['groups', 'bias', 'depthwise', 'filterLayout', 'multiplier'];

export function prepackConv(owner: Owner, filter: unknown, options?: PrepackConvOptions): PackedConv {
  const o = checkOptions(options, PREPACK_CONV_OPTIONS);
  const f = checkFilter(filter, owner);
  if (o.depthwise !== undefined && typeof o.depthwise !== 'boolean') throw new ValueError('options.depthwise', 'a boolean', o.depthwise);
  let ohwi: { data: Float32Array; dims: number[] }, groups: number;
  if (o.depthwise) {
    if (o.groups !== undefined) throw new ValueError('options.groups', 'no groups with depthwise (groups = channels)', o.groups);
    const layout = checkLayout<DepthwiseFilterLayout>(o.filterLayout, ['HWCM', 'OIHW'], 'options.filterLayout');
    ohwi = dwOhwiOf(f, layout);
    // HWCM names its channels; an OIHW depthwise filter [C·M, 1, kh, kw] takes M from options.multiplier.
    if (o.multiplier !== undefined && layout !== 'OIHW') {
      throw new ValueError('options.multiplier', "omitted unless filterLayout is 'OIHW' (HWCM filters name their multiplier)", o.multiplier);
    }
    const m = o.multiplier ?? 1;
    if (typeof m !== 'number' || !Number.isInteger(m) || m < 1) throw new ValueError('options.multiplier', 'a positive integer', m);
    if (layout === 'OIHW' && ohwi.dims[0] % m !== 0) {
      throw new ShapeError('filter.dims[0]', `a multiple of options.multiplier = ${m} (channels · multiplier)`, ohwi.dims[0]);
    }
    groups = layout === 'HWCM' ? f.dims[2] : ohwi.dims[0] / m;
  } else {
    if (o.multiplier !== undefined) throw new ValueError('options.multiplier', "omitted unless depthwise: true with filterLayout 'OIHW'", o.multiplier);
    groups = checkGroups(o.groups, 'options.groups');
    ohwi = ohwiOf(f, checkLayout<FilterLayout>(o.filterLayout, ['OHWI', 'OIHW', 'HWIO'], 'options.filterLayout'));
    checkGroupsFit(ohwi.dims[0], groups, 'options.groups');
  }
  const bias = checkBias(o.bias, ohwi.dims[0], owner);
  return pack(owner, ohwi, groups, bias);
}

/** Runs a convolution with packed weights (checked by the caller), allocating the output. */
function execute(owner: Owner, x: Tensor<'float32'>, w: PackedConv, o: Record<string, unknown>, bias: Float32Array | null,
  min: number, max: number): Tensor<'float32'> {
  const ci = x.dims[3];
  if (ci !== w.inChannels) {
    throw new ShapeError('x.dims[3]', `${w.inChannels} input channels (filter: ${w.groupChannels} per group × ${w.groups} groups)`, ci);
  }
  const g = geometry(x.dims, w.outChannels, w.kernelHeight, w.kernelWidth, w.groups, o);
  if (bias && w.bias) throw new ValueError('options.bias', 'no bias (these packed weights carry one from prepackConv)', 'a bias');
  const dev = owner.device;
  const out = dev.alloc(g.n * g.oh * g.ow * g.co * 4, 'output');
  const result = new Tensor(owner, 'float32', [g.n, g.oh, g.ow, g.co], out);
  try {
    const want = bias ?? w.bias;
    if (w.slotBias !== want) {
      setConvBias(dev, w.block, want, w.outChannels, w.kernelHeight * w.kernelWidth, w.groupChannels, w.groups, w.packing);
      w.slotBias = want;
    }
    runConv(dev, { geometry: g, x: x.block, w: w.block, out, min, max, cache: w.cache });
  } catch (e) {
    result.dispose();
    throw e;
  }
  return result;
}

/** The options conv2d takes (the float16 path adds precision). */
export const CONV_OPTIONS = ['strides', 'pad', 'dilations', 'groups', 'bias', 'activation', 'filterLayout'];

export function conv2d(owner: Owner, x: unknown, filter: unknown, options?: Conv2DOptions): Tensor<'float32'> {
  const o = checkOptions(options, CONV_OPTIONS);
  const xt = checkX(x, owner);
  const [min, max] = clampBounds(o.activation);
  if (filter instanceof PackedConv) {
    filter.check('filter');
    if (filter.owner !== owner) throw new ValueError('filter', 'packed weights made by this Lanewise instance', 'packed weights of another instance');
    if (o.groups !== undefined && o.groups !== filter.groups) {
      throw new ValueError('options.groups', `${filter.groups} (fixed when the filter was prepacked) or omitted`, o.groups);
    }
    if (o.filterLayout !== undefined) throw new ValueError('options.filterLayout', 'omitted with packed weights', o.filterLayout);
    geometry(xt.dims, filter.outChannels, filter.kernelHeight, filter.kernelWidth, filter.groups, o);
    const bias = checkBias(o.bias, filter.outChannels, owner);
    return execute(owner, xt, filter, o, bias, min, max);
  }
  const f = checkFilter(filter, owner);
  const groups = checkGroups(o.groups, 'options.groups');
  const layout = checkLayout<FilterLayout>(o.filterLayout, ['OHWI', 'OIHW', 'HWIO'], 'options.filterLayout');
  if (f.dims.length !== 4) throw new ShapeError('filter.dims', `rank 4 (${layout})`, f.dims);
  const dimsOHWI = layout === 'OHWI' ? f.dims : layout === 'OIHW' ? [f.dims[0], f.dims[2], f.dims[3], f.dims[1]]
    : [f.dims[3], f.dims[0], f.dims[1], f.dims[2]];
  const [co, kh, kw, cig] = dimsOHWI;
  if (dimsOHWI.some((d) => d === 0)) throw new ShapeError('filter.dims', 'no zero dimension', f.dims);
  checkGroupsFit(co, groups, 'options.groups');
  if (cig * groups !== xt.dims[3]) {
    throw new ShapeError('x.dims[3]', `${cig * groups} input channels (filter: ${cig} per group × ${groups} groups, ${layout})`, xt.dims[3]);
  }
  geometry(xt.dims, co, kh, kw, groups, o);
  const bias = checkBias(o.bias, co, owner);
  const w = pack(owner, ohwiOf(f, layout), groups, bias);
  try {
    return execute(owner, xt, w, o, null, min, max);
  } finally {
    w.dispose();
  }
}

/** The options depthwiseConv2d takes (the float16 path adds precision). */
export const DEPTHWISE_OPTIONS = ['strides', 'pad', 'dilations', 'bias', 'activation', 'filterLayout'];

/**
 * Depthwise convolution: each input channel c convolved with its own `multiplier` filters, giving
 * output channels c·multiplier + j. A packed filter from prepackConv({ depthwise: true }) works too.
 */
export function depthwiseConv2d(owner: Owner, x: unknown, filter: unknown, options?: DepthwiseConv2DOptions): Tensor<'float32'> {
  const o = checkOptions(options, DEPTHWISE_OPTIONS);
  const xt = checkX(x, owner);
  const [min, max] = clampBounds(o.activation);
  const c = xt.dims[3];
  if (filter instanceof PackedConv) {
    filter.check('filter');
    if (filter.owner !== owner) throw new ValueError('filter', 'packed weights made by this Lanewise instance', 'packed weights of another instance');
    checkDepthwisePacked(filter, c);
    if (o.filterLayout !== undefined) throw new ValueError('options.filterLayout', 'omitted with packed weights', o.filterLayout);
    geometry(xt.dims, filter.outChannels, filter.kernelHeight, filter.kernelWidth, filter.groups, o);
    return execute(owner, xt, filter, o, checkBias(o.bias, filter.outChannels, owner), min, max);
  }
  const f = checkFilter(filter, owner);
  const layout = checkLayout<DepthwiseFilterLayout>(o.filterLayout, ['HWCM', 'OIHW'], 'options.filterLayout');
  const d = f.dims;
  let kh: number, kw: number, co: number;
  if (layout === 'OIHW') {
    if (d.length !== 4 || d[1] !== 1) throw new ShapeError('filter.dims', '[channels·multiplier, 1, kh, kw] (OIHW)', d);
    if (d[0] % c !== 0) throw new ShapeError('filter.dims[0]', `a multiple of the ${c} input channels`, d[0]);
    [co, kh, kw] = [d[0], d[2], d[3]];
  } else {
    if (d.length !== 4 && d.length !== 3) throw new ShapeError('filter.dims', '[kh, kw, channels, multiplier] or [kh, kw, channels] (HWCM)', d);
    if (d[2] !== c) throw new ShapeError('x.dims[3]', `${d[2]} channels (filter.dims[2])`, c);
    [kh, kw, co] = [d[0], d[1], d[2] * (d[3] ?? 1)];
  }
  if (d.some((v) => v === 0)) throw new ShapeError('filter.dims', 'no zero dimension', d);
  geometry(xt.dims, co, kh, kw, c, o);
  const bias = checkBias(o.bias, co, owner);
  const w = pack(owner, dwOhwiOf(f, layout), c, bias);
  try {
    return execute(owner, xt, w, o, null, min, max);
  } finally {
    w.dispose();
  }
}
