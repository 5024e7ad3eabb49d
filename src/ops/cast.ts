// cast: float32 ⇄ float16 (IEEE binary16 stored as raw bits in a Uint16Array), and the scalar
// binary16 helpers the f16 ops use to validate and round their scalar arguments.
import { convert } from '../../bindings/f16.js';
import { DTypeError } from '../errors.js';
import { checkTensor, Tensor, type Owner } from '../tensor.js';

export type FloatType = 'float32' | 'float16';

/**
 * A new tensor holding `t` converted to `type`: float32 → float16 rounds to nearest even
 * (overflow to ±Inf, subnormals kept); float16 → float32 is exact. NaN keeps its sign and
 * leading payload bits and becomes quiet (docs/f16.md). Same type: a copy.
 */
export function cast<T extends FloatType>(owner: Owner, t: unknown, type: T): Tensor<T> {
  const x = checkTensor(t, 't', owner);
  if (type !== 'float32' && type !== 'float16') throw new DTypeError('type', "'float32' or 'float16'", type);
  if (x.type !== 'float32' && x.type !== 'float16') {
    throw new DTypeError('t.type', "'float32' or 'float16' (cast converts between the float types)", x.type);
  }
  const dev = owner.device;
  const block = dev.alloc(x.size * (type === 'float32' ? 4 : 2), 'tensor');
  try {
    if (x.type === type) dev.write(block, x.read());
    else convert(dev, type, x.block, 0, block, 0, x.size);
  } catch (e) {
    dev.free(block);
    throw e;
  }
  return new Tensor<T>(owner, type, x.dims, block);
}

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
