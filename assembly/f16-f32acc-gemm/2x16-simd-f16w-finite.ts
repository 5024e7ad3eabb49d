// f16 GEMM with f32 accumulation ("f16" precision) for 2 rows, 2×16 tile, SIMD128, reading the
// binary16 weights directly (no Inf or NaN among them): the GEMV's loop
// (f16_f32acc_gemm_1x16__simd_f16w_finite, util/gemv-f16w.ts) with a second row sharing each
// k step's widened weights.
//
// Computes C[0..mr)[0..nc) = round16(clamp(bias + A·B, vmin, vmax)):
//   a: mr rows of kc floats, aStride bytes apart: A widened to f32 and multiplied by 2^112 (exact:
//      |a| ≤ 65504 stays below 2^128), the GEMV's scaling done once by the driver.
//   w: f16-packw panels of 8 columns, two read side by side; the weights (not the bias) hold no
//      Inf or NaN (the drivers know it from packing).
//   c: binary16, row i at c + i·cStride bytes; only nc columns are written.
// Limits: 1 ≤ mr ≤ 2, nc ≥ 1, kc ≥ 0.
// Reduction order: that of every f32-gemm variant (bias first, k ascending, separate mul and
// add), the conversions exact: the same bits as f16_f32acc_gemm_4x8__simd_packa.
//
// Why: 2 rows on the widening paths widen every weight for only two rows' multiply-adds (0.46×
// of the f32 GEMM at 2×1024×1024); here 8 weights widen in 4 ops shared by 2 rows' 8 vector ops
// (24 per 32 multiply-adds, against 16 for the f32 2×8 kernel). Scaling A in the loop, as the
// GEMV does, cost 2 more ops and a register, and V8 then spilled accumulators: 182 against 117 µs
// at 2×1024×1024 (kernel calls, 2026-11-25).
import { rows16F16w } from '../util/gemv-f16w';

export function f16_f32acc_gemm_2x16__simd_f16w_finite(
  mr: i32, nc: i32, kc: i32,
  a: usize, aStride: usize,
  w: usize,
  c: usize, cStride: usize,
  vmin: f32, vmax: f32,
): void {
  // One row: the second aliases the first (same values, stored twice).
  rows16F16w(2, false, nc, kc, a, mr > 1 ? aStride : 0, w, c, mr > 1 ? cStride : 0, vmin, vmax);
}
