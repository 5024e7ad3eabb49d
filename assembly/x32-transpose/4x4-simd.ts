// Transpose of a matrix of 32-bit elements, SIMD128: dst[j][i] = src[i][j], i < rows, j < cols.
//   src: rows × cols, row i at src + i·sStride bytes; dst: cols × rows, row j at dst + j·dStride
//   bytes (a block of a larger matrix either way, so callers can split the work).
// Limits: rows ≥ 0, cols ≥ 0, sStride ≥ 4·cols, dStride ≥ 4·rows; src and dst must not overlap.
// Bits are copied, never computed.
//
// 4 × 4 blocks through registers (4 row loads, 8 shuffles, 4 column stores), visited in tiles of
// 16 source rows × 8 source columns: each tile writes 8 whole 64-byte lines of dst, and at most
// 8 lines of dst are in flight. With power-of-two strides (NHWC ⇄ NCHW: rows of H·W elements)
// all of them map to one L1 set, which holds 12; a per-element JS transpose took 4.7–8.0 ms
// for 1M elements of 64 channels. Edges that do not fill a 4 × 4 block are copied one element
// at a time.
import { storeTransposed4x4 } from '../util/transpose';

// @ts-ignore: decorator
@inline function block4(s: usize, sStride: usize, d: usize, dStride: usize): void {
  storeTransposed4x4(d, dStride, v128.load(s), v128.load(s + sStride), v128.load(s + 2 * sStride), v128.load(s + 3 * sStride));
}

export function x32_transpose_4x4__simd(rows: i32, cols: i32, src: usize, sStride: usize, dst: usize, dStride: usize): void {
  const rows4 = rows & ~3, cols4 = cols & ~3;
  for (let i0 = 0; i0 < rows4; i0 += 16) {
    const i1 = min(i0 + 16, rows4);
    for (let j0 = 0; j0 < cols4; j0 += 8) {
      const j1 = min(j0 + 8, cols4);
      for (let i = i0; i < i1; i += 4) {
        for (let j = j0; j < j1; j += 4) {
          block4(src + <usize>i * sStride + (<usize>j << 2), sStride, dst + <usize>j * dStride + (<usize>i << 2), dStride);
        }
      }
    }
  }
  // Edges: the last cols % 4 columns of every row, then the last rows % 4 rows.
  for (let i = 0; i < rows; i++) {
    for (let j = cols4; j < cols; j++) store<u32>(dst + <usize>j * dStride + (<usize>i << 2), load<u32>(src + <usize>i * sStride + (<usize>j << 2)));
  }
  for (let i = rows4; i < rows; i++) {
    for (let j = 0; j < cols4; j++) store<u32>(dst + <usize>j * dStride + (<usize>i << 2), load<u32>(src + <usize>i * sStride + (<usize>j << 2)));
  }
}
