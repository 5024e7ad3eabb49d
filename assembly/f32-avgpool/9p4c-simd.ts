// f32 average pooling over 3×3 windows (9 taps), 4 channels per step, SIMD128.
//
// The contract of f32_avgpool_c4__simd with ks = 9 (the argument is ignored), and the same bits:
//   out[c] = (((0 + X_0[c]) + X_1[c]) + … + X_8[c]) / div[p], taps ascending from +0, then one
//   correctly rounded division;
//   ind: [pixels][9] u32 byte offsets of the taps' input pixels from the image (plus aOffset), or
//        0xFFFFFFFF for padding, which reads `zero`: a row of at least `channels` zero floats.
//   div: one f32 divisor per output pixel.
//   out: pixel p at out + p·outStride bytes, channels floats written exactly.
// Limits: channels ≥ 1, pixels ≥ 0. No reads past the channels. The body: assembly/util/pool.ts.
import { poolBody } from '../util/pool';

export function f32_avgpool_9p4c__simd(
  channels: i32, pixels: i32, ks: i32,
  ind: usize, div: usize,
  out: usize, outStride: usize,
  aOffset: usize, zero: usize,
): void {
  poolBody(channels, pixels, ind, div, out, outStride, aOffset, zero, true, true);
}
