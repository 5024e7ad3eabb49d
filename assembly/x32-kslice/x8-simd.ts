// K slice of packed weights, SIMD128: copies k-steps [k0, k0 + kc) of `panels` consecutive
// 8-column panels packed with K = k (f32-packw: [bias 8][k × 8] 32-bit values per panel, at src)
// into panels packed with K = kc ([bias 8][kc × 8] per panel, at dst), bias slots included
// (only a GEMM's first slice reads them). Bits are copied, never converted.
// Limits: panels ≥ 0, 0 ≤ k0, kc ≥ 1, k0 + kc ≤ k; src and dst must not overlap.
//
// Why: the row-reading GEMM runs K above 768 in slices of contiguous K ≤ 512 panels
// (bindings/gemm.ts), which ran 5–7% faster at K = 1024 than the full-K panels.
export function x32_kslice_x8__simd(panels: i32, k: i32, k0: i32, kc: i32, src: usize, dst: usize): void {
  const srcPanel = (<usize>(k + 1)) << 5;
  const dstPanel = (<usize>(kc + 1)) << 5;
  const bytes = (<usize>kc) << 5;
  const from = (<usize>(k0 + 1)) << 5;
  for (let p = 0; p < panels; p++) {
    v128.store(dst, v128.load(src));
    v128.store(dst, v128.load(src, 16), 16);
    let s = src + from, d = dst + 32;
    const end = d + bytes;
    while (d < end) {
      v128.store(d, v128.load(s));
      v128.store(d, v128.load(s, 16), 16);
      s += 32; d += 32;
    }
    src += srcPanel;
    dst += dstPanel;
  }
}
