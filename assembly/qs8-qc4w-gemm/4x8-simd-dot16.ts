// int8 × int4 GEMM microkernel, 4×8 register tile, SIMD128 i32x4.dot_i16x8_s; 4-bit weights
// stay packed (2 per byte) and are unpacked to i16 in registers with shifts.
//
// Computes C[0..mr)[0..nc) = requant(bias + A·W) for up to 4 rows (util/requant.ts: fp32,
// dyadic or raw int32 by params mode).
//   a: packed A tile from qs8-packx / qu8-packx: per k-pair [row 0..3][a(k), a(k+1) as i16],
//      16 bytes per k-pair (rows past mr are zero; their results are never stored). Signed and
//      unsigned activations are both widened at packing, so this kernel serves both.
//   w: packed weights, panels of 8 columns, 8 bytes per k-pair: byte i holds, low nibble first,
//      the i-th i16 lane of the two weight vectors [c0 k, c0 k+1, …, c3 k+1] and [c4 k, …, c7 k+1]
//      (two's complement nibbles in [−8, 7]; symmetric quantization uses [−7, 7]).
//   bias: int32 per column (zero point of A folded in), 8 per panel.  s: per-column f32 scale
//      (mode 0) or int32 multiplier (mode 1), 8 per panel.  params: util/requant.ts block.
//   c: row i at c + i·cStride bytes; int8/uint8 outputs (int32 in mode 2); nc columns written.
// Limits: 1 ≤ mr ≤ 4, nc ≥ 1, k ≥ 0. The int32 sum is exact when the true sum fits int32
// (the API checks |bias| + k·max|a|·max|w| < 2^31): wrapping arithmetic is modular.
//
// Unpack per k-pair: one sign-extending 8-byte load, high nibble = x >> 4, low = (x << 12) >> 12.
// Registers: 8 accumulators + raw + 2 weight vectors + 4 A splats.
import { store4x8 } from '../util/requant';

export function qs8_qc4w_gemm_4x8__simd_dot16(
  mr: i32, nc: i32, k: i32, a: usize, w: usize, bias: usize, s: usize, c: usize, cStride: usize, params: usize,
): void {
  let c0 = c;
  let c1 = c0 + cStride;
  if (mr < 2) c1 = c0;
  let c2 = c1 + cStride;
  if (mr <= 2) c2 = c1;
  let c3 = c2 + cStride;
  if (mr != 4) c3 = c2;
  const pairs = (k + 1) >> 1;
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
      const bl = i16x8.shr_s(i16x8.shl(x, 12), 12);
      const bh = i16x8.shr_s(x, 4);
      const va0 = v128.load32_splat(ap);
      const va1 = v128.load32_splat(ap, 4);
      const va2 = v128.load32_splat(ap, 8);
      const va3 = v128.load32_splat(ap, 12);
      acc0l = i32x4.add(acc0l, i32x4.dot_i16x8_s(va0, bl));
      acc0h = i32x4.add(acc0h, i32x4.dot_i16x8_s(va0, bh));
      acc1l = i32x4.add(acc1l, i32x4.dot_i16x8_s(va1, bl));
      acc1h = i32x4.add(acc1h, i32x4.dot_i16x8_s(va1, bh));
      acc2l = i32x4.add(acc2l, i32x4.dot_i16x8_s(va2, bl));
      acc2h = i32x4.add(acc2h, i32x4.dot_i16x8_s(va2, bh));
      acc3l = i32x4.add(acc3l, i32x4.dot_i16x8_s(va3, bl));
      acc3h = i32x4.add(acc3h, i32x4.dot_i16x8_s(va3, bh));
      w += 8;
      ap += 16;
    }
    const n = min(nLeft, 8);
    store4x8(acc0l, acc0h, acc1l, acc1h, acc2l, acc2h, acc3l, acc3h, s, params, c0, c1, c2, c3, n);
    nLeft -= 8;
    if (nLeft <= 0) break;
    bias += 32; s += 32;
    c0 += cStep; c1 += cStep; c2 += cStep; c3 += cStep;
  }
}
