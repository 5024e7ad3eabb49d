// f32 GEMV microkernel (one row of A), 1×32 tile, SIMD128.
//
// Computes c[0..nc) = clamp(bias + a·B, vmin, vmax) for a single row a of kc floats.
//   w: packed weights in the f32-packw layout with panels of 8 columns ([bias 8][kc × 8] each),
//      the same packing the 4×8 GEMM kernel reads. Four consecutive panels are read side by
//      side, so eight independent accumulator chains hide the add latency that a 1×8 tile
//      would be bound by; leftover panels go through one chain pair each.
//   c: nc floats, written exactly.
// Limits: mr = 1 (aStride and cStride are unused; the signature is the f32-gemm one so the
// driver and testers treat every variant alike), nc ≥ 1, kc ≥ 0.
// Reduction order: identical to f32_gemm_4x8__simd (bias first, then k ascending, separate
// mul and add), so M = 1 results carry the same bits as the same row computed by the GEMM.
export function f32_gemm_1x32__simd(
  mr: i32, nc: i32, kc: i32,
  a: usize, aStride: usize,
  w: usize,
  c: usize, cStride: usize,
  vmin: f32, vmax: f32,
): void {
  const kBytes = (<usize>kc) << 2;
  const panelBytes: usize = 32 + (kBytes << 3);
  const vlo = f32x4.splat(vmin);
  const vhi = f32x4.splat(vmax);
  let nLeft = nc;
  while (nLeft >= 32) {
    const w1 = w + panelBytes;
    const w2 = w1 + panelBytes;
    const w3 = w2 + panelBytes;
    let acc0 = v128.load(w);  let acc1 = v128.load(w, 16);
    let acc2 = v128.load(w1); let acc3 = v128.load(w1, 16);
    let acc4 = v128.load(w2); let acc5 = v128.load(w2, 16);
    let acc6 = v128.load(w3); let acc7 = v128.load(w3, 16);
    let p: usize = 32;
    let k: usize = 0;
    while (k < kBytes) {
      const va = v128.load32_splat(a + k);
      acc0 = f32x4.add(acc0, f32x4.mul(va, v128.load(w + p)));
      acc1 = f32x4.add(acc1, f32x4.mul(va, v128.load(w + p, 16)));
      acc2 = f32x4.add(acc2, f32x4.mul(va, v128.load(w1 + p)));
      acc3 = f32x4.add(acc3, f32x4.mul(va, v128.load(w1 + p, 16)));
      acc4 = f32x4.add(acc4, f32x4.mul(va, v128.load(w2 + p)));
      acc5 = f32x4.add(acc5, f32x4.mul(va, v128.load(w2 + p, 16)));
      acc6 = f32x4.add(acc6, f32x4.mul(va, v128.load(w3 + p)));
      acc7 = f32x4.add(acc7, f32x4.mul(va, v128.load(w3 + p, 16)));
      p += 32;
      k += 4;
    }
    v128.store(c, f32x4.pmin(f32x4.pmax(acc0, vlo), vhi));
    v128.store(c, f32x4.pmin(f32x4.pmax(acc1, vlo), vhi), 16);
    v128.store(c, f32x4.pmin(f32x4.pmax(acc2, vlo), vhi), 32);
    v128.store(c, f32x4.pmin(f32x4.pmax(acc3, vlo), vhi), 48);
    v128.store(c, f32x4.pmin(f32x4.pmax(acc4, vlo), vhi), 64);
    v128.store(c, f32x4.pmin(f32x4.pmax(acc5, vlo), vhi), 80);
    v128.store(c, f32x4.pmin(f32x4.pmax(acc6, vlo), vhi), 96);
    v128.store(c, f32x4.pmin(f32x4.pmax(acc7, vlo), vhi), 112);
    w += panelBytes << 2;
    c += 128;
    nLeft -= 32;
  }
  while (nLeft > 0) {
    let acc0 = v128.load(w);
    let acc1 = v128.load(w, 16);
    w += 32;
    let k: usize = 0;
    while (k < kBytes) {
      const va = v128.load32_splat(a + k);
      acc0 = f32x4.add(acc0, f32x4.mul(va, v128.load(w)));
      acc1 = f32x4.add(acc1, f32x4.mul(va, v128.load(w, 16)));
      w += 32;
      k += 4;
    }
    acc0 = f32x4.pmin(f32x4.pmax(acc0, vlo), vhi);
    acc1 = f32x4.pmin(f32x4.pmax(acc1, vlo), vhi);
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
