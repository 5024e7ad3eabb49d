// f32 GEMM microkernel, 4×8 register tile, SIMD128, A pre-packed.
//
// Computes C[0..mr)[0..nc) = clamp(bias + A·B, vmin, vmax) for up to 4 rows of A.
//   a: packed A tile from x32-packx: [kc][4] floats, the 4 rows interleaved per k (rows past
//      mr hold padding whose results are never stored).
//   w: packed weights, panels of 8 columns: [bias 8][kc × 8] per panel (f32-packw layout).
//   c: row-major, row i at c + i·cStride bytes; only nc columns are written.
// Limits: 1 ≤ mr ≤ 4, nc ≥ 1, kc ≥ 0. aStride is unused (the signature is the f32-gemm one).
//
// Reduction order: as every f32-gemm variant (bias first, k ascending, mul then add, no FMA),
// so outputs are bit-identical to the 1×24 kernels' (M = 1) and the IGEMM's. The loop (and why
// A is packed) is util/gemm4x8.ts, shared with the binary16-output twin
// f16_f32acc_gemm_4x8__simd_packa.
import { gemm4x8 } from '../util/gemm4x8';

export function f32_gemm_4x8__simd_packa(
  mr: i32, nc: i32, kc: i32,
  a: usize, aStride: usize,
  w: usize,
  c: usize, cStride: usize,
  vmin: f32, vmax: f32,
): void {
  gemm4x8<f32>(mr, nc, kc, a, w, c, cStride, vmin, vmax);
}
