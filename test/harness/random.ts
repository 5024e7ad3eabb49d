// Seeded data so every failure reproduces.
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

export function randomF32(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * r();
  return out;
}

const F32_SPECIALS = [Infinity, -Infinity, NaN, 0, -0, 3.4028234663852886e38, -3.4028234663852886e38, 1.401298464324817e-45, -1.1754942106924411e-38];
const F16_SPECIALS = [0x7c00, 0xfc00, 0x7e00, 0x7d01, 0x0000, 0x8000, 0x7bff, 0xfbff, 0x0001, 0x83ff];

/** x with about `rate` of its elements replaced (in place) by IEEE special values: ±Inf, NaN, ±0, the largest finite values, subnormals. */
export function withSpecialsF32(x: Float32Array, r: () => number, rate = 0.03): Float32Array {
  for (let i = 0; i < x.length; i++) if (r() < rate) x[i] = F32_SPECIALS[Math.floor(r() * F32_SPECIALS.length)];
  return x;
}

/** The same for binary16 bits (NaN 0x7e00 and a signalling-pattern 0x7d01 among them). */
export function withSpecialsF16(x: Uint16Array, r: () => number, rate = 0.03): Uint16Array {
  for (let i = 0; i < x.length; i++) if (r() < rate) x[i] = F16_SPECIALS[Math.floor(r() * F16_SPECIALS.length)];
  return x;
}
