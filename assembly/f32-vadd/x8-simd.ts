// f32 elementwise add with a fused clamp: out[i] = clamp(a[i] + b[i], vmin, vmax), i < n.
// 8 elements per step, then 4, then scalar; out may alias a or b. Limits: n ≥ 0.
// Clamp with pmax/pmin semantics (NaN passes), as every lanewise f32 kernel.
import { vaddBody } from '../util/vadd';

export function f32_vadd_x8__simd(n: i32, a: usize, b: usize, out: usize, vmin: f32, vmax: f32): void {
  vaddBody(n, a, b, out, vmin, vmax);
}
