// Turns relative indirection entries into absolute addresses:
//   dst[i] = src[i] == 0xFFFFFFFF ? pad : src[i] + base,  i < n
// (the cached indirection of a convolution holds offsets from the image, padding marked
// 0xFFFFFFFF; kernels that take absolute pointers get them from this, once per image and call).
// 4 entries per step, then scalar. Limits: n ≥ 0; dst may equal src.
export function x32_rebase_x4__simd(n: i32, src: usize, dst: usize, base: usize, pad: usize): void {
  const vb = i32x4.splat(<i32>base);
  const vp = i32x4.splat(<i32>pad);
  const ones = i32x4.splat(-1);
  let i = n;
  for (; i >= 4; i -= 4) {
    const v = v128.load(src);
    v128.store(dst, v128.bitselect(vp, i32x4.add(v, vb), i32x4.eq(v, ones)));
    src += 16; dst += 16;
  }
  for (; i > 0; i--) {
    const v = load<u32>(src);
    store<u32>(dst, v == 0xFFFFFFFF ? <u32>pad : v + <u32>base);
    src += 4; dst += 4;
  }
}
