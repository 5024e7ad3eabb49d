// f16 GEMM with f32 accumulation ("f16" precision), 4×8 register tile, SIMD128, A pre-packed.
//
// Computes C[0..mr)[0..nc) = round16(clamp(bias + A·B, vmin, vmax)) for up to 4 rows of A, C
// in binary16. The operands arrive already widened to f32 (exactly: every binary16 is an f32),
// so the loop is the f32 kernel's and this kernel only differs at the store:
//   a: packed A tile from x32-packx over the f32 image of A: [kc][4] floats.
//   w: f32 panels of 8 columns, [bias 8][kc × 8] (the f16-packw panels widened, bindings/f16.ts).
//   c: binary16, row i at c + i·cStride bytes; only nc columns are written.
// Limits: 1 ≤ mr ≤ 4, nc ≥ 1, kc ≥ 0. aStride is unused (the f32-gemm signature).
//
// Reduction order: as every f32-gemm variant (bias first, k ascending, mul then add, no FMA),
// then one rounding to binary16 (nearest even) at the store: the result is exactly
// round16(f32_gemm(widen(A), widen(B), widen(bias))).
import { storeTile4x8_f16 } from '../util/f16';

export function f16_f32acc_gemm_4x8__simd_packa(
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
  let nLeft = nc;
  while (true) {
    let acc0l = v128.load(w);
    let acc0h = v128.load(w, 16);
    let acc1l = acc0l; let acc1h = acc0h;
    let acc2l = acc0l; let acc2h = acc0h;
    let acc3l = acc0l; let acc3h = acc0h;
    w += 32;
    let ap = a;
    while (ap < aEnd) {
      const bl = v128.load(w);
      const bh = v128.load(w, 16);
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
      w += 32;
      ap += 16;
    }
    storeTile4x8_f16(c0, c1, c2, c3, acc0l, acc0h, acc1l, acc1h, acc2l, acc2h, acc3l, acc3h, vlo, vhi, clampLo, clampHi, nLeft);
    if (nLeft <= 8) break;
    c0 += 16; c1 += 16; c2 += 16; c3 += 16;
    nLeft -= 8;
  }
}
