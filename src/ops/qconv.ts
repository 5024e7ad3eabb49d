// qConv2d and qDepthwiseConv2d: quantized convolution, NHWC activations (int8 or uint8, per
// tensor), int8 filters (per output channel or per tensor; uint8 with a zero point for ONNX
// ConvInteger/QLinearConv models) or symmetric int4/int2 filters, grouped or not, int32 accumulation, the requantization of qMatMul
// (src/ops/qmatmul.ts, docs/quant.md). Built on the convolution engine's indirection buffers
// (bindings/conv.ts): padding taps read a row of the input zero point, so they add exactly 0.
import type { Block } from '../../bindings/device.js';
import { packQConvWeights, packQDwWeights, qConvWeightBytes, qDwWeightBytes, runQConv } from '../../bindings/quant.js';
import { DTypeError, ShapeError, ValueError } from '../errors.js';
import { Tensor, type Owner } from '../tensor.js';
import type { Activation } from './matmul.js';
import { geometry, type Padding } from './conv.js';
import { checkOptions } from './options.js';
import { OUTPUT_OPTIONS, withPackedPlan } from './qmatmul.js';
import { QuantizedTensor, type PackedWeights } from '../quant/tensor.js';
import { checkQuantized } from '../quant/quantize.js';

interface QConvCommon {
  strides?: number | readonly [number, number];
  pad?: Padding;
  dilations?: number | readonly [number, number];
  /** int32 bias per output channel, in units of s_x · s_w[c]. */
  bias?: Int32Array | Tensor | readonly number[];
  outScale?: number;
  outZeroPoint?: number;
  outType?: 'int8' | 'uint8';
  requant?: 'fp32' | 'dyadic';
  dyadic?: { multiplier: ArrayLike<number>; shift: number | ArrayLike<number> };
  activation?: Activation;
  /** 'int32': the exact accumulators (ONNX ConvInteger). */
  output?: 'quantized' | 'int32';
}

export interface QConv2DOptions extends QConvCommon {
  /** Filter layout: 'OHWI' (default) or 'OIHW' (ONNX, PyTorch). Per-channel filters quantize on axis 0. */
  filterLayout?: 'OHWI' | 'OIHW';
  /** Groups (default 1): input and output channels split into this many independent convolutions. */
  groups?: number;
}

export interface QDepthwiseConv2DOptions extends QConvCommon {
  /** Filter layout: 'HWC' (default, [kh, kw, channels], per channel on axis 2) or 'OIHW' ([channels, 1, kh, kw], axis 0). */
  filterLayout?: 'HWC' | 'OIHW';
}

const common = ['strides', 'pad', 'dilations', ...OUTPUT_OPTIONS, 'filterLayout'];

function checkInputs(owner: Owner, x: unknown, w: unknown): { qx: QuantizedTensor; qw: QuantizedTensor } {
  const qx = checkQuantized(x, 'x', owner);
  const qw = checkQuantized(w, 'filter', owner);
  if (qx.bits !== 8) throw new DTypeError('x.type', "'int8' or 'uint8' activations", qx.type);
  if (qx.axis !== null) throw new ValueError('x.axis', 'per-tensor activations (quantized without axis)', qx.axis);
  if (qx.dims.length !== 4) throw new ShapeError('x.dims', 'rank 4 [batch, height, width, channels] (NHWC)', qx.dims);
  if (qw.bits !== 8 && qw.zeroPoint.some((z) => z !== 0)) {
    throw new ValueError('filter.zeroPoint', `0 for ${qw.type} filters (symmetric)`, Array.from(qw.zeroPoint));
  }
  return { qx, qw };
}

/** Logical filter values (zero point removed) in [co][ks][ci] order, with per-column stats. */
function packedFilter(owner: Owner, qw: QuantizedTensor, key: string, co: number, ks: number, ci: number,
  at: (o: number, s: number, c: number) => number, chanAxis: number | null, depthwise: boolean, groups = 1): PackedWeights {
  const hit = qw.packed.get(key);
  if (hit) return hit;
  const v = qw.data;
  const vals = new Int16Array(co * ks * ci);
  const colSum = new Int32Array(co), colMaxAbs = new Int32Array(co), scale = new Float32Array(co);
  for (let o = 0; o < co; o++) {
    const ch = chanAxis === null ? 0 : o;
    const zp = qw.zeroPoint[ch];
    scale[o] = qw.scale[ch];
    let sum = 0, mx = 0;
    for (let s = 0; s < ks; s++) {
      for (let c = 0; c < ci; c++) {
        const x = v[at(o, s, c)] - zp;
        vals[(o * ks + s) * ci + c] = x;
        sum += x;
        if (Math.abs(x) > mx) mx = Math.abs(x);
      }
    }
    colSum[o] = sum; colMaxAbs[o] = mx;
  }
  const dev = owner.device;
  let block: Block;
  if (depthwise) {
    // Depthwise filters are small (ks values per channel): int4/int2 ones are widened here too.
    const hwc = new Int16Array(ks * co);
    for (let o = 0; o < co; o++) for (let s = 0; s < ks; s++) hwc[s * co + o] = vals[o * ks + s];
    block = dev.alloc(qDwWeightBytes(co, ks), 'packed quantized filter');
    packQDwWeights(dev.viewU8(block), co, ks, hwc);
  } else {
    const bits = qw.bits;
    block = dev.alloc(groups * qConvWeightBytes(co / groups, ks, ci, bits), 'packed quantized filter');
    packQConvWeights(dev.viewU8(block), co, ks, ci, vals, bits, groups);
  }
  const packed: PackedWeights = { block, k: ks * ci, n: co, colSum, colMaxAbs, scale, gemv: null, plans: new Map() };
  qw.packed.set(key, packed);
  return packed;
}

/** The geometry is checked before the filter is packed, the output options after (withPackedPlan). */
function run(owner: Owner, qx: QuantizedTensor, qw: QuantizedTensor, key: string, pack: () => PackedWeights, o: Record<string, unknown>,
  co: number, kh: number, kw: number, depthwise: boolean, groups = 1): QuantizedTensor | Tensor<'int32'> {
  const g = geometry(qx.dims, co, kh, kw, depthwise ? co : groups, o);
  return withPackedPlan(owner, qx, qw, key, pack, co, o, [g.n, g.oh, g.ow, co], (packed, plan, out) => runQConv(owner.device, plan,
    { g, depthwise, x: qx.block, aSigned: qx.type === 'int8', zeroPoint: qx.zeroPoint[0], w: packed.block, bits: qw.bits, out }));
}

/** Quantized 2-D convolution: x [n, h, w, ci] NHWC, filter [co, kh, kw, ci / groups] (OHWI) or OIHW. */
export function qConv2d(owner: Owner, x: unknown, filter: unknown, options?: QConv2DOptions): QuantizedTensor | Tensor<'int32'> {
  const o = checkOptions(options, [...common, 'groups']);
  const { qx, qw } = checkInputs(owner, x, filter);
  const layout = o.filterLayout ?? 'OHWI';
  if (layout !== 'OHWI' && layout !== 'OIHW') throw new ValueError('options.filterLayout', "'OHWI' or 'OIHW'", layout);
  if (qw.dims.length !== 4) throw new ShapeError('filter.dims', `rank 4 (${layout})`, qw.dims);
  if (qw.axis !== null && qw.axis !== 0) throw new ValueError('filter.axis', 'per-channel quantization on axis 0 (output channels) or per tensor', qw.axis);
  const d = qw.dims;
  const groups = o.groups ?? 1;
  if (typeof groups !== 'number' || !Number.isInteger(groups) || groups < 1) throw new ValueError('options.groups', 'a positive integer', groups);
  const [co, kh, kw, ci] = layout === 'OHWI' ? d : [d[0], d[2], d[3], d[1]];
  if (co === 0 || kh === 0 || kw === 0 || ci === 0) throw new ShapeError('filter.dims', 'no zero dimension', d);
  if (co % groups !== 0) throw new ValueError('options.groups', `a divisor of the ${co} output channels`, groups);
  if (ci * groups !== qx.dims[3]) {
    throw new ShapeError('x.dims[3]', `${ci * groups} input channels (the filter's ${ci} per group × ${groups} groups)`, qx.dims[3]);
  }
  const ks = kh * kw;
  const at = layout === 'OHWI' ? (oc: number, s: number, c: number) => (oc * ks + s) * ci + c
    : (oc: number, s: number, c: number) => (oc * ci + c) * ks + s;
  const key = `conv-${layout}-${groups}`;
  return run(owner, qx, qw, key, () => packedFilter(owner, qw, key, co, ks, ci, at, qw.axis, false, groups), o, co, kh, kw, false, groups);
}

/** Quantized depthwise convolution (multiplier 1): filter [kh, kw, c] (HWC) or [c, 1, kh, kw] (OIHW). */
export function qDepthwiseConv2d(owner: Owner, x: unknown, filter: unknown, options?: QDepthwiseConv2DOptions): QuantizedTensor | Tensor<'int32'> {
  const o = checkOptions(options, common);
  const { qx, qw } = checkInputs(owner, x, filter);
  const layout = o.filterLayout ?? 'HWC';
  if (layout !== 'HWC' && layout !== 'OIHW') throw new ValueError('options.filterLayout', "'HWC' or 'OIHW'", layout);
  const d = qw.dims;
  const c = qx.dims[3];
  let kh: number, kw: number, chAxis: number;
  if (layout === 'HWC') {
    if (d.length !== 3) throw new ShapeError('filter.dims', 'rank 3 [kh, kw, channels] (HWC)', d);
    [kh, kw] = d; chAxis = 2;
    if (d[2] !== c) throw new ShapeError('filter.dims[2]', `${c} channels (x's)`, d[2]);
  } else {
    if (d.length !== 4 || d[1] !== 1) throw new ShapeError('filter.dims', '[channels, 1, kh, kw] (OIHW, multiplier 1)', d);
    [, , kh, kw] = d; chAxis = 0;
    if (d[0] !== c) throw new ShapeError('filter.dims[0]', `${c} channels (x's)`, d[0]);
  }
  if (d.some((v) => v === 0)) throw new ShapeError('filter.dims', 'no zero dimension', d);
  if (qw.axis !== null && qw.axis !== chAxis) throw new ValueError('filter.axis', `per-channel quantization on axis ${chAxis} or per tensor`, qw.axis);
  const ks = kh * kw;
  const at = layout === 'HWC' ? (oc: number, s: number) => s * c + oc : (oc: number, s: number) => oc * ks + s;
  const key = `dw-${layout}`;
  return run(owner, qx, qw, key, () => packedFilter(owner, qw, key, c, ks, 1, at, qw.axis, true), o, c, kh, kw, true);
}
