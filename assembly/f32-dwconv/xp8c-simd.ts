// f32 depthwise convolution, any number of taps (the generic path: 1×1, 7×7, 3×5, …), 8 channels
// per step, SIMD128.
//
// For each of `pixels` output pixels and each channel c < channels:
//   out[c] = clamp(bias[c] + Σ_{s<ks} X_s[c] · W[s][c], vmin, vmax)
//   ind: [pixels][ks] u32 entries: byte offset of tap s's input pixel from the image (the kernel
//        adds aOffset), or 0xFFFFFFFF for padding, which reads `zero` (channels zero floats).
//   w:   packed as for every f32-dwconv kernel: [ceil(channels/8)][bias 8][ks][8].
//   out: pixel p at out + p·outStride bytes, channels floats written exactly.
//   params: 16 bytes { aOffset u32, zero u32, vmin f32, vmax f32 } (at most 10 arguments per call).
// Limits: channels ≥ 1, pixels ≥ 0, ks ≥ 1. No reads past the channels.
//
// Reduction order: as every f32-dwconv variant (bias, then taps ascending, mul then add), so this
// path gives the bits of the unrolled 9- and 25-tap kernels.
//
// Why this form: a tap loop inside each block of channels, re-reading (L1-resident) indirection
// entries. Each output is a chain of dependent adds, one per tap, so one 4-channel chain per
// loop waited on the add's latency: whole tiles of 8 channels run two chains per tap, sharing
// the tap's indirection entry (1.3–1.9× faster than 4 channels per step, 2026-11-24,
// docs/conv.md). A last half tile of 4 channels, then single channels, finish the row.
export function f32_dwconv_xp8c__simd(
  channels: i32, pixels: i32, ks: i32,
  ind: usize, w: usize,
  out: usize, outStride: usize,
  params: usize,
): void {
  const aOffset = <usize>load<u32>(params);
  const zero = <usize>load<u32>(params, 4);
  const vmin = load<f32>(params, 8);
  const vmax = load<f32>(params, 12);
  const vlo = f32x4.splat(vmin);
  const vhi = f32x4.splat(vmax);
  const ksBytes = (<usize>ks) << 2;
  const tileBytes: usize = 32 + ((<usize>ks) << 5);
  for (let p = 0; p < pixels; p++) {
    let o = out;
    let c = 0;
    for (; c + 8 <= channels; c += 8) {
      const cb = (<usize>c) << 2;
      const wp = w + (<usize>(c >> 3)) * tileBytes;
      let acc0 = v128.load(wp);
      let acc1 = v128.load(wp, 16);
      for (let s: usize = 0; s < ksBytes; s += 4) {
        let i = <usize>load<u32>(ind + s);
        i = select<usize>(zero, i + aOffset + cb, i == 0xFFFFFFFF);
        const ws = wp + 32 + (s << 3);
        acc0 = f32x4.add(acc0, f32x4.mul(v128.load(i), v128.load(ws)));
        acc1 = f32x4.add(acc1, f32x4.mul(v128.load(i, 16), v128.load(ws, 16)));
      }
      v128.store(o, f32x4.pmin(f32x4.pmax(acc0, vlo), vhi));
      v128.store(o, f32x4.pmin(f32x4.pmax(acc1, vlo), vhi), 16);
      o += 32;
    }
    // A last half tile: block c/4 is half 0 of tile c/8.
    for (; c + 4 <= channels; c += 4) {
      const cb = (<usize>c) << 2;
      const wp = w + (<usize>(c >> 3)) * tileBytes + ((<usize>(c & 4)) << 2);
      let acc = v128.load(wp);
      for (let s: usize = 0; s < ksBytes; s += 4) {
        let i = <usize>load<u32>(ind + s);
        i = select<usize>(zero, i + aOffset + cb, i == 0xFFFFFFFF);
        acc = f32x4.add(acc, f32x4.mul(v128.load(i), v128.load(wp + 32 + (s << 3))));
      }
      v128.store(o, f32x4.pmin(f32x4.pmax(acc, vlo), vhi));
      o += 16;
    }
    for (; c < channels; c++) {
      const cb = (<usize>c) << 2;
      const wp = w + (<usize>(c >> 3)) * tileBytes + ((<usize>(c & 7)) << 2);
      let acc = load<f32>(wp);
      for (let s: usize = 0; s < ksBytes; s += 4) {
        let i = <usize>load<u32>(ind + s);
        i = select<usize>(zero, i + aOffset + cb, i == 0xFFFFFFFF);
        acc = acc + load<f32>(i) * load<f32>(wp + 32 + (s << 3));
      }
      acc = acc < vmin ? vmin : acc; // pmax / pmin semantics: NaN passes
      acc = vmax < acc ? vmax : acc;
      store<f32>(o, acc);
      o += 4;
    }
    ind += ksBytes;
    out += outStride;
  }
}
