// quantize, dequantize, requantize and the dyadic-multiplier helpers. Every rounding is stated
// (docs/quant.md) and done here in plain JS numbers: fl(·) is Math.fround (round to f32, ties to
// even), rne(·) rounds half to even. Matches ONNX QuantizeLinear / DequantizeLinear /
// DynamicQuantizeLinear bit for bit.
import { DTypeError, ShapeError, ValueError } from '../errors.js';
import { checkTensor, filling, Tensor, type Owner } from '../tensor.js';
import { checkOptions } from '../ops/options.js';
import { dequantize8, dequantize8Rows, minMax, minMaxRows, quantize8, quantize8Ops, quantize8Rows } from '../../bindings/quant.js';
import { QuantizedTensor, packBits, rangeOf, storageBytes, type Bits, type QuantizedType } from './tensor.js';

export interface QuantizeOptions {
  /** 8 (default), 4 or 2. */
  bits?: Bits;
  /**
   * 'symmetric': zero point 0, range ±(2^(bits−1) − 1) ([−127, 127], [−7, 7], [−1, 1]), scale
   * max|x| / qmax per tensor or per channel (2 bits: 1.4 · mean|x|, values beyond saturate). 'asymmetric': 8-bit, per tensor, the range
   * [min(0, min x), max(0, max x)] mapped onto the full integer range (ONNX DynamicQuantizeLinear).
   * Default: 'symmetric' when `axis` is given, else 'asymmetric'.
   */
  scheme?: 'symmetric' | 'asymmetric';
  /** Per-channel axis (negative counts from the end). */
  axis?: number;
  /** 8-bit storage: int8 (true) or uint8 (false). Default: true for symmetric, false for asymmetric. */
  signed?: boolean;
  /** Static quantization: use these (calibrated) parameters instead of computing them. */
  scale?: number | ArrayLike<number>;
  zeroPoint?: number | ArrayLike<number>;
}

export interface RequantizeOptions {
  scale: number;
  zeroPoint?: number;
  /** Output storage: int8 (true) or uint8 (false). Default: the input's, int8 for int4/int2. */
  signed?: boolean;
}

export const TWO31 = 2 ** 31;

/** Round half to even. */
export function rne(x: number): number {
  const f = Math.floor(x), d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

const F32_MAX = 3.4028234663852886e38;
const clamp = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);

export function checkScale(v: unknown, arg: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !(v > 0) || !(Math.fround(v) > 0) || !Number.isFinite(Math.fround(v))) {
    throw new ValueError(arg, 'a finite scale > 0 (representable as a positive f32)', v);
  }
  return Math.fround(v);
}

export function checkZeroPoint(v: unknown, arg: string, type: QuantizedType): number {
  const [lo, hi] = rangeOf(type);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
    throw new ValueError(arg, `an integer zero point in [${lo}, ${hi}] (${type})`, v);
  }
  return v;
}

function checkBits(v: unknown): Bits {
  if (v === undefined) return 8;
  if (v !== 8 && v !== 4 && v !== 2) throw new ValueError('options.bits', '8, 4 or 2', v);
  return v;
}

export function normalizeAxis(axis: unknown, rank: number, arg: string): number {
  if (typeof axis !== 'number' || !Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new ValueError(arg, `an integer axis in [${-rank}, ${rank - 1}]`, axis);
  }
  return axis < 0 ? axis + rank : axis;
}

/**
 * Fills a per-channel parameter array from a number (broadcast, checked once) or from exactly
 * out.length values, each checked by `check` under its own name (arg[c]) when per channel.
 */
function setParams(out: Float32Array | Int32Array, v: unknown, arg: string, check: (x: unknown, arg: string) => number): void {
  const count = out.length;
  if (typeof v === 'number') { out.fill(check(v, arg)); return; }
  if (v === null || typeof v !== 'object' || typeof (v as ArrayLike<number>).length !== 'number') {
    throw new ValueError(arg, 'a number or an array of numbers', v);
  }
  const a = v as ArrayLike<unknown>;
  if (a.length !== count) throw new ShapeError(`${arg}.length`, `${count} (one per channel)`, a.length);
  for (let c = 0; c < count; c++) out[c] = check(a[c], count > 1 ? `${arg}[${c}]` : arg);
}

/** The most channels a per-channel axis may have: their scales and zero points live in JS arrays. */
export const MAX_CHANNELS = 2 ** 24;

/** Refuses a per-channel axis of more than MAX_CHANNELS channels (an empty tensor may have any dims). */
function checkChannels(channels: number, axis: number | null): void {
  if (channels > MAX_CHANNELS) {
    throw new ValueError('options.axis', `an axis of at most ${MAX_CHANNELS} channels (one scale and zero point each)`, `${axis} (${channels} channels)`);
  }
}

/** Channel of flat element i: floor(i / inner) mod channels. */
export function channelStride(dims: readonly number[], axis: number | null): { inner: number; channels: number } {
  if (axis === null) return { inner: 1, channels: 1 };
  let inner = 1;
  for (let d = axis + 1; d < dims.length; d++) inner *= dims[d];
  return { inner, channels: dims[axis] };
}

/** Whether each of the `channels` channels (channels > 1) is one contiguous run of `inner` elements: axis 0. */
function channelRows(size: number, inner: number, channels: number): boolean {
  return channels > 1 && inner > 0 && inner * channels === size;
}

/**
 * Calls fn(c, start, end) for each run of elements [start, end) that share channel c: runs of
 * `inner` elements (channelStride), one run for a per-tensor tensor. The per-element loops keep
 * their order, without a division per element to find the channel.
 */
function channelRuns(length: number, inner: number, channels: number, fn: (c: number, start: number, end: number) => void): void {
  const run = channels === 1 ? length : inner;
  for (let i0 = 0; i0 < length; i0 += run) fn(channels === 1 ? 0 : Math.floor(i0 / inner) % channels, i0, Math.min(length, i0 + run));
}

function checkFloat(x: unknown, arg: string, owner: Owner): Tensor<'float32'> {
  const t = checkTensor(x, arg, owner);
  if (t.type !== 'float32') throw new DTypeError(`${arg}.type`, 'float32', t.type);
  return t as Tensor<'float32'>;
}

export function checkQuantized(q: unknown, arg: string, owner: Owner): QuantizedTensor {
  if (!(q instanceof QuantizedTensor)) throw new ValueError(arg, 'a QuantizedTensor (from lw.quantize)', q);
  q.check(arg);
  if (q.owner !== owner) throw new ValueError(arg, 'a quantized tensor made by this Lanewise instance', 'one of another instance');
  return q;
}

/** Stores integer values as a new QuantizedTensor. */
export function makeQuantized(owner: Owner, type: QuantizedType, dims: readonly number[], values: ArrayLike<number>,
  scale: Float32Array, zeroPoint: Int32Array, axis: number | null): QuantizedTensor {
  const bytes = packBits(values, type === 'int8' || type === 'uint8' ? 8 : type === 'int4' ? 4 : 2);
  const block = owner.device.alloc(storageBytes(type, values.length), 'quantized tensor');
  owner.device.write(block, bytes);
  return new QuantizedTensor(owner, type, dims, block, scale, zeroPoint, axis);
}

export function quantize(owner: Owner, x: unknown, options?: QuantizeOptions): QuantizedTensor {
  const opts: QuantizeOptions = checkOptions(options, ['bits', 'scheme', 'axis', 'signed', 'scale', 'zeroPoint']);
  const t = checkFloat(x, 'x', owner);
  const bits = checkBits(opts.bits);
  const rank = t.dims.length;
  const axis = opts.axis === undefined ? null : normalizeAxis(opts.axis, rank, 'options.axis');
  const scheme = opts.scheme ?? (axis !== null ? 'symmetric' : 'asymmetric');
  if (scheme !== 'symmetric' && scheme !== 'asymmetric') throw new ValueError('options.scheme', "'symmetric' or 'asymmetric'", scheme);
  if (opts.signed !== undefined && typeof opts.signed !== 'boolean') throw new ValueError('options.signed', 'a boolean', opts.signed);
  const signed = opts.signed ?? scheme === 'symmetric';
  if (bits !== 8 && opts.signed === false) throw new ValueError('options.signed', 'true or omitted (int4/int2 are signed)', false);
  if (scheme === 'symmetric' && opts.signed === false) {
    throw new ValueError('options.signed', "true or omitted with scheme 'symmetric' (zero point 0: uint8 cannot hold the negative values)", false);
  }
  const type: QuantizedType = bits === 8 ? (signed ? 'int8' : 'uint8') : bits === 4 ? 'int4' : 'int2';
  // Symmetric: the range is ±(2^(bits−1) − 1), so −x quantizes to −q (int8 never holds −128).
  const [qmin, qmax] = scheme === 'symmetric' ? [-(2 ** (bits - 1) - 1), 2 ** (bits - 1) - 1] : rangeOf(type);
  const { inner, channels } = channelStride(t.dims, axis);
  checkChannels(channels, axis);
  if (opts.zeroPoint !== undefined && opts.scale === undefined) {
    throw new ValueError('options.scale', 'a scale whenever a zeroPoint is given', undefined);
  }
  // 8 bits per tensor (activations) runs in wasm: a min/max pass (also the NaN check), then the
  // quantizer. Other layouts read the data into JS.
  const dev = owner.device;
  const wasm = channels === 1 && bits === 8 && t.size > 0;
  const mm = wasm ? minMax(dev, t.block, t.size, quantize8Ops(t.size)) : null;
  // 8 bits per channel with every channel one contiguous row (axis 0: weights [n, …]) runs in
  // wasm too, row by row: 1M weights in 1,024 rows took 15–16 ms in JavaScript.
  const mmRows = bits === 8 && channelRows(t.size, inner, channels) ? minMaxRows(dev, t.block, channels, inner) : null;
  const rowsOk = mmRows !== null && !mmRows.some((v) => Number.isNaN(v));
  const data = (mm && !Number.isNaN(mm[0])) || rowsOk ? null : t.read();
  if (data) {
    for (let i = 0; i < data.length; i++) {
      if (Number.isNaN(data[i])) throw new ValueError(`x.data[${i}]`, 'a number (not NaN)', NaN);
    }
  }
  const scale = new Float32Array(channels);
  const zp = new Int32Array(channels);
  if (opts.scale !== undefined) {
    // Static: the given parameters.
    setParams(scale, opts.scale, 'options.scale', checkScale);
    if (opts.zeroPoint !== undefined) setParams(zp, opts.zeroPoint, 'options.zeroPoint', (z, arg) => checkZeroPoint(z, arg, type));
    if (scheme === 'symmetric' && zp.some((z) => z !== 0)) {
      throw new ValueError('options.zeroPoint', "0 with scheme 'symmetric'", Array.from(zp));
    }
  } else if (scheme === 'symmetric') {
    const qs = 2 ** (bits - 1) - 1;
    const maxAbs = new Float64Array(channels), sumAbs = new Float64Array(channels);
    if (mm) maxAbs[0] = Math.max(Math.abs(mm[0]), Math.abs(mm[1]));
    else if (rowsOk) for (let c = 0; c < channels; c++) maxAbs[c] = Math.max(Math.abs(mmRows![2 * c]), Math.abs(mmRows![2 * c + 1]));
    else channelRuns(data!.length, inner, channels, (c, start, end) => {
      const x = data!;
      let mx = maxAbs[c], sum = sumAbs[c];
      for (let i = start; i < end; i++) {
        const v = Math.abs(x[i]);
        if (v > mx) mx = v;
        sum += v;
      }
      maxAbs[c] = mx; sumAbs[c] = sum;
    });
    const perChannel = t.size / channels;
    for (let c = 0; c < channels; c++) {
      if (maxAbs[c] === Infinity) throw new ValueError('x', 'finite values for symmetric quantization', Infinity);
      // 8 and 4 bits: max|x| / qmax (no clipping). 2 bits (ternary): max|x| clips too coarsely (most
      // weights round to 0), so the scale is 1.4 · mean|x| (the TWN threshold 0.7 · mean|x|).
      // 1.4 · mean|x| passes the largest f32 when the values come within 1.4× of it: the scale is
      // then that largest f32 (values beyond it saturate, as with any 2-bit scale).
      const s = Math.fround(bits === 2 ? (1.4 * sumAbs[c]) / perChannel : maxAbs[c] / qs);
      scale[c] = s === Infinity ? F32_MAX : s > 0 ? s : 1;
    }
  } else {
    if (bits !== 8) throw new ValueError('options.bits', "8 with scheme 'asymmetric' (int4/int2 are symmetric weights)", bits);
    if (axis !== null) throw new ValueError('options.axis', "omitted with scheme 'asymmetric' (per-tensor activations)", axis);
    // ONNX DynamicQuantizeLinear, generalized to int8 by its qmin/qmax.
    let lo = 0, hi = 0;
    if (mm) { if (mm[0] < 0) lo = mm[0]; if (mm[1] > 0) hi = mm[1]; }
    else for (let i = 0; i < data!.length; i++) { if (data![i] < lo) lo = data![i]; if (data![i] > hi) hi = data![i]; }
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new ValueError('x', 'finite values for asymmetric quantization', lo === -Infinity ? lo : hi);
    // hi − lo overflows f32 only for data spanning more than the f32 range; there the width is
    // taken in f64 (the scale itself is finite: at most 2^129 / 255).
    const width = Math.fround(hi - lo);
    let s = Math.fround((Number.isFinite(width) ? width : hi - lo) / (qmax - qmin));
    if (!(s > 0)) s = 1;
    scale[0] = s;
    zp[0] = clamp(rne(clamp(Math.fround(qmin - Math.fround(lo / s)), qmin, qmax)), qmin, qmax);
  }
  if (mm) {
    const block = dev.alloc(storageBytes(type, t.size), 'quantized tensor');
    return filling(new QuantizedTensor(owner, type, t.dims, block, scale, zp, axis),
      () => quantize8(dev, t.block, t.size, block, type === 'int8', scale[0], zp[0], qmin, qmax, quantize8Ops(t.size)));
  }
  if (rowsOk) {
    const block = dev.alloc(storageBytes(type, t.size), 'quantized tensor');
    return filling(new QuantizedTensor(owner, type, t.dims, block, scale, zp, axis),
      () => quantize8Rows(dev, t.block, channels, inner, block, type === 'int8', scale, zp, qmin, qmax));
  }
  const q = new Int16Array(data!.length);
  channelRuns(data!.length, inner, channels, (c, start, end) => {
    // Locals: V8 reloads captured variables from the closure's context on every iteration.
    const x = data!, out = q, lo = qmin, hi = qmax, s = scale[c], z = zp[c];
    for (let i = start; i < end; i++) out[i] = clamp(rne(Math.fround(x[i] / s)) + z, lo, hi);
  });
  return makeQuantized(owner, type, t.dims, q, scale, zp, axis);
}

/** x = fl((q − zp) · scale), per tensor or per channel. */
export function dequantize(owner: Owner, q: unknown): Tensor<'float32'> {
  const qt = checkQuantized(q, 'q', owner);
  if (qt.axis === null && (qt.type === 'int8' || qt.type === 'uint8') && qt.size > 0) {
    // 8 bits per tensor (activations, outputs) in wasm, the same formula.
    const block = owner.device.alloc(qt.size * 4, 'tensor');
    return filling(new Tensor(owner, 'float32' as const, qt.dims, block),
      () => dequantize8(owner.device, qt.block, qt.size, block, qt.type === 'int8', qt.zeroPoint[0], qt.scale[0]));
  }
  const { inner, channels } = channelStride(qt.dims, qt.axis);
  if ((qt.type === 'int8' || qt.type === 'uint8') && channelRows(qt.size, inner, channels)) {
    // Channels as contiguous rows (axis 0), in wasm row by row, as quantize.
    const block = owner.device.alloc(qt.size * 4, 'tensor');
    return filling(new Tensor(owner, 'float32' as const, qt.dims, block),
      () => dequantize8Rows(owner.device, qt.block, channels, inner, block, qt.type === 'int8', qt.scale, qt.zeroPoint));
  }
  const v = qt.data;
  const out = new Float32Array(v.length);
  channelRuns(v.length, inner, channels, (c, start, end) => {
    const src = v, dst = out, z = qt.zeroPoint[c], s = qt.scale[c];
    for (let i = start; i < end; i++) dst[i] = (src[i] - z) * s;
  });
  const block = owner.device.alloc(out.byteLength, 'tensor');
  owner.device.write(block, out);
  return new Tensor(owner, 'float32' as const, qt.dims, block);
}

/** q' = quantizeLinear(dequantizeLinear(q), scale, zeroPoint): 8-bit, per-tensor output parameters. */
export function requantize(owner: Owner, q: unknown, opts: RequantizeOptions): QuantizedTensor {
  const qt = checkQuantized(q, 'q', owner);
  checkOptions(opts, ['scale', 'zeroPoint', 'signed'], 'an object with scale (and zeroPoint)');
  if (opts.signed !== undefined && typeof opts.signed !== 'boolean') throw new ValueError('options.signed', 'a boolean', opts.signed);
  const type: QuantizedType = (opts.signed ?? qt.type !== 'uint8') ? 'int8' : 'uint8';
  const s = checkScale(opts.scale, 'options.scale');
  const z = checkZeroPoint(opts.zeroPoint ?? 0, 'options.zeroPoint', type);
  const [qmin, qmax] = rangeOf(type);
  const { inner, channels } = channelStride(qt.dims, qt.axis);
  if ((qt.type === 'int8' || qt.type === 'uint8') && qt.size > 0 && (channels === 1 || channelRows(qt.size, inner, channels))) {
    // 8 bits per tensor or per channel row in wasm: dequantize8 into f32 (fl((q − zp)·s), the first
    // rounding of the formula), then quantize8 with the new parameters (the second): same bits.
    const dev = owner.device;
    const real = dev.alloc(qt.size * 4, 'scratch (requantize)');
    try {
      if (channels === 1) dequantize8(dev, qt.block, qt.size, real, qt.type === 'int8', qt.zeroPoint[0], qt.scale[0]);
      else dequantize8Rows(dev, qt.block, channels, inner, real, qt.type === 'int8', qt.scale, qt.zeroPoint);
      const block = dev.alloc(storageBytes(type, qt.size), 'quantized tensor');
      return filling(new QuantizedTensor(owner, type, qt.dims, block, Float32Array.of(s), Int32Array.of(z), null),
        () => quantize8(dev, real, qt.size, block, type === 'int8', s, z, qmin, qmax));
    } finally {
      dev.free(real);
    }
  }
  const v = qt.data;
  const out = new Int16Array(v.length);
  channelRuns(v.length, inner, channels, (c, start, end) => {
    const src = v, dst = out, lo = qmin, hi = qmax, zc = qt.zeroPoint[c], sc = qt.scale[c];
    for (let i = start; i < end; i++) dst[i] = clamp(rne(Math.fround(Math.fround((src[i] - zc) * sc) / s)) + z, lo, hi);
  });
  return makeQuantized(owner, type, qt.dims, out, Float32Array.of(s), Int32Array.of(z), null);
}

/**
 * A positive real scale as a dyadic number b · 2^−shift with b in [2^30, 2^31) (TFLite's
 * QuantizeMultiplier): the frexp mantissa rounded half away from zero to 31 bits; a carry to 2^31
 * halves b. shift is the total right shift, 1 ≤ shift ≤ 62, so scales in [2^−32, 2^30) only.
 */
export function quantizeMultiplier(scale: number): { multiplier: number; shift: number } {
  if (typeof scale !== 'number' || !Number.isFinite(scale) || !(scale > 0)) throw new ValueError('scale', 'a finite scale > 0', scale);
  let e = Math.floor(Math.log2(scale));
  while (2 ** e > scale) e--;
  while (2 ** (e + 1) <= scale) e++;
  let b = Math.round((scale / 2 ** (e + 1)) * TWO31);
  let shift = 30 - e;
  if (b === TWO31) { b /= 2; shift -= 1; }
  if (shift < 1 || shift > 62) throw new ValueError('scale', 'a scale that rounds into [2^−32, 2^30) (31-bit multiplier, shift 1..62)', scale);
  return { multiplier: b, shift };
}

/**
 * Per-channel scales as dyadic numbers with one shift (what the fused kernels take): shift is
 * the largest integer ≤ 62 with round(max s · 2^shift) < 2^31, and b[c] = round(s[c] · 2^shift)
 * (half away from zero). Channels far below the largest scale keep fewer bits; a channel whose
 * b would be 0 (scale ratio over 2^31) is an error.
 */
export function dyadicScales(scales: ArrayLike<number>): { multiplier: Int32Array; shift: number } {
  const n = (scales as { length?: unknown } | null)?.length;
  if (typeof scales !== 'object' || scales === null || typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) {
    throw new ValueError('scales', 'a non-empty array of scales', scales);
  }
  let max = 0;
  for (let i = 0; i < scales.length; i++) {
    const s = scales[i];
    if (typeof s !== 'number' || !Number.isFinite(s) || !(s > 0)) throw new ValueError(`scales[${i}]`, 'a finite scale > 0', s);
    if (s > max) max = s;
  }
  // From the top: a largest scale below 2^-32 keeps shift 62 and a multiplier of fewer bits.
  let shift = 62;
  while (shift > 1 && Math.round(max * 2 ** shift) >= TWO31) shift--;
  if (Math.round(max * 2 ** shift) >= TWO31) {
    throw new ValueError('scales', 'a largest scale below 2^30 (31-bit multiplier, shift ≥ 1)', max);
  }
  const multiplier = new Int32Array(scales.length);
  for (let i = 0; i < scales.length; i++) {
    const b = Math.round(scales[i] * 2 ** shift);
    if (b < 1) throw new ValueError(`scales[${i}]`, `a scale ≥ 2^−${shift + 1} (within 2^31 of the largest, ${max})`, scales[i]);
    multiplier[i] = b;
  }
  return { multiplier, shift };
}

export interface QuantizedFromOptions {
  /** One scale, or one per index of `axis`. */
  scale: number | ArrayLike<number>;
  /** Default 0. */
  zeroPoint?: number | ArrayLike<number>;
  /** Per-channel axis (negative counts from the end); omitted: per tensor. */
  axis?: number;
}

/**
 * A QuantizedTensor from integers already quantized elsewhere (an ONNX or TFLite model, a
 * calibration tool): one value per element, in the range of `type`.
 */
export function quantizedFrom(owner: Owner, type: unknown, data: unknown, dims: unknown, opts: QuantizedFromOptions): QuantizedTensor {
  if (type !== 'int8' && type !== 'uint8' && type !== 'int4' && type !== 'int2') {
    throw new DTypeError('type', "'int8', 'uint8', 'int4' or 'int2'", type);
  }
  if (data === null || typeof data !== 'object' || typeof (data as ArrayLike<number>).length !== 'number') {
    throw new DTypeError('data', 'a typed array or an array of integers', data);
  }
  const values = data as ArrayLike<number>;
  if (!Array.isArray(dims)) throw new ShapeError('dims', 'an array of non-negative integers', dims);
  for (let i = 0; i < dims.length; i++) { const d: unknown = dims[i]; if (!Number.isSafeInteger(d) || (d as number) < 0) throw new ShapeError(`dims[${i}]`, 'a non-negative integer', d); }
  const count = (dims as number[]).reduce((a, b) => a * b, 1);
  if (values.length !== count) throw new ShapeError('data.length', `${count} (the product of dims)`, values.length);
  checkOptions(opts, ['scale', 'zeroPoint', 'axis'], 'an object with scale (and zeroPoint, axis)');
  const axis = opts.axis === undefined ? null : normalizeAxis(opts.axis, dims.length, 'options.axis');
  const [lo, hi] = rangeOf(type);
  for (let i = 0; i < count; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw new ValueError(`data[${i}]`, `an integer in [${lo}, ${hi}] (${type})`, v);
  }
  const { channels } = channelStride(dims as number[], axis);
  checkChannels(channels, axis);
  const scale = new Float32Array(channels), zp = new Int32Array(channels);
  setParams(scale, opts.scale, 'options.scale', checkScale);
  setParams(zp, opts.zeroPoint ?? 0, 'options.zeroPoint', (z, arg) => checkZeroPoint(z, arg, type));
  return makeQuantized(owner, type, dims as number[], values, scale, zp, axis);
}
