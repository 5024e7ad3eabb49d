// Unpacks int2 GEMM panels (qs8-qc2w-gemm layout, k-pairs padded to an even count) into the
// int8 kernels' i16 layout (qs8-qc8w-gemm: ceil(k/2) k-pairs per panel), one block of panels
// at a time (see qs8-qc4w-unpack). Crumb j = (x << (14 − 2j)) >> 14, x sign-extended.
//   panels: how many 8-column panels.  k: the GEMM's K.
//   w: packed int2 panels (8 bytes per two k-pairs).  out: panels · ceil(k/2) · 32 bytes.
// Limits: panels ≥ 0, k ≥ 0.
export function qs8_qc2w_unpack_x8__simd(panels: i32, k: i32, w: usize, out: usize): void {
  const pairs = (k + 1) >> 1;
  const steps = (k + 3) >> 2;
  const odd = pairs & 1; // the last step holds one real k-pair
  for (let p = 0; p < panels; p++) {
    for (let s = 0; s < steps; s++) {
      const x = v128.load8x8_s(w);
      v128.store(out, i16x8.shr_s(i16x8.shl(x, 14), 14));
      v128.store(out, i16x8.shr_s(i16x8.shl(x, 12), 14), 16);
      out += 32;
      if (s + 1 < steps || !odd) {
        v128.store(out, i16x8.shr_s(i16x8.shl(x, 10), 14));
        v128.store(out, i16x8.shr_s(x, 6), 16);
        out += 32;
      }
      w += 8;
    }
  }
}
