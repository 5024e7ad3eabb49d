// f32 → uint8 quantization (per tensor), 16 elements per step, SIMD128:
//   y[i] = clamp(nearest(x[i] / scale) + zp, qmin, qmax)   (f32 division, ties to even)
//   x: n floats, none NaN (the caller checks); y: n bytes. zp, qmin ≤ qmax: integers in
//   [0, 255]; scale a positive finite f32. Limits: n ≥ 0. Body shared with f32-qs8-vcvt
//   (util/vcvt8.ts).
import { quant8 } from '../util/vcvt8';
export function f32_qu8_vcvt_x16__simd(n: i32, x: usize, y: usize, scale: f32, zp: f32, qmin: f32, qmax: f32): void {
  quant8(n, x, y, scale, zp, qmin, qmax, false);
}
