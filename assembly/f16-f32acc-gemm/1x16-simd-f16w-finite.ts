// f16 GEMV with f32 accumulation ("f16" precision, M = 1), 1×16 tile, SIMD128, for weights with
// no Inf or NaN: f16_f32acc_gemm_1x16__simd_f16w's contract, loop and bits, without its check
// for such weights (the largest |bits| kept per step, 2 of ~11 vector ops per 8 weights).
// Limits: those of f16_f32acc_gemm_1x16__simd_f16w, and no weight may be Inf or NaN (the bias
// may): the widening would read one as a finite value of magnitude 2^16 to 2^17. The drivers
// know it from packing (prepack scans the weights once).
import { gemv1x16F16w } from '../util/gemv-f16w';

export function f16_f32acc_gemm_1x16__simd_f16w_finite(
  mr: i32, nc: i32, kc: i32,
  a: usize, aStride: usize,
  w: usize,
  c: usize, cStride: usize,
  vmin: f32, vmax: f32,
): void {
  gemv1x16F16w(false, nc, kc, a, w, c, vmin, vmax);
}
