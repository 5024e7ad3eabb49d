// int8 × int2 GEMM microkernel, 4×8 register tile, SIMD128 i32x4.dot_i16x8_s; 2-bit weights
// stay packed (4 per byte) and are unpacked to i16 in registers with shifts.
//
// Computes C[0..mr)[0..nc) = requant(bias + A·W) for up to 4 rows (util/requant.ts: fp32,
// dyadic or raw int32 by params mode).
//   a: packed A tile from qs8-packx / qu8-packx: per k-pair [row 0..3][a(k), a(k+1) as i16],
//      16 bytes per k-pair, padded to an even number of k-pairs (k rounded up to 4, zeros).
//   w: packed weights, panels of 8 columns, 8 bytes per two k-pairs (p, p+1): byte i holds, low
//      bits first, lane i of the weight vectors V(p, c0–3), V(p, c4–7), V(p+1, c0–3), V(p+1, c4–7),
//      where V(p, c0–3) = [c0 k, c0 k+1, c1 k, …, c3 k+1] (two's complement crumbs in [−2, 1];
//      symmetric quantization uses [−1, 1]).
//   bias: int32 per column (zero point of A folded in), 8 per panel.  s: per-column f32 scale
//      (mode 0) or int32 multiplier (mode 1), 8 per panel.  params: util/requant.ts block.
//   c: row i at c + i·cStride bytes; int8/uint8 outputs (int32 in mode 2); nc columns written.
// Limits: 1 ≤ mr ≤ 4, nc ≥ 1, k ≥ 0. The int32 sum is exact when the true sum fits int32.
//
// Unpack per two k-pairs: one sign-extending 8-byte load x, crumb j = (x << (14 − 2j)) >> 14
// (the top one is x >> 6). Each half uses its two vectors before the next two are made.
import { store4x8 } from '../util/requant';

export function qs8_qc2w_gemm_4x8__simd_dot16(
  mr: i32, nc: i32, k: i32, a: usize, w: usize, bias: usize, s: usize, c: usize, cStride: usize, params: usize,
): void {
  let c0 = c;
  let c1 = c0 + cStride;
  if (mr < 2) c1 = c0;
  let c2 = c1 + cStride;
  if (mr <= 2) c2 = c1;
  let c3 = c2 + cStride;
  if (mr != 4) c3 = c2;
  const pairs = ((k + 3) >> 2) << 1;
  const aEnd = a + (<usize>pairs << 4);
  const cStep: usize = load<i32>(params) == 2 ? 32 : 8;
  let nLeft = nc;
  while (true) {
    let acc0l = v128.load(bias);
    let acc0h = v128.load(bias, 16);
    let acc1l = acc0l; let acc1h = acc0h;
    let acc2l = acc0l; let acc2h = acc0h;
    let acc3l = acc0l; let acc3h = acc0h;
    let ap = a;
    while (ap < aEnd) {
      const x = v128.load8x8_s(w);
      let bl = i16x8.shr_s(i16x8.shl(x, 14), 14);
      let bh = i16x8.shr_s(i16x8.shl(x, 12), 14);
      let va0 = v128.load32_splat(ap);
      let va1 = v128.load32_splat(ap, 4);
      let va2 = v128.load32_splat(ap, 8);
      let va3 = v128.load32_splat(ap, 12);
      acc0l = i32x4.add(acc0l, i32x4.dot_i16x8_s(va0, bl));
      acc0h = i32x4.add(acc0h, i32x4.dot_i16x8_s(va0, bh));
      acc1l = i32x4.add(acc1l, i32x4.dot_i16x8_s(va1, bl));
      acc1h = i32x4.add(acc1h, i32x4.dot_i16x8_s(va1, bh));
      acc2l = i32x4.add(acc2l, i32x4.dot_i16x8_s(va2, bl));
      acc2h = i32x4.add(acc2h, i32x4.dot_i16x8_s(va2, bh));
      acc3l = i32x4.add(acc3l, i32x4.dot_i16x8_s(va3, bl));
      acc3h = i32x4.add(acc3h, i32x4.dot_i16x8_s(va3, bh));
      bl = i16x8.shr_s(i16x8.shl(x, 10), 14);
      bh = i16x8.shr_s(x, 6);
      va0 = v128.load32_splat(ap, 16);
      va1 = v128.load32_splat(ap, 20);
      va2 = v128.load32_splat(ap, 24);
      va3 = v128.load32_splat(ap, 28);
      acc0l = i32x4.add(acc0l, i32x4.dot_i16x8_s(va0, bl));
      acc0h = i32x4.add(acc0h, i32x4.dot_i16x8_s(va0, bh));
      acc1l = i32x4.add(acc1l, i32x4.dot_i16x8_s(va1, bl));
      acc1h = i32x4.add(acc1h, i32x4.dot_i16x8_s(va1, bh));
      acc2l = i32x4.add(acc2l, i32x4.dot_i16x8_s(va2, bl));
      acc2h = i32x4.add(acc2h, i32x4.dot_i16x8_s(va2, bh));
      acc3l = i32x4.add(acc3l, i32x4.dot_i16x8_s(va3, bl));
      acc3h = i32x4.add(acc3h, i32x4.dot_i16x8_s(va3, bh));
      w += 8;
      ap += 32;
    }
    const n = min(nLeft, 8);
    store4x8(acc0l, acc0h, acc1l, acc1h, acc2l, acc2h, acc3l, acc3h, s, params, c0, c1, c2, c3, n);
    nLeft -= 8;
    if (nLeft <= 0) break;
    bias += 32; s += 32;
    c0 += cStep; c1 += cStep; c2 += cStep; c3 += cStep;
  }
}
