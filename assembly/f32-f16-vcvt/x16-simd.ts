// f32 → f16 conversion, 16 elements per step, SIMD128.
//   x: n floats, y: n halves (u16 bits). Round to nearest even, overflow to ±Inf, subnormals,
//   NaN rule in assembly/util/f16.ts (sign and top payload bits kept, quiet bit set).
// Limits: n ≥ 0; x and y must not overlap.
import { f32x8_to_f16x8, f32x4_to_f16x4, f32_bits_to_f16 } from '../util/f16';

export function f32_f16_vcvt_x16__simd(n: i32, x: usize, y: usize): void {
  let i = n;
  while (i >= 16) {
    v128.store(y, f32x8_to_f16x8(v128.load(x), v128.load(x, 16)));
    v128.store(y, f32x8_to_f16x8(v128.load(x, 32), v128.load(x, 48)), 16);
    x += 64; y += 32; i -= 16;
  }
  while (i >= 4) {
    const h = f32x4_to_f16x4(v128.load(x));
    v128.store64_lane(y, i16x8.narrow_i32x4_u(h, h), 0);
    x += 16; y += 8; i -= 4;
  }
  while (i > 0) {
    store<u16>(y, <u16>f32_bits_to_f16(load<u32>(x)));
    x += 4; y += 2; i--;
  }
}
