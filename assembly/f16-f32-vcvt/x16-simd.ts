// f16 → f32 conversion, 16 elements per step, SIMD128.
//   x: n halves (u16 bits), y: n floats. Exact; NaN rule in assembly/util/f16.ts (sign and
//   payload kept, quiet bit set). Limits: n ≥ 0; x and y must not overlap.
//
// Two paths per 16 elements, same bits: when none of them is Inf/NaN (exponent 31), eight
// outputs cost 3 i16 ops, 2 interleaves and 2 multiplies (f16x8_to_f32x8_store: the f32 bits
// sign << 31 | (exponent and significand) << 13, then ·2^112 rebiases exactly — subnormal halves
// become f32 subnormals times 2^112, normalized by the multiply). Otherwise the 16 go through
// the general conversion (f16x4_to_f32x4).
import { f16x4_to_f32x4, f16x8_to_f32x8_store, f16_to_f32_bits, F16K, K_7FFF16, K_7BFF16, K_8FFF16 } from '../util/f16';

export function f16_f32_vcvt_x16__simd(n: i32, x: usize, y: usize): void {
  // Constants loaded once per call: V8 would rebuild splats in the loop, and does not move a
  // load out of it.
  const em = v128.load(F16K, K_7FFF16), inf = v128.load(F16K, K_7BFF16);
  const mask = v128.load(F16K, K_8FFF16), scale = v128.load(F16K, 16 /* 2^112 */);
  let i = n;
  while (i >= 16) {
    const h0 = v128.load(x);
    const h1 = v128.load(x, 16);
    const special = v128.or(i16x8.gt_s(v128.and(h0, em), inf), i16x8.gt_s(v128.and(h1, em), inf));
    if (i8x16.bitmask(special) != 0) {
      v128.store(y, f16x4_to_f32x4(i32x4.extend_low_i16x8_u(h0)));
      v128.store(y, f16x4_to_f32x4(i32x4.extend_high_i16x8_u(h0)), 16);
      v128.store(y, f16x4_to_f32x4(i32x4.extend_low_i16x8_u(h1)), 32);
      v128.store(y, f16x4_to_f32x4(i32x4.extend_high_i16x8_u(h1)), 48);
    } else {
      f16x8_to_f32x8_store(y, h0, mask, scale);
      f16x8_to_f32x8_store(y + 32, h1, mask, scale);
    }
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
