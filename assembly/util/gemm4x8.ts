// The 4×8 f32-accumulating GEMM and IGEMM loops, shared by the kernels that store f32 (f32-gemm,
// f32-igemm) and the one that stores binary16 (f16-f32acc-gemm). O is the output
// element, f32 or u16 (binary16 bits), chosen at compile time: the f16 kernels are the f32 ones
// with a rounding store, so they give round16 of the f32 result by construction, and the loops
// compile to the same code as when each kernel had its own copy.
import { storeTile4x8 } from './tile';
import { storeTile4x8_f16 } from './f16';

/** min(n, 4) floats at p in the low lanes, the others 0 (n ≤ 0: all 0); reads nothing past them. */
// @ts-ignore: decorator
@inline export function loadUpTo4(p: usize, n: i32): v128 {
  if (n >= 4) return v128.load(p);
  if (n <= 0) return f32x4.splat(0);
  const v = n >= 2 ? v128.load64_zero(p) : v128.load32_zero(p);
  return n == 3 ? f32x4.replace_lane(v, 2, load<f32>(p, 8)) : v;
}

/** The clamped 4×8 tile stored as O: f32, or binary16 rounded to nearest even. */
// @ts-ignore: decorator
@inline function storeTile<O>(c0: usize, c1: usize, c2: usize, c3: usize,
  a0l: v128, a0h: v128, a1l: v128, a1h: v128, a2l: v128, a2h: v128, a3l: v128, a3h: v128,
  vlo: v128, vhi: v128, clampLo: bool, clampHi: bool, n: i32): void {
  if (isFloat<O>()) storeTile4x8(c0, c1, c2, c3, a0l, a0h, a1l, a1h, a2l, a2h, a3l, a3h, vlo, vhi, n);
  else storeTile4x8_f16(c0, c1, c2, c3, a0l, a0h, a1l, a1h, a2l, a2h, a3l, a3h, vlo, vhi, clampLo, clampHi, n);
}

/**
 * C[0..mr)[0..nc) = clamp(bias + A·B, vmin, vmax) as O, A packed ([kc][4] floats, x32-packx), w
 * the f32-packw panels ([bias 8][kc × 8] per 8 columns), row i of C at c + i·cStride bytes.
 * Order: bias, k ascending, mul then add (no FMA).
 */
// @ts-ignore: decorator
@inline export function gemm4x8<O>(mr: i32, nc: i32, kc: i32, a: usize, w: usize, c: usize, cStride: usize, vmin: f32, vmax: f32): void {
  tile4x8<O>(false, mr, nc, kc, 1, a, w, c, cStride, 0, 0, vmin, vmax, false);
}

/**
 * m output pixels (tiles of 4, the last one partial) × nc channels of an indirect GEMM, as O:
 * C[i][j] = clamp(bias[j] + Σ_{s<ks} Σ_{c<kc} X_s,i[c] · W[s·kc + c][j], vmin, vmax). `a` holds
 * the indirection entries [ceil(m/4)][ks][4] (byte offsets from the image, 0xFFFFFFFF for a
 * padding tap, which reads `zero`); `params` is { aOffset u32, zero u32, vmin f32, vmax f32,
 * accumulate u32, 0, 0, 0 } (f32-igemm/4x8-simd.ts has the whole contract). Order: bias (or,
 * accumulating, the values in C), taps ascending, channels ascending within a tap, mul then add:
 * the gemm4x8 order with K = ks·kc. The tile loop runs here rather than in the driver: a
 * JS→wasm call per 4 pixels cost ~8% on small convolutions.
 */
// @ts-ignore: decorator
@inline export function igemm4x8<O>(m: i32, nc: i32, kc: i32, ks: i32, a: usize, w: usize, c: usize, cStride: usize, params: usize): void {
  const aOffset = <usize>load<u32>(params);
  const zero = <usize>load<u32>(params, 4);
  const vmin = load<f32>(params, 8);
  const vmax = load<f32>(params, 12);
  const accumulate = load<u32>(params, 16) != 0;
  const tileA = (<usize>ks) << 4;
  const tileC = cStride << 2;
  for (let m0 = 0; m0 < m; m0 += 4) {
    tile4x8<O>(true, min(4, m - m0), nc, kc, ks, a, w, c, cStride, aOffset, zero, vmin, vmax, accumulate);
    a += tileA;
    c += tileC;
  }
}

/**
 * One tile of up to 4 rows × nc columns, panel by panel. `indirect` is a constant at each call
 * (inlined, so the other loop is compiled out): false, A is a packed tile (the four A splats of
 * a k-step come from one pointer at immediate offsets 0, 4, 8, 12 and the loop advances two
 * pointers; unpacked rows cost an address computation per row per k-step, which left V8's loop
 * issue-bound at ~70% of peak); true, each of the ks taps gives four row pointers through the
 * indirection (read with load32_splat, a load-port op, not a shuffle; five pointers advance).
 * Either way 8 accumulators + 2 B loads + 4 splats + 1 temporary = 15 SIMD registers, V8's
 * limit on x64 without spills.
 */
// @ts-ignore: decorator
@inline function tile4x8<O>(
  indirect: bool,
  mr: i32, nc: i32, kc: i32, ks: i32,
  a: usize,
  w: usize,
  c: usize, cStride: usize,
  aOffset: usize, zero: usize,
  vmin: f32, vmax: f32,
  accumulate: bool,
): void {
  let c0 = c;
  let c1 = c0 + cStride;
  if (mr < 2) c1 = c0;
  let c2 = c1 + cStride;
  if (mr <= 2) c2 = c1;
  let c3 = c2 + cStride;
  if (mr != 4) c3 = c2;
  const kcBytes = (<usize>kc) << 2;
  const aEnd = a + ((<usize>(indirect ? ks : kc)) << 4);
  const vlo = f32x4.splat(vmin);
  const vhi = f32x4.splat(vmax);
  const clampLo = vmin != -Infinity, clampHi = vmax != Infinity;
  let nLeft = nc;
  while (true) {
    let acc0l = v128.load(w);
    let acc0h = v128.load(w, 16);
    let acc1l = acc0l; let acc1h = acc0h;
    let acc2l = acc0l; let acc2h = acc0h;
    let acc3l = acc0l; let acc3h = acc0h;
    if (accumulate) {
      acc0l = loadUpTo4(c0, nLeft); acc0h = loadUpTo4(c0 + 16, nLeft - 4);
      acc1l = loadUpTo4(c1, nLeft); acc1h = loadUpTo4(c1 + 16, nLeft - 4);
      acc2l = loadUpTo4(c2, nLeft); acc2h = loadUpTo4(c2 + 16, nLeft - 4);
      acc3l = loadUpTo4(c3, nLeft); acc3h = loadUpTo4(c3 + 16, nLeft - 4);
    }
    w += 32;
    if (indirect) {
      let ip = a;
      do {
        let a0 = <usize>load<u32>(ip);
        let a1 = <usize>load<u32>(ip, 4);
        let a2 = <usize>load<u32>(ip, 8);
        let a3 = <usize>load<u32>(ip, 12);
        a0 = select<usize>(zero, a0 + aOffset, a0 == 0xFFFFFFFF);
        a1 = select<usize>(zero, a1 + aOffset, a1 == 0xFFFFFFFF);
        a2 = select<usize>(zero, a2 + aOffset, a2 == 0xFFFFFFFF);
        a3 = select<usize>(zero, a3 + aOffset, a3 == 0xFFFFFFFF);
        ip += 16;
        const a0End = a0 + kcBytes;
        do {
          const bl = v128.load(w);
          const bh = v128.load(w, 16);
          const va0 = v128.load32_splat(a0);
          const va1 = v128.load32_splat(a1);
          const va2 = v128.load32_splat(a2);
          const va3 = v128.load32_splat(a3);
          acc0l = f32x4.add(acc0l, f32x4.mul(va0, bl));
          acc0h = f32x4.add(acc0h, f32x4.mul(va0, bh));
          acc1l = f32x4.add(acc1l, f32x4.mul(va1, bl));
          acc1h = f32x4.add(acc1h, f32x4.mul(va1, bh));
          acc2l = f32x4.add(acc2l, f32x4.mul(va2, bl));
          acc2h = f32x4.add(acc2h, f32x4.mul(va2, bh));
          acc3l = f32x4.add(acc3l, f32x4.mul(va3, bl));
          acc3h = f32x4.add(acc3h, f32x4.mul(va3, bh));
          w += 32;
          a0 += 4; a1 += 4; a2 += 4; a3 += 4;
        } while (a0 < a0End);
      } while (ip < aEnd);
    } else {
      let ap = a;
      while (ap < aEnd) {
        const bl = v128.load(w);
        const bh = v128.load(w, 16);
        const va0 = v128.load32_splat(ap);
        const va1 = v128.load32_splat(ap, 4);
        const va2 = v128.load32_splat(ap, 8);
        const va3 = v128.load32_splat(ap, 12);
        acc0l = f32x4.add(acc0l, f32x4.mul(va0, bl));
        acc0h = f32x4.add(acc0h, f32x4.mul(va0, bh));
        acc1l = f32x4.add(acc1l, f32x4.mul(va1, bl));
        acc1h = f32x4.add(acc1h, f32x4.mul(va1, bh));
        acc2l = f32x4.add(acc2l, f32x4.mul(va2, bl));
        acc2h = f32x4.add(acc2h, f32x4.mul(va2, bh));
        acc3l = f32x4.add(acc3l, f32x4.mul(va3, bl));
        acc3h = f32x4.add(acc3h, f32x4.mul(va3, bh));
        w += 32;
        ap += 16;
      }
    }
    storeTile<O>(c0, c1, c2, c3, acc0l, acc0h, acc1l, acc1h, acc2l, acc2h, acc3l, acc3h, vlo, vhi, clampLo, clampHi, nLeft);
    if (nLeft <= 8) break;
    c0 += 8 * sizeof<O>(); c1 += 8 * sizeof<O>(); c2 += 8 * sizeof<O>(); c3 += 8 * sizeof<O>();
    nLeft -= 8;
  }
}
