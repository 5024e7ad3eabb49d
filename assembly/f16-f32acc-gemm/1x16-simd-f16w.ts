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
// Widening 8 halves in 4 ops, no shuffle (util/f16.ts widenHighHalves: f32 bits that read as the
// weight ·2^-112 when it is not Inf/NaN); the accumulators hold each panel's even columns, then
// its odd ones, put back in order once per panel pair. The bulk conversion's way (util/f16.ts
// f16x8_to_f32x8_store: 3 i16 ops and 2 interleaves per 8) ran 1.03–1.07× slower;
// sign-extending each half, << 13 and a mask (6 ops) had been 1.11–1.18× slower than that
// (2026-11-25, docs/benchmarks.md). The A value is scaled by 2^112 instead (once per k step for
// 16 weights), so each product is w·a exactly as the true operands
// would give it: both scalings are exact (|a| ≤ 65504 stays below 2^128, and w·2^-112 ≥ 2^-136
// is an exact f32 subnormal at worst). Against scaling every widened weight: 1.08–1.16× faster
// (2026-11-24, kernel calls of both builds in one process, both orders, same bits); the
// constants loaded once per call and the bias reloaded for the rare path, not kept live:
// 1.07–1.09× more. The hot loop keeps the largest |bits| seen, and when that is Inf/NaN the
// panel pair is recomputed with the general conversion and the unscaled A (same bits, slower).
import { gemv1x16F16w } from '../util/gemv-f16w';

export function f16_f32acc_gemm_1x16__simd_f16w(
  mr: i32, nc: i32, kc: i32,
  a: usize, aStride: usize,
  w: usize,
  c: usize, cStride: usize,
  vmin: f32, vmax: f32,
): void {
  gemv1x16F16w(true, nc, kc, a, w, c, vmin, vmax);
}
