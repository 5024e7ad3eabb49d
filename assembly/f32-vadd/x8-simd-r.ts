// f32 add of one row broadcast down the rows, with a fused clamp:
//   out[r·m + j] = clamp(a[r·m + j] + b[j], vmin, vmax), r < rows, j < m
// (a broadcasting add whose second operand is a trailing row, as a bias [C] over [N, H, W, C]).
// Each row is f32_vadd_x8__simd's loop (util/vadd.ts), so the bits are those of one call per
// row; one call replaces rows calls from JS (~0.1 µs each: 16,384 rows of 64 took 1.6 ms).
// out may alias a. Limits: rows ≥ 0, m ≥ 0.
import { vaddBody } from '../util/vadd';

export function f32_vadd_x8__simd_r(rows: i32, m: i32, a: usize, b: usize, out: usize, vmin: f32, vmax: f32): void {
  const rowBytes = <usize>m << 2;
  for (let r = 0; r < rows; r++) {
    vaddBody(m, a, b, out, vmin, vmax);
    a += rowBytes; out += rowBytes;
  }
}
