// Dyadic requantization of int32 accumulators with one shift per column (the general case the
// GEMM kernels' fused epilogue does not take: shifts that differ between columns, or < 32).
//   y = clamp(zp + floor((acc · b[j] + 2^(sh[j]−1)) / 2^sh[j]), lo, hi), 64-bit exact, 1 ≤ sh ≤ 62.
//   acc: m×n int32 at acc + i·accStride bytes.  b, sh: n int32 each.  out: row i at out + i·outStride
//   bytes, int8 or uint8.
//   params: the GEMM kernels' requantization block (bindings/quant.ts writeParams): +4 unsigned
//   output (i32 0/1), +16 the zero point (i16), +32 lo and +48 hi (the clamp, a byte each).
// Scalar: runs once per output, after the GEMM, so it is a small share of a GEMM's time. Rows
// are independent, so a caller may split them between threads.
import { loadInt8 } from '../util/int8';
export function qs8_requant_x1__scalar_dyadic(
  m: i32, n: i32, acc: usize, accStride: usize, b: usize, sh: usize, params: usize,
  out: usize, outStride: usize,
): void {
  const unsigned = load<i32>(params, 4) != 0;
  const zp = <i64>load<i16>(params, 16);
  const lo = <i64>loadInt8(params + 32, !unsigned);
  const hi = <i64>loadInt8(params + 48, !unsigned);
  for (let i = 0; i < m; i++) {
    const row = acc + <usize>i * accStride;
    const o = out + <usize>i * outStride;
    for (let j = 0; j < n; j++) {
      const x = <i64>load<i32>(row + (<usize>j << 2));
      const s = <i64>load<i32>(sh + (<usize>j << 2));
      const q = (x * <i64>load<i32>(b + (<usize>j << 2)) + (<i64>1 << (s - 1))) >> s;
      let y = q + zp;
      if (y < lo) y = lo;
      if (y > hi) y = hi;
      store<u8>(o + <usize>j, <u8>y);
    }
  }
}
