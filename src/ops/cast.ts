// cast: float32 ⇄ float16 (IEEE binary16 stored as raw bits in a Uint16Array).
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
