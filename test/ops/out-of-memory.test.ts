// Running out of memory in the middle of a call. Each op below runs once to learn how many
// blocks it allocates, then again with its i-th allocation refused (an OutOfMemoryError from
// the arena), for every i. After each refusal the arena must hold exactly what it held before
// the call (no scratch block left behind: a call allocating several scratch blocks once kept
// the first when the second did not fit), and the next call must give the same bits as the
// first. A call may also succeed despite the refusal where it has a way around it (the worker
// pool runs a job on the calling thread when its job tables do not fit); then its result must
// be the same bits. On a 1-thread instance and on a 2-thread one whose pool takes every job.
import { describe, it, expect, beforeAll, afterAll, vi } from 'vitest';
import { Lanewise, OutOfMemoryError, Tensor, type QuantizedTensor } from '../../src/index.js';
import { oneAndTwoThreads } from '../harness/instances.js';
import { randomF32 } from '../harness/random.js';

type Out = Tensor | QuantizedTensor | { dispose(): void };
interface Op { name: string; run(lw: Lanewise): Out }

/** Bits of a result: tensors read back, packed weights (no readable data) as an empty array. */
function bitsOf(o: Out): number[] {
  if (!('data' in o)) return [];
  const d = o.data;
  return Array.from(d instanceof Float32Array ? new Uint32Array(d.buffer, d.byteOffset, d.length) : d);
}

const X = randomF32(2 * 13 * 11 * 8, 1), W = randomF32(16 * 3 * 3 * 8, 2), A = randomF32(4 * 30 * 90, 3), B = randomF32(4 * 90 * 50, 4);

/** Inputs live for the whole test (created per instance on first use). */
function inputs(lw: Lanewise) {
  const x = lw.tensor('float32', X, [2, 13, 11, 8]), w = lw.tensor('float32', W, [16, 3, 3, 8]), dw = lw.tensor('float32', W.subarray(0, 72), [3, 3, 8, 1]);
  const dw2 = lw.tensor('float32', W.subarray(0, 144), [3, 3, 8, 2]);
  const a = lw.tensor('float32', A, [4, 30, 90]), b = lw.tensor('float32', B, [4, 90, 50]), b2 = lw.tensor('float32', B.subarray(0, 4500), [90, 50]);
  const h = (t: Tensor) => lw.cast(t, 'float16');
  const qx = lw.quantize(x, { bits: 8 });
  return {
    x, w, dw, dw2, a, b, b2, w1: lw.tensor('float32', W.subarray(0, 16 * 4), [16, 1, 1, 4]), row: lw.tensor('float32', W.subarray(0, 8), [8]), x16: h(x), w16: h(w), dw16: h(dw), dw216: h(dw2), a16: h(a), b16: h(b), b216: h(b2), qx,
    qa: lw.quantize(lw.tensor('float32', A.subarray(0, 70 * 90), [70, 90]), { bits: 8 }),
    qb: { 8: lw.quantize(b2, { bits: 8, axis: 1, scheme: 'symmetric' }), 4: lw.quantize(b2, { bits: 4, axis: 1, scheme: 'symmetric' }),
      2: lw.quantize(b2, { bits: 2, axis: 1, scheme: 'symmetric' }) },
    qw: lw.quantize(w, { bits: 4, axis: 0, scheme: 'symmetric' }), qdw: lw.quantize(lw.tensor('float32', W.subarray(0, 72), [3, 3, 8]), { bits: 8, axis: 2, scheme: 'symmetric' }),
    qrow: lw.quantize(lw.tensor('float32', A.subarray(0, 90), [1, 90]), { bits: 8 }),
  };
}
const made = new Map<Lanewise, ReturnType<typeof inputs>>();
const of = (lw: Lanewise) => { if (!made.has(lw)) made.set(lw, inputs(lw)); return made.get(lw)!; };

const ops: Op[] = [
  { name: 'matMul f32', run: (lw) => lw.matMul(of(lw).a, of(lw).b2, { bias: randomF32(50, 5) }) },
  { name: 'matMul f32 batched, with bias', run: (lw) => lw.matMul(of(lw).a, of(lw).b, { bias: randomF32(50, 7) }) },
  { name: 'prepack + matMul f32', run: (lw) => { const p = lw.prepack(of(lw).b2); try { return lw.matMul(of(lw).a, p); } finally { p.dispose(); } } },
  { name: "matMul 'f16'", run: (lw) => lw.matMul(of(lw).a16, of(lw).b216, { precision: 'f16' }) },
  { name: "matMul 'f16-exact'", run: (lw) => lw.matMul(of(lw).a16, of(lw).b216, { precision: 'f16-exact' }) },
  { name: "matMul 'f16' batched", run: (lw) => lw.matMul(of(lw).a16, of(lw).b16, { precision: 'f16', bias: new Uint16Array(50).fill(0x3c00) }) },
  { name: 'conv2d f32', run: (lw) => lw.conv2d(of(lw).x, of(lw).w, { pad: 'same' }) },
  { name: 'conv2d f32 1×1 grouped', run: (lw) => lw.conv2d(of(lw).x, of(lw).w1, { groups: 2 }) },
  { name: "conv2d 'f16'", run: (lw) => lw.conv2d(of(lw).x16, of(lw).w16, { pad: 'same', strides: 2 }) },
  { name: "conv2d 'f16-exact'", run: (lw) => lw.conv2d(of(lw).x16, of(lw).w16, { pad: 'valid', precision: 'f16-exact' }) },
  { name: 'depthwiseConv2d f32', run: (lw) => lw.depthwiseConv2d(of(lw).x, of(lw).dw, { pad: 'same', dilations: 2 }) },
  // Where the repeated input does not fit, the call runs through the IGEMM: the same bits.
  { name: 'depthwiseConv2d f32 multiplier 2', run: (lw) => lw.depthwiseConv2d(of(lw).x, of(lw).dw2, { pad: 'same', strides: 2 }) },
  { name: "depthwiseConv2d 'f16' multiplier 2", run: (lw) => lw.depthwiseConv2d(of(lw).x16, of(lw).dw216, { pad: 'same' }) },
  { name: "depthwiseConv2d 'f16'", run: (lw) => lw.depthwiseConv2d(of(lw).x16, of(lw).dw16, { pad: 'same' }) },
  { name: "depthwiseConv2d 'f16-exact'", run: (lw) => lw.depthwiseConv2d(of(lw).x16, of(lw).dw16, { pad: 'same', precision: 'f16-exact' }) },
  { name: 'prepackConv f32 with bias', run: (lw) => lw.prepackConv(of(lw).w, { bias: randomF32(16, 6) }) },
  { name: 'maxPool', run: (lw) => lw.maxPool(of(lw).x, { windowShape: 3, strides: 2, pad: 'same' }) },
  { name: 'avgPool', run: (lw) => lw.avgPool(of(lw).x, { windowShape: 3, pad: 'same', countIncludePad: false }) },
  { name: 'globalAvgPool', run: (lw) => lw.globalAvgPool(of(lw).x) },
  { name: 'add broadcast', run: (lw) => lw.add(of(lw).x, of(lw).row) },
  { name: 'toNCHW', run: (lw) => lw.toNCHW(of(lw).x) },
  { name: 'cast', run: (lw) => lw.cast(of(lw).a, 'float16') },
  { name: 'quantize per channel', run: (lw) => lw.quantize(of(lw).w, { bits: 8, axis: 0 }) },
  { name: 'requantize', run: (lw) => lw.requantize(of(lw).qx, { scale: 0.02, zeroPoint: 3 }) },
  ...([8, 4, 2] as const).map((bits) => ({ name: `qMatMul int${bits}`, run: (lw: Lanewise) => lw.qMatMul(of(lw).qa, of(lw).qb[bits], { outScale: 0.5 }) })),
  { name: 'qMatMul int2 GEMV', run: (lw) => lw.qMatMul(of(lw).qrow, of(lw).qb[2], { output: 'int32' }) },
  { name: 'qMatMul int2, weights packed by the call', run: (lw) => {
    const q = lw.quantize(of(lw).b2, { bits: 2, axis: 1, scheme: 'symmetric' });
    try { return lw.qMatMul(of(lw).qrow, q, { output: 'int32' }); } finally { q.dispose(); }
  } },
  { name: 'qConv2d int4', run: (lw) => lw.qConv2d(of(lw).qx, of(lw).qw, { pad: 1, outScale: 0.05 }) },
  { name: 'qDepthwiseConv2d int8', run: (lw) => lw.qDepthwiseConv2d(of(lw).qx, of(lw).qdw, { pad: 1, output: 'int32' }) },
];

let instances: Lanewise[];
beforeAll(async () => { ({ instances } = await oneAndTwoThreads()); });
afterAll(() => { for (const lw of instances) lw.dispose(); });

describe('out of memory at any allocation of a call', () => {
  for (const threads of [1, 2]) {
    for (const op of ops) {
      it(`${op.name}, ${threads} thread(s): the arena as it was, then the same bits`, () => {
        const lw = instances[threads - 1], arena = lw.device.arena;
        of(lw);
        // Twice: the first call fills the instance's caches (indirection, packed weights, the
        // pool's job tables); the second shows the call's own allocations.
        op.run(lw).dispose();
        const real = arena.alloc.bind(arena);
        let count = 0;
        const spy = vi.spyOn(arena, 'alloc').mockImplementation((bytes: number, what: string) => { count++; return real(bytes, what); });
        const first = op.run(lw);
        const want = bitsOf(first);
        first.dispose();
        const allocs = count;
        expect(allocs, 'the call allocates').toBeGreaterThan(0);
        try {
          for (let refuse = 0; refuse < allocs; refuse++) {
            const where = `${op.name}, allocation ${refuse + 1} of ${allocs} refused`;
            let seen = 0;
            spy.mockImplementation((bytes: number, what: string) => {
              if (seen++ === refuse) throw new OutOfMemoryError(what, 'a block (refused by the test)', `${bytes} bytes`);
              return real(bytes, what);
            });
            const blocks = arena.blockCount, bytes = arena.bytesInUse;
            let out: Out | null = null;
            try { out = op.run(lw); } catch (e) { expect(e, where).toBeInstanceOf(OutOfMemoryError); }
            if (out) { expect(bitsOf(out), `${where}: the call went around it`).toEqual(want); out.dispose(); }
            expect([arena.blockCount, arena.bytesInUse], `${where}: blocks and bytes in use after the call`).toEqual([blocks, bytes]);
            spy.mockImplementation(real);
            const again = op.run(lw);
            expect(bitsOf(again), `${where}: the next call`).toEqual(want);
            again.dispose();
          }
        } finally {
          spy.mockRestore();
        }
      });
    }
  }
});

/**
 * Runs `run` once, then again with every allocation named `what` refused (an OutOfMemoryError
 * from the arena), and returns how many were refused. The second call must give the first's
 * bits, by going around the refusal, and leave no block behind.
 */
function sameBitsWithout(lw: Lanewise, what: string, run: () => Out): number {
  const arena = lw.device.arena, real = arena.alloc.bind(arena);
  const first = run(), want = bitsOf(first);
  first.dispose();
  let refused = 0;
  const spy = vi.spyOn(arena, 'alloc').mockImplementation((bytes: number, name: string) => {
    if (name === what) { refused++; throw new OutOfMemoryError(name, 'a block (refused by the test)', `${bytes} bytes`); }
    return real(bytes, name);
  });
  try {
    const blocks = arena.blockCount;
    const got = run();
    expect(bitsOf(got), `${what} refused`).toEqual(want);
    got.dispose();
    expect(arena.blockCount).toBe(blocks);
  } finally {
    spy.mockRestore();
  }
  return refused;
}

describe('a depthwise convolution with a channel multiplier whose repeated input does not fit', () => {
  it('runs through the IGEMM instead, with the same bits, on 1 and 2 threads', () => {
    for (const lw of instances) {
      expect(sameBitsWithout(lw, 'scratch (channels repeated)',
        () => lw.depthwiseConv2d(of(lw).x, of(lw).dw2, { pad: 'same', bias: randomF32(16, 8) }))).toBe(1);
    }
  });
});

describe('a GEMM or 1×1 convolution whose K-slice scratch does not fit', () => {
  it('keeps K whole instead, with the same bits, on 1 and 2 threads', () => {
    for (const lw of instances) {
      const a = lw.tensor('float32', randomF32(256 * 1025, 31), [256, 1025]), b = lw.prepack(lw.tensor('float32', randomF32(1025 * 40, 32), [1025, 40]));
      expect(sameBitsWithout(lw, 'scratch (a, K slices)', () => lw.matMul(a, b, { activation: 'relu6' }))).toBe(1);
      const x = lw.tensor('float32', randomF32(16 * 16 * 1025, 33), [1, 16, 16, 1025]), w = lw.tensor('float32', randomF32(24 * 1025, 34), [24, 1, 1, 1025]);
      expect(sameBitsWithout(lw, 'scratch (a, K slices)', () => lw.conv2d(x, w, { bias: randomF32(24, 35) }))).toBe(1);
      for (const t of [a, b, x, w]) t.dispose();
    }
  });
});

describe("an 'f16' GEMM whose f32 scratch does not fit", () => {
  it('runs the packed path instead, with the same bits, on 1 and 2 threads', () => {
    for (const lw of instances) {
      expect(sameBitsWithout(lw, 'scratch (f32 c)', () => lw.matMul(of(lw).a16, of(lw).b216, { precision: 'f16' }))).toBeGreaterThan(0);
    }
  });
});
