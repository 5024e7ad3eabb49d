// f32 average pooling over any window (and global average pooling: one window of H·W taps),
// 4 channels per step, SIMD128.
//
// For each of `pixels` output pixels and each channel c < channels:
//   out[c] = (((0 + X_0[c]) + X_1[c]) + … + X_{ks-1}[c]) / div[p]
//   ind: [pixels][ks] u32 entries: byte offset of tap s's input pixel from the image (the kernel
//        adds aOffset), or 0xFFFFFFFF for padding, which reads `zero` (channels zero floats).
//   div: one f32 per output pixel: the divisor (window taps, or only the real ones), set by the
//        caller so that count_include_pad is the caller's choice.
//   out: pixel p at out + p·outStride bytes, channels floats written exactly.
// Limits: channels ≥ 1, pixels ≥ 0, ks ≥ 1. No reads past the channels.
// Reduction order: taps ascending from +0, then one correctly rounded division (not a multiply
// by a reciprocal), in vector and scalar lanes alike.
export function f32_avgpool_c4__simd(
  channels: i32, pixels: i32, ks: i32,
  ind: usize, div: usize,
  out: usize, outStride: usize,
  aOffset: usize, zero: usize,
): void {
  const ksBytes = (<usize>ks) << 2;
  for (let p = 0; p < pixels; p++) {
    const d = load<f32>(div);
    const vd = f32x4.splat(d);
    let c = 0;
    for (; c + 4 <= channels; c += 4) {
      const cb = (<usize>c) << 2;
      let acc = f32x4.splat(0);
      for (let s: usize = 0; s < ksBytes; s += 4) {
        let j = <usize>load<u32>(ind + s);
        j = select<usize>(zero, j + aOffset + cb, j == 0xFFFFFFFF);
        acc = f32x4.add(acc, v128.load(j));
      }
      v128.store(out + cb, f32x4.div(acc, vd));
    }
    for (; c < channels; c++) {
      const cb = (<usize>c) << 2;
      let acc: f32 = 0;
      for (let s: usize = 0; s < ksBytes; s += 4) {
        let j = <usize>load<u32>(ind + s);
        j = select<usize>(zero, j + aOffset + cb, j == 0xFFFFFFFF);
        acc = acc + load<f32>(j);
      }
      store<f32>(out + cb, acc / d);
    }
    ind += ksBytes;
    div += 4;
    out += outStride;
  }
}
