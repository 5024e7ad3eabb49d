// f16 IGEMM with f32 accumulation ("f16" precision convolution), 4×8 register tile, SIMD128.
// f32_igemm_4x8__simd (assembly/f32-igemm/4x8-simd.ts: same indirection, packing, parameters
// and reduction order: bias, taps ascending, channels ascending, separate mul and add; one loop,
// util/gemm4x8.ts) with a store that rounds the accumulators to binary16 in registers, so the
// convolution needs no f32 output pass:
//   x (through the indirection): the image widened to f32 (binary16 values).
//   w: the f32-widened panels of the f16 filter (f32-packw layout, K = ks·kc).
//   c: binary16 output, pixel i at c + i·cStride bytes; only nc channels are written.
//   params: 16 bytes { aOffset u32, zero u32, vmin f32, vmax f32 }.
// Limits: m ≥ 1, nc ≥ 1, kc ≥ 1, ks ≥ 1. Result: round16(the f32 IGEMM's result), exactly.
import { igemm4x8 } from '../util/gemm4x8';

export function f16_f32acc_igemm_4x8__simd(
  m: i32, nc: i32, kc: i32, ks: i32,
  a: usize,
  w: usize,
  c: usize, cStride: usize,
  params: usize,
): void {
  igemm4x8<u16>(m, nc, kc, ks, a, w, c, cStride, params);
}
