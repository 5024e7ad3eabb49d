// The bodies of the 8-bit quantizers (f32-qs8-vcvt, f32-qu8-vcvt) and dequantizers
// (qs8-f32-vcvt, qu8-f32-vcvt), inlined into each with a constant `signed`.
//
// y = clamp(nearest(x / scale) + zp, qmin, qmax): an f32 division and a round to nearest even,
// as ONNX QuantizeLinear (saturating). The sum and the clamp stay in f32: nearest() is an
// integer, exact in f32 below 2^24, and beyond that the clamp gives qmin or qmax whatever the
// sum's rounding (±Inf too). The clamped value converts exactly, and the narrows never saturate.
// Why pmin/pmax and the 1.5·2^23 conversion: V8 lowers f32x4.min/max and trunc_sat to 7–8 x64
// instructions each (NaN, signed zero, overflow), the others to one; with no NaN input (the
// callers check) and integer results in [−128, 255] they give the same bits (3.1× faster).
import { loadInt8, widen8 } from './int8';

// @ts-ignore: decorator
@inline function quantize4(v: v128, vs: v128, vz: v128, vlo: v128, vhi: v128): v128 {
  const q = f32x4.pmin(f32x4.pmax(f32x4.add(f32x4.nearest(f32x4.div(v, vs)), vz), vlo), vhi);
  // q + 1.5·2^23 is exact and holds q in its low significand bits.
  return i32x4.sub(f32x4.add(q, f32x4.splat(12582912.0)), i32x4.splat(0x4b400000));
}

// @ts-ignore: decorator
@inline export function quant8(n: i32, x: usize, y: usize, scale: f32, zp: f32, qmin: f32, qmax: f32, signed: bool): void {
  const vs = f32x4.splat(scale), vz = f32x4.splat(zp), vlo = f32x4.splat(qmin), vhi = f32x4.splat(qmax);
  let i = n;
  for (; i >= 16; i -= 16) {
    const a = i16x8.narrow_i32x4_s(quantize4(v128.load(x), vs, vz, vlo, vhi), quantize4(v128.load(x, 16), vs, vz, vlo, vhi));
    const b = i16x8.narrow_i32x4_s(quantize4(v128.load(x, 32), vs, vz, vlo, vhi), quantize4(v128.load(x, 48), vs, vz, vlo, vhi));
    v128.store(y, signed ? i8x16.narrow_i16x8_s(a, b) : i8x16.narrow_i16x8_u(a, b));
    x += 64; y += 16;
  }
  for (; i > 0; i--) {
    // An integer in [−128, 255] to i32 through the float bits of q + 1.5·2^23 (the build has no
    // scalar saturating conversion, and this one needs none).
    const q = min<f32>(max<f32>(nearest<f32>(load<f32>(x) / scale) + zp, qmin), qmax);
    store<u8>(y, <u8>(reinterpret<i32>(q + 12582912.0) - 0x4b400000));
    x += 4; y += 1;
  }
}

// The body of the 8-bit dequantizers (qs8-f32-vcvt, qu8-f32-vcvt): y = f32(q − zp) · scale.
// q − zp is an integer below 2^9 in magnitude, exact in f32, so there is one rounding, at the
// multiply: ONNX DequantizeLinear.

// @ts-ignore: decorator
@inline export function dequant8(n: i32, x: usize, y: usize, zp: i32, scale: f32, signed: bool): void {
  const vz = i32x4.splat(zp), vs = f32x4.splat(scale);
  let i = n;
  for (; i >= 16; i -= 16) {
    const q = v128.load(x);
    const lo = widen8(q, 0, signed), hi = widen8(q, 1, signed);
    v128.store(y, f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(i32x4.extend_low_i16x8_s(lo), vz)), vs));
    v128.store(y, f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(i32x4.extend_high_i16x8_s(lo), vz)), vs), 16);
    v128.store(y, f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(i32x4.extend_low_i16x8_s(hi), vz)), vs), 32);
    v128.store(y, f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(i32x4.extend_high_i16x8_s(hi), vz)), vs), 48);
    x += 16; y += 64;
  }
  for (; i > 0; i--) {
    store<f32>(y, <f32>(loadInt8(x, signed) - zp) * scale);
    x += 1; y += 4;
  }
}
