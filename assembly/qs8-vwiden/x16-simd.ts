// Widens int8 to i16 (sign extension), 16 elements per step: the quantized IGEMM reads
// activations widened once per call, so its inner loop is the GEMM's (one load32_splat per row
// and k-pair) instead of a load and an extend per row and k-pair.
//   x: n bytes.  out: n i16, written in whole 16-element blocks (the caller's buffer holds
//   n rounded up to 16 elements).  Limits: n ≥ 0.
export function qs8_vwiden_x16__simd(n: i32, x: usize, out: usize): void {
  const n16 = n & ~15;
  let i = 0;
  for (; i < n16; i += 16) {
    const v = v128.load(x + <usize>i);
    v128.store(out + (<usize>i << 1), i16x8.extend_low_i8x16_s(v));
    v128.store(out + (<usize>i << 1), i16x8.extend_high_i8x16_s(v), 16);
  }
  for (; i < n; i++) store<i16>(out + (<usize>i << 1), <i16>load<i8>(x + <usize>i));
}
