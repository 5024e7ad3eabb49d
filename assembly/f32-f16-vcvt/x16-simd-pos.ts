// f32 → f16 conversion, 16 elements per step, SIMD128, fast on nonnegative inputs (a clamp's
// output with min ≥ 0: relu, relu6). Same contract and bits as f32_f16_vcvt_x16__simd:
//   x: n floats, y: n halves (u16 bits). Round to nearest even, overflow to ±Inf, subnormals,
//   NaN rule in assembly/util/f16.ts.
// Limits: n ≥ 0; x and y must not overlap.
//
// Why a variant: with the sign bit known clear, the fast path drops the absolute value, the
// sign's reinsertion and the mask before the range check (5 of ~26 vector ops per 8 elements):
// 1.30× the general kernel's elements/ns on relu outputs (401,408 elements, 5.06 → 6.59).
// The check takes the float's high 16 bits unmasked, so a set sign bit (a negative value, −0, a
// negative NaN) lands outside the fast range and the general conversion runs: any input converts
// right, negative ones at the general path's speed.
import { f32x8_to_f16x8, f32_f16_tail, high16, roundNormal, F16K, K_NRM16, K_NRMHI16 } from '../util/f16';

export function f32_f16_vcvt_x16__simd_pos(n: i32, x: usize, y: usize): void {
  const nrm = v128.load(F16K, K_NRM16), nrmHi = v128.load(F16K, K_NRMHI16);
  const rebias = v128.load(F16K, 128), one = v128.load(F16K, 192), zero = i32x4.splat(0);
  let i = n;
  while (i >= 16) {
    const x0 = v128.load(x), x1 = v128.load(x, 16), x2 = v128.load(x, 32), x3 = v128.load(x, 48);
    // util/f16.ts fastLanesK's test on the unmasked high halves: [2^-14, 65280), or a zero exponent.
    const hA = high16(x0, x1), hB = high16(x2, x3);
    const okA = v128.or(i16x8.lt_s(i16x8.add(hA, nrm), nrmHi), i16x8.eq(hA, zero));
    const okB = v128.or(i16x8.lt_s(i16x8.add(hB, nrm), nrmHi), i16x8.eq(hB, zero));
    if (i8x16.bitmask(v128.and(okA, okB)) != 0xffff) {
      v128.store(y, f32x8_to_f16x8(x0, x1));
      v128.store(y, f32x8_to_f16x8(x2, x3), 16);
    } else {
      v128.store(y, i16x8.narrow_i32x4_u(roundNormal(x0, rebias, one), roundNormal(x1, rebias, one)));
      v128.store(y, i16x8.narrow_i32x4_u(roundNormal(x2, rebias, one), roundNormal(x3, rebias, one)), 16);
    }
    x += 64; y += 32; i -= 16;
  }
  f32_f16_tail(i, x, y);
}
