// The bodies of the quantized depthwise kernels (qs8/qu8-qc8w-dwconv, any window and 3×3),
// which differ only in how activations are widened to i16 (`signed`, a constant at each
// inlined call site). Contract: see assembly/qs8-qc8w-dwconv/x8-simd.ts.
//
// Taps go in pairs through i32x4.dot_i16x8_s: the two taps' activations interleaved per
// channel (one unpack each for channels 0–3 and 4–7) against weights packed interleaved the
// same way, so one dot gives 4 channels × 2 taps. That is 2 multiply instructions per 16
// multiply-adds where extmul_low/high needed 6 (V8 builds each from pmullw, pmulhw and an
// unpack). A window with an odd number of taps pairs its last tap with zero weights. Integer
// sums are exact and |x·w| ≤ 255·128, so the order does not change a bit.
import { requant8, narrowClamp, storeTail2, storeTailI32, P_MODE, P_SHIFT, P_RND, P_ZP, P_UNSIGNED, P_LO, P_HI } from './requant';

/** Activations of 8 channels at `row` widened to i16; the last group of n < 8 loads lane by lane. */
// @ts-ignore: decorator
@inline function load8(row: usize, n: i32, signed: bool): v128 {
  if (n == 8) return signed ? v128.load8x8_s(row) : v128.load8x8_u(row);
  return loadTail(row, n, signed);
}

// Not inlined: only a channel tail takes it, and inlined at every tap it costs kilobytes of wasm.
function loadTail(row: usize, n: i32, signed: bool): v128 {
  let v: u64 = 0;
  for (let l = 0; l < n; l++) v |= (<u64>load<u8>(row + <usize>l)) << (<u64>(l << 3));
  const b = i64x2.splat(<i64>v);
  return signed ? i16x8.extend_low_i8x16_s(b) : i16x8.extend_low_i8x16_u(b);
}

/** acc += the products of one tap pair: x0, x1 the pair's activations, w its 32 packed bytes. */
// @ts-ignore: decorator
@inline function pairLo(x0: v128, x1: v128, w: usize): v128 {
  return i32x4.dot_i16x8_s(v128.shuffle<u16>(x0, x1, 0, 8, 1, 9, 2, 10, 3, 11), v128.load(w));
}
// @ts-ignore: decorator
@inline function pairHi(x0: v128, x1: v128, w: usize): v128 {
  return i32x4.dot_i16x8_s(v128.shuffle<u16>(x0, x1, 4, 12, 5, 13, 6, 14, 7, 15), v128.load(w, 16));
}

/** Requantizes (or stores as i32) 8 channels' sums at `co`, n of them. */
// @ts-ignore: decorator
@inline function store8(co: usize, accl: v128, acch: v128, n: i32, sp: usize, mode: i32, e: i32, rnd: v128, zp: v128,
  unsigned: i32, lo: v128, hi: v128): void {
  if (mode == 2) {
    if (n == 8) { v128.store(co, accl); v128.store(co, acch, 16); } else storeTailI32(co, accl, acch, n);
  } else {
    const r = requant8(accl, acch, v128.load(sp), v128.load(sp, 16), mode, e, rnd, zp);
    const o = narrowClamp(r, r, unsigned, lo, hi);
    if (n == 8) v128.store64_lane(co, o, 0); else storeTail2(co, co, o, n);
  }
}

/**
 * One group of n ≤ 8 channels at byte `off`, any window: its taps read pair by pair through
 * the indirection entries at `ai`. The kernels call it for whole groups (n = 8, the channel
 * count checks folded away) and once for a short last group: 1.55–1.67× faster than checking
 * n at every tap (2026-11-24, docs/quant.md).
 */
// @ts-ignore: decorator
@inline function groupAny(ai: usize, ks: i32, off: usize, n: i32, wp: usize, aOffset: usize, zero: usize, bias: usize, s: usize,
  ci: usize, outBytes: usize, mode: i32, e: i32, rnd: v128, zp: v128, unsigned: i32, lo: v128, hi: v128, signed: bool): void {
  let accl = v128.load(bias + (off << 2));
  let acch = v128.load(bias + (off << 2), 16);
  for (let t = 0; t < ks; t += 2) {
    const e0 = load<u32>(ai + (<usize>t << 2));
    const x0 = load8((e0 == 0xFFFFFFFF ? zero : aOffset + <usize>e0) + off, n, signed);
    let x1 = x0; // an odd window's last tap: its pair's weights are zero
    if (t + 1 < ks) {
      const e1 = load<u32>(ai + (<usize>t << 2), 4);
      x1 = load8((e1 == 0xFFFFFFFF ? zero : aOffset + <usize>e1) + off, n, signed);
    }
    accl = i32x4.add(accl, pairLo(x0, x1, wp));
    acch = i32x4.add(acch, pairHi(x0, x1, wp));
    wp += 32;
  }
  store8(ci + off * outBytes, accl, acch, n, s + (off << 2), mode, e, rnd, zp, unsigned, lo, hi);
}

/**
 * One group of n ≤ 8 channels at byte `off` of a 3×3 window (the kernels' `nine` path): bias,
 * the 5 tap pairs (the last pairs tap 8 with zero weights), the store. With `pin` (whole groups
 * only: a group of fewer channels owns fewer than 8 output bytes) the partial sums after taps
 * 0–3 and 4–7 are stored to the group's own output bytes, which the final store overwrites.
 * TurboFan keeps loads in program order and sinks arithmetic to its use: without those stores
 * every activation and weight of the group is loaded first and six of them spill. The stores,
 * and whole groups without the per-tap channel-count check, made the 3×3 kernels 1.31–1.42×
 * faster (2026-11-24, docs/quant.md).
 */
// @ts-ignore: decorator
@inline function group9(t0: usize, t1: usize, t2: usize, t3: usize, t4: usize, t5: usize, t6: usize, t7: usize, t8: usize,
  off: usize, n: i32, wp: usize, bias: usize, s: usize, ci: usize, outBytes: usize, mode: i32, e: i32, rnd: v128, zp: v128,
  unsigned: i32, lo: v128, hi: v128, signed: bool, pin: bool): void {
  const co = ci + off * outBytes;
  let accl = v128.load(bias + (off << 2));
  let acch = v128.load(bias + (off << 2), 16);
  let x0 = load8(t0 + off, n, signed), x1 = load8(t1 + off, n, signed);
  accl = i32x4.add(accl, pairLo(x0, x1, wp)); acch = i32x4.add(acch, pairHi(x0, x1, wp));
  x0 = load8(t2 + off, n, signed); x1 = load8(t3 + off, n, signed);
  accl = i32x4.add(accl, pairLo(x0, x1, wp + 32)); acch = i32x4.add(acch, pairHi(x0, x1, wp + 32));
  if (pin) v128.store64_lane(co, i32x4.add(accl, acch), 0);
  x0 = load8(t4 + off, n, signed); x1 = load8(t5 + off, n, signed);
  accl = i32x4.add(accl, pairLo(x0, x1, wp + 64)); acch = i32x4.add(acch, pairHi(x0, x1, wp + 64));
  x0 = load8(t6 + off, n, signed); x1 = load8(t7 + off, n, signed);
  accl = i32x4.add(accl, pairLo(x0, x1, wp + 96)); acch = i32x4.add(acch, pairHi(x0, x1, wp + 96));
  if (pin) v128.store64_lane(co, i32x4.add(accl, acch), 0);
  x0 = load8(t8 + off, n, signed);
  accl = i32x4.add(accl, pairLo(x0, x0, wp + 128)); acch = i32x4.add(acch, pairHi(x0, x0, wp + 128));
  store8(co, accl, acch, n, s + (off << 2), mode, e, rnd, zp, unsigned, lo, hi);
}

/**
 * The kernels' body: any window with taps read through the indirection entries pair by pair,
 * or (`nine`, a constant at each call site, ks = 9) 3×3 windows with the 9 tap addresses
 * resolved once per pixel and every group of 8 channels running its 5 tap pairs unrolled (the
 * last pairs tap 8 with zero weights).
 */
// @ts-ignore: decorator
@inline export function dwconvX8(m: i32, ch: i32, ks: i32, a: usize, w: usize, bias: usize, s: usize, c: usize, params: usize,
  signed: bool, nine: bool): void {
  const aOffset = <usize>load<u32>(params);
  const zero = <usize>load<u32>(params, 4);
  const cStride = <usize>load<u32>(params, 8);
  const rq = params + 16;
  const mode = load<i32>(rq, P_MODE);
  const e = load<i32>(rq, P_SHIFT);
  const rnd = v128.load(rq, P_RND);
  const zp = v128.load(rq, P_ZP);
  const unsigned = load<i32>(rq, P_UNSIGNED);
  const lo = v128.load(rq, P_LO);
  const hi = v128.load(rq, P_HI);
  const outBytes: usize = mode == 2 ? 4 : 1;
  const groupBytes = <usize>((ks + 1) >> 1) << 5;
  for (let i = 0; i < m; i++) {
    const ai = a + <usize>i * (<usize>ks << 2);
    const ci = c + <usize>i * cStride;
    if (nine) {
      let t0 = <usize>load<u32>(ai, 0); t0 = t0 == 0xFFFFFFFF ? zero : aOffset + t0;
      let t1 = <usize>load<u32>(ai, 4); t1 = t1 == 0xFFFFFFFF ? zero : aOffset + t1;
      let t2 = <usize>load<u32>(ai, 8); t2 = t2 == 0xFFFFFFFF ? zero : aOffset + t2;
      let t3 = <usize>load<u32>(ai, 12); t3 = t3 == 0xFFFFFFFF ? zero : aOffset + t3;
      let t4 = <usize>load<u32>(ai, 16); t4 = t4 == 0xFFFFFFFF ? zero : aOffset + t4;
      let t5 = <usize>load<u32>(ai, 20); t5 = t5 == 0xFFFFFFFF ? zero : aOffset + t5;
      let t6 = <usize>load<u32>(ai, 24); t6 = t6 == 0xFFFFFFFF ? zero : aOffset + t6;
      let t7 = <usize>load<u32>(ai, 28); t7 = t7 == 0xFFFFFFFF ? zero : aOffset + t7;
      let t8 = <usize>load<u32>(ai, 32); t8 = t8 == 0xFFFFFFFF ? zero : aOffset + t8;
      let wp = w;
      const full = ch & ~7;
      for (let c0 = 0; c0 < full; c0 += 8, wp += 160) {
        group9(t0, t1, t2, t3, t4, t5, t6, t7, t8, <usize>c0, 8, wp, bias, s, ci, outBytes, mode, e, rnd, zp, unsigned, lo, hi, signed, true);
      }
      if (full < ch) {
        group9(t0, t1, t2, t3, t4, t5, t6, t7, t8, <usize>full, ch - full, wp, bias, s, ci, outBytes, mode, e, rnd, zp, unsigned, lo, hi, signed, false);
      }
    } else {
      const full = ch & ~7;
      for (let c0 = 0; c0 < full; c0 += 8) groupAny(ai, ks, <usize>c0, 8, w + (<usize>(c0 >> 3)) * groupBytes, aOffset, zero,
        bias, s, ci, outBytes, mode, e, rnd, zp, unsigned, lo, hi, signed);
      if (full < ch) groupAny(ai, ks, <usize>full, ch - full, w + (<usize>(full >> 3)) * groupBytes, aOffset, zero,
        bias, s, ci, outBytes, mode, e, rnd, zp, unsigned, lo, hi, signed);
    }
  }
}
