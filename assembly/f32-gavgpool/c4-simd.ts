// f32 global average pooling of one image, 4 channels per step, SIMD128:
//   out[c] = (((0 + x[0][c]) + x[1][c]) + … + x[pixels−1][c]) / pixels, c < channels
//   x: pixels rows of channels floats, row p at x + p·xStride bytes (NHWC, one image, or a
//      range of its channels); out: channels floats.
// Limits: pixels ≥ 1, channels ≥ 0, xStride ≥ 4·channels; out must not overlap x.
// The same bits as f32_avgpool_c4__simd over one window of every pixel (taps ascending from +0,
// one correctly rounded division). Why a kernel of its own: that one walks the window per 4
// channels, so at 7×7×2048 each step of 49 taps touched 49 lines 8 KB apart and the next step
// the same lines again (82.8 µs against 13.1 µs for a ReLU over the same tensor); here pixels are
// outer and out (one row, in L1) collects them in order.
export function f32_gavgpool_c4__simd(pixels: i32, channels: i32, x: usize, xStride: usize, out: usize): void {
  const rowBytes = <usize>channels << 2;
  const c4 = <usize>(channels & ~3) << 2;
  let off: usize = 0;
  for (; off < c4; off += 16) v128.store(out + off, f32x4.add(f32x4.splat(0), v128.load(x + off)));
  for (; off < rowBytes; off += 4) store<f32>(out + off, <f32>0 + load<f32>(x + off));
  for (let p = 1; p < pixels; p++) {
    const row = x + <usize>p * xStride;
    off = 0;
    for (; off < c4; off += 16) v128.store(out + off, f32x4.add(v128.load(out + off), v128.load(row + off)));
    for (; off < rowBytes; off += 4) store<f32>(out + off, load<f32>(out + off) + load<f32>(row + off));
  }
  const d = <f32>pixels;
  const vd = f32x4.splat(d);
  off = 0;
  for (; off < c4; off += 16) v128.store(out + off, f32x4.div(v128.load(out + off), vd));
  for (; off < rowBytes; off += 4) store<f32>(out + off, load<f32>(out + off) / d);
}
