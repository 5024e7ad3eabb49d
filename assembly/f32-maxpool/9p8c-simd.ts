// f32 max pooling over 3×3 windows (9 taps), 8 channels per step, SIMD128.
//
// The contract of f32_maxpool_c4__simd with ks = 9 (the argument is ignored), and the same bits:
//   out[c] = max_{s<9} X_s[c] for each of `pixels` output pixels and channel c < channels;
//   ind: [pixels][9] u32 byte offsets of the taps' input pixels from the image (plus aOffset), or
//        0xFFFFFFFF for padding, which reads `pad`: a row of at least `channels` -Infinity floats.
//   out: pixel p at out + p·outStride bytes, channels floats written exactly.
// Limits: channels ≥ 1, pixels ≥ 0. No reads past the channels.
// Why a 3×3 variant: the generic kernel resolves every tap's address once per 4 channels and
// pixel; here the 9 addresses are resolved once per pixel and the channel loop only loads and
// takes maxima. The maxima form a tree: f32x4.max / f32.max (NaN wins, +0 above −0) are exact,
// commutative and associative, so any order gives the same bits.
export function f32_maxpool_9p8c__simd(
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
    while (cLeft >= 8) {
      v128.store(out + off, f32x4.max(f32x4.max(f32x4.max(v128.load(i0 + off), v128.load(i1 + off)), f32x4.max(v128.load(i2 + off), v128.load(i3 + off))),
        f32x4.max(f32x4.max(v128.load(i4 + off), v128.load(i5 + off)), f32x4.max(f32x4.max(v128.load(i6 + off), v128.load(i7 + off)), v128.load(i8 + off)))));
      v128.store(out + off, f32x4.max(f32x4.max(f32x4.max(v128.load(i0 + off, 16), v128.load(i1 + off, 16)), f32x4.max(v128.load(i2 + off, 16), v128.load(i3 + off, 16))),
        f32x4.max(f32x4.max(v128.load(i4 + off, 16), v128.load(i5 + off, 16)), f32x4.max(f32x4.max(v128.load(i6 + off, 16), v128.load(i7 + off, 16)), v128.load(i8 + off, 16)))), 16);
      off += 32; cLeft -= 8;
    }
    if (cLeft >= 4) {
      v128.store(out + off, f32x4.max(f32x4.max(f32x4.max(v128.load(i0 + off), v128.load(i1 + off)), f32x4.max(v128.load(i2 + off), v128.load(i3 + off))),
        f32x4.max(f32x4.max(v128.load(i4 + off), v128.load(i5 + off)), f32x4.max(f32x4.max(v128.load(i6 + off), v128.load(i7 + off)), v128.load(i8 + off)))));
      off += 16; cLeft -= 4;
    }
    while (cLeft > 0) {
      store<f32>(out + off, max<f32>(max<f32>(max<f32>(load<f32>(i0 + off), load<f32>(i1 + off)), max<f32>(load<f32>(i2 + off), load<f32>(i3 + off))),
        max<f32>(max<f32>(load<f32>(i4 + off), load<f32>(i5 + off)), max<f32>(max<f32>(load<f32>(i6 + off), load<f32>(i7 + off)), load<f32>(i8 + off)))));
      off += 4; cLeft--;
    }
    out += outStride;
  }
}
