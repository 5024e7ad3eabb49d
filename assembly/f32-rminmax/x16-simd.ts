// Minimum and maximum of n floats, SIMD128: out = { min f32, max f32 }. A NaN anywhere makes
// both NaN, so the caller's NaN check is the same pass. A zero minimum or maximum may come out
// as +0 or −0 (the order of the data and of the ranges decides): the callers use them only
// where the sign of zero cancels (max |x|; lo < 0 and hi > 0 tests). Otherwise min and max are
// exact in any order. n = 0 gives { +Inf, −Inf }. Limits: n ≥ 0.
// Why pmin/pmax and a separate NaN mask: V8 lowers f32x4.min/max to 8 x64 instructions each
// (NaN and signed-zero fix-ups), pmin/pmax and the NaN test to one (3.3× faster).
export function f32_rminmax_x16__simd(n: i32, x: usize, out: usize): void {
  // Four independent chains per side: min/max latency would otherwise bound the loop.
  let lo0 = f32x4.splat(Infinity), lo1 = lo0, lo2 = lo0, lo3 = lo0;
  let hi0 = f32x4.splat(-Infinity), hi1 = hi0, hi2 = hi0, hi3 = hi0;
  let nan = i32x4.splat(0);
  let i = n;
  for (; i >= 16; i -= 16) {
    const x0 = v128.load(x), x1 = v128.load(x, 16), x2 = v128.load(x, 32), x3 = v128.load(x, 48);
    lo0 = f32x4.pmin(lo0, x0); hi0 = f32x4.pmax(hi0, x0);
    lo1 = f32x4.pmin(lo1, x1); hi1 = f32x4.pmax(hi1, x1);
    lo2 = f32x4.pmin(lo2, x2); hi2 = f32x4.pmax(hi2, x2);
    lo3 = f32x4.pmin(lo3, x3); hi3 = f32x4.pmax(hi3, x3);
    nan = v128.or(nan, v128.or(v128.or(f32x4.ne(x0, x0), f32x4.ne(x1, x1)), v128.or(f32x4.ne(x2, x2), f32x4.ne(x3, x3))));
    x += 64;
  }
  const lo = f32x4.pmin(f32x4.pmin(lo0, lo1), f32x4.pmin(lo2, lo3));
  const hi = f32x4.pmax(f32x4.pmax(hi0, hi1), f32x4.pmax(hi2, hi3));
  let mn = min<f32>(min<f32>(f32x4.extract_lane(lo, 0), f32x4.extract_lane(lo, 1)), min<f32>(f32x4.extract_lane(lo, 2), f32x4.extract_lane(lo, 3)));
  let mx = max<f32>(max<f32>(f32x4.extract_lane(hi, 0), f32x4.extract_lane(hi, 1)), max<f32>(f32x4.extract_lane(hi, 2), f32x4.extract_lane(hi, 3)));
  if (v128.any_true(nan)) { mn = NaN; mx = NaN; }
  for (; i > 0; i--) {
    const v = load<f32>(x);
    mn = min<f32>(mn, v);
    mx = max<f32>(mx, v);
    x += 4;
  }
  store<f32>(out, mn);
  store<f32>(out, mx, 4);
}
