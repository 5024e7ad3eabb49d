// conv2d / depthwiseConv2d / prepackConv for float16 tensors, precision 'f16' or 'f16-exact'
// (docs/f16.md). Filters are validated, laid out and packed by src/ops/conv.ts on their exact
// float32 image, then the packed weights are narrowed to binary16 (half the bytes; exact, the
// values are binary16). The kernels: bindings/f16.ts (widen, the f32 convolution drivers,
// narrow; or im2col + the exact f16 GEMM).
import type { Block } from '../../bindings/device.js';
import { convert, f16Conv, type F16Precision } from '../../bindings/f16.js';
import { IndirectionCache } from '../../bindings/conv.js';
import { DTypeError, ShapeError, ValueError } from '../errors.js';
import { checkTensor, filling, Tensor, type Owner } from '../tensor.js';
import { PackedWeights } from '../packed.js';
import { checkHalfBias, halfBounds } from './f16matmul.js';
import { cast } from './cast.js';
import { checkOptions } from './options.js';
import { checkDepthwisePacked, CONV_OPTIONS, DEPTHWISE_OPTIONS, geometry, PREPACK_CONV_OPTIONS, prepackConv, PackedConv, type Conv2DOptions, type DepthwiseConv2DOptions,
  type PrepackConvOptions } from './conv.js';

export type F16ConvOptions = Conv2DOptions & { precision?: 'f32' | F16Precision };
export type F16DepthwiseOptions = DepthwiseConv2DOptions & { precision?: 'f32' | F16Precision };

/** A convolution filter packed once, kept in binary16 (half the bytes of the float32 packing). */
export class PackedConvF16 extends PackedWeights {
  readonly type = 'float16' as const;
  readonly outChannels: number;
  readonly kernelHeight: number;
  readonly kernelWidth: number;
  readonly groupChannels: number;
  readonly groups: number;
  get inChannels(): number { return this.groups * this.groupChannels; }
  /** @internal */ readonly packing: 'panels' | 'dwconv';
  /** @internal Bias bits baked in at prepack time. */
  readonly bias: Uint16Array | null;
  /** @internal */ readonly cache: IndirectionCache;

  /** @internal */
  constructor(owner: Owner, from: PackedConv, block: Block, bias: Uint16Array | null) {
    super(owner, block);
    this.outChannels = from.outChannels; this.kernelHeight = from.kernelHeight; this.kernelWidth = from.kernelWidth;
    this.groupChannels = from.groupChannels; this.groups = from.groups; this.packing = from.packing;
    this.bias = bias;
    this.cache = new IndirectionCache(owner.device);
  }

  /** @internal */
  protected freeExtra(): void { this.cache.clear(); }
}

const isF16 = (x: unknown) => (x instanceof Tensor && x.type === 'float16') || x instanceof PackedConvF16;

/** Whether a conv call goes to the f16 path (float16 operands, or precision 'f16' / 'f16-exact'). */
export function routesToF16Conv(x: unknown, filter: unknown, opts: unknown): boolean {
  // No options object (or not an object, which the chosen path refuses): float16 operands
  // still take the binary16 path.
  const p = typeof opts === 'object' && opts !== null ? (opts as { precision?: unknown }).precision : undefined;
  if (p !== undefined && p !== 'f32' && p !== 'f16' && p !== 'f16-exact') {
    throw new ValueError('options.precision', "'f32', 'f16' or 'f16-exact'", p);
  }
  if (p === 'f16' || p === 'f16-exact') return true;
  if (p === 'f32') {
    for (const [t, arg] of [[x, 'x'], [filter, 'filter']] as const) {
      if (isF16(t)) throw new DTypeError(`${arg}.type`, `float32 for precision 'f32' (convert with lw.cast(${arg}, 'float32'))`, 'float16');
    }
    return false;
  }
  return isF16(x) || isF16(filter);
}

/** The options object without `precision` (the f32 path does not know it). */
export function withoutPrecision<T>(opts: T): T {
  if (typeof opts !== 'object' || opts === null || !('precision' in opts)) return opts;
  const { precision: _p, ...rest } = opts as Record<string, unknown>;
  return rest as T;
}

function checkHalf(t: unknown, arg: string, owner: Owner, precision: string): Tensor<'float16'> {
  const x = checkTensor(t, arg, owner);
  if (x.type !== 'float16') {
    throw new DTypeError(`${arg}.type`, `float16 for precision '${precision}' (convert with lw.cast(${arg}, 'float16'))`, x.type);
  }
  return x as Tensor<'float16'>;
}

/** Packs a float16 filter through conv.ts's validation and packing, then narrows it to binary16. */
export function prepackConvF16(owner: Owner, filter: unknown, options?: PrepackConvOptions): PackedConvF16 {
  const o = checkOptions(options, PREPACK_CONV_OPTIONS);
  const f = checkHalf(filter, 'filter', owner, 'f16');
  const wide = cast(owner, f, 'float32');
  let p32: PackedConv | null = null;
  try {
    // The bias is validated against the output channels once they are known.
    p32 = prepackConv(owner, wide, { ...o, bias: undefined } as PrepackConvOptions);
    const bias = checkHalfBias(o.bias, p32.outChannels, owner);
    const dev = owner.device;
    const block = dev.alloc(p32.byteLength / 2, 'packed filter');
    return filling(new PackedConvF16(owner, p32, block, bias), () => convert(dev, 'float16', p32!.block, 0, block, 0, p32!.byteLength / 4));
  } finally {
    p32?.dispose();
    wide.dispose();
  }
}

const convNames = [...CONV_OPTIONS, 'precision'];
const dwNames = [...DEPTHWISE_OPTIONS, 'precision'];

function run(owner: Owner, x: unknown, filter: unknown, o: Record<string, unknown>, depthwise: boolean): Tensor<'float16'> {
  const precision: F16Precision = o.precision === 'f16-exact' ? 'f16-exact' : 'f16';
  const xt = checkHalf(x, 'x', owner, precision);
  if (xt.dims.length !== 4) throw new ShapeError('x.dims', 'rank 4 [batch, height, width, channels] (NHWC)', xt.dims);
  const [min, max] = halfBounds(o.activation);
  let w: PackedConvF16;
  let own = false;
  if (filter instanceof PackedConvF16) {
    filter.check('filter');
    if (filter.owner !== owner) throw new ValueError('filter', 'packed weights made by this Lanewise instance', 'packed weights of another instance');
    if (o.filterLayout !== undefined) throw new ValueError('options.filterLayout', 'omitted with packed weights', o.filterLayout);
    if (!depthwise && o.groups !== undefined && o.groups !== filter.groups) {
      throw new ValueError('options.groups', `${filter.groups} (fixed when the filter was prepacked) or omitted`, o.groups);
    }
    if (depthwise) checkDepthwisePacked(filter, xt.dims[3]);
    w = filter;
  } else if (filter instanceof PackedConv) {
    throw new DTypeError('filter', `a float16 filter for precision '${precision}' (prepack a float16 tensor)`, 'float32 packed weights');
  } else {
    const f = checkHalf(filter, 'filter', owner, precision);
    let groups = o.groups;
    if (depthwise) {
      const layout = o.filterLayout ?? 'HWCM';
      groups = layout === 'HWCM' ? f.dims[2] : xt.dims[3];
      if (layout === 'HWCM' && f.dims.length >= 3 && f.dims[2] !== xt.dims[3]) {
        throw new ShapeError('x.dims[3]', `${f.dims[2]} channels (filter.dims[2])`, xt.dims[3]);
      }
    }
    w = prepackConvF16(owner, f, { groups: depthwise ? undefined : groups as number | undefined, depthwise: depthwise || undefined,
      filterLayout: o.filterLayout as never });
    own = true;
    if (depthwise && o.filterLayout === 'OIHW' && w.groups !== xt.dims[3]) {
      // An OIHW depthwise filter [C·M, 1, kh, kw] is read with M = 1 by prepackConv.
      w.dispose();
      throw new ShapeError('filter.dims[0]', `${xt.dims[3]} (the input channels)`, w.outChannels);
    }
  }
  try {
    if (xt.dims[3] !== w.inChannels) {
      throw new ShapeError('x.dims[3]', `${w.inChannels} input channels (filter: ${w.groupChannels} per group × ${w.groups} groups)`, xt.dims[3]);
    }
    const g = geometry(xt.dims, w.outChannels, w.kernelHeight, w.kernelWidth, w.groups, o);
    const callBias = checkHalfBias(o.bias, w.outChannels, owner);
    if (callBias && w.bias) throw new ValueError('options.bias', 'no bias (these packed weights carry one from prepackConv)', 'a bias');
    const dev = owner.device;
    const out = dev.alloc(g.n * g.oh * g.ow * g.co * 2, 'output');
    const result = new Tensor(owner, 'float16' as const, [g.n, g.oh, g.ow, g.co], out);
    try {
      f16Conv(dev, { geometry: g, x: xt.block, w: w.block, packing: w.packing, bias: callBias ?? w.bias, out, min, max,
        precision, cache: w.cache });
    } catch (e) {
      result.dispose();
      throw e;
    }
    return result;
  } finally {
    if (own) w.dispose();
  }
}

export function conv2dF16(owner: Owner, x: unknown, filter: unknown, options?: F16ConvOptions): Tensor<'float16'> {
  return run(owner, x, filter, checkOptions(options, convNames), false);
}

export function depthwiseConv2dF16(owner: Owner, x: unknown, filter: unknown, options?: F16DepthwiseOptions): Tensor<'float16'> {
  return run(owner, x, filter, checkOptions(options, dwNames), true);
}
