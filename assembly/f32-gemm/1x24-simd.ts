// f32 GEMV microkernel (one row of A), 1×24 tile, SIMD128.
//
// Computes c[0..nc) = clamp(bias + a·B, vmin, vmax) for a single row a of kc floats.
//   w: packed weights in the f32-packw layout with panels of 8 columns ([bias 8][kc × 8] each),
//      the same packing the 4×8 GEMM kernel reads. Three consecutive panels are read side by
//      side, so six independent accumulator chains cover the add latency that bounds a 1×8
//      tile; leftover panels go through one chain pair each.
//   c: nc floats, written exactly.
// Limits: mr = 1 (aStride and cStride are unused; the signature is the f32-gemm one so the
// driver and testers treat every variant alike), nc ≥ 1, kc ≥ 0.
// Reduction order: identical to every f32-gemm variant (bias first, then k ascending, separate
// mul and add), so M = 1 results carry the same bits as the same row computed by the GEMM.
//
// Why 24: V8 keeps accumulators + one k-step's loads + a temporary in 15 SIMD registers;
// 1×32 needs 17 and spills (measured 19 GFLOPS against 33 for this tile at 1×1024×1024).
// The three panel pointers advance themselves: address arithmetic per load cost ~8%.
import { clampF32x4 } from '../util/tile';
export function f32_gemm_1x24__simd(
  mr: i32, nc: i32, kc: i32,
  a: usize, aStride: usize,
  w: usize,
  c: usize, cStride: usize,
  vmin: f32, vmax: f32,
): void {
  const kBytes = (<usize>kc) << 2;
  const aEnd = a + kBytes;
  const panelBytes: usize = 32 + (kBytes << 3);
  const vlo = f32x4.splat(vmin);
  const vhi = f32x4.splat(vmax);
  let nLeft = nc;
  while (nLeft >= 24) {
    let w0 = w;
    let w1 = w0 + panelBytes;
    let w2 = w1 + panelBytes;
    let acc0 = v128.load(w0); let acc1 = v128.load(w0, 16);
    let acc2 = v128.load(w1); let acc3 = v128.load(w1, 16);
    let acc4 = v128.load(w2); let acc5 = v128.load(w2, 16);
    let ap = a;
    while (ap < aEnd) {
      w0 += 32; w1 += 32; w2 += 32;
      const va = v128.load32_splat(ap);
      acc0 = f32x4.add(acc0, f32x4.mul(va, v128.load(w0)));
      acc1 = f32x4.add(acc1, f32x4.mul(va, v128.load(w0, 16)));
      acc2 = f32x4.add(acc2, f32x4.mul(va, v128.load(w1)));
      acc3 = f32x4.add(acc3, f32x4.mul(va, v128.load(w1, 16)));
      acc4 = f32x4.add(acc4, f32x4.mul(va, v128.load(w2)));
      acc5 = f32x4.add(acc5, f32x4.mul(va, v128.load(w2, 16)));
      ap += 4;
    }
    v128.store(c, clampF32x4(acc0, vlo, vhi));
    v128.store(c, clampF32x4(acc1, vlo, vhi), 16);
    v128.store(c, clampF32x4(acc2, vlo, vhi), 32);
    v128.store(c, clampF32x4(acc3, vlo, vhi), 48);
    v128.store(c, clampF32x4(acc4, vlo, vhi), 64);
    v128.store(c, clampF32x4(acc5, vlo, vhi), 80);
    w += panelBytes * 3;
    c += 96;
    nLeft -= 24;
  }
  if (nLeft >= 16) {
    let w0 = w;
    let w1 = w0 + panelBytes;
    let acc0 = v128.load(w0); let acc1 = v128.load(w0, 16);
    let acc2 = v128.load(w1); let acc3 = v128.load(w1, 16);
    let ap = a;
    while (ap < aEnd) {
      w0 += 32; w1 += 32;
      const va = v128.load32_splat(ap);
      acc0 = f32x4.add(acc0, f32x4.mul(va, v128.load(w0)));
      acc1 = f32x4.add(acc1, f32x4.mul(va, v128.load(w0, 16)));
      acc2 = f32x4.add(acc2, f32x4.mul(va, v128.load(w1)));
      acc3 = f32x4.add(acc3, f32x4.mul(va, v128.load(w1, 16)));
      ap += 4;
    }
    v128.store(c, clampF32x4(acc0, vlo, vhi));
    v128.store(c, clampF32x4(acc1, vlo, vhi), 16);
    v128.store(c, clampF32x4(acc2, vlo, vhi), 32);
    v128.store(c, clampF32x4(acc3, vlo, vhi), 48);
    w += panelBytes * 2;
    c += 64;
    nLeft -= 16;
  }
  while (nLeft > 0) {
    let acc0 = v128.load(w);
    let acc1 = v128.load(w, 16);
    let ap = a;
    while (ap < aEnd) {
      w += 32;
      const va = v128.load32_splat(ap);
      acc0 = f32x4.add(acc0, f32x4.mul(va, v128.load(w)));
      acc1 = f32x4.add(acc1, f32x4.mul(va, v128.load(w, 16)));
      ap += 4;
    }
    w += 32;
    acc0 = clampF32x4(acc0, vlo, vhi);
    acc1 = clampF32x4(acc1, vlo, vhi);
    if (nLeft >= 8) {
      v128.store(c, acc0);
      v128.store(c, acc1, 16);
      c += 32;
      nLeft -= 8;
    } else {
      if (nLeft & 4) { v128.store(c, acc0); acc0 = acc1; c += 16; }
      if (nLeft & 2) { v128.store64_lane(c, acc0, 0); acc0 = i64x2.shuffle(acc0, acc0, 1, 1); c += 8; }
      if (nLeft & 1) { v128.store32_lane(c, acc0, 0); }
      nLeft = 0;
    }
  }
}
