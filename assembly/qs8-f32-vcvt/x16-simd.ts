// int8 → f32 dequantization (per tensor), 16 elements per step, SIMD128:
//   y[i] = f32(x[i] − zp) · scale   (one rounding, at the multiply)
//   x: n bytes; y: n floats; zp in [−128, 127]. Limits: n ≥ 0. Body shared with qu8-f32-vcvt
//   (util/vcvt8.ts).
import { dequant8 } from '../util/vcvt8';
export function qs8_f32_vcvt_x16__simd(n: i32, x: usize, y: usize, zp: i32, scale: f32): void {
  dequant8(n, x, y, zp, scale, true);
}
