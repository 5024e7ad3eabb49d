// f32 average pooling over 3×3 windows (9 taps), 4 channels per step, SIMD128.
//
// The contract of f32_avgpool_c4__simd with ks = 9 (the argument is ignored), and the same bits:
//   out[c] = (((0 + X_0[c]) + X_1[c]) + … + X_8[c]) / div[p], taps ascending from +0, then one
//   correctly rounded division;
//   ind: [pixels][9] u32 byte offsets of the taps' input pixels from the image (plus aOffset), or
//        0xFFFFFFFF for padding, which reads `zero`: a row of at least `channels` zero floats.
//   div: one f32 divisor per output pixel.
//   out: pixel p at out + p·outStride bytes, channels floats written exactly.
// Limits: channels ≥ 1, pixels ≥ 0. No reads past the channels.
// Why a 3×3 variant: the 9 tap addresses are resolved once per pixel instead of once per 4
// channels. Why 4 channels per step: f32_maxpool_9p4c__simd.
export function f32_avgpool_9p4c__simd(
  channels: i32, pixels: i32, ks: i32,
  ind: usize, div: usize,
  out: usize, outStride: usize,
  aOffset: usize, zero: usize,
): void {
  for (let p = 0; p < pixels; p++) {
    let i0 = <usize>load<u32>(ind, 0); i0 = select<usize>(zero, i0 + aOffset, i0 == 0xFFFFFFFF);
    let i1 = <usize>load<u32>(ind, 4); i1 = select<usize>(zero, i1 + aOffset, i1 == 0xFFFFFFFF);
    let i2 = <usize>load<u32>(ind, 8); i2 = select<usize>(zero, i2 + aOffset, i2 == 0xFFFFFFFF);
    let i3 = <usize>load<u32>(ind, 12); i3 = select<usize>(zero, i3 + aOffset, i3 == 0xFFFFFFFF);
    let i4 = <usize>load<u32>(ind, 16); i4 = select<usize>(zero, i4 + aOffset, i4 == 0xFFFFFFFF);
    let i5 = <usize>load<u32>(ind, 20); i5 = select<usize>(zero, i5 + aOffset, i5 == 0xFFFFFFFF);
    let i6 = <usize>load<u32>(ind, 24); i6 = select<usize>(zero, i6 + aOffset, i6 == 0xFFFFFFFF);
    let i7 = <usize>load<u32>(ind, 28); i7 = select<usize>(zero, i7 + aOffset, i7 == 0xFFFFFFFF);
    let i8 = <usize>load<u32>(ind, 32); i8 = select<usize>(zero, i8 + aOffset, i8 == 0xFFFFFFFF);
    ind += 36;
    const d = load<f32>(div);
    const vd = f32x4.splat(d);
    div += 4;
    let off: usize = 0;
    let cLeft = channels;
    while (cLeft >= 4) {
      let l = f32x4.add(f32x4.splat(0), v128.load(i0 + off));
      l = f32x4.add(l, v128.load(i1 + off));
      l = f32x4.add(l, v128.load(i2 + off));
      l = f32x4.add(l, v128.load(i3 + off));
      l = f32x4.add(l, v128.load(i4 + off));
      l = f32x4.add(l, v128.load(i5 + off));
      l = f32x4.add(l, v128.load(i6 + off));
      l = f32x4.add(l, v128.load(i7 + off));
      l = f32x4.add(l, v128.load(i8 + off));
      v128.store(out + off, f32x4.div(l, vd));
      off += 16; cLeft -= 4;
    }
    while (cLeft > 0) {
      let a: f32 = <f32>0 + load<f32>(i0 + off);
      a += load<f32>(i1 + off);
      a += load<f32>(i2 + off);
      a += load<f32>(i3 + off);
      a += load<f32>(i4 + off);
      a += load<f32>(i5 + off);
      a += load<f32>(i6 + off);
      a += load<f32>(i7 + off);
      a += load<f32>(i8 + off);
      store<f32>(out + off, a / d);
      off += 4; cLeft--;
    }
    out += outStride;
  }
}
