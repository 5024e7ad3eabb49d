// The body of the f32 → 8-bit quantizers (f32-qs8-vcvt, f32-qu8-vcvt), inlined into each with
// a constant `signed`.
//
// y = clamp(nearest(x / scale) + zp, qmin, qmax): an f32 division and a round to nearest even,
// as ONNX QuantizeLinear (saturating). The sum and the clamp stay in f32: nearest() is an
// integer, exact in f32 below 2^24, and beyond that the clamp gives qmin or qmax whatever the
// sum's rounding (±Inf too). The clamped value converts exactly, and the narrows never saturate.

// @ts-ignore: decorator
@inline function quantize16(x: usize, y: usize, vs: v128, vz: v128, vlo: v128, vhi: v128, signed: bool): void {
  const q0 = i32x4.trunc_sat_f32x4_s(f32x4.min(f32x4.max(f32x4.add(f32x4.nearest(f32x4.div(v128.load(x), vs)), vz), vlo), vhi));
  const q1 = i32x4.trunc_sat_f32x4_s(f32x4.min(f32x4.max(f32x4.add(f32x4.nearest(f32x4.div(v128.load(x, 16), vs)), vz), vlo), vhi));
  const q2 = i32x4.trunc_sat_f32x4_s(f32x4.min(f32x4.max(f32x4.add(f32x4.nearest(f32x4.div(v128.load(x, 32), vs)), vz), vlo), vhi));
  const q3 = i32x4.trunc_sat_f32x4_s(f32x4.min(f32x4.max(f32x4.add(f32x4.nearest(f32x4.div(v128.load(x, 48), vs)), vz), vlo), vhi));
  const a = i16x8.narrow_i32x4_s(q0, q1), b = i16x8.narrow_i32x4_s(q2, q3);
  v128.store(y, signed ? i8x16.narrow_i16x8_s(a, b) : i8x16.narrow_i16x8_u(a, b));
}

// @ts-ignore: decorator
@inline export function vcvt8(n: i32, x: usize, y: usize, scale: f32, zp: f32, qmin: f32, qmax: f32, signed: bool): void {
  const vs = f32x4.splat(scale), vz = f32x4.splat(zp), vlo = f32x4.splat(qmin), vhi = f32x4.splat(qmax);
  let i = n;
  for (; i >= 16; i -= 16) {
    quantize16(x, y, vs, vz, vlo, vhi, signed);
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
