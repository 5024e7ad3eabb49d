// Packs A for the packed-A GEMM kernels from its transpose: aT is k×m (row j at
// aT + j·aTStride bytes) and the result is the same layout x32_packx_4__simd makes from A —
// tiles of 4 rows of A, each [k][4], rows past m zero. Each k-step is then one 4-element copy,
// so a transposed A costs no separate transpose pass.
// Limits: m ≥ 1, k ≥ 0.
export function x32_packx_4__simd_t(m: i32, k: i32, aT: usize, aTStride: usize, out: usize): void {
  for (let m0 = 0; m0 < m; m0 += 4) {
    const rows = min(4, m - m0);
    let src = aT + (<usize>m0 << 2);
    if (rows == 4) {
      for (let j = 0; j < k; j++) {
        v128.store(out, v128.load(src));
        src += aTStride;
        out += 16;
      }
    } else {
      for (let j = 0; j < k; j++) {
        for (let i = 0; i < 4; i++) store<u32>(out + (<usize>i << 2), i < rows ? load<u32>(src + (<usize>i << 2)) : 0);
        src += aTStride;
        out += 16;
      }
    }
  }
}
