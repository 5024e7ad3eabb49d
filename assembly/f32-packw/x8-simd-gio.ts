// Packs f32 GEMM weights from B stored K×N ("gio": row k holds the n outputs' weights)
// into panels of 8 columns: [bias 8][k × 8] per panel, ceil(n/8) panels back to back.
//   b: row k at b + k·bStride bytes.   bias: n floats, or 0 for zeros.
//   out: (8 + 8·k)·ceil(n/8) floats; columns past n are zero, so kernels may read whole panels.
// Limits: n ≥ 1, k ≥ 0.
export function f32_packw_x8__simd_gio(n: i32, k: i32, b: usize, bStride: usize, bias: usize, out: usize): void {
  for (let n0 = 0; n0 < n; n0 += 8) {
    const nb = min(8, n - n0);
    const col = b + (<usize>n0 << 2);
    if (nb == 8) {
      if (bias != 0) {
        v128.store(out, v128.load(bias + (<usize>n0 << 2)));
        v128.store(out, v128.load(bias + (<usize>n0 << 2), 16), 16);
      } else {
        v128.store(out, i32x4.splat(0));
        v128.store(out, i32x4.splat(0), 16);
      }
      out += 32;
      for (let kk = 0; kk < k; kk++) {
        const row = col + <usize>kk * bStride;
        v128.store(out, v128.load(row));
        v128.store(out, v128.load(row, 16), 16);
        out += 32;
      }
    } else {
      for (let j = 0; j < 8; j++) {
        store<f32>(out + (<usize>j << 2), bias != 0 && j < nb ? load<f32>(bias + (<usize>(n0 + j) << 2)) : 0);
      }
      out += 32;
      for (let kk = 0; kk < k; kk++) {
        const row = col + <usize>kk * bStride;
        for (let j = 0; j < 8; j++) {
          store<f32>(out + (<usize>j << 2), j < nb ? load<f32>(row + (<usize>j << 2)) : 0);
        }
        out += 32;
      }
    }
  }
}
