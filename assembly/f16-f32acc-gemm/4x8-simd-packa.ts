// f16 GEMM with f32 accumulation ("f16" precision), 4×8 register tile, SIMD128, A pre-packed.
//
// Computes C[0..mr)[0..nc) = round16(clamp(bias + A·B, vmin, vmax)) for up to 4 rows of A, C
// in binary16. The operands arrive already widened to f32 (exactly: every binary16 is an f32),
// so the loop is the f32 kernel's (util/gemm4x8.ts) and only the store differs:
//   a: packed A tile from x32-packx over the f32 image of A: [kc][4] floats.
//   w: f32 panels of 8 columns, [bias 8][kc × 8] (the f16-packw panels widened, bindings/f16.ts).
//   c: binary16, row i at c + i·cStride bytes; only nc columns are written.
// Limits: 1 ≤ mr ≤ 4, nc ≥ 1, kc ≥ 0. aStride is unused (the f32-gemm signature).
//
// Reduction order: as every f32-gemm variant (bias first, k ascending, mul then add, no FMA),
// then one rounding to binary16 (nearest even) at the store: the result is exactly
// round16(f32_gemm(widen(A), widen(B), widen(bias))).
import { gemm4x8 } from '../util/gemm4x8';

export function f16_f32acc_gemm_4x8__simd_packa(
  mr: i32, nc: i32, kc: i32,
  a: usize, aStride: usize,
  w: usize,
  c: usize, cStride: usize,
  vmin: f32, vmax: f32,
): void {
  gemm4x8<u16>(mr, nc, kc, a, w, c, cStride, vmin, vmax);
}
