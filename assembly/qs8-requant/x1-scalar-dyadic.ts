// Dyadic requantization of int32 accumulators with one shift per column (the general case the
// GEMM kernels' fused epilogue does not take: shifts that differ between columns, or < 32).
//   y = clamp(zp + floor((acc · b[j] + 2^(sh[j]−1)) / 2^sh[j]), lo, hi), 64-bit exact, 1 ≤ sh ≤ 62.
//   acc: m×n int32 at acc + i·accStride bytes.  b, sh: n int32 each.  out: row i at out + i·outStride
//   bytes, int8 (unsigned = 0) or uint8 (unsigned = 1).  lo, hi: the clamp in the output type.
// Scalar: runs once per output, after the GEMM, so it is a small share of a GEMM's time.
export function qs8_requant_x1__scalar_dyadic(
  m: i32, n: i32, acc: usize, accStride: usize, b: usize, sh: usize, zp: i32, lo: i32, hi: i32,
  unsigned: i32, out: usize, outStride: usize,
): void {
  for (let i = 0; i < m; i++) {
    const row = acc + <usize>i * accStride;
    const o = out + <usize>i * outStride;
    for (let j = 0; j < n; j++) {
      const x = <i64>load<i32>(row + (<usize>j << 2));
      const s = <i64>load<i32>(sh + (<usize>j << 2));
      const q = (x * <i64>load<i32>(b + (<usize>j << 2)) + (<i64>1 << (s - 1))) >> s;
      let y = q + <i64>zp;
      if (y < <i64>lo) y = <i64>lo;
      if (y > <i64>hi) y = <i64>hi;
      store<u8>(o + <usize>j, <u8>y);
    }
  }
}
