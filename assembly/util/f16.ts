// IEEE binary16 helpers shared by the f16 kernels (all @inline: Node 20 does not inline wasm
// calls). Integer and f32 SIMD only; wasm guarantees IEEE f32 with subnormals and
// round-to-nearest-even, which is all the exactness arguments below rely on.
//
// Conversion semantics (docs/f16.md), those of x86 F16C and ARM FCVT with default-NaN off:
//   f16 → f32: exact. NaN keeps its sign and payload (shifted left 13) and gets the quiet bit
//              (bit 22): a signalling NaN comes out quiet, a quiet NaN is bit-preserved.
//   f32 → f16: round to nearest, ties to even; overflow (|x| ≥ 65520) → ±Inf; results below
//              the smallest normal are subnormal or ±0 (sign kept). NaN keeps its sign and the
//              top 9 payload bits (mantissa >> 13) and gets the quiet bit (0x0200).
// So every f16 NaN survives f16 → f32 → f16 except that a signalling NaN becomes quiet, and
// no NaN ever turns into an infinity.



// SIMD constants, each splatted to 16 bytes and loaded from memory where used (the value is
// in the comment at each use): V8 rebuilds v128 constants inside loops, several instructions
// each; a load from L1 is one load-port uop. Some offsets are written as numbers at their
// uses, the others are named:
export const K_RANGEL: usize = 208;   // i16x8 0x8efe (high halves), 0x7ffe (low halves): rangeKey16's bound (a lane is out of range above)
export const K_7FFF16: usize = 272;   // i16x8 0x7fff
export const K_SIGN16: usize = 288;   // i16x8 0x8000
export const K_7BFF16: usize = 304;   // i16x8 0x7bff
export const K_NRM16: usize = 320;    // i16x8 0x4780 (moves [0x3880, 0x477e] to the bottom of i16)
export const K_NRMHI16: usize = 336;  // i16x8 0x8eff (that range's end, signed)
export const K_8FFF16: usize = 352;   // i16x8 0x8fff
export const K_HARDB: usize = 368;    // i16x8 0xbc00 (high halves), 0x7fff (low halves): hardKey16's offsets
export const K_HALF13: usize = 384;   // i32x4 0x00001000 (half the quantum of the 13 bits a binary16 drops)
export const K_TRUNC13: usize = 400;  // i32x4 0xffffe000
export const K_HARDL: usize = 416;    // i16x8 0xf7ff, 0x7ffe: hardKey16's bounds (a lane is hard above)
export const K_RANGEM: usize = 432;   // i16x8 0x7fff (high halves), 0 (low halves): rangeKey16's masks
export const K_RANGEB: usize = 448;   // i16x8 0x4780 (high halves), 0 (low halves): rangeKey16's offsets
export const K_0FFF: usize = 464;     // i32x4 0x00000fff (just under half the quantum of the 13 dropped bits)
export const K_HALFQ: usize = 480;    // i32x4 0x05800000 (quantum16's exponent minus this: half the quantum, as float bits)
export const F16K: usize = memory.data<u32>([0x00007fff, 0x00007fff, 0x00007fff, 0x00007fff, 0x77800000, 0x77800000, 0x77800000, 0x77800000, 0x00007bff, 0x00007bff, 0x00007bff, 0x00007bff, 0x7f800000, 0x7f800000, 0x7f800000, 0x7f800000, 0x00007c00, 0x00007c00, 0x00007c00, 0x00007c00, 0x7fc00000, 0x7fc00000, 0x7fc00000, 0x7fc00000, 0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff, 0x38800000, 0x38800000, 0x38800000, 0x38800000, 0xc8000fff, 0xc8000fff, 0xc8000fff, 0xc8000fff, 0x3f000000, 0x3f000000, 0x3f000000, 0x3f000000, 0x000003ff, 0x000003ff, 0x000003ff, 0x000003ff, 0x00007e00, 0x00007e00, 0x00007e00, 0x00007e00, 0x00000001, 0x00000001, 0x00000001, 0x00000001, 0x8efe7ffe, 0x8efe7ffe, 0x8efe7ffe, 0x8efe7ffe, 0x06c00000, 0x06c00000, 0x06c00000, 0x06c00000, 0x07800000, 0x07800000, 0x07800000, 0x07800000, 0x80000000, 0x80000000, 0x80000000, 0x80000000, 0x7fff7fff, 0x7fff7fff, 0x7fff7fff, 0x7fff7fff, 0x80008000, 0x80008000, 0x80008000, 0x80008000, 0x7bff7bff, 0x7bff7bff, 0x7bff7bff, 0x7bff7bff, 0x47804780, 0x47804780, 0x47804780, 0x47804780, 0x8eff8eff, 0x8eff8eff, 0x8eff8eff, 0x8eff8eff, 0x8fff8fff, 0x8fff8fff, 0x8fff8fff, 0x8fff8fff, 0xbc007fff, 0xbc007fff, 0xbc007fff, 0xbc007fff, 0x00001000, 0x00001000, 0x00001000, 0x00001000, 0xffffe000, 0xffffe000, 0xffffe000, 0xffffe000, 0xf7ff7ffe, 0xf7ff7ffe, 0xf7ff7ffe, 0xf7ff7ffe, 0x7fff0000, 0x7fff0000, 0x7fff0000, 0x7fff0000, 0x47800000, 0x47800000, 0x47800000, 0x47800000, 0x00000fff, 0x00000fff, 0x00000fff, 0x00000fff, 0x05800000, 0x05800000, 0x05800000, 0x05800000], 16);

/** f16 bits (one per i32 lane, upper 16 bits zero) → f32 lanes. 13 integer/f32 ops, no select. */
// @ts-ignore: decorator
@inline export function f16x4_to_f32x4(h: v128): v128 {
  const em = v128.and(h, v128.load(F16K, 0 /* 0x00007fff */));
  const sign = i32x4.shl(v128.xor(h, em), 16);
  const e = i32x4.shl(em, 13);
  // Zero, subnormal, normal: the shifted bits read as an f32 are the half's value · 2^-112
  // (an f32 subnormal for subnormal halves); the product is exact.
  const value = f32x4.mul(e, v128.load(F16K, 16 /* 0x77800000 */)); // ·2^112
  // Inf/NaN (exponent 31): all-ones f32 exponent over the shifted payload, quiet bit for NaN.
  // Those bits exceed every finite value's as unsigned integers, and e alone (the other
  // lanes) is below its own value's bits, so one unsigned max picks the right lane.
  const special = v128.or(v128.and(i32x4.gt_s(em, v128.load(F16K, 32 /* 0x00007bff */)), v128.load(F16K, 48 /* 0x7f800000 */)),
    v128.and(i32x4.gt_s(em, v128.load(F16K, 64 /* 0x00007c00 */)), v128.load(F16K, 80 /* 0x7fc00000 */)));
  return v128.or(i32x4.max_u(value, v128.or(e, special)), sign);
}

/**
 * The widening of the kernels that read binary16 weights in their loops (the GEMV, the 2×16,
 * 3×8 and 4×8 f16w kernels): four halves held in the high 16 bits of v's 32-bit lanes →
 * (lane >> 3 arithmetic) & 0x8fffe000, the f32 bits sign << 31 | (exponent and significand) <<
 * 13, which read as the weight ·2^-112 (exact, an f32 subnormal at worst; the kernels scale A
 * or the weights by 2^112). The 16 bytes of a k step's 8 weights loaded at p hold the odd
 * columns' halves there, loaded at p − 2 (at the first step, the bias's last half: inside the
 * panel) the even columns': 4 ops per 8 weights, no shuffle, and the kernels' accumulators hold
 * each panel's even columns, then its odd ones. An exponent of 31 widens to a finite value:
 * Inf/NaN weights must be checked for or excluded. `mask` = i32x4.splat(0x8fffe000), kept in a
 * register by the caller's loop.
 */
// @ts-ignore: decorator
@inline export function widenHighHalves(v: v128, mask: v128): v128 {
  return v128.and(i32x4.shr_s(v, 3), mask);
}

// Eight halves, none Inf/NaN (callers check), → two f32x4 at out, out + 16, exactly: each f32 is sign << 31 | (exponent
// and significand) << 13, times 2^112 (subnormals included). Its high 16 bits are
// (h >> 3 arithmetic) & 0x8fff, its low 16 bits h << 13: three i16 ops for eight lanes, then
// the two interleaves build the f32 bit patterns. mask = K_8FFF16 and scale = f32x4 2^112 are
// parameters so that the callers' loops load them once (V8 does not move a load out of a loop).
// @ts-ignore: decorator
@inline export function f16x8_to_f32x8_store(out: usize, h: v128, mask: v128, scale: v128): void {
  const hi = v128.and(i16x8.shr_s(h, 3), mask);
  const lo = i16x8.shl(h, 13);
  v128.store(out, f32x4.mul(v128.shuffle<u16>(lo, hi, 0, 8, 1, 9, 2, 10, 3, 11), scale));
  v128.store(out, f32x4.mul(v128.shuffle<u16>(lo, hi, 4, 12, 5, 13, 6, 14, 7, 15), scale), 16);
}

/** f32 lanes → f16 bits (one per i32 lane, upper 16 bits zero), round to nearest even. */
// @ts-ignore: decorator
@inline export function f32x4_to_f16x4(x: v128): v128 {
  const abs = v128.and(x, v128.load(F16K, 96 /* 0x7fffffff */));
  const sign = i32x4.shr_u(v128.xor(x, abs), 16);
  // Normal range: (abs − rebias + 0xfff + lsb) >> 13 rounds the 13 dropped bits to nearest
  // even; at or above the overflow threshold it saturates to 0x7c00 (Inf). Inputs below 2^-14
  // are raised to 2^-14 here (giving 0x400), so this path never undercuts the one below.
  const absn = i32x4.max_u(abs, v128.load(F16K, 112 /* 0x38800000 */));
  const sh = i32x4.shr_u(absn, 13);
  const lsb = v128.and(sh, i32x4.splat(1));
  const norm = i32x4.min_u(i32x4.shr_u(i32x4.add(i32x4.add(absn, v128.load(F16K, 128 /* 0xc8000fff */)), lsb), 13), v128.load(F16K, 64 /* 0x00007c00 */));
  // abs + 0.5 rounds abs to a multiple of 2^-24 (the ulp of 0.5), nearest even: for abs below
  // 2^-14 its low bits are the f16 subnormal (0x400 when it rounds up to the smallest normal);
  // for larger abs they are abs·2^24 ≥ the f16 bits, so the unsigned min keeps the right one.
  const sub = i32x4.sub(f32x4.add(abs, v128.load(F16K, 144 /* 0x3f000000 */) /* 0.5 */), v128.load(F16K, 144 /* 0x3f000000 */));
  const finite = i32x4.min_u(norm, sub);
  // NaN: 0x7e00 | top payload bits, above every finite result (≤ 0x7c00): an unsigned max.
  const nan = v128.and(i32x4.gt_s(abs, v128.load(F16K, 48 /* 0x7f800000 */)), v128.or(v128.and(sh, v128.load(F16K, 160 /* 0x000003ff */)), v128.load(F16K, 176 /* 0x00007e00 */)));
  return v128.or(i32x4.max_u(finite, nan), sign);
}

/** Scalar twin of f16x4_to_f32x4 (same bits), for tails. */
// @ts-ignore: decorator
@inline export function f16_to_f32_bits(h: u32): u32 {
  const sign = (h & 0x8000) << 16;
  const em = h & 0x7fff;
  if (em < 0x0400) return sign | reinterpret<u32>(reinterpret<f32>(em | 0x3f000000) - 0.5);
  let norm = (em << 13) + 0x38000000;
  if (em >= 0x7c00) norm += 0x38000000;
  if (em > 0x7c00) norm |= 0x00400000;
  return sign | norm;
}

/** Scalar twin of f32x4_to_f16x4 (same bits), for tails. */
// @ts-ignore: decorator
@inline export function f32_bits_to_f16(x: u32): u32 {
  const abs = x & 0x7fffffff;
  const sign = (x ^ abs) >> 16;
  if (abs > 0x7f800000) return sign | ((abs >> 13) & 0x03ff) | 0x7e00;
  if (abs < 0x38800000) return sign | (reinterpret<u32>(reinterpret<f32>(abs) + <f32>0.5) - 0x3f000000);
  const r = (abs + 0xc8000fff + ((abs >> 13) & 1)) >> 13;
  return sign | (r < 0x7c00 ? r : 0x7c00);
}

/**
 * The last n floats at x (n < 16, after a kernel's 16-element loop) narrowed to halves at y: 4
 * at a time, then one by one, by the general conversion.
 */
// @ts-ignore: decorator
@inline export function f32_f16_tail(n: i32, x: usize, y: usize): void {
  while (n >= 4) {
    const h = f32x4_to_f16x4(v128.load(x));
    v128.store64_lane(y, i16x8.narrow_i32x4_u(h, h), 0);
    x += 16; y += 8; n -= 4;
  }
  while (n > 0) {
    store<u16>(y, <u16>f32_bits_to_f16(load<u32>(x)));
    x += 4; y += 2; n--;
  }
}

/** Eight f32 lanes (two vectors) → eight f16 in one vector (low four from `lo`). */
// @ts-ignore: decorator
@inline export function f32x8_to_f16x8(lo: v128, hi: v128): v128 {
  // Lanes hold 0..0xffff; the unsigned saturating narrow of signed i32 keeps them as they are.
  return i16x8.narrow_i32x4_u(f32x4_to_f16x4(lo), f32x4_to_f16x4(hi));
}

/**
 * One FP16 fused multiply-add, as an FP16 FMA unit computes it: round16(acc + a·b), the
 * product exact and one rounding (nearest even) of the exact sum to binary16. All values are
 * f32 lanes holding binary16 values (acc, a, b); the result is one too (±Inf on overflow).
 *
 * Why this is exact in f32:
 *  1. p = a·b is exact: two 11-bit significands give ≤ 22 bits, and |p| lies in
 *     [2^-48, 2^32) or is 0, inside f32's range (subnormals reach 2^-149).
 *  2. s = fl(acc + p) may be inexact; 2Sum gives e = (acc + p) − s exactly (no overflow:
 *     |acc + p| < 2^33).
 *  3. Round to odd: when e ≠ 0 and s is even (last significand bit 0) replace s by its f32
 *     neighbour towards acc + p, which is odd. This is the exact sum rounded to 24 bits with
 *     round-to-odd, and rounding that to 11 bits with ties-to-even equals rounding the exact
 *     sum directly, because 24 ≥ 11 + 2 (Boldo & Melquiond, "Emulation of FMA and correctly
 *     rounded sums: proved algorithms using rounding to odd", IEEE TC 2008). This also holds
 *     in the f16 subnormal range, where the rounding point is fixed at 2^-24: a nonzero exact
 *     sum is a multiple of 2^-48, so |s| ≥ 2^-48 is an f32 normal, and for |s| < 2^-14 its
 *     ulp is ≤ 2^-37, at least 13 bits below the rounding point.
 *     Bits: s' = ((s + d) | 1) with d = 0 when e has the sign of s (step away from zero:
 *     even s → s|1) and d = −1 when it has the other sign (even s → s − 1; odd s stays).
 *  4. Round s' to the f16 grid with the 1.5·2^(E+13) trick: for |s'| in [2^E, 2^(E+1)),
 *     s' + 1.5·2^(E+13) lies in [2^(E+13), 2^(E+14)) whose ulp is 2^(E−10), the f16 ulp at
 *     exponent E; f32 addition rounds it to nearest even (the constant is a multiple of two
 *     f16 ulps, so parity is the f16 significand's), and subtracting the constant is exact.
 *     E is clamped below at −14 (the f16 subnormal grid 2^-24). A rounded result of 2^16 or
 *     more means overflow:
 *     ·2^112·2^-112 sends exactly those to ±Inf and is exact otherwise. A zero result takes
 *     the sign of s' (a tiny negative sum rounds to −0), restored by OR-ing s's sign bit.
 *  Inf/NaN inputs: p or acc infinite makes s infinite or NaN and e NaN; "e ≠ 0" is computed
 *  as |e| > 0, false for NaN, so s passes through unchanged, as IEEE FMA would give.
 */
// @ts-ignore: decorator
@inline export function fma16(acc: v128, a: v128, b: v128): v128 {
  const p = f32x4.mul(a, b);
  const s = f32x4.add(acc, p);
  // 2Sum (Knuth): e = (acc − (s − (s − acc))) + (p − (s − acc)).
  const bp = f32x4.sub(s, acc);
  const ap = f32x4.sub(s, bp);
  const e = f32x4.add(f32x4.sub(acc, ap), f32x4.sub(p, bp));
  const nz = f32x4.gt(v128.and(e, v128.load(F16K, 96 /* 0x7fffffff */)), f32x4.splat(0));
  const d = i32x4.shr_s(v128.xor(e, s), 31);
  // nz ? (s + d) | 1 : s, without a select: (s + (d & nz)) | (nz & 1).
  const so = v128.or(i32x4.add(s, v128.and(d, nz)), v128.and(nz, v128.load(F16K, 192 /* 0x00000001 */)));
  return round16(so);
}

/** The binary16 spacing at s as float bits: 2^(E−10) is the quantum for E = max(s's exponent, −14). */
// @ts-ignore: decorator
@inline export function quantum16(s: v128): v128 {
  return i32x4.max_s(v128.and(s, v128.load(F16K, 48 /* 0x7f800000 */)), v128.load(F16K, 112 /* 0x38800000 */));
}

/**
 * s rounded to nearest even on the binary16 grid of quantum16(s) = eb (as f32, before the
 * overflow and signed-zero fix-ups of finish16). No upper clamp is needed: a finite |s| ≥ 2^16
 * rounds to ≥ 2^16 on its own (coarser) grid, and for s = ±Inf/NaN the constant wraps to a tiny
 * negative float, leaving s unchanged.
 */
// @ts-ignore: decorator
@inline export function grid16(s: v128, eb: v128): v128 {
  const bias = i32x4.add(eb, v128.load(F16K, 224 /* 0x06c00000 */)); // 1.5·2^(E+13): its ulp is the quantum
  return f32x4.sub(f32x4.add(s, bias), bias);
}

/** grid16's result r for s, finished: ±Inf beyond the binary16 range (·2^112·2^-112), s's sign on a zero. */
// @ts-ignore: decorator
@inline export function finish16(s: v128, r: v128): v128 {
  const t = f32x4.mul(f32x4.mul(r, v128.load(F16K, 16 /* 0x77800000 */)), v128.load(F16K, 240 /* 0x07800000 */));
  return v128.or(t, v128.and(s, v128.load(F16K, 256 /* 0x80000000 */)));
}

/** f32 lanes → the nearest binary16 value (ties to even), kept as f32; ±Inf on overflow. */
// @ts-ignore: decorator
@inline export function round16(s: v128): v128 {
  return finish16(s, grid16(s, quantum16(s)));
}

/**
 * The lanes where s lies exactly halfway between two binary16 neighbours on its own grid:
 * |s − g| is half the quantum, for g = grid16(s, eb) and eb = quantum16(s) (s − g is exact: g is
 * within half a quantum of s). Only there can round16(s) differ from the FMA's result (the
 * argument at lift16), so a step whose sums leave the normal range (anyRange2/4: zeros, binary16
 * subnormals, [65280, 2^16) and overflow, Inf, NaN) takes finish16(s, g) when no lane is flagged:
 * ~13 operations per 4 lanes on a ~19-cycle chain, against ~24 and ~36 for fma16, which it keeps
 * for the flagged steps. 65520 is such a midpoint (g = 65536, finished to Inf), so a sum rounded
 * up onto the overflow bound is flagged too; Inf and NaN give a NaN difference, never flagged.
 * The kernels write that step out (quantum16, grid16, one merged midGrid16 test, then fma16 or
 * finish16 for every sum): a helper deciding per vector, which would serve all four call sites,
 * ran small data 4–17% slower (four branches per step instead of one; 2026-11-24, same bits).
 */
// @ts-ignore: decorator
@inline export function midGrid16(s: v128, g: v128, eb: v128): v128 {
  return i32x4.eq(v128.and(f32x4.sub(s, g), v128.load(F16K, 96 /* 0x7fffffff */)), i32x4.sub(eb, v128.load(F16K, K_HALFQ)));
}

// The fast path's constants are parameters of lift16, hardKey16, anyHard2/4 and easy16 (hb:
// hardKey16's offsets, hl: its bound; half, trunc: lift16's half quantum and easy16's
// truncation mask). V8 keeps locals in registers but does not move a load out of a loop, so a
// kernel with registers to spare loads them once before its loops: loading the fast path's
// constants at every step cost the exact GEMM 5–6% (2026-11-24, same bits). A kernel without (the
// exact depthwise one) passes these, which load at the use.
// @ts-ignore: decorator
@inline export function hardB(): v128 { return v128.load(F16K, K_HARDB); }
// @ts-ignore: decorator
@inline export function hardL(): v128 { return v128.load(F16K, K_HARDL); }
// @ts-ignore: decorator
@inline export function half13(): v128 { return v128.load(F16K, K_HALF13); }
// @ts-ignore: decorator
@inline export function trunc13(): v128 { return v128.load(F16K, K_TRUNC13); }

/**
 * The fast path of one binary16 FMA step, for s = fl(acc + a·b): t = lift16(s) is s's bits plus
 * half the quantum of the 13 bits binary16 drops, easy16(t) truncates them, and hardKey16(t)
 * flags the lanes where that is not round16 of the exact sum. Those are:
 *  - a midpoint, s's 13 dropped bits exactly 0x1000 (t's are then 0). It is the only place where
 *    rounding s can differ from rounding the exact sum, as fma16 does: the midpoints are floats
 *    and fl() is monotone, so elsewhere s and the exact sum lie on the same side of every
 *    midpoint and round the same way; easy16 rounds half away from zero, right off the midpoints.
 *  - t (so |s| rounded up by half a quantum) outside [2^-14, 2^16): binary16 subnormals, which have
 *    a coarser grid, and overflow, which must give ±Inf.
 * easy16 is right everywhere else: on the normal range (a carry out of the significand rounds
 * up into the next binade, as it should, and [65504, 65520) rounds down to 65504); just below
 * 2^-14, where t reaches 2^-14 only when s rounds up to it; and on ±0, ±Inf and NaN, which it
 * returns unchanged (the f32 sum already has the FMA's sign of zero and Inf). A NaN keeps its
 * quiet bit as long as its significand is below 0x7ff000, which holds for every NaN the
 * kernels can meet: the widened binary16 NaNs (significand ≤ 0x7fe000) and whatever the engines'
 * float operations derive from them (an operand's NaN or the default 0x7fc00000).
 * A kernel takes easy16(t) when no lane is hard, else tie16 when no lane is out of range
 * (anyRange2/4), else fma16.
 */
// @ts-ignore: decorator
@inline export function lift16(s: v128, half: v128): v128 {
  return i32x4.add(s, half);
}

/** t (from lift16) with its 13 low bits cleared: s rounded to binary16, when hardKey16 does not flag it. */
// @ts-ignore: decorator
@inline export function easy16(t: v128, trunc: v128): v128 {
  return v128.and(t, trunc);
}

/**
 * The hard-lane key of t = lift16(s), per 16-bit half: u = t << 3 puts t's 13 low bits at the
 * top of the low half (u_lo = 0 exactly on a midpoint), and the low 6 bits of t's exponent over
 * 10 significand bits in the high half. The sums the kernels form are 0 or have an exponent in
 * [79, 160] (|s| ≥ 2^-48, as a multiple of it, and below 2^33), or are Inf/NaN (255), and the
 * exponent's low 6 bits tell them apart: 113..142 (the range easy16 serves) give 49..63 and
 * 0..14, as do 0 and 255 (served too); 79..112 and 143..160 give 15..48, the high halves
 * 0x3c00..0xc3ff. Adding 0xbc00 moves the served high halves to the bottom of i16 (up to 0xf7ff),
 * and 0x7fff moves the low half 0 to the top (every other low half, a multiple of 8, lands at or
 * below 0x7ff7). A lane is hard when either half's key exceeds its bound (K_HARDL), so the keys
 * of several sums combine with i16x8.max_s before one compare. Per 4 lanes: 2 integer ops for
 * the key (the shift, the add) and 1 to merge it; lift16 and easy16 take 1 each.
 */
// @ts-ignore: decorator
@inline export function hardKey16(t: v128, hb: v128): v128 {
  return i16x8.add(i32x4.shl(t, 3), hb);
}

/**
 * Whether some lane of m, the max of keys, exceeds its bound. Through the compare's bitmask, not
 * any_true: V8 emits xor, ptest, setnz, test and a branch for any_true, movemask, test and a
 * branch for the bitmask (3–6% faster exact kernels).
 */
// @ts-ignore: decorator
@inline function anyKey(m: v128, bound: v128): bool {
  return i8x16.bitmask(i16x8.gt_s(m, bound)) != 0;
}

/** Whether some lane of t0 or t1 (from lift16) is hard (see hardKey16). */
// @ts-ignore: decorator
@inline export function anyHard2(t0: v128, t1: v128, hb: v128, hl: v128): bool {
  return anyKey(i16x8.max_s(hardKey16(t0, hb), hardKey16(t1, hb)), hl);
}

/** Whether some lane of t0..t3 (from lift16) is hard (see hardKey16). */
// @ts-ignore: decorator
@inline export function anyHard4(t0: v128, t1: v128, t2: v128, t3: v128, hb: v128, hl: v128): bool {
  return anyKey(i16x8.max_s(i16x8.max_s(hardKey16(t0, hb), hardKey16(t1, hb)), i16x8.max_s(hardKey16(t2, hb), hardKey16(t3, hb))), hl);
}

/**
 * The range key of a sum s: its high half (h & 0x7fff) + 0x4780 moves 0x3880..0x477e, the high
 * halves of |s| in [2^-14, 65280), to 0x8000..0x8efe (mod 2^16), the bottom of i16, and
 * everything else above 0x8efe; its low half is 0. After hardKey16 fired, a step with no lane out
 * of that range (anyRange2/4) takes tie16, which costs less than fma16 and is shorter as a
 * dependency chain; the others (±0, subnormals, [65280, 2^16) and beyond, Inf, NaN) take fma16.
 */
// @ts-ignore: decorator
@inline function rangeKey16(s: v128): v128 {
  return i16x8.add(v128.and(s, v128.load(F16K, K_RANGEM)), v128.load(F16K, K_RANGEB));
}

/** Whether some lane of s0 or s1 is outside [2^-14, 65280) (see rangeKey16). */
// @ts-ignore: decorator
@inline export function anyRange2(s0: v128, s1: v128): bool {
  return anyKey(i16x8.max_s(rangeKey16(s0), rangeKey16(s1)), v128.load(F16K, K_RANGEL));
}

/** Whether some lane of s0..s3 is outside [2^-14, 65280) (see rangeKey16). */
// @ts-ignore: decorator
@inline export function anyRange4(s0: v128, s1: v128, s2: v128, s3: v128): bool {
  return anyKey(i16x8.max_s(i16x8.max_s(rangeKey16(s0), rangeKey16(s1)), i16x8.max_s(rangeKey16(s2), rangeKey16(s3))), v128.load(F16K, K_RANGEL));
}

/**
 * round16(acc + p) for lanes whose s = fl(acc + p) lies in [2^-14, 65280) (anyRange2/4 clear), the
 * same bits as fma16 there: p = a·b is exact (fma16, point 1) and 2Sum gives the error e of s
 * exactly. Off a midpoint, s and the exact sum round alike (lift16), so s is rounded to
 * nearest on its 13 dropped bits: + 0xfff + adj, then truncated; adj (0 or 1) decides only a
 * midpoint. There the exact sum s + e lies strictly between the two neighbours (|e| ≤ half an
 * f32 ulp of s, far below half a binary16 quantum): adj = 1 (away from zero) when e has s's sign,
 * 0 when not, and when e = 0 (a true tie) the parity of the kept bits, which rounds to even.
 * The integer adds never reach the sign bit: |s| < 65280.
 */
// @ts-ignore: decorator
@inline export function tie16(acc: v128, p: v128, s: v128): v128 {
  const bp = f32x4.sub(s, acc);
  const ap = f32x4.sub(s, bp);
  const e = f32x4.add(f32x4.sub(acc, ap), f32x4.sub(p, bp));
  const one = v128.load(F16K, 192 /* 1 */);
  const same = i32x4.add(i32x4.shr_s(v128.xor(e, s), 31), one);
  const odd = v128.and(i32x4.shr_u(s, 13), one);
  const adj = v128.bitselect(odd, same, f32x4.eq(e, f32x4.splat(0)));
  return v128.and(i32x4.add(i32x4.add(s, v128.load(F16K, K_0FFF)), adj), v128.load(F16K, K_TRUNC13));
}

/**
 * (abs − rebias + 0xfff + lsb) >> 13: the f16 bits of a normal-range |x| (abs = its f32 bits).
 * The shift is arithmetic, so an |x| with a zero f32 exponent (±0 and f32 subnormals, which
 * round to ±0) comes out negative, and i16x8.narrow_i32x4_u saturates it to 0: callers need no
 * zero mask.
 */
// rebias = i32x4 0xc8000fff and one = i32x4 1 are parameters, as are the constants of the *K
// forms below, for loops that load them once: V8 does not move a load out of a loop (see hardB).
// @ts-ignore: decorator
@inline export function roundNormal(a: v128, rebias: v128, one: v128): v128 {
  const lsb = v128.and(i32x4.shr_u(a, 13), one);
  return i32x4.shr_s(i32x4.add(i32x4.add(a, rebias), lsb), 13);
}

/**
 * f32x8_to_f16x8 with a fast path, same bits: when every |x| is in [2^-14, 65280) (a normal
 * half, no overflow possible) or has a zero f32 exponent (rounds to ±0), the high halves of
 * the floats give the sign and the range check on 8 lanes at once and the rounding is
 * roundNormal alone; otherwise the general conversion runs.
 */
// @ts-ignore: decorator
@inline export function f32x8_to_f16x8_auto(lo: v128, hi: v128): v128 {
  const h = high16(lo, hi);
  return i8x16.bitmask(fastLanes(h)) == 0xffff ? fastRow(lo, hi, h) : f32x8_to_f16x8(lo, hi);
}

/** The high 16 bits of 8 floats (an arithmetic shift keeps them in i16 range: the signed narrow is exact). */
// @ts-ignore: decorator
@inline export function high16(lo: v128, hi: v128): v128 {
  return i16x8.narrow_i32x4_s(i32x4.shr_s(lo, 16), i32x4.shr_s(hi, 16));
}

/** Lanes of `h` (f32 high halves) whose value f32x8_to_f16x8_auto's fast path converts. */
// @ts-ignore: decorator
@inline export function fastLanes(h: v128): v128 {
  return fastLanesK(h, v128.load(F16K, K_7FFF16), v128.load(F16K, K_NRM16), v128.load(F16K, K_NRMHI16));
}

/** fastLanes with m7fff = K_7FFF16, nrm = K_NRM16 and nrmHi = K_NRMHI16. */
// @ts-ignore: decorator
@inline export function fastLanesK(h: v128, m7fff: v128, nrm: v128, nrmHi: v128): v128 {
  const e = v128.and(h, m7fff);
  // e in [0x3880, 0x477e] (a normal half, no overflow) as one signed compare after moving the
  // range to the bottom of i16; or e = 0 (rounds to ±0).
  return v128.or(i16x8.lt_s(i16x8.add(e, nrm), nrmHi), i16x8.eq(e, i32x4.splat(0)));
}

/** The binary16 bits of 8 floats whose lanes all pass fastLanes (h = high16(lo, hi)). */
// @ts-ignore: decorator
@inline export function fastRow(lo: v128, hi: v128, h: v128): v128 {
  return fastRowK(lo, hi, h, v128.load(F16K, 96), v128.load(F16K, 128), v128.load(F16K, 192), v128.load(F16K, K_SIGN16));
}

/** fastRow with abs = i32x4 0x7fffffff, rebias and one (roundNormal), sign = K_SIGN16. */
// @ts-ignore: decorator
@inline export function fastRowK(lo: v128, hi: v128, h: v128, abs: v128, rebias: v128, one: v128, sign: v128): v128 {
  const n = i16x8.narrow_i32x4_u(roundNormal(v128.and(lo, abs), rebias, one), roundNormal(v128.and(hi, abs), rebias, one));
  return v128.or(n, v128.and(h, sign));
}

/**
 * Stores a 4×8 f32 tile (rows r·l, r·h) as binary16 at c0..c3 (8 halves each; c3 first, so
 * aliased row pointers end with the lowest row's values). Same bits as f32x8_to_f16x8_auto per
 * row, with one range check for the whole tile: the microkernels' store costs ~30% less
 * (fewer branches, fewer spilled accumulators), which matters at small K (1×1 convolutions).
 * Each row's fast-path result is stored before the check, and a tile that fails it is stored
 * again, whole, by the general conversion (same row order, so aliased rows still end right):
 * each row's high halves die at its store instead of all four waiting for the check, and the
 * GEMM kernel's binary16 store took ~40% less time (256³: 16 against 27 µs over the f32 store,
 * 2026-11-24); the IGEMM kernel's did not change.
 */
// @ts-ignore: decorator
@inline export function store4x8_f16(c0: usize, c1: usize, c2: usize, c3: usize,
  a0l: v128, a0h: v128, a1l: v128, a1h: v128, a2l: v128, a2h: v128, a3l: v128, a3h: v128): void {
  let h = high16(a3l, a3h);
  let ok = fastLanes(h);
  v128.store(c3, fastRow(a3l, a3h, h));
  ok = storeFastRow(c2, a2l, a2h, ok);
  ok = storeFastRow(c1, a1l, a1h, ok);
  ok = storeFastRow(c0, a0l, a0h, ok);
  if (i8x16.bitmask(ok) != 0xffff) {
    v128.store(c3, f32x8_to_f16x8(a3l, a3h)); v128.store(c2, f32x8_to_f16x8(a2l, a2h));
    v128.store(c1, f32x8_to_f16x8(a1l, a1h)); v128.store(c0, f32x8_to_f16x8(a0l, a0h));
  }
}

/** Stores the fast-path binary16 bits of the row (lo, hi) at c; returns `ok` and the lanes that path converts right (fastLanes). */
// @ts-ignore: decorator
@inline function storeFastRow(c: usize, lo: v128, hi: v128, ok: v128): v128 {
  const h = high16(lo, hi);
  ok = v128.and(ok, fastLanes(h));
  v128.store(c, fastRow(lo, hi, h));
  return ok;
}

/**
 * The 'f16-exact' kernels' output: 8 accumulators (binary16 values in f32 lanes) clamped to
 * [vlo, vhi] and converted (exactly), a NaN as 0x7e00, the RISC-V canonical NaN an FP16 FPU
 * produces.
 */
// @ts-ignore: decorator
@inline export function exactHalves8(acc0: v128, acc1: v128, vlo: v128, vhi: v128): v128 {
  const l = f32x4.pmin(f32x4.pmax(acc0, vlo), vhi);
  const h = f32x4.pmin(f32x4.pmax(acc1, vlo), vhi);
  const nan = i16x8.narrow_i32x4_s(f32x4.ne(l, l), f32x4.ne(h, h));
  return v128.bitselect(i16x8.splat(0x7e00), f32x8_to_f16x8(l, h), nan);
}

/** Stores the first n (0..7) of the 8 halves in h at c. */
// @ts-ignore: decorator
@inline export function storeHalves(c: usize, h: v128, n: i32): void {
  if (n & 4) { v128.store64_lane(c, h, 0); h = i64x2.shuffle(h, h, 1, 1); c += 8; }
  if (n & 2) { v128.store32_lane(c, h, 0); h = i32x4.shuffle(h, h, 1, 1, 1, 1); c += 4; }
  if (n & 1) v128.store16_lane(c, h, 0);
}

/** Stores the first min(n, 8) of the 8 halves in h at c (n ≥ 1). */
// @ts-ignore: decorator
@inline export function storeHalvesUpTo8(c: usize, h: v128, n: i32): void {
  if (n >= 8) v128.store(c, h);
  else storeHalves(c, h, n);
}

/**
 * The epilogue of the 4×8 f32-accumulating f16 kernels: clamps (an infinite bound is skipped:
 * pmax(acc, −Inf) = acc; pmax/pmin return acc itself when it is NaN, so NaN goes through), then
 * stores min(n, 8) binary16 columns per row, the last row first (rows past mr alias the last
 * valid row, which so keeps its own values).
 */
// @ts-ignore: decorator
@inline export function storeTile4x8_f16(c0: usize, c1: usize, c2: usize, c3: usize,
  a0l: v128, a0h: v128, a1l: v128, a1h: v128, a2l: v128, a2h: v128, a3l: v128, a3h: v128,
  vlo: v128, vhi: v128, clampLo: bool, clampHi: bool, n: i32): void {
  if (clampLo) {
    a0l = f32x4.pmax(a0l, vlo); a0h = f32x4.pmax(a0h, vlo); a1l = f32x4.pmax(a1l, vlo); a1h = f32x4.pmax(a1h, vlo);
    a2l = f32x4.pmax(a2l, vlo); a2h = f32x4.pmax(a2h, vlo); a3l = f32x4.pmax(a3l, vlo); a3h = f32x4.pmax(a3h, vlo);
  }
  if (clampHi) {
    a0l = f32x4.pmin(a0l, vhi); a0h = f32x4.pmin(a0h, vhi); a1l = f32x4.pmin(a1l, vhi); a1h = f32x4.pmin(a1h, vhi);
    a2l = f32x4.pmin(a2l, vhi); a2h = f32x4.pmin(a2h, vhi); a3l = f32x4.pmin(a3l, vhi); a3h = f32x4.pmin(a3h, vhi);
  }
  if (n >= 8) {
    store4x8_f16(c0, c1, c2, c3, a0l, a0h, a1l, a1h, a2l, a2h, a3l, a3h);
  } else {
    storeHalves(c3, f32x8_to_f16x8_auto(a3l, a3h), n); storeHalves(c2, f32x8_to_f16x8_auto(a2l, a2h), n);
    storeHalves(c1, f32x8_to_f16x8_auto(a1l, a1h), n); storeHalves(c0, f32x8_to_f16x8_auto(a0l, a0h), n);
  }
}
