// Scalar binary16 conversions in JavaScript numbers, for option values (bias, clamp bounds) that
// the f16 ops round once on the way in. Bulk conversions run in wasm (bindings/f16.ts `convert`).

/** Binary16 bits of the nearest half to x (ties to even, ±Inf on overflow, NaN → 0x7e00). Exact for any double. */
export function halfBits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const ax = Math.abs(x);
  if (ax >= 65520) return sign | 0x7c00;
  if (ax === 0) return sign;
  let e = Math.floor(Math.log2(ax));
  if (2 ** e > ax) e--;
  else if (2 ** (e + 1) <= ax) e++;
  e = Math.max(e, -14);
  const q = ax / 2 ** (e - 10); // the significand on the binary16 grid, exact (power-of-two scaling)
  let r = Math.floor(q);
  const frac = q - r;
  if (frac > 0.5 || (frac === 0.5 && (r & 1) === 1)) r++;
  if (r === 0) return sign;
  if (r < 1024) return sign | r; // subnormal
  if (r === 2048) { r = 1024; e++; }
  if (e > 15) return sign | 0x7c00;
  return sign | ((e + 15) << 10) | (r - 1024);
}

/** The value of binary16 bits. */
export function halfValue(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1024 + m) * 2 ** (e - 25);
}
