// f16 GEMM with f32 accumulation ("f16" precision) for 3 rows, 3×8 tile, SIMD128, reading the
// binary16 weights directly (no Inf or NaN among them), one panel per pass.
//
// Computes C[0..mr)[0..nc) = round16(clamp(bias + A·B, vmin, vmax)):
//   a: mr rows of kc floats, aStride bytes apart: A widened to f32 and multiplied by 2^112 (exact:
//      |a| ≤ 65504 stays below 2^128).
//   w: f16-packw panels of 8 columns; the weights (not the bias) hold no Inf or NaN (the drivers
//      know it from packing).
//   c: binary16, row i at c + i·cStride bytes; only nc columns are written.
// Limits: 1 ≤ mr ≤ 3, nc ≥ 1, kc ≥ 0.
// Reduction order: that of every f32-gemm variant (bias first, k ascending, separate mul and
// add), the conversions exact: the same bits as f16_f32acc_gemm_4x8__simd_packa.
//
// The widening is util/f16.ts widenHighHalves (4 ops per 8 weights, even columns from the 16
// bytes 2 bytes before each step's), so the accumulators hold the columns even ones first. Why 3
// rows over one panel: 6 accumulators, 3 A values, 2 widened vectors and the mask stay in registers; per
// row it ran 1.13× faster than the 2×16 kernel, and 4 rows (8 accumulators) 1.05× slower
// (kernel calls, K = N = 1024, 2026-11-25).
import { f16x4_to_f32x4, storeTile4x8_f16, widenHighHalves } from '../util/f16';

export function f16_f32acc_gemm_3x8__simd_f16w_finite(
  mr: i32, nc: i32, kc: i32,
  a: usize, aStride: usize,
  w: usize,
  c: usize, cStride: usize,
  vmin: f32, vmax: f32,
): void {
  const kBytes = (<usize>kc) << 2;
  const mask = i32x4.splat(0x8fffe000);
  const vlo = f32x4.splat(vmin), vhi = f32x4.splat(vmax);
  // Rows past mr alias the last one (stored first, then overwritten with the same values).
  const a1 = mr > 1 ? a + aStride : a, a2 = mr > 2 ? a1 + aStride : a1;
  const s1: usize = mr > 1 ? cStride : 0, s2: usize = mr > 2 ? s1 + cStride : s1;
  let nLeft = nc;
  while (true) {
    const bias = v128.load(w);
    const b0 = f16x4_to_f32x4(i32x4.extend_low_i16x8_u(bias)), b1 = f16x4_to_f32x4(i32x4.extend_high_i16x8_u(bias));
    let e0 = i32x4.shuffle(b0, b1, 0, 2, 4, 6), o0 = i32x4.shuffle(b0, b1, 1, 3, 5, 7);
    let e1 = e0, o1 = o0, e2 = e0, o2 = o0;
    let p = w + 16;
    for (let k: usize = 0; k < kBytes; k += 4) {
      const be = widenHighHalves(v128.load(p - 2), mask);
      const bo = widenHighHalves(v128.load(p), mask);
      const v0 = v128.load32_splat(a + k), v1 = v128.load32_splat(a1 + k), v2 = v128.load32_splat(a2 + k);
      e0 = f32x4.add(e0, f32x4.mul(v0, be)); o0 = f32x4.add(o0, f32x4.mul(v0, bo));
      e1 = f32x4.add(e1, f32x4.mul(v1, be)); o1 = f32x4.add(o1, f32x4.mul(v1, bo));
      e2 = f32x4.add(e2, f32x4.mul(v2, be)); o2 = f32x4.add(o2, f32x4.mul(v2, bo));
      p += 16;
    }
    storeTile4x8_f16(c, c + s1, c + s2, c + s2,
      i32x4.shuffle(e0, o0, 0, 4, 1, 5), i32x4.shuffle(e0, o0, 2, 6, 3, 7),
      i32x4.shuffle(e1, o1, 0, 4, 1, 5), i32x4.shuffle(e1, o1, 2, 6, 3, 7),
      i32x4.shuffle(e2, o2, 0, 4, 1, 5), i32x4.shuffle(e2, o2, 2, 6, 3, 7),
      i32x4.shuffle(e2, o2, 0, 4, 1, 5), i32x4.shuffle(e2, o2, 2, 6, 3, 7),
      vlo, vhi, vmin != -Infinity, vmax != Infinity, nLeft);
    if (nLeft <= 8) break;
    w = p; c += 16; nLeft -= 8;
  }
}
