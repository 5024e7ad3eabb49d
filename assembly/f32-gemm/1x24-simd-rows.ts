// f32 GEMV microkernel (one row of A), 1×24 tile, SIMD128, weights in the row-grouped layout.
//
// Computes c[0..nc) = clamp(bias + a·B, vmin, vmax) for a single row a of kc floats.
//   w: packed weights regrouped by f32-regroupw: groups of up to 24 columns, [bias wg][kc × wg]
//      with wg = 8·ceil(columns left / 8) capped at 24, so a group streams from memory as one
//      contiguous run. The 1×24 kernel on the panel layout reads three streams 32 KiB apart
//      (K = 1024): on the 4 MiB GEMV, which is memory bound, this kernel measured 1.07–1.12×
//      its speed (interleaved in one process).
//      Same bytes and group offsets as the f32-packw panels, so column chunks starting on a
//      multiple of 24 start at the same address in both layouts.
//   c: nc floats, written exactly.
// Limits: mr = 1 (aStride and cStride unused; the f32-gemm signature), nc ≥ 1, kc ≥ 0.
// Reduction order: identical to every f32-gemm variant (bias first, then k ascending, separate
// mul and add), so M = 1 results carry the same bits as the same row computed by the GEMM.
import { clampF32x4, storeRow8 } from '../util/tile';

export function f32_gemm_1x24__simd_rows(
  mr: i32, nc: i32, kc: i32,
  a: usize, aStride: usize,
  w: usize,
  c: usize, cStride: usize,
  vmin: f32, vmax: f32,
): void {
  const aEnd = a + ((<usize>kc) << 2);
  const vlo = f32x4.splat(vmin);
  const vhi = f32x4.splat(vmax);
  let nLeft = nc;
  while (nLeft > 16) {
    let acc0 = v128.load(w); let acc1 = v128.load(w, 16);
    let acc2 = v128.load(w, 32); let acc3 = v128.load(w, 48);
    let acc4 = v128.load(w, 64); let acc5 = v128.load(w, 80);
    let ap = a;
    while (ap < aEnd) {
      w += 96;
      const va = v128.load32_splat(ap);
      acc0 = f32x4.add(acc0, f32x4.mul(va, v128.load(w)));
      acc1 = f32x4.add(acc1, f32x4.mul(va, v128.load(w, 16)));
      acc2 = f32x4.add(acc2, f32x4.mul(va, v128.load(w, 32)));
      acc3 = f32x4.add(acc3, f32x4.mul(va, v128.load(w, 48)));
      acc4 = f32x4.add(acc4, f32x4.mul(va, v128.load(w, 64)));
      acc5 = f32x4.add(acc5, f32x4.mul(va, v128.load(w, 80)));
      ap += 4;
    }
    w += 96;
    storeRow8(c, clampF32x4(acc0, vlo, vhi), clampF32x4(acc1, vlo, vhi), nLeft);
    storeRow8(c + 32, clampF32x4(acc2, vlo, vhi), clampF32x4(acc3, vlo, vhi), nLeft - 8);
    storeRow8(c + 64, clampF32x4(acc4, vlo, vhi), clampF32x4(acc5, vlo, vhi), nLeft - 16);
    c += 96;
    nLeft -= 24;
  }
  if (nLeft > 8) {
    let acc0 = v128.load(w); let acc1 = v128.load(w, 16);
    let acc2 = v128.load(w, 32); let acc3 = v128.load(w, 48);
    let ap = a;
    while (ap < aEnd) {
      w += 64;
      const va = v128.load32_splat(ap);
      acc0 = f32x4.add(acc0, f32x4.mul(va, v128.load(w)));
      acc1 = f32x4.add(acc1, f32x4.mul(va, v128.load(w, 16)));
      acc2 = f32x4.add(acc2, f32x4.mul(va, v128.load(w, 32)));
      acc3 = f32x4.add(acc3, f32x4.mul(va, v128.load(w, 48)));
      ap += 4;
    }
    storeRow8(c, clampF32x4(acc0, vlo, vhi), clampF32x4(acc1, vlo, vhi), nLeft);
    storeRow8(c + 32, clampF32x4(acc2, vlo, vhi), clampF32x4(acc3, vlo, vhi), nLeft - 8);
  } else if (nLeft > 0) {
    let acc0 = v128.load(w); let acc1 = v128.load(w, 16);
    let ap = a;
    while (ap < aEnd) {
      w += 32;
      const va = v128.load32_splat(ap);
      acc0 = f32x4.add(acc0, f32x4.mul(va, v128.load(w)));
      acc1 = f32x4.add(acc1, f32x4.mul(va, v128.load(w, 16)));
      ap += 4;
    }
    storeRow8(c, clampF32x4(acc0, vlo, vhi), clampF32x4(acc1, vlo, vhi), nLeft);
  }
}
