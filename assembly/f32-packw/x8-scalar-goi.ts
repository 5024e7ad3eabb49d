// Packs f32 GEMM weights from B stored N×K ("goi": row n holds output n's k weights, i.e. a
// transposed B or a fully-connected weight matrix) into panels of 8 columns:
// [bias 8][k × 8] per panel, ceil(n/8) panels back to back.
//   b: row n at b + n·bStride bytes.   bias: n floats, or 0 for zeros.
//   out: (8 + 8·k)·ceil(n/8) floats; columns past n are zero.
// Limits: n ≥ 1, k ≥ 0. Packing runs once per weight, so a scalar gather is enough here.
export function f32_packw_x8__scalar_goi(n: i32, k: i32, b: usize, bStride: usize, bias: usize, out: usize): void {
  for (let n0 = 0; n0 < n; n0 += 8) {
    const nb = min(8, n - n0);
    for (let j = 0; j < 8; j++) {
      store<f32>(out + (<usize>j << 2), bias != 0 && j < nb ? load<f32>(bias + (<usize>(n0 + j) << 2)) : 0);
    }
    out += 32;
    for (let kk = 0; kk < k; kk++) {
      const col = b + (<usize>kk << 2);
      for (let j = 0; j < 8; j++) {
        store<f32>(out + (<usize>j << 2), j < nb ? load<f32>(col + <usize>(n0 + j) * bStride) : 0);
      }
      out += 32;
    }
  }
}
