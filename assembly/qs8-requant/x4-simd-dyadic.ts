// Dyadic requantization of int32 accumulators with one shift per column, shifts in [32, 62],
// 4 columns per step, SIMD128. The same results as qs8_requant_x1__scalar_dyadic:
//   y = clamp(zp + floor((acc · b[j] + 2^(sh[j]−1)) / 2^sh[j]), lo, hi)
// WebAssembly has no per-lane shifts, so floor(t / 2^sh) = floor(floor(t / 2^32) / 2^d),
// d = sh − 32 in [0, 30], takes a uniform shift and a multiply:
//   u = (t + 2^62) >> 32 (unsigned) = floor(t / 2^32) + 2^30, in [0, 2^32): |acc·b| < 2^62;
//   v = (u · 2^(31−d)) >> 31 (unsigned, product < 2^63) = floor(u / 2^d)
//     = floor(t / 2^sh) + 2^(30−d), exactly (2^d divides 2^30);
//   y = clamp(v + (zp − 2^(30−d)), lo, hi), the sum wrapping in i32 to the true value.
//   acc: m×n int32 at acc + i·accStride bytes.  b: n int32 multipliers.
//   tbl: per column, rn = n rounded up to 4: [2^(sh−1) + 2^62 as u64 × rn][2^(31−d) u32 × rn]
//        [zp − 2^(30−d) i32 × rn] (bindings/quant.ts writeRequantTable).
//   params: the GEMM kernels' requantization block: +4 unsigned output (i32 0/1), +32 lo and
//   +48 hi (a byte each).  out: row i at out + i·outStride bytes, int8 or uint8.
// Limits: m ≥ 0, n ≥ 0, every shift in [32, 62].
import { loadInt8 } from '../util/int8';
export function qs8_requant_x4__simd_dyadic(
  m: i32, n: i32, acc: usize, accStride: usize, b: usize, tbl: usize, params: usize,
  out: usize, outStride: usize,
): void {
  const rn = <usize>((n + 3) & ~3);
  const powT = tbl + (rn << 3);
  const cT = powT + (rn << 2);
  const unsigned = load<i32>(params, 4) != 0;
  const lo = loadInt8(params + 32, !unsigned);
  const hi = loadInt8(params + 48, !unsigned);
  const vlo = i32x4.splat(lo);
  const vhi = i32x4.splat(hi);
  const n4 = n & ~3;
  for (let i = 0; i < m; i++) {
    const row = acc + <usize>i * accStride;
    const o = out + <usize>i * outStride;
    let j = 0;
    for (; j < n4; j += 4) {
      const jj = <usize>j;
      const x = v128.load(row + (jj << 2));
      const mul = v128.load(b + (jj << 2));
      const t0 = i64x2.add(i64x2.extmul_low_i32x4_s(x, mul), v128.load(tbl + (jj << 3)));
      const t1 = i64x2.add(i64x2.extmul_high_i32x4_s(x, mul), v128.load(tbl + (jj << 3), 16));
      const u = i32x4.shuffle(i64x2.shr_u(t0, 32), i64x2.shr_u(t1, 32), 0, 2, 4, 6);
      const pw = v128.load(powT + (jj << 2));
      const v0 = i64x2.shr_u(i64x2.extmul_low_i32x4_u(u, pw), 31);
      const v1 = i64x2.shr_u(i64x2.extmul_high_i32x4_u(u, pw), 31);
      const y = i32x4.min_s(i32x4.max_s(i32x4.add(i32x4.shuffle(v0, v1, 0, 2, 4, 6), v128.load(cT + (jj << 2))), vlo), vhi);
      const h = i16x8.narrow_i32x4_s(y, y);
      v128.store32_lane(o + jj, unsigned ? i8x16.narrow_i16x8_u(h, h) : i8x16.narrow_i16x8_s(h, h), 0);
    }
    for (; j < n; j++) {
      const jj = <usize>j;
      const t = <i64>load<i32>(row + (jj << 2)) * <i64>load<i32>(b + (jj << 2)) + load<i64>(tbl + (jj << 3));
      const u = <u64>t >> 32;
      const v = (u * <u64>load<u32>(powT + (jj << 2))) >> 31;
      let y = <i32>v + load<i32>(cT + (jj << 2));
      if (y < lo) y = lo;
      if (y > hi) y = hi;
      store<u8>(o + jj, <u8>y);
    }
  }
}
