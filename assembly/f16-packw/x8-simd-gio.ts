// Packs f16 GEMM weights from B stored K×N ("gio": row k holds the n outputs' weights) into
// panels of 8 columns, kept in binary16: [bias 8][k × 8] halves per panel, ceil(n/8) panels
// back to back — the f32-packw layout at half the bytes. Bits are copied, never rounded.
//   b: row k at b + k·bStride bytes.   bias: n halves, or 0 for zeros.
//   out: (8 + 8·k)·ceil(n/8) halves; columns past n are +0.
// Limits: n ≥ 1, k ≥ 0.
export function f16_packw_x8__simd_gio(n: i32, k: i32, b: usize, bStride: usize, bias: usize, out: usize): void {
  for (let n0 = 0; n0 < n; n0 += 8) {
    const nb = min(8, n - n0);
    const col = b + (<usize>n0 << 1);
    if (nb == 8) {
      v128.store(out, bias != 0 ? v128.load(bias + (<usize>n0 << 1)) : i32x4.splat(0));
      out += 16;
      for (let kk = 0; kk < k; kk++) {
        v128.store(out, v128.load(col + <usize>kk * bStride));
        out += 16;
      }
    } else {
      for (let j = 0; j < 8; j++) {
        store<u16>(out + (<usize>j << 1), bias != 0 && j < nb ? load<u16>(bias + (<usize>(n0 + j) << 1)) : 0);
      }
      out += 16;
      for (let kk = 0; kk < k; kk++) {
        const row = col + <usize>kk * bStride;
        for (let j = 0; j < 8; j++) store<u16>(out + (<usize>j << 1), j < nb ? load<u16>(row + (<usize>j << 1)) : 0);
        out += 16;
      }
    }
  }
}
