// int8 depthwise convolution (multiplier 1), any window, 8 channels per step, SIMD128: taps
// in pairs through i32x4.dot_i16x8_s, int8 weights pre-widened to i16 and interleaved per tap
// pair (body: util/dwconv.ts, shared with qu8-qc8w-dwconv and the 3×3 kernels).
//
// Computes, for m output pixels and ch channels,
//   C[i][j] = requant(bias[j] + Σ_{s<ks} X_s,i[j] · W[s][j])   (util/requant.ts)
//   a: indirection entries [m][ks] u32: byte offset of the input pixel that tap s of output pixel
//      i reads (aOffset added), or 0xFFFFFFFF for padding, which reads `zero` (a row of the input
//      zero point, ≥ ch + 8 bytes).
//   w: packed weights [ceil(ch/8)][ceil(ks/2)][2 × 8 i16]: per tap pair (2p, 2p+1), channels
//      0–3 then 4–7 as (w[2p][j], w[2p+1][j]) pairs; channels past ch and a missing tap 2p+1 zero.
//   bias, s: per channel, padded to a multiple of 16.  c: pixel i at c + i·cStride bytes.
//   params: +0 aOffset u32, +4 zero u32, +8 cStride u32, +16 the util/requant.ts block.
// The last group of < 8 channels loads its bytes lane by lane (no over-read of the image).
// Limits: m ≥ 1, ch ≥ 1, ks ≥ 1.
import { dwconvX8 } from '../util/dwconv';

export function qs8_qc8w_dwconv_x8__simd(m: i32, ch: i32, ks: i32, a: usize, w: usize, bias: usize, s: usize, c: usize, params: usize): void {
  dwconvX8(m, ch, ks, a, w, bias, s, c, params, true, false);
}
