// f32 IGEMM microkernel (indirect GEMM: convolution without an im2col copy), 4×8 register tile,
// SIMD128.
//
// Computes, for m output pixels (tiles of 4, the last one partial) and nc output channels,
//   C[i][j] = clamp(bias[j] + Σ_{s<ks} Σ_{c<kc} X_s,i[c] · W[s·kc + c][j], vmin, vmax)
// where X_s,i is the input row (kc channels) that tap s of output pixel i reads.
//   a: indirection entries, [ceil(m/4)][ks][4] u32: entry (t, s, i) is the byte offset of the
//      row X_s,4t+i from the image (the kernel adds aOffset), or 0xFFFFFFFF for a tap that falls
//      in the padding, which reads `zero` instead (kc zero floats, never offset). Entries of rows
//      past m duplicate a valid row; their results are never stored.
//   w: packed weights, panels of 8 output channels: [bias 8][ks·kc × 8] per panel (the
//      f32-packw layout with K = ks·kc, k index = s·kc + c, i.e. an OHWI filter read as O×K).
//   c: output pixel i at c + i·cStride bytes; only nc channels are written.
//   The tile loop runs here rather than in the driver: a JS→wasm call per 4 pixels cost ~8% on
//   small convolutions.
//   params: 16 bytes { aOffset u32, zero u32, vmin f32, vmax f32 }: aOffset is added to every
//      non-padding entry (image base + group channel offset); zero is the padding row; the clamp
//      bounds. In memory so that a call has at most 10 arguments (the plan executor's limit).
// Limits: m ≥ 1, nc ≥ 1, kc ≥ 1, ks ≥ 1.
//
// Reduction order: bias first, then taps ascending and channels ascending within a tap, separate
// mul and add (no FMA): exactly the f32-gemm order with K = ks·kc. A padding tap adds 0·w. So a
// 1×1 convolution routed to GEMM, a depthwise convolution through f32-dwconv (kc = 1) and this
// kernel give the same bits, and tiling never changes a result.
//
// Why this form: the four A rows are read through their own pointers with load32_splat (a load
// port op, not a shuffle), and the loop advances five pointers; 8 accumulators + 2 B loads + 4
// splats + 1 temporary = 15 SIMD registers, V8's limit on x64 without spills.
import { storeTile4x8 } from '../util/tile';
export function f32_igemm_4x8__simd(
  m: i32, nc: i32, kc: i32, ks: i32,
  a: usize,
  w: usize,
  c: usize, cStride: usize,
  params: usize,
): void {
  const aOffset = <usize>load<u32>(params);
  const zero = <usize>load<u32>(params, 4);
  const vmin = load<f32>(params, 8);
  const vmax = load<f32>(params, 12);
  const tileA = (<usize>ks) << 4;
  const tileC = cStride << 2;
  for (let m0 = 0; m0 < m; m0 += 4) {
    tile(min(4, m - m0), nc, kc, ks, a, w, c, cStride, aOffset, zero, vmin, vmax);
    a += tileA;
    c += tileC;
  }
}

// One tile of up to 4 pixels × nc channels.
@inline
function tile(
  mr: i32, nc: i32, kc: i32, ks: i32,
  a: usize,
  w: usize,
  c: usize, cStride: usize,
  aOffset: usize, zero: usize,
  vmin: f32, vmax: f32,
): void {
  let c0 = c;
  let c1 = c0 + cStride;
  if (mr < 2) c1 = c0;
  let c2 = c1 + cStride;
  if (mr <= 2) c2 = c1;
  let c3 = c2 + cStride;
  if (mr != 4) c3 = c2;
  const kcBytes = (<usize>kc) << 2;
  const aEnd = a + ((<usize>ks) << 4);
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
    let ip = a;
    do {
      let a0 = <usize>load<u32>(ip);
      let a1 = <usize>load<u32>(ip, 4);
      let a2 = <usize>load<u32>(ip, 8);
      let a3 = <usize>load<u32>(ip, 12);
      a0 = select<usize>(zero, a0 + aOffset, a0 == 0xFFFFFFFF);
      a1 = select<usize>(zero, a1 + aOffset, a1 == 0xFFFFFFFF);
      a2 = select<usize>(zero, a2 + aOffset, a2 == 0xFFFFFFFF);
      a3 = select<usize>(zero, a3 + aOffset, a3 == 0xFFFFFFFF);
      ip += 16;
      const a0End = a0 + kcBytes;
      do {
        const bl = v128.load(w);
        const bh = v128.load(w, 16);
        const va0 = v128.load32_splat(a0);
        const va1 = v128.load32_splat(a1);
        const va2 = v128.load32_splat(a2);
        const va3 = v128.load32_splat(a3);
        acc0l = f32x4.add(acc0l, f32x4.mul(va0, bl));
        acc0h = f32x4.add(acc0h, f32x4.mul(va0, bh));
        acc1l = f32x4.add(acc1l, f32x4.mul(va1, bl));
        acc1h = f32x4.add(acc1h, f32x4.mul(va1, bh));
        acc2l = f32x4.add(acc2l, f32x4.mul(va2, bl));
        acc2h = f32x4.add(acc2h, f32x4.mul(va2, bh));
        acc3l = f32x4.add(acc3l, f32x4.mul(va3, bl));
        acc3h = f32x4.add(acc3h, f32x4.mul(va3, bh));
        w += 32;
        a0 += 4; a1 += 4; a2 += 4; a3 += 4;
      } while (a0 < a0End);
    } while (ip < aEnd);
    storeTile4x8(c0, c1, c2, c3, acc0l, acc0h, acc1l, acc1h, acc2l, acc2h, acc3l, acc3h, vlo, vhi, nLeft);
    if (nLeft <= 8) break;
    c0 += 32; c1 += 32; c2 += 32; c3 += 32;
    nLeft -= 8;
  }
}
