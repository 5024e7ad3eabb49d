// The f16 GEMV loop with f32 accumulation (M = 1, binary16 weights widened in registers), shared
// by f16_f32acc_gemm_1x16__simd_f16w (checked: any weights) and its _finite variant (weights
// without Inf/NaN, known from packing: no per-step check). The contract and the reasons for
// the loop's form are at the first kernel.
import { f16x4_to_f32x4, f32x8_to_f16x8_auto, widenHighHalves as widen, F16K, K_7FFF16, K_7BFF16 } from './f16';

// @ts-ignore: decorator
@inline function special(h: v128): bool {
  return i8x16.bitmask(i16x8.gt_s(v128.and(h, v128.load(F16K, K_7FFF16)), v128.load(F16K, K_7BFF16))) != 0;
}

// @ts-ignore: decorator
@inline function storeTail(c: usize, h: v128, n: i32): void {
  let q = c, v = h;
  if (n & 4) { v128.store64_lane(q, v, 0); v = i64x2.shuffle(v, v, 1, 1); q += 8; }
  if (n & 2) { v128.store32_lane(q, v, 0); v = i32x4.shuffle(v, v, 1, 1, 1, 1); q += 4; }
  if (n & 1) { v128.store16_lane(q, v, 0); }
}

/** Up to 16 columns (min(n, 16)) of one row: clamped, narrowed to binary16, stored at c. */
// @ts-ignore: decorator
@inline function storeRow16(c: usize, acc0: v128, acc1: v128, acc2: v128, acc3: v128, vlo: v128, vhi: v128, n: i32): void {
  const r0 = f32x8_to_f16x8_auto(f32x4.pmin(f32x4.pmax(acc0, vlo), vhi), f32x4.pmin(f32x4.pmax(acc1, vlo), vhi));
  const r1 = f32x8_to_f16x8_auto(f32x4.pmin(f32x4.pmax(acc2, vlo), vhi), f32x4.pmin(f32x4.pmax(acc3, vlo), vhi));
  if (n >= 16) {
    v128.store(c, r0); v128.store(c, r1, 16);
  } else if (n > 8) {
    v128.store(c, r0); storeTail(c + 16, r1, n - 8);
  } else if (n == 8) {
    v128.store(c, r0);
  } else {
    storeTail(c, r0, n);
  }
}

/**
 * c[0..nc) = round16(clamp(bias + a·B, vmin, vmax)) over the f16-packw panels at w, two side by
 * side. `checked` (a constant at each call): keep the largest |bits| of the weights and redo a
 * panel pair that holds an Inf or NaN with the general conversion; false: the weights have none.
 */
// @ts-ignore: decorator
@inline export function gemv1x16F16w(checked: bool, nc: i32, kc: i32, a: usize, w: usize, c: usize, vmin: f32, vmax: f32): void {
  rows16F16w(1, checked, nc, kc, a, 0, w, c, 0, vmin, vmax);
}

/**
 * The loop of gemv1x16F16w for `rows` (a constant: 1, or 2 without `checked`) rows of A, kc
 * floats each, aStride bytes apart, and of C, cStride bytes apart: each row's accumulators are
 * the GEMV's, over the same widened weights. With 2 rows A comes already multiplied by 2^112:
 * the multiplies and the constant's register are what made V8 spill accumulators (1.56× slower).
 */
// @ts-ignore: decorator
@inline export function rows16F16w(rows: i32, checked: bool, nc: i32, kc: i32, a: usize, aStride: usize, w: usize, c: usize, cStride: usize, vmin: f32, vmax: f32): void {
  const kBytes = (<usize>kc) << 2;
  const panelBytes: usize = 16 + ((<usize>kc) << 4);
  const vlo = f32x4.splat(vmin);
  const vhi = f32x4.splat(vmax);
  // The hot loop's constants, once per call (V8 does not move a load out of a loop).
  const mask = i32x4.splat(0x8fffe000), scale = v128.load(F16K, 16 /* 2^112 */), m7 = v128.load(F16K, K_7FFF16);
  let nLeft = nc;
  while (nLeft > 0) {
    const two = nLeft > 8;
    const w1 = two ? w + panelBytes : w; // a lone last panel is read twice, its copy not stored
    // The accumulators hold each panel's even columns, then its odd ones (see the loop).
    const b0 = v128.load(w), b1 = v128.load(w1);
    const b0l = f16x4_to_f32x4(i32x4.extend_low_i16x8_u(b0)), b0h = f16x4_to_f32x4(i32x4.extend_high_i16x8_u(b0));
    const b1l = f16x4_to_f32x4(i32x4.extend_low_i16x8_u(b1)), b1h = f16x4_to_f32x4(i32x4.extend_high_i16x8_u(b1));
    let acc0 = i32x4.shuffle(b0l, b0h, 0, 2, 4, 6), acc1 = i32x4.shuffle(b0l, b0h, 1, 3, 5, 7);
    let acc2 = i32x4.shuffle(b1l, b1h, 0, 2, 4, 6), acc3 = i32x4.shuffle(b1l, b1h, 1, 3, 5, 7);
    let acc4 = acc0, acc5 = acc1, acc6 = acc2, acc7 = acc3;
    let p0 = w + 16, p1 = w1 + 16;
    // Hot loop: the widening (4 ops per 8 weights), no branch; checked, Inf/NaN weights are only
    // noted (a running max).
    let seen = i32x4.splat(0);
    let k: usize = 0;
    while (k < kBytes) {
      const va = rows == 1 ? f32x4.mul(v128.load32_splat(a + k), scale) : v128.load32_splat(a + k);
      const h0 = v128.load(p0), h1 = v128.load(p1);
      if (checked) seen = i16x8.max_u(seen, i16x8.max_u(v128.and(h0, m7), v128.and(h1, m7)));
      if (rows == 1) {
        acc0 = f32x4.add(acc0, f32x4.mul(va, widen(v128.load(p0 - 2), mask)));
        acc1 = f32x4.add(acc1, f32x4.mul(va, widen(h0, mask)));
        acc2 = f32x4.add(acc2, f32x4.mul(va, widen(v128.load(p1 - 2), mask)));
        acc3 = f32x4.add(acc3, f32x4.mul(va, widen(h1, mask)));
      } else {
        const vb = v128.load32_splat(a + aStride + k);
        const e0 = widen(v128.load(p0 - 2), mask), o0 = widen(h0, mask);
        acc0 = f32x4.add(acc0, f32x4.mul(va, e0)); acc4 = f32x4.add(acc4, f32x4.mul(vb, e0));
        acc1 = f32x4.add(acc1, f32x4.mul(va, o0)); acc5 = f32x4.add(acc5, f32x4.mul(vb, o0));
        const e1 = widen(v128.load(p1 - 2), mask), o1 = widen(h1, mask);
        acc2 = f32x4.add(acc2, f32x4.mul(va, e1)); acc6 = f32x4.add(acc6, f32x4.mul(vb, e1));
        acc3 = f32x4.add(acc3, f32x4.mul(va, o1)); acc7 = f32x4.add(acc7, f32x4.mul(vb, o1));
      }
      p0 += 16; p1 += 16;
      k += 4;
    }
    const e0 = acc0, e1 = acc2;
    acc0 = i32x4.shuffle(e0, acc1, 0, 4, 1, 5); acc1 = i32x4.shuffle(e0, acc1, 2, 6, 3, 7);
    acc2 = i32x4.shuffle(e1, acc3, 0, 4, 1, 5); acc3 = i32x4.shuffle(e1, acc3, 2, 6, 3, 7);
    if (rows == 2) {
      const e4 = acc4, e6 = acc6;
      acc4 = i32x4.shuffle(e4, acc5, 0, 4, 1, 5); acc5 = i32x4.shuffle(e4, acc5, 2, 6, 3, 7);
      acc6 = i32x4.shuffle(e6, acc7, 0, 4, 1, 5); acc7 = i32x4.shuffle(e6, acc7, 2, 6, 3, 7);
    }
    // The largest magnitude bits seen: if one is Inf/NaN, the panels go through the general
    // conversion again, from the bias: same order, exact.
    if (checked && special(seen)) {
      // From the bias again (reloaded: keeping it live through the hot loop cost registers).
      const c0 = v128.load(w), c1 = v128.load(w1);
      acc0 = f16x4_to_f32x4(i32x4.extend_low_i16x8_u(c0));
      acc1 = f16x4_to_f32x4(i32x4.extend_high_i16x8_u(c0));
      acc2 = f16x4_to_f32x4(i32x4.extend_low_i16x8_u(c1));
      acc3 = f16x4_to_f32x4(i32x4.extend_high_i16x8_u(c1));
      p0 = w + 16; p1 = w1 + 16;
      for (k = 0; k < kBytes; k += 4) {
        const va = v128.load32_splat(a + k);
        const h0 = v128.load(p0), h1 = v128.load(p1);
        acc0 = f32x4.add(acc0, f32x4.mul(va, f16x4_to_f32x4(i32x4.extend_low_i16x8_u(h0))));
        acc1 = f32x4.add(acc1, f32x4.mul(va, f16x4_to_f32x4(i32x4.extend_high_i16x8_u(h0))));
        acc2 = f32x4.add(acc2, f32x4.mul(va, f16x4_to_f32x4(i32x4.extend_low_i16x8_u(h1))));
        acc3 = f32x4.add(acc3, f32x4.mul(va, f16x4_to_f32x4(i32x4.extend_high_i16x8_u(h1))));
        p0 += 16; p1 += 16;
      }
    }
    if (rows == 2) storeRow16(c + cStride, acc4, acc5, acc6, acc7, vlo, vhi, nLeft);
    storeRow16(c, acc0, acc1, acc2, acc3, vlo, vhi, nLeft);
    c += 32; w += panelBytes << 1; nLeft -= 16;
  }
}
