// The body of f32_vadd_x8__simd, also run once per row by f32_vadd_x8__simd_r (contract in
// those files): out[i] = clamp(a[i] + b[i], vmin, vmax), i < n; 8 elements per step, then 4,
// then scalar; out may alias a or b. Clamp with pmax/pmin semantics (NaN passes).
// @ts-ignore: decorator
@inline export function vaddBody(n: i32, a: usize, b: usize, out: usize, vmin: f32, vmax: f32): void {
  const vlo = f32x4.splat(vmin);
  const vhi = f32x4.splat(vmax);
  let i = n;
  for (; i >= 8; i -= 8) {
    const x = f32x4.add(v128.load(a), v128.load(b));
    const y = f32x4.add(v128.load(a, 16), v128.load(b, 16));
    v128.store(out, f32x4.pmin(f32x4.pmax(x, vlo), vhi));
    v128.store(out, f32x4.pmin(f32x4.pmax(y, vlo), vhi), 16);
    a += 32; b += 32; out += 32;
  }
  if (i >= 4) {
    v128.store(out, f32x4.pmin(f32x4.pmax(f32x4.add(v128.load(a), v128.load(b)), vlo), vhi));
    a += 16; b += 16; out += 16; i -= 4;
  }
  for (; i > 0; i--) {
    let s = load<f32>(a) + load<f32>(b);
    s = s < vmin ? vmin : s;
    s = vmax < s ? vmax : s;
    store<f32>(out, s);
    a += 4; b += 4; out += 4;
  }
}
