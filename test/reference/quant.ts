// Naive quantization oracles: exact integers (Number is exact below 2^53, BigInt where a 64-bit
// product is needed), Math.fround for every documented f32 rounding. Clarity over speed.

/** Round half to even. */
export function rne(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 ? 2 * Math.round(x / 2) : r;
}

export const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** ONNX QuantizeLinear: saturate(rne(fl(x / scale)) + zp). */
export function quantizeRef(x: number, scale: number, zp: number, qmin: number, qmax: number): number {
  return clamp(rne(Math.fround(x / scale)) + zp, qmin, qmax);
}

/** ONNX DequantizeLinear: fl((q − zp) · scale). */
export function dequantizeRef(q: number, scale: number, zp: number): number {
  return Math.fround((q - zp) * scale);
}

/** Exact int32 accumulators: bias[j] + Σ_k (a[i,k] − zpA)·w[k,j] (w already zero-point free). */
export function qgemmRef(m: number, n: number, k: number, a: ArrayLike<number>, zpA: number, w: ArrayLike<number>,
  bias?: ArrayLike<number> | null): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = bias ? bias[j] : 0;
      for (let p = 0; p < k; p++) s += (a[i * k + p] - zpA) * w[p * n + j];
      c[i * n + j] = s;
    }
  }
  return c;
}

/** 'fp32' requantization: clamp(rne(fl(fl(acc)·s)) + zp, lo, hi). */
export function requantFp32Ref(acc: number, s: number, zp: number, lo: number, hi: number): number {
  return clamp(rne(Math.fround(Math.fround(acc) * Math.fround(s))) + zp, lo, hi);
}

/** 'dyadic' requantization: clamp(zp + floor((acc·b + 2^(sh−1)) / 2^sh), lo, hi), exact. */
export function requantDyadicRef(acc: number, b: number, sh: number, zp: number, lo: number, hi: number): number {
  const q = (BigInt(acc) * BigInt(b) + (1n << BigInt(sh - 1))) >> BigInt(sh);
  const y = q + BigInt(zp);
  return Number(y < BigInt(lo) ? BigInt(lo) : y > BigInt(hi) ? BigInt(hi) : y);
}

/**
 * TFLite's QuantizeMultiplier for the single-rounding rule: s = b · 2^−sh with b in [2^30, 2^31)
 * (frexp mantissa rounded half away from zero; a carry to 2^31 halves b).
 */
export function quantizeMultiplierRef(s: number): { multiplier: number; shift: number } {
  let e = Math.floor(Math.log2(s));
  while (2 ** e > s) e--;
  while (2 ** (e + 1) <= s) e++;
  const frac = s / 2 ** (e + 1); // [0.5, 1)
  let b = Math.round(frac * 2 ** 31);
  let shift = 31 - (e + 1);
  if (b === 2 ** 31) { b /= 2; shift -= 1; }
  return { multiplier: b, shift };
}

export interface ConvRefGeometry { n: number; ih: number; iw: number; ci: number; co: number; kh: number; kw: number;
  sh: number; sw: number; dh: number; dw: number; pt: number; pl: number; oh: number; ow: number; depthwise: boolean;
  /** Groups of a regular convolution (default 1): output channel o reads input channels of group ⌊o / (co/groups)⌋. */
  groups?: number; }

/**
 * Exact int32 accumulators of a quantized NHWC convolution: bias[o] + Σ (x − zpX)·w over the
 * taps inside the image (padding contributes 0). w: OHWI with the zero point removed
 * ([co][kh][kw][ci / groups], ci = 1 for depthwise, where output channel o reads input channel o).
 */
export function qconvRef(g: ConvRefGeometry, x: ArrayLike<number>, zpX: number, w: ArrayLike<number>, bias?: ArrayLike<number> | null): Float64Array {
  const out = new Float64Array(g.n * g.oh * g.ow * g.co);
  const groups = g.groups ?? 1;
  const cig = g.depthwise ? 1 : g.ci / groups, cog = g.co / groups;
  for (let b = 0; b < g.n; b++) for (let oy = 0; oy < g.oh; oy++) for (let ox = 0; ox < g.ow; ox++) for (let o = 0; o < g.co; o++) {
    let s = bias ? bias[o] : 0;
    for (let ky = 0; ky < g.kh; ky++) for (let kx = 0; kx < g.kw; kx++) {
      const iy = oy * g.sh - g.pt + ky * g.dh, ix = ox * g.sw - g.pl + kx * g.dw;
      if (iy < 0 || iy >= g.ih || ix < 0 || ix >= g.iw) continue;
      for (let c = 0; c < cig; c++) {
        const xc = g.depthwise ? o : Math.floor(o / cog) * cig + c;
        s += (x[((b * g.ih + iy) * g.iw + ix) * g.ci + xc] - zpX) * w[((o * g.kh + ky) * g.kw + kx) * cig + c];
      }
    }
    out[((b * g.oh + oy) * g.ow + ox) * g.co + o] = s;
  }
  return out;
}
