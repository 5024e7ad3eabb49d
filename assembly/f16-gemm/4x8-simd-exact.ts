// f16 GEMM with binary16 accumulation ("f16-exact" precision), tiles of 4 rows × 8 columns (one row
// at a time), SIMD128, A pre-packed. Models an FP16 FMA unit (PULP-class RISC-V MCU, docs/f16.md):
//
//   acc = bias (binary16);  for k = 0, 1, …, kc−1:  acc = round16(acc + a[k]·b[k])
//   (the product exact, one rounding to nearest even per step), then clamp, then store.
//
// The emulation is exact (proof at fma16 in assembly/util/f16.ts); the accumulators are f32
// lanes that always hold binary16 values. Each step takes the float sum rounded by easy16 and
// runs the full fma16 only for a row where some lane is hard16 (a binary16 midpoint, about one
// lane-step in 2^12 on random data, or a sum outside the normal binary16 range).
//
//   a: packed A tile from x32-packx over the f32 image of A: [kc][4] floats (binary16 values).
//   w: f32 panels of 8 columns [bias 8][kc × 8] (the f16-packw panels widened).
//   c: binary16, row i at c + i·cStride bytes; only nc columns are written.
// A NaN result is stored as 0x7e00, the RISC-V canonical NaN an FP16 FPU produces.
// Limits: 1 ≤ mr ≤ 4, nc ≥ 1, kc ≥ 0; vmin/vmax binary16 values. aStride is unused.
//
// Why one row at a time over each panel: the rounding needs temporaries and constants besides
// the accumulators; with the tile's eight accumulators live, V8 (16 XMM registers on x64)
// spilled several of them every k step. One row keeps two live and none spill; re-reading the
// B panel from L1 per row costs little next to ~10 vector ops per multiply-add (1.3× faster
// than the whole tile at 256³).
import { easy16, exactHalves8, fma16, hard16, storeHalves } from '../util/f16';

export function f16_gemm_4x8__simd_exact(
  mr: i32, nc: i32, kc: i32,
  a: usize, aStride: usize,
  w: usize,
  c: usize, cStride: usize,
  vmin: f32, vmax: f32,
): void {
  const kBytes = (<usize>kc) << 5;
  const vlo = f32x4.splat(vmin);
  const vhi = f32x4.splat(vmax);
  let nLeft = nc;
  while (true) {
    const bias = w;
    w += 32;
    const wEnd = w + kBytes;
    for (let row = mr - 1; row >= 0; row--) {
      let accl = v128.load(bias);
      let acch = v128.load(bias, 16);
      let ap = a + (<usize>row << 2);
      let wp = w;
      while (wp < wEnd) {
        const bl = v128.load(wp);
        const bh = v128.load(wp, 16);
        const va = v128.load32_splat(ap);
        const sl = f32x4.add(accl, f32x4.mul(va, bl)), sh = f32x4.add(acch, f32x4.mul(va, bh));
        if (v128.any_true(v128.or(hard16(sl), hard16(sh)))) { accl = fma16(accl, va, bl); acch = fma16(acch, va, bh); }
        else { accl = easy16(sl); acch = easy16(sh); }
        wp += 32;
        ap += 16;
      }
      const h = exactHalves8(accl, acch, vlo, vhi);
      const r = c + <usize>row * cStride;
      if (nLeft >= 8) v128.store(r, h);
      else storeHalves(r, h, nLeft);
    }
    if (nLeft <= 8) break;
    w = wEnd;
    c += 16;
    nLeft -= 8;
  }
}
