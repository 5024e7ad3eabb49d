// Naive convolution and pooling oracles, NHWC activations and OHWI filters. Not kernels:
// clarity over speed. Geometry is computed here independently of src/.

export interface RefGeometry {
  n: number; ih: number; iw: number; ci: number;
  co: number; kh: number; kw: number; groups: number;
  sh: number; sw: number; dh: number; dw: number;
  pt: number; pb: number; pl: number; pr: number;
}

export type RefPad = 'same' | 'valid' | [number, number, number, number];

/** Padding per side for a pad mode ('same' = TensorFlow / ONNX SAME_UPPER: extra at the end). */
export function resolvePad(ih: number, iw: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number,
  pad: RefPad): [number, number, number, number] {
  if (pad === 'valid') return [0, 0, 0, 0];
  if (pad !== 'same') return pad;
  const one = (i: number, k: number, s: number, d: number) => {
    const out = Math.ceil(i / s);
    const total = Math.max(0, (out - 1) * s + (k - 1) * d + 1 - i);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  };
  const [t, b] = one(ih, kh, sh, dh), [l, r] = one(iw, kw, sw, dw);
  return [t, b, l, r];
}

export function outSize(g: RefGeometry): [number, number] {
  return [
    Math.floor((g.ih + g.pt + g.pb - ((g.kh - 1) * g.dh + 1)) / g.sh) + 1,
    Math.floor((g.iw + g.pl + g.pr - ((g.kw - 1) * g.dw + 1)) / g.sw) + 1,
  ];
}

export interface ConvRef {
  oh: number; ow: number;
  /** f64 result. */
  f64: Float64Array;
  /** Σ|x·w| + |bias| per output: the scale of the f32 error bound. */
  abs: Float64Array;
  /** Taps·channels summed per output (the K of the error bound). */
  k: number;
  /**
   * The documented f32 order, emulated with Math.fround: acc = bias; for each tap (kh, kw)
   * ascending and each input channel of the group ascending, acc = fl(acc + fl(x·w)) with x = 0
   * for padding taps; then clamp (pmax / pmin semantics).
   */
  ordered: Float32Array;
}

export function conv2dRef(x: ArrayLike<number>, w: ArrayLike<number>, bias: ArrayLike<number> | null, g: RefGeometry,
  min = -Infinity, max = Infinity): ConvRef {
  const [oh, ow] = outSize(g);
  const cig = g.ci / g.groups, og = g.co / g.groups;
  const size = g.n * oh * ow * g.co;
  const f64 = new Float64Array(size), abs = new Float64Array(size), ordered = new Float32Array(size);
  const f = Math.fround;
  for (let b = 0; b < g.n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        for (let o = 0; o < g.co; o++) {
          const grp = Math.floor(o / og);
          let s = bias ? bias[o] : 0, a = bias ? Math.abs(bias[o]) : 0, acc = bias ? f(bias[o]) : 0;
          for (let ky = 0; ky < g.kh; ky++) {
            for (let kx = 0; kx < g.kw; kx++) {
              const iy = oy * g.sh - g.pt + ky * g.dh, ix = ox * g.sw - g.pl + kx * g.dw;
              const inside = iy >= 0 && iy < g.ih && ix >= 0 && ix < g.iw;
              for (let c = 0; c < cig; c++) {
                const wv = w[((o * g.kh + ky) * g.kw + kx) * cig + c];
                const xv = inside ? x[((b * g.ih + iy) * g.iw + ix) * g.ci + grp * cig + c] : 0;
                s += xv * wv; a += Math.abs(xv * wv);
                acc = f(acc + f(xv * wv));
              }
            }
          }
          const i = ((b * oh + oy) * ow + ox) * g.co + o;
          f64[i] = s; abs[i] = a;
          if (acc < min) acc = f(min);
          if (f(max) < acc) acc = f(max);
          ordered[i] = acc;
        }
      }
    }
  }
  return { oh, ow, f64, abs, k: g.kh * g.kw * cig, ordered };
}

/**
 * Max and average pooling, f64 (the max is exact in any precision). Padding never counts for max;
 * a NaN in the window gives NaN, and +0 counts above −0 (IEEE 754-2019 maximum, wasm's f32.max).
 */
export function poolRef(x: ArrayLike<number>, g: RefGeometry, kind: 'max' | 'avg', countIncludePad = false):
  { oh: number; ow: number; out: Float64Array; ordered: Float32Array } {
  const [oh, ow] = outSize(g);
  const out = new Float64Array(g.n * oh * ow * g.ci), ordered = new Float32Array(out.length);
  const f = Math.fround;
  for (let b = 0; b < g.n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        for (let c = 0; c < g.ci; c++) {
          let m = -Infinity, s = 0, acc = 0, count = 0, nan = false;
          for (let ky = 0; ky < g.kh; ky++) {
            for (let kx = 0; kx < g.kw; kx++) {
              const iy = oy * g.sh - g.pt + ky * g.dh, ix = ox * g.sw - g.pl + kx * g.dw;
              const inside = iy >= 0 && iy < g.ih && ix >= 0 && ix < g.iw;
              const v = inside ? x[((b * g.ih + iy) * g.iw + ix) * g.ci + c] : 0;
              if (inside) { count++; if (Number.isNaN(v)) nan = true; if (v > m || (v === 0 && Object.is(m, -0))) m = v; }
              s += v; acc = f(acc + v);
            }
          }
          const i = ((b * oh + oy) * ow + ox) * g.ci + c;
          const div = countIncludePad ? g.kh * g.kw : count;
          out[i] = kind === 'max' ? (nan ? NaN : m) : s / div;
          ordered[i] = kind === 'max' ? out[i] : f(acc / div);
        }
      }
    }
  }
  return { oh, ow, out, ordered };
}

/** NHWC → NCHW and back, and filter permutations, for the layout tests. */
export function nhwcToNchw(x: ArrayLike<number>, n: number, h: number, w: number, c: number): Float32Array {
  const out = new Float32Array(n * h * w * c);
  for (let b = 0; b < n; b++) for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) for (let k = 0; k < c; k++) {
    out[((b * c + k) * h + y) * w + xx] = x[((b * h + y) * w + xx) * c + k];
  }
  return out;
}

export function nchwToNhwc(x: ArrayLike<number>, n: number, c: number, h: number, w: number): Float32Array {
  const out = new Float32Array(n * h * w * c);
  for (let b = 0; b < n; b++) for (let k = 0; k < c; k++) for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) {
    out[((b * h + y) * w + xx) * c + k] = x[((b * c + k) * h + y) * w + xx];
  }
  return out;
}
