// Packs rows of int8 activations for the quantized GEMM kernels (qs8-qc*w-gemm): tiles of 4
// rows, per k-pair 16 bytes [row 0..3][a(k), a(k+1) sign-extended to i16], tiles back to back.
// The zero point is not subtracted here (the kernels' bias carries −zp·Σw).
//   a: row i at a + i·aStride bytes, k elements per row.
//   out: ceil(m/4) tiles of kp·8 bytes, kp = k rounded up to a multiple of 4 (every kernel's
//        k-pair count fits; the padding and rows past m are zero).
// 16 k of 4 rows are widened and transposed in registers. Limits: m ≥ 1, k ≥ 0.
export function qs8_packx_4__simd(m: i32, k: i32, a: usize, aStride: usize, out: usize): void {
  const pairsPadded = ((k + 3) >> 2) << 1;
  const k16 = k & ~15;
  for (let m0 = 0; m0 < m; m0 += 4) {
    const rows = min(4, m - m0);
    const r0 = a + <usize>m0 * aStride;
    let p = 0;
    if (rows == 4) {
      const r1 = r0 + aStride;
      const r2 = r1 + aStride;
      const r3 = r2 + aStride;
      for (let j = 0; j < k16; j += 16) {
        const x0 = v128.load(r0 + <usize>j);
        const x1 = v128.load(r1 + <usize>j);
        const x2 = v128.load(r2 + <usize>j);
        const x3 = v128.load(r3 + <usize>j);
        for (let half = 0; half < 2; half++) {
          const y0 = half == 0 ? i16x8.extend_low_i8x16_s(x0) : i16x8.extend_high_i8x16_s(x0);
          const y1 = half == 0 ? i16x8.extend_low_i8x16_s(x1) : i16x8.extend_high_i8x16_s(x1);
          const y2 = half == 0 ? i16x8.extend_low_i8x16_s(x2) : i16x8.extend_high_i8x16_s(x2);
          const y3 = half == 0 ? i16x8.extend_low_i8x16_s(x3) : i16x8.extend_high_i8x16_s(x3);
          const t0 = i32x4.shuffle(y0, y1, 0, 4, 1, 5);
          const t1 = i32x4.shuffle(y0, y1, 2, 6, 3, 7);
          const t2 = i32x4.shuffle(y2, y3, 0, 4, 1, 5);
          const t3 = i32x4.shuffle(y2, y3, 2, 6, 3, 7);
          v128.store(out, i64x2.shuffle(t0, t2, 0, 2));
          v128.store(out, i64x2.shuffle(t0, t2, 1, 3), 16);
          v128.store(out, i64x2.shuffle(t1, t3, 0, 2), 32);
          v128.store(out, i64x2.shuffle(t1, t3, 1, 3), 48);
          out += 64;
        }
      }
      p = k16 >> 1;
    }
    for (; p < pairsPadded; p++) {
      const k0 = p << 1;
      for (let i = 0; i < 4; i++) {
        const row = r0 + <usize>i * aStride;
        const lo: i32 = i < rows && k0 < k ? <i32>load<i8>(row + <usize>k0) : 0;
        const hi: i32 = i < rows && k0 + 1 < k ? <i32>load<i8>(row + <usize>k0 + 1) : 0;
        store<u32>(out + (<usize>i << 2), <u32>(lo & 0xffff) | (<u32>hi << 16));
      }
      out += 16;
    }
  }
}
