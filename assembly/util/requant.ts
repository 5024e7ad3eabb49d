// Requantization epilogues shared by the quantized GEMM kernels (all @inline: Node 20 does not
// inline wasm calls). Semantics, to the bit (docs/quant.md, test/reference/quant.ts):
//
//   mode 0 'fp32':   y = clamp(rne(fl(fl(acc) · s[c])) + zp, lo, hi)
//                    fl = round to f32 (nearest even), rne = round half to even.
//   mode 1 'dyadic': y = clamp(zp + floor((acc · b[c] + 2^(sh−1)) / 2^sh), lo, hi), 32 ≤ sh ≤ 62,
//                    exact 64-bit product; one shift sh for all columns of a call.
//                    (acc·b + 2^(sh−1)) >> sh has its high word at bit 32, so the kernel takes the
//                    high word of the 64-bit lanes and shifts it right by e = sh − 32:
//                    floor(floor(q / 2^32) / 2^e) = floor(q / 2^sh).
//   mode 2 'int32':  the accumulators are stored as int32 (no requantization).
// Intermediate saturation (i32 → i16 → i8 with saturating narrows and a saturating zp add)
// equals one clamp of the exact value, because every step is monotone and |zp| ≤ 255.
//
// Params block (64-byte aligned, written by bindings/quant.ts):
//   +0 i32 mode   +4 i32 unsigned output (0/1)   +8 i32 e = sh − 32
//   +16 i16x8 zp  +32 i8x16 lo  +48 i8x16 hi     +64 i64x2 2^(sh−1)

export const P_MODE: usize = 0;
export const P_UNSIGNED: usize = 4;
export const P_SHIFT: usize = 8;
export const P_ZP: usize = 16;
export const P_LO: usize = 32;
export const P_HI: usize = 48;
export const P_RND: usize = 64;

/** Requantizes 8 accumulators (two i32x4) with their 8 column scales to i16x8, zero point added. */
// @ts-ignore: decorator
@inline export function requant8(accl: v128, acch: v128, sl: v128, sh: v128, mode: i32, e: i32, rnd: v128, zp: v128): v128 {
  let il: v128, ih: v128;
  if (mode == 0) {
    il = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(f32x4.convert_i32x4_s(accl), sl)));
    ih = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(f32x4.convert_i32x4_s(acch), sh)));
  } else {
    const l0 = i64x2.add(i64x2.extmul_low_i32x4_s(accl, sl), rnd);
    const l1 = i64x2.add(i64x2.extmul_high_i32x4_s(accl, sl), rnd);
    const h0 = i64x2.add(i64x2.extmul_low_i32x4_s(acch, sh), rnd);
    const h1 = i64x2.add(i64x2.extmul_high_i32x4_s(acch, sh), rnd);
    il = i32x4.shr_s(i32x4.shuffle(l0, l1, 1, 3, 5, 7), e);
    ih = i32x4.shr_s(i32x4.shuffle(h0, h1, 1, 3, 5, 7), e);
  }
  return i16x8.add_sat_s(i16x8.narrow_i32x4_s(il, ih), zp);
}

/** Two i16x8 rows → 16 bytes (row a in bytes 0–7, row b in 8–15), saturated and clamped to [lo, hi]. */
// @ts-ignore: decorator
@inline export function narrowClamp(a: v128, b: v128, unsigned: i32, lo: v128, hi: v128): v128 {
  if (unsigned) return i8x16.min_u(i8x16.max_u(i8x16.narrow_i16x8_u(a, b), lo), hi);
  return i8x16.min_s(i8x16.max_s(i8x16.narrow_i16x8_s(a, b), lo), hi);
}

/** Stores the first n (< 8) bytes of each half of v: half 0 at p0, half 1 at p1 (p1 first). */
// @ts-ignore: decorator
@inline export function storeTail2(p0: usize, p1: usize, v: v128, n: i32): void {
  if (n & 4) {
    v128.store32_lane(p1, v, 2); v128.store32_lane(p0, v, 0);
    v = i64x2.shr_u(v, 32);
    p0 += 4; p1 += 4;
  }
  if (n & 2) {
    v128.store16_lane(p1, v, 4); v128.store16_lane(p0, v, 0);
    v = i64x2.shr_u(v, 16);
    p0 += 2; p1 += 2;
  }
  if (n & 1) {
    v128.store8_lane(p1, v, 8); v128.store8_lane(p0, v, 0);
  }
}

/** Stores the first n (< 16) bytes of v at p. */
// @ts-ignore: decorator
@inline export function storeTail16(p: usize, v: v128, n: i32): void {
  if (n & 8) { v128.store64_lane(p, v, 0); v = i64x2.shuffle(v, v, 1, 1); p += 8; }
  if (n & 4) { v128.store32_lane(p, v, 0); v = i64x2.shr_u(v, 32); p += 4; }
  if (n & 2) { v128.store16_lane(p, v, 0); v = i64x2.shr_u(v, 16); p += 2; }
  if (n & 1) { v128.store8_lane(p, v, 0); }
}

/** Stores the first n (< 8) int32 of (l, h) at p. */
// @ts-ignore: decorator
@inline export function storeTailI32(p: usize, l: v128, h: v128, n: i32): void {
  if (n & 4) { v128.store(p, l); l = h; p += 16; }
  if (n & 2) { v128.store64_lane(p, l, 0); l = i64x2.shuffle(l, l, 1, 1); p += 8; }
  if (n & 1) { v128.store32_lane(p, l, 0); }
}

/**
 * The epilogue of every 4×8 quantized GEMM: requantizes (or not, mode 2) the 4×8 accumulators
 * and stores the first n ≤ 8 columns of each row, from row 3 back to row 0 (aliased rows then end
 * with the valid row's values). s: the 8 columns' scales (f32) or multipliers (i32).
 */
// @ts-ignore: decorator
@inline export function store4x8(
  acc0l: v128, acc0h: v128, acc1l: v128, acc1h: v128, acc2l: v128, acc2h: v128, acc3l: v128, acc3h: v128,
  s: usize, params: usize, c0: usize, c1: usize, c2: usize, c3: usize, n: i32,
): void {
  const mode = load<i32>(params, P_MODE);
  if (mode == 2) {
    if (n == 8) {
      v128.store(c3, acc3l); v128.store(c3, acc3h, 16);
      v128.store(c2, acc2l); v128.store(c2, acc2h, 16);
      v128.store(c1, acc1l); v128.store(c1, acc1h, 16);
      v128.store(c0, acc0l); v128.store(c0, acc0h, 16);
    } else {
      storeTailI32(c3, acc3l, acc3h, n); storeTailI32(c2, acc2l, acc2h, n);
      storeTailI32(c1, acc1l, acc1h, n); storeTailI32(c0, acc0l, acc0h, n);
    }
    return;
  }
  const e = load<i32>(params, P_SHIFT);
  const rnd = v128.load(params, P_RND);
  const zp = v128.load(params, P_ZP);
  const sl = v128.load(s);
  const sh = v128.load(s, 16);
  const r0 = requant8(acc0l, acc0h, sl, sh, mode, e, rnd, zp);
  const r1 = requant8(acc1l, acc1h, sl, sh, mode, e, rnd, zp);
  const r2 = requant8(acc2l, acc2h, sl, sh, mode, e, rnd, zp);
  const r3 = requant8(acc3l, acc3h, sl, sh, mode, e, rnd, zp);
  const unsigned = load<i32>(params, P_UNSIGNED);
  const lo = v128.load(params, P_LO);
  const hi = v128.load(params, P_HI);
  const o01 = narrowClamp(r0, r1, unsigned, lo, hi);
  const o23 = narrowClamp(r2, r3, unsigned, lo, hi);
  if (n == 8) {
    v128.store64_lane(c3, o23, 1); v128.store64_lane(c2, o23, 0);
    v128.store64_lane(c1, o01, 1); v128.store64_lane(c0, o01, 0);
  } else {
    storeTail2(c2, c3, o23, n);
    storeTail2(c0, c1, o01, n);
  }
}

/**
 * The epilogue of every 1×16 quantized GEMV: 16 accumulators of one row, first n ≤ 16 columns.
 */
// @ts-ignore: decorator
@inline export function store1x16(acc0: v128, acc1: v128, acc2: v128, acc3: v128, s: usize, params: usize, c: usize, n: i32): void {
  const mode = load<i32>(params, P_MODE);
  if (mode == 2) {
    if (n == 16) {
      v128.store(c, acc0); v128.store(c, acc1, 16); v128.store(c, acc2, 32); v128.store(c, acc3, 48);
    } else if (n >= 8) {
      v128.store(c, acc0); v128.store(c, acc1, 16);
      storeTailI32(c + 32, acc2, acc3, n - 8);
    } else {
      storeTailI32(c, acc0, acc1, n);
    }
    return;
  }
  const e = load<i32>(params, P_SHIFT);
  const rnd = v128.load(params, P_RND);
  const zp = v128.load(params, P_ZP);
  const r0 = requant8(acc0, acc1, v128.load(s), v128.load(s, 16), mode, e, rnd, zp);
  const r1 = requant8(acc2, acc3, v128.load(s, 32), v128.load(s, 48), mode, e, rnd, zp);
  const o = narrowClamp(r0, r1, load<i32>(params, P_UNSIGNED), v128.load(params, P_LO), v128.load(params, P_HI));
  if (n == 16) v128.store(c, o);
  else storeTail16(c, o, n);
}
