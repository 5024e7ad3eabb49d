// f32 max pooling over any window, 4 channels per step, SIMD128.
//
// For each of `pixels` output pixels and each channel c < channels:
//   out[c] = max_{s<ks} X_s[c]
//   ind: [pixels][ks] u32 entries: byte offset of tap s's input pixel from the image (the kernel
//        adds aOffset), or 0xFFFFFFFF for padding, which reads `pad` instead: a row of -Infinity
//        (channels floats), so padding never wins. Every window must hold one real pixel.
//   out: pixel p at out + p·outStride bytes, channels floats written exactly.
// Limits: channels ≥ 1, pixels ≥ 0, ks ≥ 1. No reads past the channels.
// NaN: f32x4.max / f32.max propagate NaN, so a window holding a NaN gives NaN (as ONNX does), and
// they order +0 above −0 (IEEE 754-2019 maximum), so the SIMD steps and the scalar tail agree.
// Max is exact, so the order of taps cannot change a result.
export function f32_maxpool_c4__simd(
  channels: i32, pixels: i32, ks: i32,
  ind: usize,
  out: usize, outStride: usize,
  aOffset: usize, pad: usize,
): void {
  const ksBytes = (<usize>ks) << 2;
  for (let p = 0; p < pixels; p++) {
    let c = 0;
    for (; c + 4 <= channels; c += 4) {
      const cb = (<usize>c) << 2;
      let i = <usize>load<u32>(ind);
      i = select<usize>(pad, i + aOffset + cb, i == 0xFFFFFFFF);
      let acc = v128.load(i);
      for (let s: usize = 4; s < ksBytes; s += 4) {
        let j = <usize>load<u32>(ind + s);
        j = select<usize>(pad, j + aOffset + cb, j == 0xFFFFFFFF);
        acc = f32x4.max(acc, v128.load(j));
      }
      v128.store(out + cb, acc);
    }
    for (; c < channels; c++) {
      const cb = (<usize>c) << 2;
      let i = <usize>load<u32>(ind);
      i = select<usize>(pad, i + aOffset + cb, i == 0xFFFFFFFF);
      let acc = load<f32>(i);
      for (let s: usize = 4; s < ksBytes; s += 4) {
        let j = <usize>load<u32>(ind + s);
        j = select<usize>(pad, j + aOffset + cb, j == 0xFFFFFFFF);
        acc = max<f32>(acc, load<f32>(j));
      }
      store<f32>(out + cb, acc);
    }
    ind += ksBytes;
    out += outStride;
  }
}
