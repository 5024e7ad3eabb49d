// f16 GEMV with f32 accumulation ("f16" precision, M = 1), 1×16 tile, SIMD128, reading the
// binary16 weights directly: the f16-packw panels ([bias 8][kc × 8] halves) are widened in
// registers, so a GEMV streams half the bytes of the f32 one and needs no widened copy.
//
// Computes c[0..nc) = round16(clamp(bias + a·B, vmin, vmax)):
//   a: kc floats (the A row widened to f32; binary16 values, so |a| ≤ 65504 or Inf/NaN).
//   w: f16-packw panels of 8 columns; two are read side by side (4 accumulator chains).
//   c: nc halves.
// Limits: mr = 1 (aStride and cStride are unused: the f32-gemm signature), nc ≥ 1, kc ≥ 0.
// Reduction order: that of every f32-gemm variant (bias first, k ascending, separate mul and
// add), the conversions exact: the same bits as f16_f32acc_gemm_4x8__simd_packa.
//
// Widening 8 halves to the f32 bits sign << 31 | (exponent and significand) << 13, which read as
// the weight ·2^-112 when it is not Inf/NaN: the high 16 bits are (h >> 3 arithmetic) & 0x8fff,
// the low 16 bits h << 13, and two interleaves build the floats (5 ops per 8 lanes, as in
// util/f16.ts f16x8_to_f32x8_store; sign-extending each half to 32 bits, << 13 and a mask took
// 6: 1.11–1.18× slower GEMVs, 2026-11-25, docs/benchmarks.md). The A value is scaled by 2^112
// instead (once per k step for 16 weights), so each product is w·a exactly as the true operands
// would give it: both scalings are exact (|a| ≤ 65504 stays below 2^128, and w·2^-112 ≥ 2^-136
// is an exact f32 subnormal at worst). Against scaling every widened weight: 1.08–1.16× faster
// (2026-11-24, kernel calls of both builds in one process, both orders, same bits); the
// constants loaded once per call and the bias reloaded for the rare path, not kept live:
// 1.07–1.09× more. The hot loop keeps the largest |bits| seen, and when that is Inf/NaN the
// panel pair is recomputed with the general conversion and the unscaled A (same bits, slower).
import { f16x4_to_f32x4, f32x8_to_f16x8_auto, F16K, K_7FFF16, K_7BFF16, K_8FFF16 } from '../util/f16';

// The low and high 4 floats of 8 widened halves, from lo = h << 13 and hi = (h >> 3) & 0x8fff (i16 lanes).
// @ts-ignore: decorator
@inline function widenLo(lo: v128, hi: v128): v128 {
  return v128.shuffle<u16>(lo, hi, 0, 8, 1, 9, 2, 10, 3, 11);
}
// @ts-ignore: decorator
@inline function widenHi(lo: v128, hi: v128): v128 {
  return v128.shuffle<u16>(lo, hi, 4, 12, 5, 13, 6, 14, 7, 15);
}
// @ts-ignore: decorator
@inline function special(h: v128): bool {
  return i8x16.bitmask(i16x8.gt_s(v128.and(h, v128.load(F16K, K_7FFF16)), v128.load(F16K, K_7BFF16))) != 0;
}

// @ts-ignore: decorator
@inline function storeTail(c: usize, h: v128, n: i32): void {
  let q = c, v = h;
  if (n & 4) { v128.store64_lane(q, v, 0); v = i64x2.shuffle(v, v, 1, 1); q += 8; }
  if (n & 2) { v128.store32_lane(q, v, 0); v = i32x4.shuffle(v, v, 1, 1, 1, 1); q += 4; }
  if (n & 1) { v128.store16_lane(q, v, 0); }
}

export function f16_f32acc_gemm_1x16__simd_f16w(
  mr: i32, nc: i32, kc: i32,
  a: usize, aStride: usize,
  w: usize,
  c: usize, cStride: usize,
  vmin: f32, vmax: f32,
): void {
  const kBytes = (<usize>kc) << 2;
  const panelBytes: usize = 16 + ((<usize>kc) << 4);
  const vlo = f32x4.splat(vmin);
  const vhi = f32x4.splat(vmax);
  // The hot loop's constants, once per call (V8 does not move a load out of a loop).
  const mask = v128.load(F16K, K_8FFF16), scale = v128.load(F16K, 16 /* 2^112 */), m7 = v128.load(F16K, K_7FFF16);
  let nLeft = nc;
  while (nLeft > 0) {
    const two = nLeft > 8;
    const w1 = two ? w + panelBytes : w; // a lone last panel is read twice, its copy not stored
    const b0 = v128.load(w), b1 = v128.load(w1);
    let acc0 = f16x4_to_f32x4(i32x4.extend_low_i16x8_u(b0));
    let acc1 = f16x4_to_f32x4(i32x4.extend_high_i16x8_u(b0));
    let acc2 = f16x4_to_f32x4(i32x4.extend_low_i16x8_u(b1));
    let acc3 = f16x4_to_f32x4(i32x4.extend_high_i16x8_u(b1));
    let p0 = w + 16, p1 = w1 + 16;
    // Hot loop: the 3-op widening, no branch; Inf/NaN weights are only noted (a running max).
    let seen = i32x4.splat(0);
    let k: usize = 0;
    while (k < kBytes) {
      const va = f32x4.mul(v128.load32_splat(a + k), scale);
      const h0 = v128.load(p0), h1 = v128.load(p1);
      seen = i16x8.max_u(seen, i16x8.max_u(v128.and(h0, m7), v128.and(h1, m7)));
      const lo0 = i16x8.shl(h0, 13), hi0 = v128.and(i16x8.shr_s(h0, 3), mask);
      const lo1 = i16x8.shl(h1, 13), hi1 = v128.and(i16x8.shr_s(h1, 3), mask);
      acc0 = f32x4.add(acc0, f32x4.mul(va, widenLo(lo0, hi0)));
      acc1 = f32x4.add(acc1, f32x4.mul(va, widenHi(lo0, hi0)));
      acc2 = f32x4.add(acc2, f32x4.mul(va, widenLo(lo1, hi1)));
      acc3 = f32x4.add(acc3, f32x4.mul(va, widenHi(lo1, hi1)));
      p0 += 16; p1 += 16;
      k += 4;
    }
    // The largest magnitude bits seen: if one is Inf/NaN, the panels go through the general
    // conversion again, from the bias: same order, exact.
    if (special(seen)) {
      // From the bias again (reloaded: keeping it live through the hot loop cost registers).
      const c0 = v128.load(w), c1 = v128.load(w1);
      acc0 = f16x4_to_f32x4(i32x4.extend_low_i16x8_u(c0));
      acc1 = f16x4_to_f32x4(i32x4.extend_high_i16x8_u(c0));
      acc2 = f16x4_to_f32x4(i32x4.extend_low_i16x8_u(c1));
      acc3 = f16x4_to_f32x4(i32x4.extend_high_i16x8_u(c1));
      p0 = w + 16; p1 = w1 + 16;
      for (k = 0; k < kBytes; k += 4) {
        const va = v128.load32_splat(a + k);
        const h0 = v128.load(p0), h1 = v128.load(p1);
        acc0 = f32x4.add(acc0, f32x4.mul(va, f16x4_to_f32x4(i32x4.extend_low_i16x8_u(h0))));
        acc1 = f32x4.add(acc1, f32x4.mul(va, f16x4_to_f32x4(i32x4.extend_high_i16x8_u(h0))));
        acc2 = f32x4.add(acc2, f32x4.mul(va, f16x4_to_f32x4(i32x4.extend_low_i16x8_u(h1))));
        acc3 = f32x4.add(acc3, f32x4.mul(va, f16x4_to_f32x4(i32x4.extend_high_i16x8_u(h1))));
        p0 += 16; p1 += 16;
      }
    }
    const r0 = f32x8_to_f16x8_auto(f32x4.pmin(f32x4.pmax(acc0, vlo), vhi), f32x4.pmin(f32x4.pmax(acc1, vlo), vhi));
    const r1 = f32x8_to_f16x8_auto(f32x4.pmin(f32x4.pmax(acc2, vlo), vhi), f32x4.pmin(f32x4.pmax(acc3, vlo), vhi));
    if (nLeft >= 16) {
      v128.store(c, r0); v128.store(c, r1, 16);
      c += 32; w += panelBytes << 1; nLeft -= 16;
    } else if (nLeft > 8) {
      v128.store(c, r0); storeTail(c + 16, r1, nLeft - 8);
      nLeft = 0;
    } else if (nLeft == 8) {
      v128.store(c, r0);
      nLeft = 0;
    } else {
      storeTail(c, r0, nLeft);
      nLeft = 0;
    }
  }
}
