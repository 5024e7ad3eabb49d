// f16 GEMV with binary16 accumulation ("f16-exact" precision, M = 1): one row of A against 16
// columns (two panels) at a time, SIMD128. The contract, exactness argument and hard-step
// handling of f16_gemm_4x8__simd_exact (same bits):
//
//   acc = bias (binary16);  for k = 0, 1, …, kc−1:  acc = round16(acc + a[k]·b[k])
//
//   a: packed A tile from x32-packx over the f32 image of A ([kc][4] floats); row 0 is read.
//   w: f32 panels of 8 columns [bias 8][kc × 8] (the f16-packw panels widened).
//   c: binary16; only nc columns are written.
// Limits: mr = 1, nc ≥ 1, kc ≥ 0; vmin/vmax binary16 values. aStride and cStride are unused.
//
// Why: the 4×8 kernel runs a lone row on one panel, two accumulator chains, which leaves the
// vector units idle (its four chains come from two rows). Here the row's one A splat serves two
// panels: four chains, 1.48–1.50× faster at 1×1024×1024 (2026-11-25). A lone last panel is read
// twice and its copy not stored. Its own export: the same loop with a row pair or a panel pair
// per pass inside the 4×8 kernel (B loads at a variable offset) made the 4×8 one 1–2% slower.
// Its slow loop repeats the 4×8 kernel's: moving the step's decision into a shared helper in
// util/f16.ts, with the four accumulators still updated in one branch per mode, ran small data
// (inputs ×2^-7, most steps slow) 16% slower in both kernels (2026-11-25, same bits).
import { hardB, hardL, half13, trunc13, lift16, easy16, exactHalves8, fma16, tie16, quantum16, grid16, finish16, midGrid16, anyHard4, anyRange4, storeHalvesUpTo8 } from '../util/f16';

export function f16_gemm_1x16__simd_exact(
  mr: i32, nc: i32, kc: i32,
  a: usize, aStride: usize,
  w: usize,
  c: usize, cStride: usize,
  vmin: f32, vmax: f32,
): void {
  const kBytes = (<usize>kc) << 5;
  const panelBytes = kBytes + 32;
  // The fast path's constants, in registers for the whole call (see util/f16.ts).
  const hb = hardB(), hl = hardL(), half = half13(), trunc = trunc13();
  const vlo = f32x4.splat(vmin);
  const vhi = f32x4.splat(vmax);
  const panels = (nc + 7) >> 3;
  for (let p0 = 0; p0 < panels; p0 += 2) {
    const two = p0 + 1 < panels;
    const wSecond: usize = two ? panelBytes : 0;
    const c0 = c + (<usize>p0 << 4), n0 = nc - (p0 << 3);
    const bias = w + <usize>p0 * panelBytes;
    let a0l = v128.load(bias), a0h = v128.load(bias, 16);
    let a1l = v128.load(bias + wSecond), a1h = v128.load(bias + wSecond, 16);
    let ap = a;
    let wp = bias + 32;
    const wEnd = wp + kBytes;
    while (wp < wEnd) {
      while (wp < wEnd) {
        const bl = v128.load(wp), bh = v128.load(wp, 16);
        const cl = v128.load(wp + wSecond), ch = v128.load(wp + wSecond, 16);
        const v0 = v128.load32_splat(ap);
        const s0l = f32x4.add(a0l, f32x4.mul(v0, bl)), s0h = f32x4.add(a0h, f32x4.mul(v0, bh));
        const s1l = f32x4.add(a1l, f32x4.mul(v0, cl)), s1h = f32x4.add(a1h, f32x4.mul(v0, ch));
        const t0l = lift16(s0l, half), t0h = lift16(s0h, half), t1l = lift16(s1l, half), t1h = lift16(s1h, half);
        if (anyHard4(t0l, t0h, t1l, t1h, hb, hl)) break;
        a0l = easy16(t0l, trunc); a0h = easy16(t0h, trunc);
        a1l = easy16(t1l, trunc); a1h = easy16(t1h, trunc);
        wp += 32;
        ap += 16;
      }
      if (wp >= wEnd) break;
      // The hard step the fast loop stopped at. A midpoint step (tie16) returns to the fast loop;
      // after a step with sums out of the normal range (subnormal sums come in runs on small
      // data), the next steps run here until one is easy.
      let out = false;
      do {
        const bl = v128.load(wp), bh = v128.load(wp, 16);
        const cl = v128.load(wp + wSecond), ch = v128.load(wp + wSecond, 16);
        const v0 = v128.load32_splat(ap);
        const p0l = f32x4.mul(v0, bl), p0h = f32x4.mul(v0, bh), p1l = f32x4.mul(v0, cl), p1h = f32x4.mul(v0, ch);
        const s0l = f32x4.add(a0l, p0l), s0h = f32x4.add(a0h, p0h), s1l = f32x4.add(a1l, p1l), s1h = f32x4.add(a1h, p1h);
        wp += 32;
        ap += 16;
        if (out) {
          const t0l = lift16(s0l, half), t0h = lift16(s0h, half), t1l = lift16(s1l, half), t1h = lift16(s1h, half);
          if (!anyHard4(t0l, t0h, t1l, t1h, hb, hl)) {
            a0l = easy16(t0l, trunc); a0h = easy16(t0h, trunc);
            a1l = easy16(t1l, trunc); a1h = easy16(t1h, trunc);
            break;
          }
        }
        if (!anyRange4(s0l, s0h, s1l, s1h)) {
          a0l = tie16(a0l, p0l, s0l); a0h = tie16(a0h, p0h, s0h);
          a1l = tie16(a1l, p1l, s1l); a1h = tie16(a1h, p1h, s1h);
          break;
        }
        const e0l = quantum16(s0l), e0h = quantum16(s0h), e1l = quantum16(s1l), e1h = quantum16(s1h);
        const g0l = grid16(s0l, e0l), g0h = grid16(s0h, e0h), g1l = grid16(s1l, e1l), g1h = grid16(s1h, e1h);
        if (i8x16.bitmask(v128.or(v128.or(midGrid16(s0l, g0l, e0l), midGrid16(s0h, g0h, e0h)),
          v128.or(midGrid16(s1l, g1l, e1l), midGrid16(s1h, g1h, e1h)))) != 0) {
          a0l = fma16(a0l, v0, bl); a0h = fma16(a0h, v0, bh);
          a1l = fma16(a1l, v0, cl); a1h = fma16(a1h, v0, ch);
        } else {
          a0l = finish16(s0l, g0l); a0h = finish16(s0h, g0h);
          a1l = finish16(s1l, g1l); a1h = finish16(s1h, g1h);
        }
        out = true;
      } while (wp < wEnd);
    }
    storeHalvesUpTo8(c0, exactHalves8(a0l, a0h, vlo, vhi), n0);
    if (two) storeHalvesUpTo8(c0 + 16, exactHalves8(a1l, a1h, vlo, vhi), n0 - 8);
  }
}
