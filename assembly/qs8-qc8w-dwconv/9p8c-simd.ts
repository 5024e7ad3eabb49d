// int8 depthwise convolution (multiplier 1), 3×3 windows (ks = 9), 8 channels per step,
// SIMD128: the contract of qs8-qc8w-dwconv/x8-simd.ts without the ks argument. The 9 tap
// addresses are resolved once per output pixel and the 5 tap pairs of each channel group are
// unrolled (body: util/dwconv.ts). Same integers as the any-window kernel.
import { dwconvX8 } from '../util/dwconv';

export function qs8_qc8w_dwconv_9p8c__simd(m: i32, ch: i32, a: usize, w: usize, bias: usize, s: usize, c: usize, params: usize): void {
  dwconvX8(m, ch, 9, a, w, bias, s, c, params, true, true);
}
