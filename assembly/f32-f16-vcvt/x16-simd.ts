// f32 → f16 conversion, 16 elements per step, SIMD128.
//   x: n floats, y: n halves (u16 bits). Round to nearest even, overflow to ±Inf, subnormals,
//   NaN rule in assembly/util/f16.ts (sign and top payload bits kept, quiet bit set).
// Limits: n ≥ 0; x and y must not overlap.
//
// Two paths per 16 elements, same bits. When every |x| is in [2^-14, 65280) (a normal half,
// no overflow possible) or has a zero f32 exponent (rounds to ±0), the top 16 bits of each
// float give the sign and the range check on 8 lanes at once, and the rounding is the
// integer (abs − rebias + 0xfff + lsb) >> 13 alone. Otherwise the general conversion runs.
import { f32x8_to_f16x8, f32x4_to_f16x4, f32_bits_to_f16, roundNormal, F16K, K_7FFF16, K_SIGN16, K_LO16, K_HI16 } from '../util/f16';

export function f32_f16_vcvt_x16__simd(n: i32, x: usize, y: usize): void {
  let i = n;
  // Constants are loaded from memory inside the loop: V8 would rebuild splats there (3
  // instructions each) instead of keeping them in registers.
  const zero = i32x4.splat(0);
  while (i >= 16) {
    const x0 = v128.load(x), x1 = v128.load(x, 16), x2 = v128.load(x, 32), x3 = v128.load(x, 48);
    // High halves of the floats (sign, exponent, top 7 significand bits), 8 lanes per vector:
    // an arithmetic shift keeps them in i16 range, so the signed narrow is exact.
    const hA = i16x8.narrow_i32x4_s(i32x4.shr_s(x0, 16), i32x4.shr_s(x1, 16));
    const hB = i16x8.narrow_i32x4_s(i32x4.shr_s(x2, 16), i32x4.shr_s(x3, 16));
    const eA = v128.and(hA, v128.load(F16K, K_7FFF16)), eB = v128.and(hB, v128.load(F16K, K_7FFF16));
    const zA = i16x8.eq(eA, zero), zB = i16x8.eq(eB, zero);
    const okA = v128.or(v128.and(i16x8.gt_s(eA, v128.load(F16K, K_LO16)), i16x8.lt_s(eA, v128.load(F16K, K_HI16))), zA);
    const okB = v128.or(v128.and(i16x8.gt_s(eB, v128.load(F16K, K_LO16)), i16x8.lt_s(eB, v128.load(F16K, K_HI16))), zB);
    if (i8x16.bitmask(v128.and(okA, okB)) != 0xffff) {
      v128.store(y, f32x8_to_f16x8(x0, x1));
      v128.store(y, f32x8_to_f16x8(x2, x3), 16);
    } else {
      const nA = i16x8.narrow_i32x4_u(roundNormal(v128.and(x0, v128.load(F16K, 96))), roundNormal(v128.and(x1, v128.load(F16K, 96))));
      const nB = i16x8.narrow_i32x4_u(roundNormal(v128.and(x2, v128.load(F16K, 96))), roundNormal(v128.and(x3, v128.load(F16K, 96))));
      v128.store(y, v128.or(nA, v128.and(hA, v128.load(F16K, K_SIGN16))));
      v128.store(y, v128.or(nB, v128.and(hB, v128.load(F16K, K_SIGN16))), 16);
    }
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
