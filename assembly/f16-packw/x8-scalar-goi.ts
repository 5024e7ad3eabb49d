// Packs f16 GEMM weights from B stored N×K ("goi": row n holds output n's k weights, i.e. a
// transposed B, a fully-connected weight, or the weight of a grad-input GEMM) into the
// f16-packw layout: [bias 8][k × 8] halves per panel, ceil(n/8) panels. Bits are copied.
//   b: row n at b + n·bStride bytes.   bias: n halves, or 0 for zeros.
// Limits: n ≥ 1, k ≥ 0. Packing runs once per weight, so a scalar gather is enough here.
export function f16_packw_x8__scalar_goi(n: i32, k: i32, b: usize, bStride: usize, bias: usize, out: usize): void {
  for (let n0 = 0; n0 < n; n0 += 8) {
    const nb = min(8, n - n0);
    for (let j = 0; j < 8; j++) {
      store<u16>(out + (<usize>j << 1), bias != 0 && j < nb ? load<u16>(bias + (<usize>(n0 + j) << 1)) : 0);
    }
    out += 16;
    for (let kk = 0; kk < k; kk++) {
      const col = b + (<usize>kk << 1);
      for (let j = 0; j < 8; j++) store<u16>(out + (<usize>j << 1), j < nb ? load<u16>(col + <usize>(n0 + j) * bStride) : 0);
      out += 16;
    }
  }
}
