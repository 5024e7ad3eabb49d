// f16 GEMM with binary16 accumulation ("f16-exact" precision), 4×8 register tile, SIMD128,
// A pre-packed. Models an FP16 FMA unit (PULP-class RISC-V MCU, docs/f16.md):
//
//   acc = bias (binary16);  for k = 0, 1, …, kc−1:  acc = round16(acc + a[k]·b[k])
//   (the product exact, one rounding to nearest even per step), then clamp, then store.
//
// The emulation is exact (proof at fma16 in assembly/util/f16.ts); the accumulators are f32
// lanes that always hold binary16 values.
//   a: packed A tile from x32-packx over the f32 image of A: [kc][4] floats (binary16 values).
//   w: f32 panels of 8 columns [bias 8][kc × 8] (the f16-packw panels widened).
//   c: binary16, row i at c + i·cStride bytes; only nc columns are written.
// A NaN result is stored as 0x7e00, the RISC-V canonical NaN an FP16 FPU produces.
// Limits: 1 ≤ mr ≤ 4, nc ≥ 1, kc ≥ 0; vmin/vmax binary16 values. aStride is unused.
import { finish16, fma16, f32x8_to_f16x8, grid16, quantum16, storeHalves, tie16 } from '../util/f16';

// @ts-ignore: decorator
@inline function store8(acc0: v128, acc1: v128, vlo: v128, vhi: v128): v128 {
  const l = f32x4.pmin(f32x4.pmax(acc0, vlo), vhi);
  const h = f32x4.pmin(f32x4.pmax(acc1, vlo), vhi);
  const bits = f32x8_to_f16x8(l, h);
  const nan = i16x8.narrow_i32x4_s(f32x4.ne(l, l), f32x4.ne(h, h));
  return v128.bitselect(i16x8.splat(0x7e00), bits, nan);
}

export function f16_gemm_4x8__simd_exact(
  mr: i32, nc: i32, kc: i32,
  a: usize, aStride: usize,
  w: usize,
  c: usize, cStride: usize,
  vmin: f32, vmax: f32,
): void {
  let c0 = c;
  let c1 = c0 + cStride;
  if (mr < 2) c1 = c0;
  let c2 = c1 + cStride;
  if (mr <= 2) c2 = c1;
  let c3 = c2 + cStride;
  if (mr != 4) c3 = c2;
  const aEnd = a + ((<usize>kc) << 4);
  const vlo = f32x4.splat(vmin);
  const vhi = f32x4.splat(vmax);
  let nLeft = nc;
  while (true) {
    let acc0l = v128.load(w);
    let acc0h = v128.load(w, 16);
    let acc1l = acc0l; let acc1h = acc0h;
    let acc2l = acc0l; let acc2h = acc0h;
    let acc3l = acc0l; let acc3h = acc0h;
    w += 32;
    let ap = a;
    while (ap < aEnd) {
      const bl = v128.load(w);
      const bh = v128.load(w, 16);
      const va0 = v128.load32_splat(ap);
      const va1 = v128.load32_splat(ap, 4);
      const va2 = v128.load32_splat(ap, 8);
      const va3 = v128.load32_splat(ap, 12);
      // Per row: round the float sums (exact unless a lane sits on a binary16 tie, see tie16)
      // and take the full fma16 for a row where some lane does (about 1 lane-step in 2^12 on
      // random data).
      let sl = f32x4.add(acc0l, f32x4.mul(va0, bl)), sh = f32x4.add(acc0h, f32x4.mul(va0, bh));
      let el = quantum16(sl), eh = quantum16(sh), rl = grid16(sl, el), rh = grid16(sh, eh);
      if (v128.any_true(v128.or(tie16(sl, el, rl), tie16(sh, eh, rh)))) { acc0l = fma16(acc0l, va0, bl); acc0h = fma16(acc0h, va0, bh); }
      else { acc0l = finish16(sl, rl); acc0h = finish16(sh, rh); }
      sl = f32x4.add(acc1l, f32x4.mul(va1, bl)); sh = f32x4.add(acc1h, f32x4.mul(va1, bh));
      el = quantum16(sl); eh = quantum16(sh); rl = grid16(sl, el); rh = grid16(sh, eh);
      if (v128.any_true(v128.or(tie16(sl, el, rl), tie16(sh, eh, rh)))) { acc1l = fma16(acc1l, va1, bl); acc1h = fma16(acc1h, va1, bh); }
      else { acc1l = finish16(sl, rl); acc1h = finish16(sh, rh); }
      sl = f32x4.add(acc2l, f32x4.mul(va2, bl)); sh = f32x4.add(acc2h, f32x4.mul(va2, bh));
      el = quantum16(sl); eh = quantum16(sh); rl = grid16(sl, el); rh = grid16(sh, eh);
      if (v128.any_true(v128.or(tie16(sl, el, rl), tie16(sh, eh, rh)))) { acc2l = fma16(acc2l, va2, bl); acc2h = fma16(acc2h, va2, bh); }
      else { acc2l = finish16(sl, rl); acc2h = finish16(sh, rh); }
      sl = f32x4.add(acc3l, f32x4.mul(va3, bl)); sh = f32x4.add(acc3h, f32x4.mul(va3, bh));
      el = quantum16(sl); eh = quantum16(sh); rl = grid16(sl, el); rh = grid16(sh, eh);
      if (v128.any_true(v128.or(tie16(sl, el, rl), tie16(sh, eh, rh)))) { acc3l = fma16(acc3l, va3, bl); acc3h = fma16(acc3h, va3, bh); }
      else { acc3l = finish16(sl, rl); acc3h = finish16(sh, rh); }
      w += 32;
      ap += 16;
    }
    const h0 = store8(acc0l, acc0h, vlo, vhi);
    const h1 = store8(acc1l, acc1h, vlo, vhi);
    const h2 = store8(acc2l, acc2h, vlo, vhi);
    const h3 = store8(acc3l, acc3h, vlo, vhi);
    if (nLeft >= 8) {
      v128.store(c3, h3); v128.store(c2, h2); v128.store(c1, h1); v128.store(c0, h0);
    } else {
      storeHalves(c3, h3, nLeft); storeHalves(c2, h2, nLeft); storeHalves(c1, h1, nLeft); storeHalves(c0, h0, nLeft);
    }
    if (nLeft <= 8) break;
    c0 += 16; c1 += 16; c2 += 16; c3 += 16;
    nLeft -= 8;
  }
}
