// Depthwise convolution (multiplier 1) with binary16 accumulation ("f16-exact"), any window,
// 16 channels per pass (8 for a last group of 8 or fewer), SIMD128. Models an FP16 FMA unit as f16_gemm_4x8__simd_exact does
// (easy16, tie16, round16 or fma16 per step, as there):
//
//   acc = bias[c];  for each tap s ascending:  acc = round16(acc + x[tap s][c]·w[s][c])
//   (product exact, one rounding to nearest even; a padding tap reads 0, i.e. adds 0·w),
//   then clamp, then store binary16 (NaN as 0x7e00, the RISC-V canonical NaN).
//
//   ind: [p][ks] u32 byte offsets (from x) of the input pixel each tap reads, or 0xFFFFFFFF for
//        padding, which reads `zero` (bindings/conv.ts indirection with tile 1).
//   x:   the image widened to f32 (binary16 values), NHWC, C channels per pixel; readable for
//        32 bytes past its end (channel tails load whole vectors; extra lanes are not stored).
//   w:   the f32-widened dwconv packing [ceil(C/8)][bias 8][ks][8] (binary16 values).
//   out: binary16, pixel p at out + p·outStride bytes, C channels.
//   params: 8 bytes { vmin f32, vmax f32 } (binary16 values).
// Limits: P ≥ 1, C ≥ 1, ks ≥ 1.
// The fast path's constants are loaded at each use (hardB() … trunc13()), not once per call as
// the exact GEMM does: with 16 live vectors in its main loop there are no registers to keep
// them in (loaded once: 2–5% slower, 2026-11-24).
import { hardB, hardL, half13, trunc13, lift16, easy16, exactHalves8, fma16, tie16, quantum16, grid16, finish16, midGrid16, anyHard2, anyHard4, anyRange2, anyRange4, storeHalvesUpTo8 } from '../util/f16';

export function f16_dwconv_xp8c__simd_exact(
  P: i32, C: i32, ks: i32,
  ind: usize, x: usize, zero: usize,
  w: usize,
  out: usize, outStride: usize,
  params: usize,
): void {
  const vlo = f32x4.splat(load<f32>(params));
  const vhi = f32x4.splat(load<f32>(params, 4));
  const tileBytes: usize = 32 + ((<usize>ks) << 5);
  for (let p = 0; p < P; p++) {
    const taps = ind + <usize>p * (<usize>ks << 2);
    const o = out + <usize>p * outStride;
    let wt = w;
    let c0 = 0;
    // Two channel groups per pass while more than 8 channels remain: four independent chains.
    for (; C - c0 > 8; c0 += 16) {
      const wu = wt + tileBytes;
      let acc0 = v128.load(wt), acc1 = v128.load(wt, 16);
      let acc2 = v128.load(wu), acc3 = v128.load(wu, 16);
      let wp = wt + 32;
      const coff = <usize>c0 << 2;
      for (let s = 0; s < ks; s++) {
        const row = tapRow(taps, s, x, zero, coff);
        const x0 = v128.load(row), w0 = v128.load(wp), x1 = v128.load(row, 16), w1 = v128.load(wp, 16);
        const x2 = v128.load(row, 32), w2 = v128.load(wp + tileBytes), x3 = v128.load(row, 48), w3 = v128.load(wp + tileBytes, 16);
        const p0 = f32x4.mul(x0, w0), p1 = f32x4.mul(x1, w1), p2 = f32x4.mul(x2, w2), p3 = f32x4.mul(x3, w3);
        const s0 = f32x4.add(acc0, p0), s1 = f32x4.add(acc1, p1), s2 = f32x4.add(acc2, p2), s3 = f32x4.add(acc3, p3);
        const t0 = lift16(s0, half13()), t1 = lift16(s1, half13()), t2 = lift16(s2, half13()), t3 = lift16(s3, half13());
        if (!anyHard4(t0, t1, t2, t3, hardB(), hardL())) {
          acc0 = easy16(t0, trunc13()); acc1 = easy16(t1, trunc13());
          acc2 = easy16(t2, trunc13()); acc3 = easy16(t3, trunc13());
        } else if (!anyRange4(s0, s1, s2, s3)) {
          acc0 = tie16(acc0, p0, s0); acc1 = tie16(acc1, p1, s1);
          acc2 = tie16(acc2, p2, s2); acc3 = tie16(acc3, p3, s3);
        } else {
          const e0 = quantum16(s0), e1 = quantum16(s1), e2 = quantum16(s2), e3 = quantum16(s3);
          const g0 = grid16(s0, e0), g1 = grid16(s1, e1), g2 = grid16(s2, e2), g3 = grid16(s3, e3);
          if (i8x16.bitmask(v128.or(v128.or(midGrid16(s0, g0, e0), midGrid16(s1, g1, e1)), v128.or(midGrid16(s2, g2, e2), midGrid16(s3, g3, e3)))) != 0) {
            acc0 = fma16(acc0, x0, w0); acc1 = fma16(acc1, x1, w1);
            acc2 = fma16(acc2, x2, w2); acc3 = fma16(acc3, x3, w3);
          } else {
            acc0 = finish16(s0, g0); acc1 = finish16(s1, g1);
            acc2 = finish16(s2, g2); acc3 = finish16(s3, g3);
          }
        }
        wp += 32;
      }
      const oc = o + (<usize>c0 << 1);
      v128.store(oc, exactHalves8(acc0, acc1, vlo, vhi));
      storeHalvesUpTo8(oc + 16, exactHalves8(acc2, acc3, vlo, vhi), C - c0 - 8);
      wt += tileBytes << 1;
    }
    if (c0 < C) {
      let acc0 = v128.load(wt);
      let acc1 = v128.load(wt, 16);
      let wp = wt + 32;
      const coff = <usize>c0 << 2;
      for (let s = 0; s < ks; s++) {
        const row = tapRow(taps, s, x, zero, coff);
        const x0 = v128.load(row), w0 = v128.load(wp), x1 = v128.load(row, 16), w1 = v128.load(wp, 16);
        const p0 = f32x4.mul(x0, w0), p1 = f32x4.mul(x1, w1);
        const s0 = f32x4.add(acc0, p0), s1 = f32x4.add(acc1, p1);
        const t0 = lift16(s0, half13()), t1 = lift16(s1, half13());
        if (!anyHard2(t0, t1, hardB(), hardL())) { acc0 = easy16(t0, trunc13()); acc1 = easy16(t1, trunc13()); }
        else if (!anyRange2(s0, s1)) { acc0 = tie16(acc0, p0, s0); acc1 = tie16(acc1, p1, s1); }
        else {
          const e0 = quantum16(s0), e1 = quantum16(s1), g0 = grid16(s0, e0), g1 = grid16(s1, e1);
          if (i8x16.bitmask(v128.or(midGrid16(s0, g0, e0), midGrid16(s1, g1, e1))) != 0) { acc0 = fma16(acc0, x0, w0); acc1 = fma16(acc1, x1, w1); }
          else { acc0 = finish16(s0, g0); acc1 = finish16(s1, g1); }
        }
        wp += 32;
      }
      storeHalvesUpTo8(o + (<usize>c0 << 1), exactHalves8(acc0, acc1, vlo, vhi), C - c0);
    }
  }
}

/** The channel-c0 address (coff bytes in) of tap s's input pixel, or of the zero row for padding. */
// @ts-ignore: decorator
@inline function tapRow(taps: usize, s: i32, x: usize, zero: usize, coff: usize): usize {
  const e = load<u32>(taps + (<usize>s << 2));
  return e == 0xffffffff ? zero : x + <usize>e + coff;
}
