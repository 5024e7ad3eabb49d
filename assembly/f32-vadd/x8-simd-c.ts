// f32 add of one broadcast value with a fused clamp: out[i] = clamp(a[i] + b[0], vmin, vmax),
// i < n (the inner loop of a broadcasting add whose second operand is constant along the run).
// 8 elements per step, then 4, then scalar; out may alias a. Limits: n ≥ 0.
export function f32_vadd_x8__simd_c(n: i32, a: usize, b: usize, out: usize, vmin: f32, vmax: f32): void {
  const vlo = f32x4.splat(vmin);
  const vhi = f32x4.splat(vmax);
  const vb = v128.load32_splat(b);
  const sb = load<f32>(b);
  let i = n;
  for (; i >= 8; i -= 8) {
    const x = f32x4.add(v128.load(a), vb);
    const y = f32x4.add(v128.load(a, 16), vb);
    v128.store(out, f32x4.pmin(f32x4.pmax(x, vlo), vhi));
    v128.store(out, f32x4.pmin(f32x4.pmax(y, vlo), vhi), 16);
    a += 32; out += 32;
  }
  if (i >= 4) {
    v128.store(out, f32x4.pmin(f32x4.pmax(f32x4.add(v128.load(a), vb), vlo), vhi));
    a += 16; out += 16; i -= 4;
  }
  for (; i > 0; i--) {
    let s = load<f32>(a) + sb;
    s = s < vmin ? vmin : s;
    s = vmax < s ? vmax : s;
    store<f32>(out, s);
    a += 4; out += 4;
  }
}
