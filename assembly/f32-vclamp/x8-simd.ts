// f32 clamp (relu, relu6, clamp): out[i] = pmin(pmax(x[i], vmin), vmax), i < n: NaN passes
// unchanged. 8 elements per step, then 4, then scalar; out may alias x. Limits: n ≥ 0.
export function f32_vclamp_x8__simd(n: i32, x: usize, out: usize, vmin: f32, vmax: f32): void {
  const vlo = f32x4.splat(vmin);
  const vhi = f32x4.splat(vmax);
  let i = n;
  for (; i >= 8; i -= 8) {
    v128.store(out, f32x4.pmin(f32x4.pmax(v128.load(x), vlo), vhi));
    v128.store(out, f32x4.pmin(f32x4.pmax(v128.load(x, 16), vlo), vhi), 16);
    x += 32; out += 32;
  }
  if (i >= 4) {
    v128.store(out, f32x4.pmin(f32x4.pmax(v128.load(x), vlo), vhi));
    x += 16; out += 16; i -= 4;
  }
  for (; i > 0; i--) {
    let s = load<f32>(x);
    s = s < vmin ? vmin : s;
    s = vmax < s ? vmax : s;
    store<f32>(out, s);
    x += 4; out += 4;
  }
}
