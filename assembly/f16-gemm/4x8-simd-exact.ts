// f16 GEMM with binary16 accumulation ("f16-exact" precision), tiles of 4 rows × 8 columns (two
// rows at a time), SIMD128, A pre-packed. Models an FP16 FMA unit (PULP-class RISC-V MCU, docs/f16.md):
//
//   acc = bias (binary16);  for k = 0, 1, …, kc−1:  acc = round16(acc + a[k]·b[k])
//   (the product exact, one rounding to nearest even per step), then clamp, then store.
//
// The emulation is exact (proofs at fma16, lift16, tie16 and midGrid16 in assembly/util/f16.ts); the accumulators
// are f32 lanes that always hold binary16 values. Each step takes the float sums rounded by
// easy16 when no lane is hard (hardKey16: a binary16 midpoint, about one lane-step in 700 on
// random data, or a sum that rounds to a binary16 subnormal or overflows; ±0, Inf and NaN are
// easy); else tie16 for a step whose sums are all in the normal range (the midpoints, ~99% of
// hard steps); else round16 of the sums when none is a midpoint of its own grid (midGrid16:
// subnormal sums, overflow); else the full fma16.
//
//   a: packed A tile from x32-packx over the f32 image of A: [kc][4] floats (binary16 values).
//   w: f32 panels of 8 columns [bias 8][kc × 8] (the f16-packw panels widened).
//   c: binary16, row i at c + i·cStride bytes; only nc columns are written.
// A NaN result is stored as 0x7e00, the RISC-V canonical NaN an FP16 FPU produces.
// Limits: 1 ≤ mr ≤ 4, nc ≥ 1, kc ≥ 0; vmin/vmax binary16 values. aStride is unused.
//
// Why two rows at a time over each panel: each step is a chain of a float add and two integer
// ops per accumulator, so one row's two chains left the vector units idle (two rows: 1.4× at
// 256³); all four rows' eight accumulators, with the sums, constants and the operands the
// rare fma16 needs, spill in V8 (16 XMM registers on x64). Re-reading the B panel from L1 per
// row pair costs little next to ~7 vector ops per multiply-add.
// Why a hard step leaves the inner loop: only the accumulators stay live across it, so V8 keeps
// the easy loop free of spills (the slow step in the loop body kept its products and sums in
// stack slots: 3% slower), and the slow step reloads its operands. After a midpoint step it
// returns at once; after an out-of-range step it stays for the next steps until one is easy,
// since small data brings long runs of subnormal sums (1.17–1.19× faster at inputs ×2^-7; staying
// after midpoint steps too cost 1–4% on unit-scale data).
import { hardB, hardL, half13, trunc13, lift16, easy16, exactHalves8, fma16, tie16, quantum16, grid16, finish16, midGrid16, anyHard2, anyHard4, anyRange2, anyRange4, storeHalvesUpTo8 } from '../util/f16';

export function f16_gemm_4x8__simd_exact(
  mr: i32, nc: i32, kc: i32,
  a: usize, aStride: usize,
  w: usize,
  c: usize, cStride: usize,
  vmin: f32, vmax: f32,
): void {
  const kBytes = (<usize>kc) << 5;
  // The fast path's constants, in registers for the whole call (see util/f16.ts).
  const hb = hardB(), hl = hardL(), half = half13(), trunc = trunc13();
  const vlo = f32x4.splat(vmin);
  const vhi = f32x4.splat(vmax);
  let nLeft = nc;
  while (true) {
    const bias = w;
    w += 32;
    const wEnd = w + kBytes;
    let row = 0;
    for (; row + 1 < mr; row += 2) {
      let a0l = v128.load(bias), a0h = v128.load(bias, 16);
      let a1l = a0l, a1h = a0h;
      let ap = a + (<usize>row << 2);
      let wp = w;
      while (wp < wEnd) {
        while (wp < wEnd) {
          const bl = v128.load(wp);
          const bh = v128.load(wp, 16);
          const v0 = v128.load32_splat(ap), v1 = v128.load32_splat(ap, 4);
          const s0l = f32x4.add(a0l, f32x4.mul(v0, bl)), s0h = f32x4.add(a0h, f32x4.mul(v0, bh));
          const s1l = f32x4.add(a1l, f32x4.mul(v1, bl)), s1h = f32x4.add(a1h, f32x4.mul(v1, bh));
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
          const bl = v128.load(wp);
          const bh = v128.load(wp, 16);
          const v0 = v128.load32_splat(ap), v1 = v128.load32_splat(ap, 4);
          const p0l = f32x4.mul(v0, bl), p0h = f32x4.mul(v0, bh), p1l = f32x4.mul(v1, bl), p1h = f32x4.mul(v1, bh);
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
            a1l = fma16(a1l, v1, bl); a1h = fma16(a1h, v1, bh);
          } else {
            a0l = finish16(s0l, g0l); a0h = finish16(s0h, g0h);
            a1l = finish16(s1l, g1l); a1h = finish16(s1h, g1h);
          }
          out = true;
        } while (wp < wEnd);
      }
      const r = c + <usize>row * cStride;
      storeHalvesUpTo8(r, exactHalves8(a0l, a0h, vlo, vhi), nLeft);
      storeHalvesUpTo8(r + cStride, exactHalves8(a1l, a1h, vlo, vhi), nLeft);
    }
    if (row < mr) {
      let accl = v128.load(bias);
      let acch = v128.load(bias, 16);
      let ap = a + (<usize>row << 2);
      let wp = w;
      while (wp < wEnd) {
        const bl = v128.load(wp);
        const bh = v128.load(wp, 16);
        const va = v128.load32_splat(ap);
        const pl = f32x4.mul(va, bl), ph = f32x4.mul(va, bh);
        const sl = f32x4.add(accl, pl), sh = f32x4.add(acch, ph);
        const tl = lift16(sl, half), th = lift16(sh, half);
        if (!anyHard2(tl, th, hb, hl)) { accl = easy16(tl, trunc); acch = easy16(th, trunc); }
        else if (!anyRange2(sl, sh)) { accl = tie16(accl, pl, sl); acch = tie16(acch, ph, sh); }
        else {
          const el = quantum16(sl), eh = quantum16(sh), gl = grid16(sl, el), gh = grid16(sh, eh);
          if (i8x16.bitmask(v128.or(midGrid16(sl, gl, el), midGrid16(sh, gh, eh))) != 0) { accl = fma16(accl, va, bl); acch = fma16(acch, va, bh); }
          else { accl = finish16(sl, gl); acch = finish16(sh, gh); }
        }
        wp += 32;
        ap += 16;
      }
      storeHalvesUpTo8(c + <usize>row * cStride, exactHalves8(accl, acch, vlo, vhi), nLeft);
    }
    if (nLeft <= 8) break;
    w = wEnd;
    c += 16;
    nLeft -= 8;
  }
}
