// Packs binary16 A for the packed-A GEMM kernels from its transpose, widening to f32 (exact):
// aT is k×m (row j at aT + j·aTStride bytes); the result is the layout f16_f32_packx_4__simd
// makes from A (tiles of 4 rows, each [k][4] floats, rows past m zero). Each k-step is 4
// consecutive halves; two k-steps (8 halves, 8 consecutive output floats) are widened together
// by f16x8_to_f32x8_store unless one is Inf/NaN, which takes the general conversion (1 k-step
// at a time: 1.5–2× slower packing). Limits: m ≥ 1, k ≥ 0.
import { f16x4_to_f32x4, f16x8_to_f32x8_store, f16_to_f32_bits, F16K, K_7FFF16, K_7BFF16, K_8FFF16 } from '../util/f16';

export function f16_f32_packx_4__simd_t(m: i32, k: i32, aT: usize, aTStride: usize, out: usize): void {
  // Constants loaded once per call (V8 does not move a load out of a loop).
  const m7 = v128.load(F16K, K_7FFF16), maxFinite = v128.load(F16K, K_7BFF16);
  const mask = v128.load(F16K, K_8FFF16), scale = v128.load(F16K, 16 /* 2^112 */);
  for (let m0 = 0; m0 < m; m0 += 4) {
    const rows = min(4, m - m0);
    let src = aT + (<usize>m0 << 1);
    if (rows == 4) {
      let j = 0;
      for (; j + 1 < k; j += 2) {
        const h = v128.load64_lane(src + aTStride, v128.load64_zero(src), 1);
        if (i8x16.bitmask(i16x8.gt_s(v128.and(h, m7), maxFinite)) == 0) {
          f16x8_to_f32x8_store(out, h, mask, scale);
        } else {
          v128.store(out, f16x4_to_f32x4(i32x4.extend_low_i16x8_u(h)));
          v128.store(out, f16x4_to_f32x4(i32x4.extend_high_i16x8_u(h)), 16);
        }
        src += aTStride << 1;
        out += 32;
      }
      if (j < k) {
        v128.store(out, f16x4_to_f32x4(i32x4.extend_low_i16x8_u(v128.load64_zero(src))));
        out += 16;
      }
    } else {
      for (let j = 0; j < k; j++) {
        for (let i = 0; i < 4; i++) store<u32>(out + (<usize>i << 2), i < rows ? f16_to_f32_bits(<u32>load<u16>(src + (<usize>i << 1))) : 0);
        src += aTStride;
        out += 16;
      }
    }
  }
}
