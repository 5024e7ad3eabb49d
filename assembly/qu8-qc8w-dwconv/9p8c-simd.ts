// uint8 depthwise convolution (multiplier 1), 3×3 windows: the contract of
// qs8-qc8w-dwconv/9p8c-simd.ts with uint8 activations (zero-extended to i16).
import { dwconvX8 } from '../util/dwconv';

export function qu8_qc8w_dwconv_9p8c__simd(m: i32, ch: i32, a: usize, w: usize, bias: usize, s: usize, c: usize, params: usize): void {
  dwconvX8(m, ch, 9, a, w, bias, s, c, params, false, true);
}
