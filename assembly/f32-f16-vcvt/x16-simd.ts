// f32 → f16 conversion, 16 elements per step, SIMD128.
//   x: n floats, y: n halves (u16 bits). Round to nearest even, overflow to ±Inf, subnormals,
//   NaN rule in assembly/util/f16.ts (sign and top payload bits kept, quiet bit set).
// Limits: n ≥ 0; x and y must not overlap.
//
// Two paths per 16 elements, same bits. When every |x| is in [2^-14, 65280) (a normal half,
// no overflow possible) or has a zero f32 exponent (rounds to ±0), the top 16 bits of each
// float give the sign and the range check on 8 lanes at once, and the rounding is the
// integer (abs − rebias + 0xfff + lsb) >> 13 alone (util/f16.ts: high16, fastLanes, fastRow).
// Otherwise the general conversion runs.
import { f32x8_to_f16x8, f32_f16_tail, fastLanesK, fastRowK, high16, F16K, K_7FFF16, K_NRM16, K_NRMHI16, K_SIGN16 } from '../util/f16';

export function f32_f16_vcvt_x16__simd(n: i32, x: usize, y: usize): void {
  // The fast path's constants, once per call (util/f16.ts: the *K forms).
  const m7fff = v128.load(F16K, K_7FFF16), nrm = v128.load(F16K, K_NRM16), nrmHi = v128.load(F16K, K_NRMHI16);
  const abs = v128.load(F16K, 96), rebias = v128.load(F16K, 128), one = v128.load(F16K, 192), sign = v128.load(F16K, K_SIGN16);
  let i = n;
  while (i >= 16) {
    const x0 = v128.load(x), x1 = v128.load(x, 16), x2 = v128.load(x, 32), x3 = v128.load(x, 48);
    // The fast path of f32x8_to_f16x8_auto, with one check for both halves of the 16.
    const hA = high16(x0, x1), hB = high16(x2, x3);
    if (i8x16.bitmask(v128.and(fastLanesK(hA, m7fff, nrm, nrmHi), fastLanesK(hB, m7fff, nrm, nrmHi))) != 0xffff) {
      v128.store(y, f32x8_to_f16x8(x0, x1));
      v128.store(y, f32x8_to_f16x8(x2, x3), 16);
    } else {
      v128.store(y, fastRowK(x0, x1, hA, abs, rebias, one, sign));
      v128.store(y, fastRowK(x2, x3, hB, abs, rebias, one, sign), 16);
    }
    x += 64; y += 32; i -= 16;
  }
  f32_f16_tail(i, x, y);
}
