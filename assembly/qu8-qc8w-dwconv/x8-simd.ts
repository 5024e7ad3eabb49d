// uint8 depthwise convolution (multiplier 1), 8 channels per step, SIMD128: the contract of
// qs8-qc8w-dwconv/x8-simd.ts with uint8 activations (zero-extended to i16); the shared body is
// util/dwconv.ts.
import { dwconvX8 } from '../util/dwconv';

export function qu8_qc8w_dwconv_x8__simd(m: i32, ch: i32, ks: i32, a: usize, w: usize, bias: usize, s: usize, c: usize, params: usize): void {
  dwconvX8(m, ch, ks, a, w, bias, s, c, params, false, false);
}
