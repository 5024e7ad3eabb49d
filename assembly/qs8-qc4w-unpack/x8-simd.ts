// Unpacks int4 GEMM panels (qs8-qc4w-gemm layout) into the int8 kernels' i16 layout
// (qs8-qc8w-gemm: [k-pair][8 columns][2 × i16]), one block of panels at a time, so that a
// tall GEMM (many rows of A) runs the int8 microkernel on an L2-resident block instead of
// unpacking every panel again for every 4 rows. Never the whole tensor: the driver sizes blocks
// to ~384 KiB. Shifts only: low nibble (x << 12) >> 12, high nibble x >> 4, x sign-extended.
//   panels: how many 8-column panels.  k: the GEMM's K (ceil(k/2) k-pairs per panel both sides).
//   w: packed int4 panels (8 bytes per k-pair).  out: panels · ceil(k/2) · 32 bytes.
// Limits: panels ≥ 0, k ≥ 0.
export function qs8_qc4w_unpack_x8__simd(panels: i32, k: i32, w: usize, out: usize): void {
  const pairs = (k + 1) >> 1;
  const total = <usize>panels * <usize>pairs;
  for (let i: usize = 0; i < total; i++) {
    const x = v128.load8x8_s(w);
    v128.store(out, i16x8.shr_s(i16x8.shl(x, 12), 12));
    v128.store(out, i16x8.shr_s(x, 4), 16);
    w += 8;
    out += 32;
  }
}
