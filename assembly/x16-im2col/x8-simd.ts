// im2col of a 16-bit NHWC image (binary16 bits), for the exact f16 convolution's GEMM.
//   Row p of out (P rows of ks·cig halves, back to back): for each tap s ascending, the cig
//   halves at coff bytes into the pixel that ind[p·ks + s] names, or cig zeros (+0) where it is
//   0xFFFFFFFF (padding).
//   ind: [P][ks] u32 byte offsets of f32 pixel rows (bindings/conv.ts indirection, tile 1); the
//        pixel's 16-bit row starts at x + offset / 2.
// Copies 8 halves per vector, then the tail half by half: nothing past a row is read or written.
// Limits: P ≥ 0, ks ≥ 1, cig ≥ 1.
export function x16_im2col_x8__simd(P: i32, ks: i32, cig: i32, ind: usize, x: usize, coff: usize, out: usize): void {
  const taps = P * ks;
  const zero = i32x4.splat(0);
  for (let t = 0; t < taps; t++) {
    const e = load<u32>(ind + (<usize>t << 2));
    let n = cig;
    if (e == 0xffffffff) {
      for (; n >= 8; n -= 8) { v128.store(out, zero); out += 16; }
      for (; n > 0; n--) { store<u16>(out, 0); out += 2; }
    } else {
      let src = x + (<usize>e >> 1) + coff;
      for (; n >= 8; n -= 8) { v128.store(out, v128.load(src)); out += 16; src += 16; }
      for (; n > 0; n--) { store<u16>(out, load<u16>(src)); out += 2; src += 2; }
    }
  }
}
