// Packs binary16 A for the packed-A GEMM kernels from its transpose, widening to f32 (exact):
// aT is k×m (row j at aT + j·aTStride bytes); the result is the layout f16_f32_packx_4__simd
// makes from A (tiles of 4 rows, each [k][4] floats, rows past m zero). Each k-step is 4
// consecutive halves, widened with the general conversion. Limits: m ≥ 1, k ≥ 0.
import { f16x4_to_f32x4, f16_to_f32_bits } from '../util/f16';

export function f16_f32_packx_4__simd_t(m: i32, k: i32, aT: usize, aTStride: usize, out: usize): void {
  for (let m0 = 0; m0 < m; m0 += 4) {
    const rows = min(4, m - m0);
    let src = aT + (<usize>m0 << 1);
    if (rows == 4) {
      for (let j = 0; j < k; j++) {
        v128.store(out, f16x4_to_f32x4(i32x4.extend_low_i16x8_u(v128.load64_zero(src))));
        src += aTStride;
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
