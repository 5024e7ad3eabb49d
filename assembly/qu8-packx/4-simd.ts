// Packs rows of uint8 activations for the quantized GEMM kernels (qs8-qc*w-gemm): tiles of 4
// rows, per k-pair 16 bytes [row 0..3][a(k), a(k+1) zero-extended to i16], tiles back to back.
// The zero point is not subtracted here (the kernels' bias carries −zp·Σw).
//   a: row i at a + i·aStride bytes, k elements per row.
//   out: ceil(m/4) tiles of kp·8 bytes, kp = k rounded up to a multiple of 4 (every kernel's
//        k-pair count fits; the padding and rows past m are zero).
// Limits: m ≥ 1, k ≥ 0. The body is shared with qs8-packx (util/packx8.ts).
import { packx4x8 } from '../util/packx8';
export function qu8_packx_4__simd(m: i32, k: i32, a: usize, aStride: usize, out: usize): void {
  packx4x8(m, k, a, aStride, out, false);
}
