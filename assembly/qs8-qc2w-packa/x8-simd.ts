// Activation row for the int2 mask GEMV (qs8-qc2w-gemv/1x16-simd-mask.ts). SIMD for whole groups of 8 k, scalar for the last partial group.
/**
 * The activation row for qs8_qc2w_gemv_1x16__simd_mask: header (−2·Σa splat, the masks), then
 * per k-pair p the pair (a(2p), a(2p+1)) · 4^(3 − p mod 4) (· 64 when p mod 4 = 3) as i16, zero-padded to a multiple of
 * 8 k. a: k int8 (signed = 1) or uint8 values.  out: 80 + ceil(k/8)·16 bytes.
 */
export function qs8_qc2w_packa_x8__simd(k: i32, a: usize, signed: i32, out: usize): void {
  const k8 = k & ~7;
  // Scales of the 8 k of a group: k-pairs j = 0..3 → 64, 16, 4, 64 (see the GEMV kernel).
  const scale = i16x8.replace_lane(i16x8.replace_lane(i16x8.replace_lane(i16x8.replace_lane(
    i16x8.replace_lane(i16x8.replace_lane(i16x8.replace_lane(i16x8.splat(64), 2, 16), 3, 16), 4, 4), 5, 4), 6, 64), 7, 64), 1, 64);
  let sum = i32x4.splat(0);
  let o = out + 80;
  let i = 0;
  for (; i < k8; i += 8) {
    const v = signed ? v128.load8x8_s(a + <usize>i) : v128.load8x8_u(a + <usize>i);
    sum = i32x4.add(sum, i32x4.extadd_pairwise_i16x8_s(v));
    v128.store(o, i16x8.mul(v, scale));
    o += 16;
  }
  let total = i32x4.extract_lane(sum, 0) + i32x4.extract_lane(sum, 1) + i32x4.extract_lane(sum, 2) + i32x4.extract_lane(sum, 3);
  if (i < k) {
    for (let t = 0; t < 8; t++) {
      let v: i32 = 0;
      if (i + t < k) v = signed ? <i32>load<i8>(a + <usize>(i + t)) : <i32>load<u8>(a + <usize>(i + t));
      total += v;
      const j = t >> 1;
      store<i16>(o + (<usize>t << 1), <i16>(v << (j == 3 ? 6 : (3 - j) << 1)));
    }
  }
  v128.store(out, i32x4.splat(-2 * total));
  v128.store(out, i16x8.splat(3), 16);
  v128.store(out, i16x8.splat(12), 32);
  v128.store(out, i16x8.splat(48), 48);
  v128.store(out, i16x8.splat(192), 64);
}
