// Converts packed f32 weights in place between the f32-packw panel layout ([bias 8][k × 8] per
// 8 columns, what the 4×8 kernels read) and the row-grouped layout of the rows GEMV
// (f32_gemm_1x24__simd_rows: [bias wg][k × wg] per group of 3 panels, wg = 8 · panels in the
// group). Both layouts have the same size and the same group offsets; a 1-panel group is the
// same bytes in both. One group at a time goes through `tmp`.
//   n: columns (ceil(n/8) panels).  k: rows.  w: the packed weights.
//   tmp: ≥ 96·(k + 1) bytes, 16-byte aligned.  toRows: 1 panels → rows, 0 rows → panels.
// Limits: n ≥ 0, k ≥ 0.
export function f32_regroupw_x24__simd(n: i32, k: i32, w: usize, tmp: usize, toRows: i32): void {
  const panels = (n + 7) >> 3;
  const rows = <usize>k + 1; // the bias row, then k rows
  const panelBytes = rows << 5;
  for (let p0 = 0; p0 < panels; p0 += 3) {
    const q = <usize>min(3, panels - p0);
    const groupBytes = q * panelBytes;
    if (q > 1) {
      for (let o: usize = 0; o < groupBytes; o += 16) v128.store(tmp + o, v128.load(w + o));
      const rowBytes = q << 5;
      for (let j: usize = 0; j < q; j++) {
        let pp = tmp + j * panelBytes;   // row r of panel j in the panel layout
        let gp = tmp + (j << 5);         // row r, panel j's 8 columns, in the row layout
        let dst = toRows ? w + (j << 5) : w + j * panelBytes;
        let src = toRows ? pp : gp;
        const dstStep: usize = toRows ? rowBytes : 32;
        const srcStep: usize = toRows ? 32 : rowBytes;
        for (let r: usize = 0; r < rows; r++) {
          v128.store(dst, v128.load(src));
          v128.store(dst, v128.load(src, 16), 16);
          dst += dstStep;
          src += srcStep;
        }
      }
    }
    w += groupBytes;
  }
}
