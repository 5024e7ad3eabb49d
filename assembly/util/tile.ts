// Epilogue helpers shared by the 4×8 f32 microkernels (GEMM and IGEMM), inlined into each.

/**
 * clamp(v) = pmin(pmax(v, lo), hi). pmax/pmin return their first operand when it is NaN, so NaN
 * goes through any clamp with its payload bits unchanged on every engine.
 */
// @ts-ignore: decorator
@inline export function clampF32x4(v: v128, lo: v128, hi: v128): v128 {
  return f32x4.pmin(f32x4.pmax(v, lo), hi);
}

/** Stores min(n, 8) floats of the 8-float row (lo, hi) at c; n ≥ 1. */
// @ts-ignore: decorator
@inline export function storeRow8(c: usize, lo: v128, hi: v128, n: i32): void {
  if (n >= 8) {
    v128.store(c, lo);
    v128.store(c, hi, 16);
  } else {
    if (n & 4) { v128.store(c, lo); lo = hi; c += 16; }
    if (n & 2) { v128.store64_lane(c, lo, 0); lo = i64x2.shuffle(lo, lo, 1, 1); c += 8; }
    if (n & 1) v128.store32_lane(c, lo, 0);
  }
}

/**
 * The 4×8 f32 epilogue: clamps the tile and stores min(n, 8) columns of each row. Rows past mr
 * point at the last valid row; storing from the last row back leaves that row's own values.
 */
// @ts-ignore: decorator
@inline export function storeTile4x8(
  c0: usize, c1: usize, c2: usize, c3: usize,
  a0l: v128, a0h: v128, a1l: v128, a1h: v128, a2l: v128, a2h: v128, a3l: v128, a3h: v128,
  lo: v128, hi: v128, n: i32,
): void {
  storeRow8(c3, clampF32x4(a3l, lo, hi), clampF32x4(a3h, lo, hi), n);
  storeRow8(c2, clampF32x4(a2l, lo, hi), clampF32x4(a2h, lo, hi), n);
  storeRow8(c1, clampF32x4(a1l, lo, hi), clampF32x4(a1h, lo, hi), n);
  storeRow8(c0, clampF32x4(a0l, lo, hi), clampF32x4(a0h, lo, hi), n);
}
