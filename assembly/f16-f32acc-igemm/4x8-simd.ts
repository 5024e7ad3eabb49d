// f16 IGEMM with f32 accumulation ("f16" precision convolution), 4×8 register tile, SIMD128.
// A copy of f32_igemm_4x8__simd (assembly/f32-igemm/4x8-simd.ts: same indirection, packing,
// parameters and reduction order: bias, taps ascending, channels ascending, separate mul and
// add) whose store rounds the accumulators to binary16 in registers, so the convolution needs
// no f32 output pass:
//   x (through the indirection): the image widened to f32 (binary16 values).
//   w: the f32-widened panels of the f16 filter (f32-packw layout, K = ks·kc).
//   c: binary16 output, pixel i at c + i·cStride bytes; only nc channels are written.
//   params: 16 bytes { aOffset u32, zero u32, vmin f32, vmax f32 }.
// Limits: m ≥ 1, nc ≥ 1, kc ≥ 1, ks ≥ 1. Result: round16(the f32 IGEMM's result), exactly.
import { storeTile4x8_f16 } from '../util/f16';

export function f16_f32acc_igemm_4x8__simd(
  m: i32, nc: i32, kc: i32, ks: i32,
  a: usize,
  w: usize,
  c: usize, cStride: usize,
  params: usize,
): void {
  const aOffset = <usize>load<u32>(params);
  const zero = <usize>load<u32>(params, 4);
  const vmin = load<f32>(params, 8);
  const vmax = load<f32>(params, 12);
  const tileA = (<usize>ks) << 4;
  const tileC = cStride << 2; // 4 output rows
  for (let m0 = 0; m0 < m; m0 += 4) {
    tile(min(4, m - m0), nc, kc, ks, a, w, c, cStride, aOffset, zero, vmin, vmax);
    a += tileA;
    c += tileC;
  }
}

// One tile of up to 4 pixels × nc channels.
@inline
function tile(
  mr: i32, nc: i32, kc: i32, ks: i32,
  a: usize,
  w: usize,
  c: usize, cStride: usize,
  aOffset: usize, zero: usize,
  vmin: f32, vmax: f32,
): void {
  let c0 = c;
  let c1 = c0 + cStride;
  if (mr < 2) c1 = c0;
  let c2 = c1 + cStride;
  if (mr <= 2) c2 = c1;
  let c3 = c2 + cStride;
  if (mr != 4) c3 = c2;
  const kcBytes = (<usize>kc) << 2;
  const aEnd = a + ((<usize>ks) << 4);
  const vlo = f32x4.splat(vmin);
  const vhi = f32x4.splat(vmax);
  const clampLo = vmin != -Infinity, clampHi = vmax != Infinity;
  let nLeft = nc;
  while (true) {
    let acc0l = v128.load(w);
    let acc0h = v128.load(w, 16);
    let acc1l = acc0l; let acc1h = acc0h;
    let acc2l = acc0l; let acc2h = acc0h;
    let acc3l = acc0l; let acc3h = acc0h;
    w += 32;
    let ip = a;
    do {
      let a0 = <usize>load<u32>(ip);
      let a1 = <usize>load<u32>(ip, 4);
      let a2 = <usize>load<u32>(ip, 8);
      let a3 = <usize>load<u32>(ip, 12);
      a0 = select<usize>(zero, a0 + aOffset, a0 == 0xFFFFFFFF);
      a1 = select<usize>(zero, a1 + aOffset, a1 == 0xFFFFFFFF);
      a2 = select<usize>(zero, a2 + aOffset, a2 == 0xFFFFFFFF);
      a3 = select<usize>(zero, a3 + aOffset, a3 == 0xFFFFFFFF);
      ip += 16;
      const a0End = a0 + kcBytes;
      do {
        const bl = v128.load(w);
        const bh = v128.load(w, 16);
        const va0 = v128.load32_splat(a0);
        const va1 = v128.load32_splat(a1);
        const va2 = v128.load32_splat(a2);
        const va3 = v128.load32_splat(a3);
        acc0l = f32x4.add(acc0l, f32x4.mul(va0, bl));
        acc0h = f32x4.add(acc0h, f32x4.mul(va0, bh));
        acc1l = f32x4.add(acc1l, f32x4.mul(va1, bl));
        acc1h = f32x4.add(acc1h, f32x4.mul(va1, bh));
        acc2l = f32x4.add(acc2l, f32x4.mul(va2, bl));
        acc2h = f32x4.add(acc2h, f32x4.mul(va2, bh));
        acc3l = f32x4.add(acc3l, f32x4.mul(va3, bl));
        acc3h = f32x4.add(acc3h, f32x4.mul(va3, bh));
        w += 32;
        a0 += 4; a1 += 4; a2 += 4; a3 += 4;
      } while (a0 < a0End);
    } while (ip < aEnd);
    storeTile4x8_f16(c0, c1, c2, c3, acc0l, acc0h, acc1l, acc1h, acc2l, acc2h, acc3l, acc3h, vlo, vhi, clampLo, clampHi, nLeft);
    if (nLeft <= 8) break;
    c0 += 16; c1 += 16; c2 += 16; c3 += 16;
    nLeft -= 8;
  }
}
