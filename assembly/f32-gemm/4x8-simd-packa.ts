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
// so outputs are bit-identical to f32_gemm_4x8__simd.
//
// Why pack A: with the 4 rows interleaved, the four A splats of a k-step come from one pointer
// at immediate offsets 0, 4, 8, 12 and the loop advances two pointers; unpacked rows cost an
// address computation per row per k-step, which left V8's loop issue-bound at ~70% of peak.
import { storeTile4x8 } from '../util/tile';
export function f32_gemm_4x8__simd_packa(
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
    storeTile4x8(c0, c1, c2, c3, acc0l, acc0h, acc1l, acc1h, acc2l, acc2h, acc3l, acc3h, vlo, vhi, nLeft);
    if (nLeft <= 8) break;
    c0 += 32; c1 += 32; c2 += 32; c3 += 32;
    nLeft -= 8;
  }
}
