import { describe, it, expect } from 'vitest';
import { Arena, ALIGN, MAX_BYTES } from '../../bindings/memory.js';
import { OutOfMemoryError, ValueError } from '../../bindings/errors.js';

const fresh = () => new Arena(new WebAssembly.Memory({ initial: 1, maximum: 65536 }), 1000);

describe('Arena', () => {
  it('hands out 64-byte-aligned, non-overlapping blocks above the heap base', () => {
    const ar = fresh();
    const ptrs = [1, 63, 64, 65, 1000, 0].map((n) => [ar.alloc(n, 'x'), n] as const);
    for (const [p] of ptrs) { expect(p % ALIGN).toBe(0); expect(p).toBeGreaterThanOrEqual(1000); }
    const sorted = [...ptrs].sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i][0]).toBeGreaterThanOrEqual(sorted[i - 1][0] + Math.max(sorted[i - 1][1], 1));
  });

  it('reuses freed space and coalesces neighbours', () => {
    const ar = fresh();
    const a = ar.alloc(128, 'a'), b = ar.alloc(128, 'b'), c = ar.alloc(128, 'c'), d = ar.alloc(64, 'd');
    ar.free(a); ar.free(c); ar.free(b);
    // a, b and c are now one free block of 384 bytes.
    expect(ar.alloc(384, 'e')).toBe(a);
    ar.free(d);
    expect(ar.blockCount).toBe(1);
    ar.free(a);
    expect(ar.bytesInUse).toBe(0);
    // Everything freed: the next allocation starts at the base again.
    expect(ar.alloc(64, 'f')).toBe(a);
  });

  it('grows memory and refreshes its views', () => {
    const ar = fresh();
    const v1 = ar.f32;
    const p = ar.alloc(3 * 65536, 'big');
    expect(ar.memory.buffer.byteLength).toBeGreaterThanOrEqual(p + 3 * 65536);
    expect(ar.f32 === v1).toBe(false);
    expect(v1.length).toBe(0); // the old view was detached by the growth
    expect(ar.f32.length * 4).toBe(ar.memory.buffer.byteLength);
  });

  it('fails with a typed error past 4 GiB or the memory maximum, and stays usable', () => {
    const ar = fresh();
    expect(() => ar.alloc(MAX_BYTES, 'tensor')).toThrow(OutOfMemoryError);
    expect(() => ar.alloc(-1, 'tensor')).toThrow(ValueError);
    const small = new Arena(new WebAssembly.Memory({ initial: 1, maximum: 2 }), 0);
    expect(() => small.alloc(3 * 65536, 'tensor')).toThrow(OutOfMemoryError);
    expect(small.alloc(1000, 'ok') % ALIGN).toBe(0);
  });
});
