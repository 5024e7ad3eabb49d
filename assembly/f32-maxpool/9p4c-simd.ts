// f32 max pooling over 3×3 windows (9 taps), 4 channels per step, SIMD128.
//
// The contract of f32_maxpool_c4__simd with ks = 9 (the argument is ignored), and the same bits:
//   out[c] = max_{s<9} X_s[c] for each of `pixels` output pixels and channel c < channels
//   (f32x4.max: NaN wins, +0 above −0);
//   ind: [pixels][9] u32 byte offsets of the taps' input pixels from the image (plus aOffset), or
//        0xFFFFFFFF for padding, which reads `pad`: a row of at least `channels` -Infinity floats.
//   out: pixel p at out + p·outStride bytes, channels floats written exactly.
// Limits: channels ≥ 1, pixels ≥ 0. No reads past the channels.
// The body, and why integer maxima: assembly/util/pool.ts.
import { poolBody } from '../util/pool';

export function f32_maxpool_9p4c__simd(
  channels: i32, pixels: i32, ks: i32,
  ind: usize,
  out: usize, outStride: usize,
  aOffset: usize, pad: usize,
): void {
  poolBody(channels, pixels, ind, 0, out, outStride, aOffset, pad, true, false);
}
