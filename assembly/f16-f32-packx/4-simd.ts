// Packs binary16 rows of A for the packed-A GEMM kernels, widening to f32 on the way (exact):
// tiles of 4 rows, each [k][4] floats, tiles back to back, rows past m zero — the layout
// x32_packx_4__simd makes from an f32 A. One pass instead of widening A, then packing it.
//   a: row i at a + i·aStride bytes, k halves per row.   out: ceil(m/4)·k·4 floats.
// 8 halves of each of the 4 rows per step, transposed as halves and widened (f16x8_to_f32x8_store unless a
// step holds Inf/NaN; ~30% fewer ops than widening first and transposing floats). Limits: m ≥ 1, k ≥ 0.
import { f16x4_to_f32x4, f16x8_to_f32x8_store, f16_to_f32_bits, F16K, K_7FFF16, K_7BFF16, K_8FFF16 } from '../util/f16';
import { storeTransposed4x4 } from '../util/transpose';

// @ts-ignore: decorator
@inline function widen4(h: v128, lowHalf: bool): v128 {
  return f16x4_to_f32x4(lowHalf ? i32x4.extend_low_i16x8_u(h) : i32x4.extend_high_i16x8_u(h));
}

export function f16_f32_packx_4__simd(m: i32, k: i32, a: usize, aStride: usize, out: usize): void {
  const k8 = k & ~7;
  // Constants loaded once per call (V8 does not move a load out of a loop).
  const m7 = v128.load(F16K, K_7FFF16), maxFinite = v128.load(F16K, K_7BFF16);
  const mask = v128.load(F16K, K_8FFF16), scale = v128.load(F16K, 16 /* 2^112 */);
  for (let m0 = 0; m0 < m; m0 += 4) {
    const rows = min(4, m - m0);
    const r0 = a + <usize>m0 * aStride;
    if (rows == 4) {
      const r1 = r0 + aStride, r2 = r1 + aStride, r3 = r2 + aStride;
      for (let j = 0; j < k8; j += 8) {
        const off = <usize>j << 1;
        const h0 = v128.load(r0 + off), h1 = v128.load(r1 + off), h2 = v128.load(r2 + off), h3 = v128.load(r3 + off);
        // The magnitudes are below 0x8000, so a signed compare (one x64 instruction) does.
        const big = i16x8.max_u(i16x8.max_u(v128.and(h0, m7), v128.and(h1, m7)), i16x8.max_u(v128.and(h2, m7), v128.and(h3, m7)));
        if (i8x16.bitmask(i16x8.gt_s(big, maxFinite)) == 0) {
          // Transpose the 4×8 halves first (8 shuffles), then widen [k][4] runs of eight.
          const a = v128.shuffle<u16>(h0, h1, 0, 8, 1, 9, 2, 10, 3, 11), b = v128.shuffle<u16>(h0, h1, 4, 12, 5, 13, 6, 14, 7, 15);
          const c = v128.shuffle<u16>(h2, h3, 0, 8, 1, 9, 2, 10, 3, 11), d = v128.shuffle<u16>(h2, h3, 4, 12, 5, 13, 6, 14, 7, 15);
          f16x8_to_f32x8_store(out, i32x4.shuffle(a, c, 0, 4, 1, 5), mask, scale);
          f16x8_to_f32x8_store(out + 32, i32x4.shuffle(a, c, 2, 6, 3, 7), mask, scale);
          f16x8_to_f32x8_store(out + 64, i32x4.shuffle(b, d, 0, 4, 1, 5), mask, scale);
          f16x8_to_f32x8_store(out + 96, i32x4.shuffle(b, d, 2, 6, 3, 7), mask, scale);
        } else {
          storeTransposed4x4(out, 16, widen4(h0, true), widen4(h1, true), widen4(h2, true), widen4(h3, true));
          storeTransposed4x4(out + 64, 16, widen4(h0, false), widen4(h1, false), widen4(h2, false), widen4(h3, false));
        }
        out += 128;
      }
      for (let j = k8; j < k; j++) {
        const off = <usize>j << 1;
        store<u32>(out, f16_to_f32_bits(<u32>load<u16>(r0 + off)));
        store<u32>(out, f16_to_f32_bits(<u32>load<u16>(r1 + off)), 4);
        store<u32>(out, f16_to_f32_bits(<u32>load<u16>(r2 + off)), 8);
        store<u32>(out, f16_to_f32_bits(<u32>load<u16>(r3 + off)), 12);
        out += 16;
      }
    } else {
      for (let j = 0; j < k; j++) {
        for (let i = 0; i < 4; i++) {
          store<u32>(out + (<usize>i << 2), i < rows ? f16_to_f32_bits(<u32>load<u16>(r0 + <usize>i * aStride + (<usize>j << 1))) : 0);
        }
        out += 16;
      }
    }
  }
}
