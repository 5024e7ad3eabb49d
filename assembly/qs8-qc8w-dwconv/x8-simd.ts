// int8 depthwise convolution (multiplier 1), 8 channels per step, SIMD128: i16 products
// widened to i32 with extmul, int8 weights pre-widened to i16.
//
// Computes, for m output pixels and ch channels,
//   C[i][j] = requant(bias[j] + Σ_{s<ks} X_s,i[j] · W[s][j])   (util/requant.ts)
//   a: indirection entries [m][ks] u32: byte offset of the input pixel that tap s of output pixel
//      i reads (aOffset added), or 0xFFFFFFFF for padding, which reads `zero` (a row of the input
//      zero point, ≥ ch + 8 bytes).
//   w: packed weights [ceil(ch/8)][ks][8 × i16] (channels past ch zero).
//   bias, s: per channel, padded to a multiple of 16.  c: pixel i at c + i·cStride bytes.
//   params: +0 aOffset u32, +4 zero u32, +8 cStride u32, +16 the util/requant.ts block.
// The last group of < 8 channels loads its bytes lane by lane (no over-read of the image).
// Limits: m ≥ 1, ch ≥ 1, ks ≥ 1.
import { requant8, narrowClamp, storeTail2, storeTailI32, P_MODE, P_SHIFT, P_RND, P_ZP, P_UNSIGNED, P_LO, P_HI } from '../util/requant';

export function qs8_qc8w_dwconv_x8__simd(m: i32, ch: i32, ks: i32, a: usize, w: usize, bias: usize, s: usize, c: usize, params: usize): void {
  const aOffset = <usize>load<u32>(params);
  const zero = <usize>load<u32>(params, 4);
  const cStride = <usize>load<u32>(params, 8);
  const rq = params + 16;
  const mode = load<i32>(rq, P_MODE);
  const e = load<i32>(rq, P_SHIFT);
  const rnd = v128.load(rq, P_RND);
  const zp = v128.load(rq, P_ZP);
  const unsigned = load<i32>(rq, P_UNSIGNED);
  const lo = v128.load(rq, P_LO);
  const hi = v128.load(rq, P_HI);
  const outBytes: usize = mode == 2 ? 4 : 1;
  const groupBytes = <usize>ks << 4;
  for (let i = 0; i < m; i++) {
    const ai = a + <usize>i * (<usize>ks << 2);
    const ci = c + <usize>i * cStride;
    for (let c0 = 0; c0 < ch; c0 += 8) {
      const n = min(8, ch - c0);
      let accl = v128.load(bias + (<usize>c0 << 2));
      let acch = v128.load(bias + (<usize>c0 << 2), 16);
      let wp = w + (<usize>(c0 >> 3)) * groupBytes;
      for (let t = 0; t < ks; t++) {
        const en = load<u32>(ai + (<usize>t << 2));
        const row = (en == 0xFFFFFFFF ? zero : aOffset + <usize>en) + <usize>c0;
        let x: v128;
        if (n == 8) x = v128.load8x8_s(row);
        else {
          let v: u64 = 0;
          for (let l = 0; l < n; l++) v |= (<u64>load<u8>(row + <usize>l)) << (<u64>(l << 3));
          x = i16x8.extend_low_i8x16_s(i64x2.splat(<i64>v));
        }
        const wv = v128.load(wp);
        accl = i32x4.add(accl, i32x4.extmul_low_i16x8_s(x, wv));
        acch = i32x4.add(acch, i32x4.extmul_high_i16x8_s(x, wv));
        wp += 16;
      }
      const co = ci + <usize>c0 * outBytes;
      if (mode == 2) {
        if (n == 8) { v128.store(co, accl); v128.store(co, acch, 16); } else storeTailI32(co, accl, acch, n);
      } else {
        const sp = s + (<usize>c0 << 2);
        const r = requant8(accl, acch, v128.load(sp), v128.load(sp, 16), mode, e, rnd, zp);
        const o = narrowClamp(r, r, unsigned, lo, hi);
        if (n == 8) v128.store64_lane(co, o, 0); else storeTail2(co, co, o, n);
      }
    }
  }
}
