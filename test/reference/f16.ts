// binary16 oracles in f64. Not kernels: clarity over speed. Independent of the kernels' bit
// tricks: values are decoded arithmetically and rounded by scaling and exact f64 comparisons.
import { outSize } from './conv.js';

const f32buf = new Float32Array(1);
const u32buf = new Uint32Array(f32buf.buffer);

/** The value of binary16 bits (NaN for every NaN). */
export function f16Value(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1024 + m) * 2 ** (e - 25);
}

/** Binary16 bits of the nearest half to x (ties to even); ±Inf on overflow; NaN → 0x7e00 with x's sign unknown. */
export function round16Bits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const ax = Math.abs(x);
  if (ax >= 65520) return sign | 0x7c00;
  // Exponent of ax, clamped to the subnormal grid; scaling by powers of two is exact in f64.
  let e = ax === 0 ? -14 : Math.floor(Math.log2(ax));
  if (ax !== 0 && 2 ** e > ax) e--;
  if (ax !== 0 && 2 ** (e + 1) <= ax) e++;
  e = Math.max(e, -14);
  const q = ax / 2 ** (e - 10); // in [0, 2048): the significand on the f16 grid, exact
  let r = Math.floor(q);
  const frac = q - r;
  if (frac > 0.5 || (frac === 0.5 && (r & 1) === 1)) r++;
  // r·2^(e−10) → bits: r ≥ 1024 means a normal number with exponent e (r = 2048 carries over).
  const v = r * 2 ** (e - 10);
  if (v >= 65536) return sign | 0x7c00;
  if (r === 0) return sign;
  let ee = e, rr = r;
  if (rr === 2048) { rr = 1024; ee++; }
  if (rr < 1024) return sign | rr; // subnormal (e = −14)
  return sign | ((ee + 15) << 10) | (rr - 1024);
}

/** The value of round16Bits(x). */
export const round16 = (x: number) => f16Value(round16Bits(x));

/** f32 bits → the f16 bits lanewise's conversion gives, NaN rule included (docs/f16.md). */
export function f32BitsToF16Expected(bits: number, oracle: (x: number) => number): number {
  const abs = bits & 0x7fffffff;
  const sign = (bits >>> 16) & 0x8000;
  if (abs > 0x7f800000) return sign | 0x7e00 | ((abs >>> 13) & 0x3ff);
  u32buf[0] = bits;
  return oracle(f32buf[0]);
}

/** f16 bits → the f32 bits lanewise's conversion gives, NaN rule included. */
export function f16ToF32BitsExpected(h: number, oracle: (h: number) => number): number {
  if ((h & 0x7fff) > 0x7c00) return (((h & 0x8000) << 16) | 0x7fc00000 | ((h & 0x3ff) << 13)) >>> 0;
  f32buf[0] = oracle(h);
  return u32buf[0];
}

function clamp(s: number, min: number, max: number): number {
  if (s < min) return min;
  if (s > max) return max;
  return s;
}

/**
 * 'f16' precision: the f32 GEMM's documented order on the widened operands (acc = bias, then
 * acc = fl32(acc + fl32(a·b)) for k ascending), clamp, then one rounding to binary16.
 * a: m×k halves, b: k×n halves, bias: n halves or null. Returns m×n halves.
 */
export function gemmF16Fast(m: number, n: number, k: number, a: Uint16Array, b: Uint16Array,
  bias: Uint16Array | null, min = -Infinity, max = Infinity): Uint16Array {
  const f = Math.fround;
  const av = Float64Array.from(a, f16Value), bv = Float64Array.from(b, f16Value);
  const c = new Uint16Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = bias ? f16Value(bias[j]) : 0;
      for (let p = 0; p < k; p++) s = f(s + f(av[i * k + p] * bv[p * n + j]));
      c[i * n + j] = round16Bits(clamp(s, min, max));
    }
  }
  return c;
}

/**
 * 'f16-exact' precision: an FP16 FMA unit. acc = bias; for k ascending acc = round16(acc + a·b)
 * computed as one f64 multiply and one f64 add, then one rounding to binary16.
 *
 * Why f64 is exact enough (with a = a_k, b = b_k, acc all binary16, finite):
 *  - a·b is exact in f64: ≤ 22 significant bits, |a·b| in [2^-48, 2^32) (or 0), far inside
 *    f64's normal range.
 *  - acc + a·b may be inexact in f64, but rounding it to f64 first never changes the binary16
 *    result. If |a·b| ≥ 2^17, then |acc| ≤ 65504 < 2^16 makes |sum| > 2^16 ≥ 65520 both
 *    exactly and in f64: ±Inf either way. Otherwise let t = the top bit position of the larger
 *    term. If a·b is the larger term (or equal), the sum's bits lie between 2^(t+1) ≤ 2^17 and
 *    2^min(−24, t−21): for t ≥ −3 at most 17 + 24 = 41 positions, for t < −3 at most 22
 *    (acc's bits, all ≥ 2^-24, then lie above 2^(t−21)), so the f64 sum is exact. If acc is the larger term, an inexact f64 sum
 *    needs > 53 positions from 2^(t+1) down to a·b's lowest bit, hence |a·b| < 2^(t−31); the
 *    exact sum and its f64 rounding then both lie within 2^(t−31) of acc, a binary16 number
 *    whose nearest rounding midpoints are ≥ 2^(t−12) away (2^(t−11)/2 above, and at least a
 *    quarter ulp below a power of two), so both round to acc.
 *  The result is the binary16 rounding of the exact sum, as the FMA unit computes it.
 * NaN results are 0x7e00 (RISC-V canonical NaN). Returns m×n halves.
 */
export function gemmF16Exact(m: number, n: number, k: number, a: Uint16Array, b: Uint16Array,
  bias: Uint16Array | null, min = -Infinity, max = Infinity): Uint16Array {
  const av = Float64Array.from(a, f16Value), bv = Float64Array.from(b, f16Value);
  const c = new Uint16Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = bias ? f16Value(bias[j]) : 0;
      for (let p = 0; p < k; p++) acc = round16(acc + av[i * k + p] * bv[p * n + j]);
      const r = clamp(acc, min, max);
      c[i * n + j] = Number.isNaN(r) ? 0x7e00 : round16Bits(r);
    }
  }
  return c;
}

/** The same as gemmF16Exact but rounding the f32 sum naively (no round-to-odd): a wrong
 * emulation, used only to show that the test data reaches the double-rounding cases. */
export function gemmF16NaiveF32(m: number, n: number, k: number, a: Uint16Array, b: Uint16Array, bias: Uint16Array | null): Uint16Array {
  const f = Math.fround;
  const av = Float64Array.from(a, f16Value), bv = Float64Array.from(b, f16Value);
  const c = new Uint16Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = bias ? f16Value(bias[j]) : 0;
      for (let p = 0; p < k; p++) acc = round16(f(acc + av[i * k + p] * bv[p * n + j]));
      c[i * n + j] = Number.isNaN(acc) ? 0x7e00 : round16Bits(acc);
    }
  }
  return c;
}

export function transpose16(rows: number, cols: number, x: Uint16Array): Uint16Array {
  const out = new Uint16Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = x[i * cols + j];
  return out;
}

/** n random halves: uniform values in [lo, hi) rounded to binary16. */
export function randomF16(n: number, r: () => number, lo = -1, hi = 1): Uint16Array {
  const out = new Uint16Array(n);
  for (let i = 0; i < n; i++) out[i] = round16Bits(lo + (hi - lo) * r());
  return out;
}

/** NHWC × OHWI convolution geometry (as test/reference/conv.ts), padding resolved. */
export interface F16ConvGeometry {
  n: number; ih: number; iw: number; ci: number;
  co: number; kh: number; kw: number; groups: number;
  sh: number; sw: number; dh: number; dw: number;
  pt: number; pb: number; pl: number; pr: number;
}

/**
 * 'f16-exact' convolution: acc = bias; for each tap (kh, kw) ascending and each input channel
 * of the group ascending acc = round16(acc + x·w) (f64 FMA, one rounding; x = +0 on padding
 * taps, i.e. the step adds 0·w), then clamp. x, w (OHWI), bias: binary16 bits. Returns halves.
 */
export function conv2dF16Exact(x: Uint16Array, w: Uint16Array, bias: Uint16Array | null, g: F16ConvGeometry,
  min = -Infinity, max = Infinity): { oh: number; ow: number; out: Uint16Array } {
  const [oh, ow] = outSize(g);
  const cig = g.ci / g.groups, og = g.co / g.groups;
  const xv = Float64Array.from(x, f16Value), wv = Float64Array.from(w, f16Value);
  const out = new Uint16Array(g.n * oh * ow * g.co);
  for (let b = 0; b < g.n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        for (let o = 0; o < g.co; o++) {
          const grp = Math.floor(o / og);
          let acc = bias ? f16Value(bias[o]) : 0;
          for (let ky = 0; ky < g.kh; ky++) {
            for (let kx = 0; kx < g.kw; kx++) {
              const iy = oy * g.sh - g.pt + ky * g.dh, ix = ox * g.sw - g.pl + kx * g.dw;
              const inside = iy >= 0 && iy < g.ih && ix >= 0 && ix < g.iw;
              for (let c = 0; c < cig; c++) {
                const xx = inside ? xv[((b * g.ih + iy) * g.iw + ix) * g.ci + grp * cig + c] : 0;
                acc = round16(acc + xx * wv[((o * g.kh + ky) * g.kw + kx) * cig + c]);
              }
            }
          }
          const r = clamp(acc, min, max);
          out[((b * oh + oy) * ow + ox) * g.co + o] = Number.isNaN(r) ? 0x7e00 : round16Bits(r);
        }
      }
    }
  }
  return { oh, ow, out };
}

/**
 * im2col of image b, group gi: row p = output pixel (row-major), K = kh·kw·cig halves per row,
 * taps ascending then the group's channels ascending; +0 (0x0000) where a tap is padding.
 */
export function im2colF16(x: Uint16Array, g: F16ConvGeometry, b: number, gi: number): Uint16Array {
  const [oh, ow] = outSize(g);
  const cig = g.ci / g.groups, K = g.kh * g.kw * cig;
  const out = new Uint16Array(oh * ow * K);
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      for (let ky = 0; ky < g.kh; ky++) {
        for (let kx = 0; kx < g.kw; kx++) {
          const iy = oy * g.sh - g.pt + ky * g.dh, ix = ox * g.sw - g.pl + kx * g.dw;
          const inside = iy >= 0 && iy < g.ih && ix >= 0 && ix < g.iw;
          for (let c = 0; c < cig; c++) {
            out[(oy * ow + ox) * K + (ky * g.kw + kx) * cig + c] =
              inside ? x[((b * g.ih + iy) * g.iw + ix) * g.ci + gi * cig + c] : 0;
          }
        }
      }
    }
  }
  return out;
}
