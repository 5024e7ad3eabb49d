// Repeat each 32-bit element m times, SIMD128: dst[i·m + j] = src[i], i < n, j < m.
//   src: n elements; dst: n·m elements. Bits are copied, never computed.
// Limits: n ≥ 0, m ≥ 1; src and dst must not overlap.
//
// For the depthwise convolutions with a channel multiplier m > 1 (bindings/conv.ts): repeating
// each input channel m times lets output channel c·m + j read its own copy of channel c, so the
// multiplier-1 depthwise kernels serve them. m = 2 and m = 4 (the common multipliers) take four
// elements per step; other m store one splat per 4 copies and finish each element's run one
// lane at a time.

export function x32_rep_x4__simd(n: i32, m: i32, src: usize, dst: usize): void {
  const end = src + (<usize>n << 2);
  if (m == 2) {
    for (; src + 16 <= end; src += 16, dst += 32) {
      const v = v128.load(src);
      v128.store(dst, i32x4.shuffle(v, v, 0, 0, 1, 1));
      v128.store(dst, i32x4.shuffle(v, v, 2, 2, 3, 3), 16);
    }
  } else if (m == 4) {
    for (; src + 16 <= end; src += 16, dst += 64) {
      const v = v128.load(src);
      v128.store(dst, i32x4.shuffle(v, v, 0, 0, 0, 0));
      v128.store(dst, i32x4.shuffle(v, v, 1, 1, 1, 1), 16);
      v128.store(dst, i32x4.shuffle(v, v, 2, 2, 2, 2), 32);
      v128.store(dst, i32x4.shuffle(v, v, 3, 3, 3, 3), 48);
    }
  }
  const m4 = m & ~3;
  for (; src < end; src += 4) {
    const s = load<u32>(src);
    const v = i32x4.splat(s);
    let j = 0;
    for (; j < m4; j += 4) v128.store(dst + (<usize>j << 2), v);
    for (; j < m; j++) store<u32>(dst + (<usize>j << 2), s);
    dst += <usize>m << 2;
  }
}
