// Quantized IGEMM microkernel (convolution without an im2col copy), 4×8 register tile, SIMD128
// i32x4.dot_i16x8_s; activations widened to i16 once per call (qs8-vwiden / qu8-vwiden, so one
// kernel serves int8 and uint8), int8 weights pre-widened at packing.
//
// Computes, for m output pixels (tiles of 4) and nc output channels,
//   C[i][j] = requant(bias[j] + Σ_{s<ks} Σ_{c<kc} X_s,i[c] · W[s·kcp + c][j])   (util/requant.ts)
// where X_s,i is the input row (kc channels, i16) that tap s of output pixel i reads.
//   a: indirection entries [ceil(m/4)][ks][4] u32 (bindings/conv.ts layout, byte offsets of the
//      i16 rows): offset of X_s,i from the image (aOffset added), or 0xFFFFFFFF for padding,
//      which reads `zero`, a row of the input zero point (so padding adds (zp − zp)·w = 0).
//      An odd kc's last pair reads one i16 past the row (its weight is 0; the widened buffer and
//      the zero row are padded).
//   w: packed weights as qs8-qc8w-gemm with K = ks·kcp (kcp = kc rounded up to even; the pad
//      channel's weights are 0): per panel [ks·kcp/2 k-pairs][8 columns][2 × i16].
//   bias, s: per output channel (int32 with −zp·Σw folded in; f32 scale or int32 multiplier).
//   c: output pixel i at c + i·cStride bytes (int8/uint8, or int32 in mode 2).
//   params: +0 aOffset u32, +4 zero u32, +8 cStride u32, +16 the util/requant.ts block.
// Limits: m ≥ 1, nc ≥ 1, kc ≥ 1, ks ≥ 1.
import { store4x8 } from '../util/requant';

export function qs8_qc8w_igemm_4x8__simd_dot16(
  m: i32, nc: i32, kc: i32, ks: i32, a: usize, w: usize, bias: usize, s: usize, c: usize, params: usize,
): void {
  const aOffset = <usize>load<u32>(params);
  const zero = <usize>load<u32>(params, 4);
  const cStride = <usize>load<u32>(params, 8);
  const rq = params + 16;
  const kp = (kc + 1) >> 1;
  const cStep: usize = load<i32>(rq) == 2 ? 32 : 8;
  for (let m0 = 0; m0 < m; m0 += 4) {
    const mr = min(4, m - m0);
    let c0 = c + <usize>m0 * cStride;
    let c1 = c0 + cStride;
    if (mr < 2) c1 = c0;
    let c2 = c1 + cStride;
    if (mr <= 2) c2 = c1;
    let c3 = c2 + cStride;
    if (mr != 4) c3 = c2;
    let wp = w; let bp = bias; let sp = s;
    let nLeft = nc;
    while (true) {
      let acc0l = v128.load(bp);
      let acc0h = v128.load(bp, 16);
      let acc1l = acc0l; let acc1h = acc0h;
      let acc2l = acc0l; let acc2h = acc0h;
      let acc3l = acc0l; let acc3h = acc0h;
      let ap = a;
      for (let t = 0; t < ks; t++) {
        const e0 = load<u32>(ap), e1 = load<u32>(ap, 4), e2 = load<u32>(ap, 8), e3 = load<u32>(ap, 12);
        let r0 = e0 == 0xFFFFFFFF ? zero : aOffset + <usize>e0;
        let r1 = e1 == 0xFFFFFFFF ? zero : aOffset + <usize>e1;
        let r2 = e2 == 0xFFFFFFFF ? zero : aOffset + <usize>e2;
        let r3 = e3 == 0xFFFFFFFF ? zero : aOffset + <usize>e3;
        // 4 k-pairs per trip with an exit after each (see qs8-qc8w-gemm/4x8-simd-dot16.ts).
        let left = kp;
        while (true) {
          {
            const bl = v128.load(wp, 0);
            const bh = v128.load(wp, 16);
            const va0 = v128.load32_splat(r0, 0);
            const va1 = v128.load32_splat(r1, 0);
            const va2 = v128.load32_splat(r2, 0);
            const va3 = v128.load32_splat(r3, 0);
            acc0l = i32x4.add(acc0l, i32x4.dot_i16x8_s(va0, bl));
            acc0h = i32x4.add(acc0h, i32x4.dot_i16x8_s(va0, bh));
            acc1l = i32x4.add(acc1l, i32x4.dot_i16x8_s(va1, bl));
            acc1h = i32x4.add(acc1h, i32x4.dot_i16x8_s(va1, bh));
            acc2l = i32x4.add(acc2l, i32x4.dot_i16x8_s(va2, bl));
            acc2h = i32x4.add(acc2h, i32x4.dot_i16x8_s(va2, bh));
            acc3l = i32x4.add(acc3l, i32x4.dot_i16x8_s(va3, bl));
            acc3h = i32x4.add(acc3h, i32x4.dot_i16x8_s(va3, bh));
          }
          if (left <= 1) break;
          {
            const bl = v128.load(wp, 32);
            const bh = v128.load(wp, 48);
            const va0 = v128.load32_splat(r0, 4);
            const va1 = v128.load32_splat(r1, 4);
            const va2 = v128.load32_splat(r2, 4);
            const va3 = v128.load32_splat(r3, 4);
            acc0l = i32x4.add(acc0l, i32x4.dot_i16x8_s(va0, bl));
            acc0h = i32x4.add(acc0h, i32x4.dot_i16x8_s(va0, bh));
            acc1l = i32x4.add(acc1l, i32x4.dot_i16x8_s(va1, bl));
            acc1h = i32x4.add(acc1h, i32x4.dot_i16x8_s(va1, bh));
            acc2l = i32x4.add(acc2l, i32x4.dot_i16x8_s(va2, bl));
            acc2h = i32x4.add(acc2h, i32x4.dot_i16x8_s(va2, bh));
            acc3l = i32x4.add(acc3l, i32x4.dot_i16x8_s(va3, bl));
            acc3h = i32x4.add(acc3h, i32x4.dot_i16x8_s(va3, bh));
          }
          if (left <= 2) break;
          {
            const bl = v128.load(wp, 64);
            const bh = v128.load(wp, 80);
            const va0 = v128.load32_splat(r0, 8);
            const va1 = v128.load32_splat(r1, 8);
            const va2 = v128.load32_splat(r2, 8);
            const va3 = v128.load32_splat(r3, 8);
            acc0l = i32x4.add(acc0l, i32x4.dot_i16x8_s(va0, bl));
            acc0h = i32x4.add(acc0h, i32x4.dot_i16x8_s(va0, bh));
            acc1l = i32x4.add(acc1l, i32x4.dot_i16x8_s(va1, bl));
            acc1h = i32x4.add(acc1h, i32x4.dot_i16x8_s(va1, bh));
            acc2l = i32x4.add(acc2l, i32x4.dot_i16x8_s(va2, bl));
            acc2h = i32x4.add(acc2h, i32x4.dot_i16x8_s(va2, bh));
            acc3l = i32x4.add(acc3l, i32x4.dot_i16x8_s(va3, bl));
            acc3h = i32x4.add(acc3h, i32x4.dot_i16x8_s(va3, bh));
          }
          if (left <= 3) break;
          {
            const bl = v128.load(wp, 96);
            const bh = v128.load(wp, 112);
            const va0 = v128.load32_splat(r0, 12);
            const va1 = v128.load32_splat(r1, 12);
            const va2 = v128.load32_splat(r2, 12);
            const va3 = v128.load32_splat(r3, 12);
            acc0l = i32x4.add(acc0l, i32x4.dot_i16x8_s(va0, bl));
            acc0h = i32x4.add(acc0h, i32x4.dot_i16x8_s(va0, bh));
            acc1l = i32x4.add(acc1l, i32x4.dot_i16x8_s(va1, bl));
            acc1h = i32x4.add(acc1h, i32x4.dot_i16x8_s(va1, bh));
            acc2l = i32x4.add(acc2l, i32x4.dot_i16x8_s(va2, bl));
            acc2h = i32x4.add(acc2h, i32x4.dot_i16x8_s(va2, bh));
            acc3l = i32x4.add(acc3l, i32x4.dot_i16x8_s(va3, bl));
            acc3h = i32x4.add(acc3h, i32x4.dot_i16x8_s(va3, bh));
          }
          if (left <= 4) break;
          left -= 4; wp += 128;
          r0 += 16; r1 += 16; r2 += 16; r3 += 16;
        }
        wp += <usize>left << 5;
        ap += 16;
      }
      store4x8(acc0l, acc0h, acc1l, acc1h, acc2l, acc2h, acc3l, acc3h, sp, rq, c0, c1, c2, c3, min(nLeft, 8));
      nLeft -= 8;
      if (nLeft <= 0) break;
      bp += 32; sp += 32;
      c0 += cStep; c1 += cStep; c2 += cStep; c3 += cStep;
    }
    a += <usize>ks << 4;
  }
}
