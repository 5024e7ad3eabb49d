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
//   params: 32 bytes { aOffset u32, zero u32, vmin f32, vmax f32, accumulate u32, 0, 0, 0 }:
//      aOffset is added to every non-padding entry (image base + group channel offset); zero is
//      the padding row; the clamp bounds. accumulate 1: each tile starts from the f32 values in C
//      instead of the bias, for a later K slice of a GEMM (the earlier slice stored them with
//      ±Inf bounds: unclamped and exact, so slicing K never changes a bit). In memory so that a
//      call has at most 10 arguments (the plan executor's limit).
// Limits: m ≥ 1, nc ≥ 1, kc ≥ 1, ks ≥ 1.
//
// Reduction order: bias first, then taps ascending and channels ascending within a tap, separate
// mul and add (no FMA): exactly the f32-gemm order with K = ks·kc. A padding tap adds 0·w. So the
// GEMM kernels, a depthwise convolution through f32-dwconv (kc = 1) and this kernel give the same
// bits, and tiling never changes a result. The f32 GEMM driver runs row-major A through this
// kernel too (ks = 1, an entry per row: bindings/gemm.ts), and so do the binary16 GEMM and
// convolutions on widened operands (bindings/f16.ts). The loop (and why it has this form) is
// util/gemm4x8.ts.
import { igemm4x8 } from '../util/gemm4x8';

export function f32_igemm_4x8__simd(
  m: i32, nc: i32, kc: i32, ks: i32,
  a: usize,
  w: usize,
  c: usize, cStride: usize,
  params: usize,
): void {
  igemm4x8<f32>(m, nc, kc, ks, a, w, c, cStride, params);
}
