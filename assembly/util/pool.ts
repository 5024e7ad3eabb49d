// The body of the pooling kernels written for one window size, 3×3 (9 taps: `nine`) or 2×2
// (4 taps), inlined into each with `nine` a constant (assembly/f32-maxpool/9p4c-simd.ts,
// 4p4c-simd.ts and their f32-avgpool twins; contract there). The tap addresses are resolved
// once per pixel, not once per 4 channels as in the generic kernels.
//
// Why integer maxima: V8 lowers f32x4.max to 8 x64 instructions (NaN and signed-zero fix-ups),
// i32x4.max_s/min_s to one. On the float bits as i32, the non-negative floats (+0 up to +Inf,
// then positive NaNs) order as their values, and sit above every negative float. So when the
// largest bits M are ≥ 0 (some tap ≥ +0), M is the maximum; when all taps are negative (−0
// included), the negatives order by magnitude reversed and the smallest bits are the maximum
// (−0, the smallest, wins as it should). A NaN (x86 makes them negative) can hide from both, so
// the taps are also summed: the sum is NaN when a tap is NaN (or holds both infinities), and
// such steps take f32x4.max. The maxima are exact, so any order gives the same bits.
// Why 4 channels per step: 8 (two vectors, 18 taps loaded per step) ran 1.40–1.46× slower for
// max pooling and 1.02–1.10× for average pooling (3×3; A/B runs of both builds in one process,
// in both orders, 2026-11-24); the steps of consecutive channels are independent, so the core
// overlaps them.

/** The maximum of taps whose bits are hi (the largest as i32) and lo (the smallest). */
// @ts-ignore: decorator
@inline function pick(hi: v128, lo: v128): v128 {
  return v128.bitselect(lo, hi, i32x4.shr_s(hi, 31));
}

// @ts-ignore: decorator
@inline function max4(x0: v128, x1: v128, x2: v128, x3: v128): v128 {
  return pick(i32x4.max_s(i32x4.max_s(x0, x1), i32x4.max_s(x2, x3)), i32x4.min_s(i32x4.min_s(x0, x1), i32x4.min_s(x2, x3)));
}

// @ts-ignore: decorator
@inline function max9(x0: v128, x1: v128, x2: v128, x3: v128, x4: v128, x5: v128, x6: v128, x7: v128, x8: v128): v128 {
  const hi = i32x4.max_s(i32x4.max_s(i32x4.max_s(x0, x1), i32x4.max_s(x2, x3)), i32x4.max_s(i32x4.max_s(x4, x5), i32x4.max_s(i32x4.max_s(x6, x7), x8)));
  const lo = i32x4.min_s(i32x4.min_s(i32x4.min_s(x0, x1), i32x4.min_s(x2, x3)), i32x4.min_s(i32x4.min_s(x4, x5), i32x4.min_s(i32x4.min_s(x6, x7), x8)));
  return pick(hi, lo);
}

/** Whether some lane's sum s is NaN (a NaN tap, or both infinities). */
// @ts-ignore: decorator
@inline function anyNaN(s: v128): bool {
  return v128.any_true(f32x4.ne(s, s));
}

// @ts-ignore: decorator
@inline function sum4(x0: v128, x1: v128, x2: v128, x3: v128): v128 {
  return f32x4.add(f32x4.add(x0, x1), f32x4.add(x2, x3));
}

/** The IEEE maximum (f32x4.max) of 4 taps, for the rare steps anyNaN flags. */
// @ts-ignore: decorator
@inline function fmax4(x0: v128, x1: v128, x2: v128, x3: v128): v128 {
  return f32x4.max(f32x4.max(x0, x1), f32x4.max(x2, x3));
}

/** The address tap entry e names: the pixel at base + e, or the padding row for 0xFFFFFFFF. */
// @ts-ignore: decorator
@inline function tapAddress(e: usize, base: usize, pad: usize): usize {
  return select<usize>(pad, e + base, e == 0xFFFFFFFF);
}

/**
 * One body for both kinds (`avg` and `nine` constants at each call site): per output pixel the
 * tap addresses once, then 4 channels per step. Max: integer maxima (above). Average: taps
 * ascending from +0, then one correctly rounded division by div[p] (unused for max).
 */
// @ts-ignore: decorator
@inline export function poolBody(channels: i32, pixels: i32, ind: usize, div: usize, out: usize, outStride: usize,
  aOffset: usize, pad: usize, nine: bool, avg: bool): void {
  const taps: usize = nine ? 9 : 4;
  for (let p = 0; p < pixels; p++) {
    const i0 = tapAddress(<usize>load<u32>(ind, 0), aOffset, pad), i1 = tapAddress(<usize>load<u32>(ind, 4), aOffset, pad);
    const i2 = tapAddress(<usize>load<u32>(ind, 8), aOffset, pad), i3 = tapAddress(<usize>load<u32>(ind, 12), aOffset, pad);
    let i4: usize = 0, i5: usize = 0, i6: usize = 0, i7: usize = 0, i8: usize = 0;
    if (nine) {
      i4 = tapAddress(<usize>load<u32>(ind, 16), aOffset, pad); i5 = tapAddress(<usize>load<u32>(ind, 20), aOffset, pad);
      i6 = tapAddress(<usize>load<u32>(ind, 24), aOffset, pad); i7 = tapAddress(<usize>load<u32>(ind, 28), aOffset, pad);
      i8 = tapAddress(<usize>load<u32>(ind, 32), aOffset, pad);
    }
    ind += taps << 2;
    let d: f32 = 1;
    if (avg) { d = load<f32>(div); div += 4; }
    const vd = f32x4.splat(d);
    let off: usize = 0;
    let cLeft = channels;
    while (cLeft >= 4) {
      const a0 = v128.load(i0 + off), a1 = v128.load(i1 + off), a2 = v128.load(i2 + off), a3 = v128.load(i3 + off);
      let r: v128;
      if (avg) {
        r = f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.splat(0), a0), a1), a2), a3);
        if (nine) {
          r = f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(r, v128.load(i4 + off)), v128.load(i5 + off)), v128.load(i6 + off)), v128.load(i7 + off)), v128.load(i8 + off));
        }
        r = f32x4.div(r, vd);
      } else if (nine) {
        const a4 = v128.load(i4 + off), a5 = v128.load(i5 + off), a6 = v128.load(i6 + off), a7 = v128.load(i7 + off), a8 = v128.load(i8 + off);
        r = anyNaN(f32x4.add(f32x4.add(sum4(a0, a1, a2, a3), sum4(a4, a5, a6, a7)), a8))
          ? f32x4.max(f32x4.max(fmax4(a0, a1, a2, a3), fmax4(a4, a5, a6, a7)), a8) : max9(a0, a1, a2, a3, a4, a5, a6, a7, a8);
      } else {
        r = anyNaN(sum4(a0, a1, a2, a3)) ? fmax4(a0, a1, a2, a3) : max4(a0, a1, a2, a3);
      }
      v128.store(out + off, r);
      off += 16; cLeft -= 4;
    }
    while (cLeft > 0) {
      const x0 = load<f32>(i0 + off), x1 = load<f32>(i1 + off), x2 = load<f32>(i2 + off), x3 = load<f32>(i3 + off);
      let r: f32;
      if (avg) {
        r = <f32>0 + x0 + x1 + x2 + x3;
        if (nine) r = r + load<f32>(i4 + off) + load<f32>(i5 + off) + load<f32>(i6 + off) + load<f32>(i7 + off) + load<f32>(i8 + off);
        r = r / d;
      } else {
        r = max<f32>(max<f32>(x0, x1), max<f32>(x2, x3));
        if (nine) {
          r = max<f32>(max<f32>(r, max<f32>(load<f32>(i4 + off), load<f32>(i5 + off))),
            max<f32>(max<f32>(load<f32>(i6 + off), load<f32>(i7 + off)), load<f32>(i8 + off)));
        }
      }
      store<f32>(out + off, r);
      off += 4; cLeft--;
    }
    out += outStride;
  }
}
