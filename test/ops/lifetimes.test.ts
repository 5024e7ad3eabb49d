// Seeded sequences of calls on a 1-thread and a 2-thread instance (its pool takes every job,
// however small): tensors and packed weights created, kept or disposed in random order, large
// allocations that make wasm memory grow mid-sequence, refused calls in between. The other op
// tests check one call at a time; these check what only shows across calls:
// - every tensor still alive keeps its data through every later call and every growth;
// - both instances give the same bits, and matMul the documented f32 order's bits;
// - disposing everything returns the arena to its block count before the sequence (no leaks).
// LANEWISE_LIFETIME_STEPS (default 150) and LANEWISE_LIFETIME_SEED lengthen or move the search.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Lanewise, LanewiseError, type Tensor } from '../../src/index.js';
import type { PackedMatrix } from '../../src/packed.js';
import { gemmF32Ordered, transpose } from '../reference/gemm.js';
import { rng } from '../harness/random.js';
import { oneAndTwoThreads } from '../harness/instances.js';

const STEPS = Number(process.env.LANEWISE_LIFETIME_STEPS ?? 150);
const SEEDS = process.env.LANEWISE_LIFETIME_SEED ? [Number(process.env.LANEWISE_LIFETIME_SEED)] : [1, 2];

let instances: Lanewise[];
beforeAll(async () => {
  ({ instances } = await oneAndTwoThreads());
  // The pool's job buffers are allocated by its first job and kept for the instance's life.
  for (const lw of instances) { const a = lw.tensor('float32', new Float32Array(64 * 64), [64, 64]); lw.matMul(a, a).dispose(); a.dispose(); }
});
afterAll(() => { for (const lw of instances) lw.dispose(); });

/** A tensor's contents as integers (bit patterns for floats), so NaN payloads and −0 compare. */
function bitsOf(t: Tensor): Uint32Array | Uint16Array | Int32Array | Int8Array | Uint8Array {
  const d = t.data;
  return d instanceof Float32Array ? new Uint32Array(d.buffer, d.byteOffset, d.length) : d as Uint16Array;
}
function same(x: ArrayLike<number>, y: ArrayLike<number>): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

function sequence(seed: number): void {
  const r = rng(seed);
  const ri = (a: number, b: number) => a + Math.floor(r() * (b - a + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const data = (n: number) => { const d = new Float32Array(n); for (let i = 0; i < n; i++) d[i] = r() * 2 - 1; return d; };
  const live: { t: Tensor; bits: ArrayLike<number> }[][] = [[], []];
  const packs: PackedMatrix[][] = [[], []];
  const base = instances.map((lw) => lw.info().memory.blocks);
  const keep = (i: number, t: Tensor) => { if (r() < 0.4) live[i].push({ t, bits: bitsOf(t).slice() }); else t.dispose(); };
  let grew = 0;
  for (let step = 0; step < STEPS; step++) {
    const where = `seed ${seed}, step ${step}`;
    const bytes = instances.map((lw) => lw.info().memory.bytes);
    const action = r();
    if (action < 0.4) {
      const m = pick([1, 3, 5, ri(1, 70)]), k = pick([1, 4, 33, ri(1, 100)]), n = pick([1, 8, 25, ri(1, 80)]);
      const tA = r() < 0.3, tB = r() < 0.3, bias = r() < 0.5 ? data(n) : null, pack = r() < 0.4;
      const A = data(m * k), B = data(k * n);
      const want = gemmF32Ordered(m, n, k, tA ? transpose(k, m, A) : A, tB ? transpose(n, k, B) : B, bias);
      for (let i = 0; i < 2; i++) {
        const lw = instances[i];
        const a = lw.tensor('float32', A, tA ? [k, m] : [m, k]), b = lw.tensor('float32', B, tB ? [n, k] : [k, n]);
        let c: Tensor;
        if (pack) {
          const w = lw.prepack(b, { transposeB: tB, ...(bias ? { bias } : {}) });
          c = lw.matMul(a, w, { transposeA: tA });
          if (r() < 0.5) w.dispose(); else packs[i].push(w);
        } else c = lw.matMul(a, b, { transposeA: tA, transposeB: tB, ...(bias ? { bias } : {}) });
        expect(same(bitsOf(c), new Uint32Array(want.buffer)), `${where}: matMul ${m}×${k}×${n} on ${i + 1} thread(s)`).toBe(true);
        keep(i, c); keep(i, a); keep(i, b);
      }
    } else if (action < 0.6) {
      const h = ri(1, 12), w = ri(1, 12), c = ri(1, 10), co = ri(1, 12), kind = pick(['conv', 'dw', 'pool', 'f16', 'q']);
      const X = data(h * w * c), W = data(9 * c * co), strides = ri(1, 2), exact = r() < 0.5, qbits = pick([8, 4, 2]);
      const outs = instances.map((lw, i) => {
        const tmp: { dispose(): void }[] = [];
        const T = (d: Float32Array, dims: number[]) => { const t = lw.tensor('float32', d, dims); tmp.push(t); return t; };
        let y: Tensor;
        if (kind === 'conv') y = lw.conv2d(T(X, [1, h, w, c]), T(W, [co, 3, 3, c]), { pad: 'same', strides });
        else if (kind === 'dw') y = lw.depthwiseConv2d(T(X, [1, h, w, c]), T(W.subarray(0, 9 * c), [3, 3, c, 1]), { pad: 'same', strides });
        else if (kind === 'pool') y = lw.maxPool(T(X, [1, h, w, c]), { windowShape: 3, strides, pad: 'same' });
        else if (kind === 'f16') {
          const x16 = lw.cast(T(X, [1, h, w, c]), 'float16'), w16 = lw.cast(T(W, [co, 3, 3, c]), 'float16');
          tmp.push(x16, w16);
          y = lw.conv2d(x16, w16, { pad: 'same', strides, precision: exact ? 'f16-exact' : 'f16' });
        } else {
          const qx = lw.quantize(T(X, [1, h, w, c]), { bits: 8 }), qf = lw.quantize(T(W, [co, 3, 3, c]), { bits: qbits, axis: 0, scheme: 'symmetric' });
          tmp.push(qx, qf);
          const q = lw.qConv2d(qx, qf, { pad: 1, outScale: 0.05 });
          y = lw.dequantize(q);
          q.dispose();
        }
        for (const t of tmp) t.dispose();
        const bits = bitsOf(y).slice();
        keep(i, y);
        return bits;
      });
      expect(same(outs[0], outs[1]), `${where}: ${kind} on 1 and 2 threads`).toBe(true);
    } else if (action < 0.7) {
      // Sizes that make memory grow now and then: views of live tensors must survive it.
      const n = ri(1, 4) << ri(16, 19);
      for (let i = 0; i < 2; i++) keep(i, instances[i].tensor('float32', data(n), [n]));
    } else if (action < 0.95) {
      for (let i = 0; i < 2; i++) {
        if (live[i].length) live[i].splice(Math.floor(r() * live[i].length), 1)[0].t.dispose();
        if (packs[i].length && r() < 0.3) packs[i].pop()!.dispose();
      }
    } else {
      for (const lw of instances) {
        const a = lw.tensor('float32', data(6), [2, 3]), b = lw.tensor('float32', data(8), [4, 2]);
        expect(() => lw.matMul(a, b), where).toThrow(LanewiseError);
        a.dispose(); b.dispose();
      }
    }
    instances.forEach((lw, i) => { if (lw.info().memory.bytes > bytes[i]) grew++; });
    // Small tensors every step, all of them every 10th (reading the large ones back dominates).
    for (let i = 0; i < 2; i++) {
      for (const { t, bits } of live[i]) {
        if (bits.length > 4096 && step % 10 !== 9) continue;
        expect(same(bitsOf(t), bits), `${where}: a live ${t.type} [${t.dims}] changed`).toBe(true);
      }
    }
  }
  for (let i = 0; i < 2; i++) {
    for (const { t } of live[i]) t.dispose();
    for (const w of packs[i]) w.dispose();
    expect(instances[i].info().memory.blocks, `seed ${seed}: blocks left on ${i + 1} thread(s)`).toBe(base[i]);
  }
  expect(grew, `seed ${seed}: memory never grew, so growth went untested`).toBeGreaterThan(0);
}

describe('sequences of calls', () => {
  for (const seed of SEEDS) it(`keep every live tensor intact, agree across threads and leak nothing (seed ${seed})`, () => sequence(seed), 60_000);
});
