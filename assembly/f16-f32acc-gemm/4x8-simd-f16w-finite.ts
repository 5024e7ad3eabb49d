// f16 GEMM with f32 accumulation ("f16" precision) for up to 4 rows, 4×8 register tile, SIMD128,
// reading the binary16 weights directly: the f16-packw panels are widened in registers, so the
// GEMM streams half the bytes of the f32 one and writes no widened copy of the weights.
//
// Computes C[0..mr)[0..nc) = round16(clamp(bias + A·B, vmin, vmax)), C in binary16:
//   a: packed A tile from f16-f32-packx: [kc][4] floats (binary16 values).
//   w: f16-packw panels of 8 columns, [bias 8][kc × 8] halves. The weights (not the bias) hold
//      no Inf or NaN: the drivers know it from packing (lw.prepack scans them).
//   c: binary16, row i at c + i·cStride bytes; only nc columns are written.
// Limits: 1 ≤ mr ≤ 4, nc ≥ 1, kc ≥ 0. aStride is unused (the f32-gemm signature).
// Reduction order: that of every f32-gemm variant (bias first, k ascending, separate mul and
// add), the conversions exact: the same bits as f16_f32acc_gemm_4x8__simd_packa.
//
// Why: with weights read from memory, the f32 drivers' widening pass (~3 ms for 4096×4096 halves,
// 4.3–5.7 elements/ns there) cost more than a few rows' multiply-adds. Here a k step's 8 weights
// widen in 4 integer ops (util/f16.ts widenHighHalves) and 2 multiplies by 2^112, no shuffle;
// the accumulators hold the columns even ones first (0 2 4 6 | 1 3 5 7), so the bias goes in and
// the tile goes out through shuffles, once per panel. An exponent of 31 would widen to a finite
// value: hence the finite-weights contract.
// Measured (kernel calls, one 4-row tile, against f16_f32acc_gemm_4x8__simd_packa on widened
// panels, 2026-11-25): 0.63× its speed at K = N = 1024 (weights in cache: this kernel's 22 vector
// ops per k step against 16), 0.76× at K = N = 4096, where the drivers' widening no longer fits
// in the difference. The GEMV's widening (one load, 3 i16 ops, 2 interleaves) ran at 0.60×.
import { f16x4_to_f32x4, storeTile4x8_f16, widenHighHalves, F16K } from '../util/f16';

export function f16_f32acc_gemm_4x8__simd_f16w_finite(
  mr: i32, nc: i32, kc: i32,
  a: usize, aStride: usize,
  w: usize,
  c: usize, cStride: usize,
  vmin: f32, vmax: f32,
): void {
  let c0 = c;
  let c1 = c0 + cStride;
  if (mr < 2) c1 = c0;
  let c2 = c1 + cStride;
  if (mr <= 2) c2 = c1;
  let c3 = c2 + cStride;
  if (mr != 4) c3 = c2;
  const aEnd = a + ((<usize>kc) << 4);
  const vlo = f32x4.splat(vmin);
  const vhi = f32x4.splat(vmax);
  const clampLo = vmin != -Infinity, clampHi = vmax != Infinity;
  // The hot loop's constants, once per call (V8 does not move a load out of a loop).
  const mask = i32x4.splat(0x8fffe000), scale = v128.load(F16K, 16 /* 2^112 */);
  let nLeft = nc;
  while (true) {
    const bias = v128.load(w);
    const b0 = f16x4_to_f32x4(i32x4.extend_low_i16x8_u(bias)), b1 = f16x4_to_f32x4(i32x4.extend_high_i16x8_u(bias));
    let acc0l = i32x4.shuffle(b0, b1, 0, 2, 4, 6);
    let acc0h = i32x4.shuffle(b0, b1, 1, 3, 5, 7);
    let acc1l = acc0l; let acc1h = acc0h;
    let acc2l = acc0l; let acc2h = acc0h;
    let acc3l = acc0l; let acc3h = acc0h;
    w += 16;
    let ap = a;
    while (ap < aEnd) {
      const bl = f32x4.mul(widenHighHalves(v128.load(w - 2), mask), scale);
      const bh = f32x4.mul(widenHighHalves(v128.load(w), mask), scale);
      const va0 = v128.load32_splat(ap);
      const va1 = v128.load32_splat(ap, 4);
      const va2 = v128.load32_splat(ap, 8);
      const va3 = v128.load32_splat(ap, 12);
      acc0l = f32x4.add(acc0l, f32x4.mul(va0, bl));
      acc0h = f32x4.add(acc0h, f32x4.mul(va0, bh));
      acc1l = f32x4.add(acc1l, f32x4.mul(va1, bl));
      acc1h = f32x4.add(acc1h, f32x4.mul(va1, bh));
      acc2l = f32x4.add(acc2l, f32x4.mul(va2, bl));
      acc2h = f32x4.add(acc2h, f32x4.mul(va2, bh));
      acc3l = f32x4.add(acc3l, f32x4.mul(va3, bl));
      acc3h = f32x4.add(acc3h, f32x4.mul(va3, bh));
      w += 16;
      ap += 16;
    }
    storeTile4x8_f16(c0, c1, c2, c3,
      i32x4.shuffle(acc0l, acc0h, 0, 4, 1, 5), i32x4.shuffle(acc0l, acc0h, 2, 6, 3, 7),
      i32x4.shuffle(acc1l, acc1h, 0, 4, 1, 5), i32x4.shuffle(acc1l, acc1h, 2, 6, 3, 7),
      i32x4.shuffle(acc2l, acc2h, 0, 4, 1, 5), i32x4.shuffle(acc2l, acc2h, 2, 6, 3, 7),
      i32x4.shuffle(acc3l, acc3h, 0, 4, 1, 5), i32x4.shuffle(acc3l, acc3h, 2, 6, 3, 7),
      vlo, vhi, clampLo, clampHi, nLeft);
    if (nLeft <= 8) break;
    c0 += 16; c1 += 16; c2 += 16; c3 += 16;
    nLeft -= 8;
  }
}
