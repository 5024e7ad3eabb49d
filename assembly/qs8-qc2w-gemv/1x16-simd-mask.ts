// int8 × int2 GEMV (M = 1) with mask extraction: 1×16 register tile (two 8-column panels).
//
// Weights use their own layout (bindings/quant.ts packQ2Gemv), offset binary u = w + 2 in
// [0, 3], four consecutive k-pairs per byte: per panel and group of 4 k-pairs, 16 bytes:
// bytes 0–7 hold columns 0–3, bytes 8–15 columns 4–7; byte i holds lane i of V(p + j) in bits
// 2j..2j+1, where V(p) = [c0 k, c0 k+1, c1 k, …, c3 k+1] (k = 2p).
// The activation row comes from qs8_qc2w_packa_x8__simd: the k-pair p + j of each group
// pre-multiplied by 4^(3−j) for j < 3 and by 64 for j = 3, so that (x & (3 << 2j)) · a·4^(3−j)
// = 64 · u · a for j < 3 and (x >> 6) · 64a = 64 · u · a for j = 3 (x zero-extended): one AND or
// one shift per weight vector, three mask registers. Then acc = 64 · Σ u·a, and
//   Σ w·a = (acc >> 6) − 2 · Σ a          (exact: acc is a multiple of 64)
// which the epilogue adds to the bias before requantizing (util/requant.ts store1x16).
//   a: [16 bytes: −2·Σa as i32 ×4][64 bytes: the masks 3, 12, 48 as i16x8, 16 spare][k-pairs: i16 pairs].
//   w: ceil(nc/8) panels of ceil(k/8)·16 bytes.  bias, s: per column, padded to 16.
// Limits: nc ≥ 1, k ≥ 0, 64·3·max|a|·k < 2^31 (k ≤ 43 000; the API checks).
import { store1x16 } from '../util/requant';

export function qs8_qc2w_gemv_1x16__simd_mask(nc: i32, k: i32, a: usize, w: usize, bias: usize, s: usize, c: usize, params: usize): void {
  const groups = (k + 7) >> 3;
  const panel: usize = <usize>groups << 4;
  const ap0 = a + 80;
  const aEnd = ap0 + (<usize>groups << 4);
  const corr = v128.load(a);
  const m0 = v128.load(a, 16);
  const m1 = v128.load(a, 32);
  const m2 = v128.load(a, 48);
  const cStep: usize = load<i32>(params) == 2 ? 64 : 16;
  let nLeft = nc;
  while (true) {
    let w0 = w;
    let w1 = nLeft > 8 ? w + panel : w;
    let acc0 = i32x4.splat(0);
    let acc1 = acc0;
    let acc2 = acc0;
    let acc3 = acc0;
    let ap = ap0;
    while (ap < aEnd) {
      const s0 = v128.load32_splat(ap);
      const s1 = v128.load32_splat(ap, 4);
      const s2 = v128.load32_splat(ap, 8);
      const s3 = v128.load32_splat(ap, 12);
      let x = v128.load8x8_u(w0);
      acc0 = i32x4.add(acc0, i32x4.dot_i16x8_s(v128.and(x, m0), s0));
      acc0 = i32x4.add(acc0, i32x4.dot_i16x8_s(v128.and(x, m1), s1));
      acc0 = i32x4.add(acc0, i32x4.dot_i16x8_s(v128.and(x, m2), s2));
      acc0 = i32x4.add(acc0, i32x4.dot_i16x8_s(i16x8.shr_u(x, 6), s3));
      x = v128.load8x8_u(w0, 8);
      acc1 = i32x4.add(acc1, i32x4.dot_i16x8_s(v128.and(x, m0), s0));
      acc1 = i32x4.add(acc1, i32x4.dot_i16x8_s(v128.and(x, m1), s1));
      acc1 = i32x4.add(acc1, i32x4.dot_i16x8_s(v128.and(x, m2), s2));
      acc1 = i32x4.add(acc1, i32x4.dot_i16x8_s(i16x8.shr_u(x, 6), s3));
      x = v128.load8x8_u(w1);
      acc2 = i32x4.add(acc2, i32x4.dot_i16x8_s(v128.and(x, m0), s0));
      acc2 = i32x4.add(acc2, i32x4.dot_i16x8_s(v128.and(x, m1), s1));
      acc2 = i32x4.add(acc2, i32x4.dot_i16x8_s(v128.and(x, m2), s2));
      acc2 = i32x4.add(acc2, i32x4.dot_i16x8_s(i16x8.shr_u(x, 6), s3));
      x = v128.load8x8_u(w1, 8);
      acc3 = i32x4.add(acc3, i32x4.dot_i16x8_s(v128.and(x, m0), s0));
      acc3 = i32x4.add(acc3, i32x4.dot_i16x8_s(v128.and(x, m1), s1));
      acc3 = i32x4.add(acc3, i32x4.dot_i16x8_s(v128.and(x, m2), s2));
      acc3 = i32x4.add(acc3, i32x4.dot_i16x8_s(i16x8.shr_u(x, 6), s3));
      w0 += 16; w1 += 16;
      ap += 16;
    }
    acc0 = i32x4.add(i32x4.add(i32x4.shr_s(acc0, 6), corr), v128.load(bias));
    acc1 = i32x4.add(i32x4.add(i32x4.shr_s(acc1, 6), corr), v128.load(bias, 16));
    acc2 = i32x4.add(i32x4.add(i32x4.shr_s(acc2, 6), corr), v128.load(bias, 32));
    acc3 = i32x4.add(i32x4.add(i32x4.shr_s(acc3, 6), corr), v128.load(bias, 48));
    store1x16(acc0, acc1, acc2, acc3, s, params, c, min(nLeft, 16));
    nLeft -= 16;
    if (nLeft <= 0) break;
    w += panel << 1; bias += 64; s += 64; c += cStep;
  }
}
