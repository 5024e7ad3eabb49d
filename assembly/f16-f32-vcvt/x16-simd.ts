// f16 → f32 conversion, 16 elements per step, SIMD128.
//   x: n halves (u16 bits), y: n floats. Exact; NaN rule in assembly/util/f16.ts (sign and
//   payload kept, quiet bit set). Limits: n ≥ 0; x and y must not overlap.
import { f16x4_to_f32x4, f16_to_f32_bits } from '../util/f16';

export function f16_f32_vcvt_x16__simd(n: i32, x: usize, y: usize): void {
  let i = n;
  while (i >= 16) {
    const h0 = v128.load(x);
    const h1 = v128.load(x, 16);
    v128.store(y, f16x4_to_f32x4(i32x4.extend_low_i16x8_u(h0)));
    v128.store(y, f16x4_to_f32x4(i32x4.extend_high_i16x8_u(h0)), 16);
    v128.store(y, f16x4_to_f32x4(i32x4.extend_low_i16x8_u(h1)), 32);
    v128.store(y, f16x4_to_f32x4(i32x4.extend_high_i16x8_u(h1)), 48);
    x += 32; y += 64; i -= 16;
  }
  while (i >= 4) {
    v128.store(y, f16x4_to_f32x4(i32x4.extend_low_i16x8_u(v128.load64_zero(x))));
    x += 8; y += 16; i -= 4;
  }
  while (i > 0) {
    store<u32>(y, f16_to_f32_bits(<u32>load<u16>(x)));
    x += 2; y += 4; i--;
  }
}
