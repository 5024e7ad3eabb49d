// int8 GEMM microkernel, 4×8 register tile, SIMD128 i32x4.dot_i16x8_s, 8-bit weights pre-widened.
//
// Computes C[0..mr)[0..nc) = requant(bias + A·W) for up to 4 rows (util/requant.ts: fp32,
// dyadic or raw int32 by params mode).
//   a: packed A tile from qs8-packx / qu8-packx: per k-pair [row 0..3][a(k), a(k+1) as i16],
//      16 bytes per k-pair (rows past mr are zero; their results are never stored). Signed and
//      unsigned activations are both widened at packing, so this kernel serves both.
//   w: packed weights, panels of 8 columns: [ceil(k/2)][8 columns][w(k), w(k+1) as i16]
//      (32 bytes per k-pair per panel; weights minus their zero point, in [−255, 255]).
//   bias: int32 per column (zero point of A folded in), 8 per panel.  s: per-column f32 scale
//      (mode 0) or int32 multiplier (mode 1), 8 per panel.  params: util/requant.ts block.
//   c: row i at c + i·cStride bytes; int8/uint8 outputs (int32 in mode 2); nc columns written.
// Limits: 1 ≤ mr ≤ 4, nc ≥ 1, k ≥ 0. The int32 sum is exact when the true sum fits int32
// (the API checks |bias| + k·max|a|·max|w| < 2^31): wrapping arithmetic is modular.
//
// Registers (V8 keeps 15 SIMD registers): 8 accumulators + 2 weight vectors + 4 A splats + 1.
import { store4x8 } from '../util/requant';

export function qs8_qc8w_gemm_4x8__simd_dot16(
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
  const cStep: usize = load<i32>(params) == 2 ? 32 : 8;
  let nLeft = nc;
  while (true) {
    let acc0l = v128.load(bias);
    let acc0h = v128.load(bias, 16);
    let acc1l = acc0l; let acc1h = acc0h;
    let acc2l = acc0l; let acc2h = acc0h;
    let acc3l = acc0l; let acc3h = acc0h;
    // 4 k-pairs per trip, with an exit after each: V8 pays a stack check and reloads per trip, and
    // the exits (branches) keep binaryen from sinking one pair's loads into the next pair's
    // expressions, which would make V8 hold all 4 pairs' weights at once and spill. One pointer
    // per row: V8 (11.x) adds a load-splat's offset with a separate lea, shared by equal offsets.
    let a0 = a; let a1 = a + 4; let a2 = a + 8; let a3 = a + 12;
    let wp = w; let left = pairs;
    while (left > 0) {
      {
        const bl = v128.load(wp, 0);
        const bh = v128.load(wp, 16);
        const va0 = v128.load32_splat(a0, 0);
        const va1 = v128.load32_splat(a1, 0);
        const va2 = v128.load32_splat(a2, 0);
        const va3 = v128.load32_splat(a3, 0);
        acc0l = i32x4.add(acc0l, i32x4.dot_i16x8_s(va0, bl));
        acc0h = i32x4.add(acc0h, i32x4.dot_i16x8_s(va0, bh));
        acc1l = i32x4.add(acc1l, i32x4.dot_i16x8_s(va1, bl));
        acc1h = i32x4.add(acc1h, i32x4.dot_i16x8_s(va1, bh));
        acc2l = i32x4.add(acc2l, i32x4.dot_i16x8_s(va2, bl));
        acc2h = i32x4.add(acc2h, i32x4.dot_i16x8_s(va2, bh));
        acc3l = i32x4.add(acc3l, i32x4.dot_i16x8_s(va3, bl));
        acc3h = i32x4.add(acc3h, i32x4.dot_i16x8_s(va3, bh));
      }
      if (left <= 1) break;
      {
        const bl = v128.load(wp, 32);
        const bh = v128.load(wp, 48);
        const va0 = v128.load32_splat(a0, 16);
        const va1 = v128.load32_splat(a1, 16);
        const va2 = v128.load32_splat(a2, 16);
        const va3 = v128.load32_splat(a3, 16);
        acc0l = i32x4.add(acc0l, i32x4.dot_i16x8_s(va0, bl));
        acc0h = i32x4.add(acc0h, i32x4.dot_i16x8_s(va0, bh));
        acc1l = i32x4.add(acc1l, i32x4.dot_i16x8_s(va1, bl));
        acc1h = i32x4.add(acc1h, i32x4.dot_i16x8_s(va1, bh));
        acc2l = i32x4.add(acc2l, i32x4.dot_i16x8_s(va2, bl));
        acc2h = i32x4.add(acc2h, i32x4.dot_i16x8_s(va2, bh));
        acc3l = i32x4.add(acc3l, i32x4.dot_i16x8_s(va3, bl));
        acc3h = i32x4.add(acc3h, i32x4.dot_i16x8_s(va3, bh));
      }
      if (left <= 2) break;
      {
        const bl = v128.load(wp, 64);
        const bh = v128.load(wp, 80);
        const va0 = v128.load32_splat(a0, 32);
        const va1 = v128.load32_splat(a1, 32);
        const va2 = v128.load32_splat(a2, 32);
        const va3 = v128.load32_splat(a3, 32);
        acc0l = i32x4.add(acc0l, i32x4.dot_i16x8_s(va0, bl));
        acc0h = i32x4.add(acc0h, i32x4.dot_i16x8_s(va0, bh));
        acc1l = i32x4.add(acc1l, i32x4.dot_i16x8_s(va1, bl));
        acc1h = i32x4.add(acc1h, i32x4.dot_i16x8_s(va1, bh));
        acc2l = i32x4.add(acc2l, i32x4.dot_i16x8_s(va2, bl));
        acc2h = i32x4.add(acc2h, i32x4.dot_i16x8_s(va2, bh));
        acc3l = i32x4.add(acc3l, i32x4.dot_i16x8_s(va3, bl));
        acc3h = i32x4.add(acc3h, i32x4.dot_i16x8_s(va3, bh));
      }
      if (left <= 3) break;
      {
        const bl = v128.load(wp, 96);
        const bh = v128.load(wp, 112);
        const va0 = v128.load32_splat(a0, 48);
        const va1 = v128.load32_splat(a1, 48);
        const va2 = v128.load32_splat(a2, 48);
        const va3 = v128.load32_splat(a3, 48);
        acc0l = i32x4.add(acc0l, i32x4.dot_i16x8_s(va0, bl));
        acc0h = i32x4.add(acc0h, i32x4.dot_i16x8_s(va0, bh));
        acc1l = i32x4.add(acc1l, i32x4.dot_i16x8_s(va1, bl));
        acc1h = i32x4.add(acc1h, i32x4.dot_i16x8_s(va1, bh));
        acc2l = i32x4.add(acc2l, i32x4.dot_i16x8_s(va2, bl));
        acc2h = i32x4.add(acc2h, i32x4.dot_i16x8_s(va2, bh));
        acc3l = i32x4.add(acc3l, i32x4.dot_i16x8_s(va3, bl));
        acc3h = i32x4.add(acc3h, i32x4.dot_i16x8_s(va3, bh));
      }
      left -= 4; wp += 128;
      a0 += 64; a1 += 64; a2 += 64; a3 += 64;
    }
    w += <usize>pairs << 5;
    const n = min(nLeft, 8);
    store4x8(acc0l, acc0h, acc1l, acc1h, acc2l, acc2h, acc3l, acc3h, s, params, c0, c1, c2, c3, n);
    nLeft -= 8;
    if (nLeft <= 0) break;
    bias += 32; s += 32;
    c0 += cStep; c1 += cStep; c2 += cStep; c3 += cStep;
  }
}
