// The body of the quantized depthwise kernels (qs8-qc8w-dwconv, qu8-qc8w-dwconv), which differ
// only in how activations are widened to i16 (`signed`, a constant at each inlined call site).
// Contract: see assembly/qs8-qc8w-dwconv/x8-simd.ts.
import { requant8, narrowClamp, storeTail2, storeTailI32, P_MODE, P_SHIFT, P_RND, P_ZP, P_UNSIGNED, P_LO, P_HI } from './requant';

// @ts-ignore: decorator
@inline export function dwconvX8(m: i32, ch: i32, ks: i32, a: usize, w: usize, bias: usize, s: usize, c: usize, params: usize, signed: bool): void {
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
        if (n == 8) x = signed ? v128.load8x8_s(row) : v128.load8x8_u(row);
        else {
          let v: u64 = 0;
          for (let l = 0; l < n; l++) v |= (<u64>load<u8>(row + <usize>l)) << (<u64>(l << 3));
          const b = i64x2.splat(<i64>v);
          x = signed ? i16x8.extend_low_i8x16_s(b) : i16x8.extend_low_i8x16_u(b);
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
