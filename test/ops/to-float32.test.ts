// Tensor.toFloat32(): the method form of lw.cast(t, 'float32') the f16 issue names.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Lanewise, DTypeError, DisposedError } from '../../src/index.js';
import { f16Value } from '../reference/f16.js';

let lw: Lanewise;
beforeAll(async () => { lw = await Lanewise.create(); });
afterAll(() => lw.dispose());

describe('Tensor.toFloat32', () => {
  it('widens every binary16 value exactly (subnormals, ±0, ±Inf, NaN)', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const h = lw.tensor('float16', all, [2, 32768]);
    const f = h.toFloat32();
    expect(f.type).toBe('float32');
    expect(f.dims).toEqual([2, 32768]);
    const got = f.data;
    for (let i = 0; i < 65536; i++) {
      const want = f16Value(i);
      if (Number.isNaN(want) ? !Number.isNaN(got[i]) : !Object.is(got[i], Math.fround(want))) {
        expect.fail(`half 0x${i.toString(16)}: got ${got[i]}, want ${want}`);
      }
    }
    h.dispose(); f.dispose();
  });

  it('copies a float32 tensor into a tensor of its own', () => {
    const t = lw.tensor('float32', [1.5, -2, 3.25], [3]);
    const c = t.toFloat32();
    t.dispose();
    expect(Array.from(c.data)).toEqual([1.5, -2, 3.25]);
    c.dispose();
  });

  it('refuses other types and disposed tensors with typed errors', () => {
    const q = lw.tensor('int8', [1, 2, 3], [3]);
    expect(() => q.toFloat32()).toThrow(DTypeError);
    q.dispose();
    expect(() => q.toFloat32()).toThrow(DisposedError);
    const h = lw.tensor('float16', [0x3c00], [1]);
    expect(Array.from(h.toFloat32().data)).toEqual([1]);
  });
});
