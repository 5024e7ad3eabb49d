// Packs rows of A for the packed-A GEMM kernels: tiles of 4 rows, each stored as [k][4]
// (the 4 rows' k-th elements side by side), tiles back to back. Rows past m in the last tile
// are zero. 32-bit elements are moved bit for bit.
//   a: row i at a + i·aStride bytes, k elements per row.   out: ceil(m/4)·k·4 elements.
// 4×4 blocks are transposed in registers. Limits: m ≥ 1, k ≥ 0.
import { storeTransposed4x4 } from '../util/transpose';
export function x32_packx_4__simd(m: i32, k: i32, a: usize, aStride: usize, out: usize): void {
  const k4 = k & ~3;
  for (let m0 = 0; m0 < m; m0 += 4) {
    const rows = min(4, m - m0);
    const r0 = a + <usize>m0 * aStride;
    if (rows == 4) {
      const r1 = r0 + aStride;
      const r2 = r1 + aStride;
      const r3 = r2 + aStride;
      for (let j = 0; j < k4; j += 4) {
        const off = <usize>j << 2;
        const x0 = v128.load(r0 + off);
        const x1 = v128.load(r1 + off);
        const x2 = v128.load(r2 + off);
        const x3 = v128.load(r3 + off);
        storeTransposed4x4(out, 16, x0, x1, x2, x3);
        out += 64;
      }
      for (let j = k4; j < k; j++) {
        const off = <usize>j << 2;
        store<u32>(out, load<u32>(r0 + off));
        store<u32>(out, load<u32>(r1 + off), 4);
        store<u32>(out, load<u32>(r2 + off), 8);
        store<u32>(out, load<u32>(r3 + off), 12);
        out += 16;
      }
    } else {
      for (let j = 0; j < k; j++) {
        for (let i = 0; i < 4; i++) {
          store<u32>(out + (<usize>i << 2), i < rows ? load<u32>(r0 + <usize>i * aStride + (<usize>j << 2)) : 0);
        }
        out += 16;
      }
    }
  }
}
