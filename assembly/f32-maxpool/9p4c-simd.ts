// f32 max pooling over 3×3 windows (9 taps), 4 channels per step, SIMD128.
//
// The contract of f32_maxpool_c4__simd with ks = 9 (the argument is ignored), and the same bits:
//   out[c] = max_{s<9} X_s[c] for each of `pixels` output pixels and channel c < channels
//   (f32x4.max: NaN wins, +0 above −0);
//   ind: [pixels][9] u32 byte offsets of the taps' input pixels from the image (plus aOffset), or
//        0xFFFFFFFF for padding, which reads `pad`: a row of at least `channels` -Infinity floats.
//   out: pixel p at out + p·outStride bytes, channels floats written exactly.
// Limits: channels ≥ 1, pixels ≥ 0. No reads past the channels.
//
// Why a 3×3 variant: the 9 tap addresses are resolved once per pixel, not once per 4 channels.
// Why integer maxima: V8 lowers f32x4.max to 8 x64 instructions (NaN and signed-zero fix-ups),
// i32x4.max_s/min_s to one. On the float bits as i32, the non-negative floats (+0 up to +Inf,
// then positive NaNs) order as their values, and sit above every negative float. So when the
// largest bits M are ≥ 0 (some tap ≥ +0), M is the maximum; when all taps are negative (−0
// included), the negatives order by magnitude reversed and the smallest bits are the maximum
// (−0, the smallest, wins as it should). A NaN (x86 makes them negative) can hide from both, so
// the 9 taps are also summed: the sum is NaN when a tap is NaN (or holds both infinities), and
// such steps take f32x4.max. The maxima are exact, so any order gives the same bits.
// Why 4 channels per step: 8 (two vectors, 18 taps loaded per step) ran 1.40–1.46× slower, and
// the average kernel 1.02–1.10× (A/B runs of both builds in one process, in both orders,
// 2026-11-24); the steps of consecutive channels are independent, so the core overlaps them.
// @ts-ignore: decorator
@inline function max9(x0: v128, x1: v128, x2: v128, x3: v128, x4: v128, x5: v128, x6: v128, x7: v128, x8: v128): v128 {
  const hi = i32x4.max_s(i32x4.max_s(i32x4.max_s(x0, x1), i32x4.max_s(x2, x3)), i32x4.max_s(i32x4.max_s(x4, x5), i32x4.max_s(i32x4.max_s(x6, x7), x8)));
  const lo = i32x4.min_s(i32x4.min_s(i32x4.min_s(x0, x1), i32x4.min_s(x2, x3)), i32x4.min_s(i32x4.min_s(x4, x5), i32x4.min_s(i32x4.min_s(x6, x7), x8)));
  return v128.bitselect(lo, hi, i32x4.shr_s(hi, 31));
}

/** Lanes where the sum of the 9 taps is NaN (a NaN tap, or both infinities): all ones. */
// @ts-ignore: decorator
@inline function nan9(x0: v128, x1: v128, x2: v128, x3: v128, x4: v128, x5: v128, x6: v128, x7: v128, x8: v128): v128 {
  const s = f32x4.add(f32x4.add(f32x4.add(f32x4.add(x0, x1), f32x4.add(x2, x3)), f32x4.add(f32x4.add(x4, x5), f32x4.add(x6, x7))), x8);
  return f32x4.ne(s, s);
}

/** The IEEE maximum of the 9 taps (f32x4.max), for the rare steps nan9 flags. */
// @ts-ignore: decorator
@inline function fmax9(x0: v128, x1: v128, x2: v128, x3: v128, x4: v128, x5: v128, x6: v128, x7: v128, x8: v128): v128 {
  return f32x4.max(f32x4.max(f32x4.max(f32x4.max(x0, x1), f32x4.max(x2, x3)), f32x4.max(f32x4.max(x4, x5), f32x4.max(x6, x7))), x8);
}

export function f32_maxpool_9p4c__simd(
  channels: i32, pixels: i32, ks: i32,
  ind: usize,
  out: usize, outStride: usize,
  aOffset: usize, pad: usize,
): void {
  for (let p = 0; p < pixels; p++) {
    let i0 = <usize>load<u32>(ind, 0); i0 = select<usize>(pad, i0 + aOffset, i0 == 0xFFFFFFFF);
    let i1 = <usize>load<u32>(ind, 4); i1 = select<usize>(pad, i1 + aOffset, i1 == 0xFFFFFFFF);
    let i2 = <usize>load<u32>(ind, 8); i2 = select<usize>(pad, i2 + aOffset, i2 == 0xFFFFFFFF);
    let i3 = <usize>load<u32>(ind, 12); i3 = select<usize>(pad, i3 + aOffset, i3 == 0xFFFFFFFF);
    let i4 = <usize>load<u32>(ind, 16); i4 = select<usize>(pad, i4 + aOffset, i4 == 0xFFFFFFFF);
    let i5 = <usize>load<u32>(ind, 20); i5 = select<usize>(pad, i5 + aOffset, i5 == 0xFFFFFFFF);
    let i6 = <usize>load<u32>(ind, 24); i6 = select<usize>(pad, i6 + aOffset, i6 == 0xFFFFFFFF);
    let i7 = <usize>load<u32>(ind, 28); i7 = select<usize>(pad, i7 + aOffset, i7 == 0xFFFFFFFF);
    let i8 = <usize>load<u32>(ind, 32); i8 = select<usize>(pad, i8 + aOffset, i8 == 0xFFFFFFFF);
    ind += 36;
    let off: usize = 0;
    let cLeft = channels;
    while (cLeft >= 4) {
      const a0 = v128.load(i0 + off), a1 = v128.load(i1 + off), a2 = v128.load(i2 + off), a3 = v128.load(i3 + off), a4 = v128.load(i4 + off);
      const a5 = v128.load(i5 + off), a6 = v128.load(i6 + off), a7 = v128.load(i7 + off), a8 = v128.load(i8 + off);
      v128.store(out + off, v128.any_true(nan9(a0, a1, a2, a3, a4, a5, a6, a7, a8))
        ? fmax9(a0, a1, a2, a3, a4, a5, a6, a7, a8) : max9(a0, a1, a2, a3, a4, a5, a6, a7, a8));
      off += 16; cLeft -= 4;
    }
    while (cLeft > 0) {
      store<f32>(out + off, max<f32>(max<f32>(max<f32>(max<f32>(load<f32>(i0 + off), load<f32>(i1 + off)), max<f32>(load<f32>(i2 + off), load<f32>(i3 + off))),
        max<f32>(max<f32>(load<f32>(i4 + off), load<f32>(i5 + off)), max<f32>(load<f32>(i6 + off), load<f32>(i7 + off)))), load<f32>(i8 + off)));
      off += 4; cLeft--;
    }
    out += outStride;
  }
}
