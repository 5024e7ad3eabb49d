// int8 × int2 GEMV microkernel (M = 1), 1×16 register tile (two 8-column panels per step),
// SIMD128 i32x4.dot_i16x8_s.
//
// Computes c[0..nc) = requant(bias + a·W) for one row (util/requant.ts: fp32, dyadic or int32).
//   a: row 0 of a packed A tile (qs8-packx / qu8-packx): per k-pair [a(k), a(k+1) as i16] at a
//      stride of 16 bytes, k-pairs padded to an even count.
//   w: packed weights as for qs8_qc2w_gemm_4x8__simd_dot16 (crumbs, 8 bytes per two k-pairs per panel).
//   bias, s: per column, padded to a multiple of 16 columns.  params: util/requant.ts block.
//   c: nc int8/uint8 outputs (int32 in mode 2).
// Limits: nc ≥ 1, k ≥ 0. Unpack: sign-extending 8-byte loads, crumb j = (x << (14 − 2j)) >> 14.
// Registers: 4 accumulators, 1 A splat, the weight vectors of one k-pair.
import { store1x16 } from '../util/requant';

export function qs8_qc2w_gemm_1x16__simd_dot16(nc: i32, k: i32, a: usize, w: usize, bias: usize, s: usize, c: usize, params: usize): void {
  const pairs = ((k + 3) >> 2) << 1;
  const panel: usize = <usize>pairs << 2;
  const aEnd = a + (<usize>pairs << 4);
  const cStep: usize = load<i32>(params) == 2 ? 64 : 16;
  let nLeft = nc;
  while (true) {
    let w0 = w;
    let w1 = nLeft > 8 ? w + panel : w;
    let acc0 = v128.load(bias);
    let acc1 = v128.load(bias, 16);
    let acc2 = v128.load(bias, 32);
    let acc3 = v128.load(bias, 48);
    let ap = a;
    while (ap < aEnd) {
      const x0 = v128.load8x8_s(w0);
      const x1 = v128.load8x8_s(w1);
      let va = v128.load32_splat(ap);
      acc0 = i32x4.add(acc0, i32x4.dot_i16x8_s(va, i16x8.shr_s(i16x8.shl(x0, 14), 14)));
      acc1 = i32x4.add(acc1, i32x4.dot_i16x8_s(va, i16x8.shr_s(i16x8.shl(x0, 12), 14)));
      acc2 = i32x4.add(acc2, i32x4.dot_i16x8_s(va, i16x8.shr_s(i16x8.shl(x1, 14), 14)));
      acc3 = i32x4.add(acc3, i32x4.dot_i16x8_s(va, i16x8.shr_s(i16x8.shl(x1, 12), 14)));
      va = v128.load32_splat(ap, 16);
      acc0 = i32x4.add(acc0, i32x4.dot_i16x8_s(va, i16x8.shr_s(i16x8.shl(x0, 10), 14)));
      acc1 = i32x4.add(acc1, i32x4.dot_i16x8_s(va, i16x8.shr_s(x0, 6)));
      acc2 = i32x4.add(acc2, i32x4.dot_i16x8_s(va, i16x8.shr_s(i16x8.shl(x1, 10), 14)));
      acc3 = i32x4.add(acc3, i32x4.dot_i16x8_s(va, i16x8.shr_s(x1, 6)));
      w0 += 8; w1 += 8;
      ap += 32;
    }
    store1x16(acc0, acc1, acc2, acc3, s, params, c, min(nLeft, 16));
    nLeft -= 16;
    if (nLeft <= 0) break;
    w += panel << 1; bias += 64; s += 64; c += cStep;
  }
}
