// Depthwise convolution 3×3 (9 taps, multiplier 1) in precision 'f16': binary16 input and
// output, f32 accumulation, 8 channels per step, SIMD128, any stride, dilation and padding (the
// indirection buffer carries them).
//
// For each of `pixels` output pixels and each channel c < channels:
//   out[c] = round16(clamp(bias[c] + Σ_{s<9} X_s[c] · W[s][c], vmin, vmax))
// in the f32 depthwise order (bias, then taps ascending, separate mul and add, no FMA; a padding
// tap adds 0·w), so the result is the f32-dwconv result on the widened operands rounded once.
//   ind:  [pixels][9] u32: the byte offset of tap s's input pixel in the f32 image of the input
//         (bindings/conv.ts `indirection(g, 1)`, shared with the f32 kernels; halved here), or
//         0xFFFFFFFF for padding, which reads `zero` (channels zero halves).
//   x:    the binary16 NHWC image. Reads stay inside each pixel's channels (tails are scalar).
//   w:    the binary16 dwconv packing [ceil(channels/8)][bias 8][9][8] halves (zero past
//         channels). The kernel widens it once per call into the scratch, the taps times 2^112.
//   out:  binary16, pixel p at out + p·outStride bytes, channels halves written exactly.
//   params: 12 bytes { vmin f32, vmax f32, scratch u32 }: scratch is 64 + ceil(channels/8)·352
//         bytes (the pixel's 9 tap addresses, its f32 sums, the widened weights).
// Limits: channels ≥ 1, pixels ≥ 0.
//
// Why this form: the input is widened in registers per tap. Without Inf/NaN in an 8-channel
// block's taps (checked with one max per tap; otherwise the block is recomputed with the general
// conversion and unscaled weights), a half's f32 bits are sign << 31 | (exponent, significand)
// << 13, i.e. its value times 2^-112 (an exact f32, subnormal for small halves), and the taps
// are stored times 2^112 (exact, |w| ≤ 65504): the product is the same real number, so fl(x·w)
// is unchanged and the widening needs no multiply. No f32 copy of the image is made. The tap
// loop is rolled over addresses kept in the scratch, and a pixel's f32 sums are narrowed in a
// second loop: unrolled taps and narrowing inside the tap loop both made V8 spill.
import { f16x4_to_f32x4, f16_to_f32_bits, f32x8_to_f16x8_auto, f32_bits_to_f16, F16K, K_7FFF16, K_7BFF16, K_8FFF } from '../util/f16';

// Four sign-extended halves (no Inf/NaN) → their values times 2^-112 as f32, exactly: << 13 puts
// exponent and significand in place, clearing bits 28–30 leaves the sign.
// @ts-ignore: decorator
@inline function scaled4(e: v128, k8fff: v128): v128 {
  return v128.and(i32x4.shl(e, 13), k8fff);
}

/** One 8-channel block with the general conversion (Inf/NaN in some tap): same order. */
function blockExact(ind: usize, x: usize, zero: usize, off: usize, wp: usize, s: usize): void {
  let accl = v128.load(wp);
  let acch = v128.load(wp, 16);
  for (let t: usize = 0; t < 9; t++) {
    const e = load<u32>(ind + (t << 2));
    const h = v128.load(e == 0xFFFFFFFF ? zero : x + (<usize>e >> 1) + off);
    // wp holds w·2^112; ·2^-112 gives w back exactly.
    const wl = f32x4.mul(v128.load(wp + (t << 5), 32), v128.load(F16K, 240 /* 2^-112 */));
    const wh = f32x4.mul(v128.load(wp + (t << 5), 48), v128.load(F16K, 240 /* 2^-112 */));
    accl = f32x4.add(accl, f32x4.mul(f16x4_to_f32x4(i32x4.extend_low_i16x8_u(h)), wl));
    acch = f32x4.add(acch, f32x4.mul(f16x4_to_f32x4(i32x4.extend_high_i16x8_u(h)), wh));
  }
  v128.store(s, accl);
  v128.store(s, acch, 16);
}

export function f16_dwconv_9p8c__simd_f32acc(
  channels: i32, pixels: i32,
  ind: usize, x: usize, zero: usize,
  w: usize,
  out: usize, outStride: usize,
  params: usize,
): void {
  const vmin = load<f32>(params);
  const vmax = load<f32>(params, 4);
  const taps = <usize>load<u32>(params, 8);
  const scratch = taps + 64;
  const tiles = <usize>((channels + 7) >> 3);
  const ws = scratch + (tiles << 5);
  // Weights: bias exact, taps exact times 2^112.
  for (let i: usize = 0; i < tiles; i++) {
    const src = w + i * 160, dst = ws + i * 320;
    let h = v128.load(src);
    v128.store(dst, f16x4_to_f32x4(i32x4.extend_low_i16x8_u(h)));
    v128.store(dst, f16x4_to_f32x4(i32x4.extend_high_i16x8_u(h)), 16);
    for (let t: usize = 16; t < 160; t += 16) {
      h = v128.load(src + t);
      v128.store(dst + (t << 1), f32x4.mul(f16x4_to_f32x4(i32x4.extend_low_i16x8_u(h)), v128.load(F16K, 16 /* 2^112 */)));
      v128.store(dst + (t << 1), f32x4.mul(f16x4_to_f32x4(i32x4.extend_high_i16x8_u(h)), v128.load(F16K, 16 /* 2^112 */)), 16);
    }
  }
  const vlo = f32x4.splat(vmin);
  const vhi = f32x4.splat(vmax);
  const c8 = channels & ~7;
  // Constants loaded once (V8 rebuilds v128 constants inside loops).
  const k7fff = v128.load(F16K, K_7FFF16), k7bff = v128.load(F16K, K_7BFF16);
  const k8fff = v128.load(F16K, K_8FFF);
  for (let p = 0; p < pixels; p++) {
    // The 9 tap addresses go to the scratch's head: a rolled tap loop reads them from L1, so V8
    // keeps only the two sums and the Inf/NaN check live (the unrolled form spilled them).
    for (let t: usize = 0; t < 36; t += 4) {
      const e = <usize>load<u32>(ind + t);
      store<u32>(taps + t, select<usize>(zero, (e >> 1) + x, e == 0xFFFFFFFF));
    }
    let wp = ws;
    let s = scratch;
    let off: usize = 0;
    for (let c = 0; c < c8; c += 8) {
      let accl = v128.load(wp);
      let acch = v128.load(wp, 16);
      let mx = i32x4.splat(0);
      let wt = wp;
      for (let t: usize = 0; t < 36; t += 4) {
        const ip = <usize>load<u32>(taps + t) + off;
        mx = i16x8.max_u(mx, v128.and(v128.load(ip), k7fff));
        accl = f32x4.add(accl, f32x4.mul(scaled4(v128.load16x4_s(ip), k8fff), v128.load(wt, 32)));
        acch = f32x4.add(acch, f32x4.mul(scaled4(v128.load16x4_s(ip, 8), k8fff), v128.load(wt, 48)));
        wt += 32;
      }
      v128.store(s, accl); v128.store(s, acch, 16);
      if (v128.any_true(i16x8.gt_s(mx, k7bff))) blockExact(ind, x, zero, off, wp, s);
      off += 16;
      s += 32;
      wp += 320;
    }
    // Channel tail: scalar, same order.
    for (let c = c8; c < channels; c++) {
      const cb = <usize>(c - c8) << 2;
      const hb = <usize>c << 1;
      let acc = load<f32>(wp + cb);
      for (let t: usize = 0; t < 9; t++) {
        const h = <u32>load<u16>(<usize>load<u32>(taps + (t << 2)) + hb);
        acc = acc + reinterpret<f32>(f16_to_f32_bits(h)) * (load<f32>(wp + cb + (t << 5), 32) * reinterpret<f32>(<u32>0x07800000) /* 2^-112 */);
      }
      store<f32>(s + cb, acc);
    }
    // Narrow the pixel: clamp (pmax/pmin semantics, NaN passes), then one rounding to binary16.
    let q = scratch;
    let o = out;
    for (let c = 0; c < c8; c += 8) {
      v128.store(o, f32x8_to_f16x8_auto(f32x4.pmin(f32x4.pmax(v128.load(q), vlo), vhi), f32x4.pmin(f32x4.pmax(v128.load(q, 16), vlo), vhi)));
      q += 32;
      o += 16;
    }
    for (let c = c8; c < channels; c++) {
      let v = load<f32>(q);
      v = v < vmin ? vmin : v;
      v = vmax < v ? vmax : v;
      store<u16>(o, <u16>f32_bits_to_f16(reinterpret<u32>(v)));
      q += 4;
      o += 2;
    }
    ind += 36;
    out += outStride;
  }
}
