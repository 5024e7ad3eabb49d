// The worker pool in Node: bit-identical results for every thread count, the single-thread
// fallbacks and their reasons, dispose, and a worker dying mid-call (typed error, no hang,
// the pool recovers).
import { describe, it, expect, beforeAll, afterAll, vi } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Lanewise, OutOfMemoryError, ValueError } from '../../src/index.js';
import { CALL_SLOTS, executorOf, jobWindows, opsFrom, Plan, threadsFor, WorkerError } from '../../bindings/exec.js';
import type { Pool } from '../../bindings/pool.js';
import { compileBuild } from '../../bindings/module.js';
import { expectSameBits } from '../harness/gemm.js';
import { randomF32, rng } from '../harness/random.js';
import { gemmF32Ordered, transpose } from '../reference/gemm.js';
import { gemmF16Exact, gemmF16Fast, randomF16 } from '../reference/f16.js';

const poolOf = (lw: Lanewise) => executorOf(lw.device.kmod) as Pool;

/**
 * Runs `body` on a new 2-thread instance whose pool threads every job (minOps = 0), then disposes
 * it. `stallMs` shortens the wait before a silent worker counts as lost (the worker-death tests).
 */
async function onPool(body: (lw: Lanewise, pool: Pool) => void | Promise<void>, stallMs?: number): Promise<void> {
  const lw = await Lanewise.create({ threads: 2 });
  try {
    const pool = poolOf(lw);
    pool.minOps = 0;
    if (stallMs !== undefined) pool.stallMs = stallMs;
    await body(lw, pool);
  } finally {
    lw.dispose();
  }
}

interface Case { m: number; n: number; k: number; transposeA?: boolean; transposeB?: boolean; bias?: boolean; relu?: boolean }
const cases: Case[] = [
  { m: 1, n: 300, k: 77 },                        // row kernel, columns split
  { m: 3, n: 5, k: 2 },
  { m: 13, n: 47, k: 33, bias: true },
  { m: 64, n: 64, k: 64 },
  { m: 130, n: 70, k: 129, transposeA: true, relu: true },
  { m: 97, n: 203, k: 256, transposeB: true, bias: true },
  { m: 256, n: 256, k: 256 },
  { m: 35, n: 600, k: 700, transposeA: true, transposeB: true },
  { m: 70, n: 45, k: 1025, bias: true, relu: true },  // K whole (M < 256: the weights' copy would cost more)
  { m: 9, n: 100, k: 1600 },
  { m: 258, n: 300, k: 1100, bias: true, relu: true }, // K in slices: serially, and in plans with double-buffered copy stages
];

function runCase(lw: Lanewise, c: Case, seed: number): Float32Array {
  const a = randomF32(c.m * c.k, seed), b = randomF32(c.k * c.n, seed + 1), bias = c.bias ? randomF32(c.n, seed + 2) : undefined;
  const ta = lw.tensor('float32', c.transposeA ? transpose(c.m, c.k, a) : a, c.transposeA ? [c.k, c.m] : [c.m, c.k]);
  const tb = lw.tensor('float32', c.transposeB ? transpose(c.k, c.n, b) : b, c.transposeB ? [c.n, c.k] : [c.k, c.n]);
  const out = lw.matMul(ta, tb, { transposeA: c.transposeA, transposeB: c.transposeB, bias, activation: c.relu ? 'relu' : undefined });
  const data = out.read();
  ta.dispose(); tb.dispose(); out.dispose();
  return data;
}

let single: Lanewise;
const reference = new Map<Case, Float32Array>();
beforeAll(async () => {
  single = await Lanewise.create();
  cases.forEach((c, i) => reference.set(c, runCase(single, c, 10 * i + 1)));
});
afterAll(() => single.dispose());

describe('thread pool', () => {
  it('the single-thread reference is the documented reduction order', () => {
    const c = cases[2];
    const a = randomF32(c.m * c.k, 21), b = randomF32(c.k * c.n, 22), bias = randomF32(c.n, 23);
    expectSameBits(reference.get(c)!, gemmF32Ordered(c.m, c.n, c.k, a, b, bias, -Infinity, Infinity));
  });

  for (const threads of [1, 2, 3]) {
    it(`gives the same bits on ${threads} thread(s) as single-threaded, workers taking tasks`, async () => {
      const lw = await Lanewise.create({ threads });
      try {
        expect(lw.info().threads).toBe(threads);
        const pool = threads > 1 ? poolOf(lw) : null;
        if (pool) pool.minOps = 0;   // thread even the smallest cases
        for (const callerTakesWork of pool ? [true, false] : [true]) {
          if (pool) pool.callerTakesWork = callerTakesWork;
          const before = pool?.stats();
          cases.forEach((c, i) => expectSameBits(runCase(lw, c, 10 * i + 1), reference.get(c)!,
            `threads=${threads} callerTakesWork=${callerTakesWork} ${JSON.stringify(c)}`));
          if (pool && !callerTakesWork) {
            // With the caller only waiting, every task ran on a worker.
            const after = pool.stats();
            expect(after[0]).toBe(before![0]);
            expect(after.slice(1).reduce((x, y) => x + y, 0)).toBeGreaterThan(before!.slice(1).reduce((x, y) => x + y, 0));
          }
        }
      } finally {
        lw.dispose();
      }
    });
  }

  it('repeated same-shape calls (the cached plan) compute on their own data', () => onPool((lw) => {
    const c = cases[6];
    for (const seed of [101, 202, 101, 303]) expectSameBits(runCase(lw, c, seed), runCase(single, c, seed), `seed ${seed}`);
  }));

  it('threads the GEMV on prepacked (row-grouped) weights with the same bits', () => onPool((lw) => {
    for (const [k, n] of [[77, 300], [1024, 1000], [33, 23]] as const) {
      const b = randomF32(k * n, k), a = randomF32(k, n);
      const run = (x: Lanewise) => {
        const w = x.prepack(x.tensor('float32', b, [k, n]));
        const y = x.matMul(x.tensor('float32', a, [1, k]), w).read();
        w.dispose();
        return y;
      };
      expectSameBits(run(lw), run(single), `1×${k}×${n}`);
      expectSameBits(run(lw), gemmF32Ordered(1, n, k, a, b, null, -Infinity, Infinity), `1×${k}×${n} reference`);
    }
  }));

  it("threads the 'f16' GEMM with K in slices (M ≥ 256, K > 768: double-buffered copy stages) with the same bits", () => onPool((lw, pool) => {
    for (const [m, k, n] of [[258, 1100, 40], [256, 1536, 300]] as const) {
      const r = rng(m + k + n);
      const a = randomF16(m * k, r), b = randomF16(k * n, r), bias = randomF16(n, r);
      const run = (x: Lanewise) => x.matMul(x.tensor('float16', a, [m, k]), x.prepack(x.tensor('float16', b, [k, n]), { bias }), { activation: 'relu6' }).read();
      const before = pool.stats().reduce((x, y) => x + y, 0);
      const got = run(lw);
      expect(pool.stats().reduce((x, y) => x + y, 0)).toBeGreaterThan(before + 1);
      expect(Array.from(got), `${m}×${k}×${n} against one thread`).toEqual(Array.from(run(single)));
      expect(Array.from(got), `${m}×${k}×${n} reference`).toEqual(Array.from(gemmF16Fast(m, n, k, a, b, bias, 0, 6)));
    }
  }));

  it("threads the 'f16' GEMV (M = 1) over column ranges with the same bits", () => onPool((lw, pool) => {
    for (const [k, n] of [[77, 300], [1024, 1000], [33, 23], [16, 17]] as const) {
      const r = rng(k * n);
      const a = randomF16(k, r), b = randomF16(k * n, r), bias = randomF16(n, r);
      const run = (x: Lanewise) => {
        const w = x.prepack(x.tensor('float16', b, [k, n]), { bias });
        const y = x.matMul(x.tensor('float16', a, [1, k]), w, { activation: 'relu6' }).read();
        w.dispose();
        return y;
      };
      const before = pool.stats().reduce((x, y) => x + y, 0);
      const got = run(lw);
      if (n > 16) expect(pool.stats().reduce((x, y) => x + y, 0)).toBeGreaterThan(before + 1);
      expect(Array.from(got), `1×${k}×${n} against one thread`).toEqual(Array.from(run(single)));
      expect(Array.from(got), `1×${k}×${n} reference`).toEqual(Array.from(gemmF16Fast(1, n, k, a, b, bias, 0, 6)));
    }
  }));

  it('threads a depthwise convolution with a channel multiplier (input repeated, then the depthwise kernels) with the same bits', () => onPool((lw, pool) => {
    for (const [k, c, m] of [[3, 13, 2], [5, 6, 4], [2, 1, 9]] as const) {
      const x = randomF32(2 * 17 * 15 * c, k + c), f = randomF32(k * k * c * m, m), bias = randomF32(c * m, c);
      const run = (l: Lanewise) => l.depthwiseConv2d(l.tensor('float32', x, [2, 17, 15, c]), l.tensor('float32', f, [k, k, c, m]),
        { pad: 'same', bias, activation: 'relu6' }).data;
      // The binary16 route: widened, the same repeated-input route, narrowed.
      const run16 = (l: Lanewise) => l.depthwiseConv2d(l.cast(l.tensor('float32', x, [2, 17, 15, c]), 'float16'),
        l.cast(l.tensor('float32', f, [k, k, c, m]), 'float16'), { pad: 'same', activation: 'relu6', precision: 'f16' }).data;
      const before = pool.stats().reduce((s, v) => s + v, 0);
      const got = run(lw);
      expect(pool.stats().reduce((s, v) => s + v, 0)).toBeGreaterThan(before + 1);
      expectSameBits(got as Float32Array, run(single) as Float32Array, `${k}×${k}, ${c} channels, multiplier ${m}`);
      expect(Array.from(run16(lw)), `'f16' ${k}×${k}, ${c} channels, multiplier ${m}`).toEqual(Array.from(run16(single)));
    }
  }));

  it('runs batched matMuls that do not fold as whole batches per task, with the same bits', () => onPool((lw, pool) => {
    type B = { a: number[]; b: number[]; tA?: boolean; tB?: boolean; bias?: boolean; relu?: boolean; prepack?: boolean };
    const shapes: B[] = [
      { a: [8, 13, 33], b: [8, 33, 47], bias: true, relu: true },
      { a: [2, 1, 9, 20], b: [1, 3, 17, 20], tB: true },                     // broadcast batches, B transposed
      { a: [5, 40, 6], b: [40, 24], tA: true, prepack: true, bias: true },  // A transposed on prepacked weights
      { a: [4, 2, 70], b: [4, 70, 9] },
    ];
    const run = (x: Lanewise, c: B, seed: number) => {
      const sz = (d: number[]) => d.reduce((p, q) => p * q, 1);
      const ta = x.tensor('float32', randomF32(sz(c.a), seed), c.a), tb = x.tensor('float32', randomF32(sz(c.b), seed + 1), c.b);
      const n = c.tB ? c.b[c.b.length - 2] : c.b[c.b.length - 1];
      const bias = c.bias ? randomF32(n, seed + 2) : undefined;
      const w = c.prepack ? x.prepack(tb, { bias }) : tb;
      const out = x.matMul(ta, w, { transposeA: c.tA, transposeB: c.tB, bias: c.prepack ? undefined : bias, activation: c.relu ? 'relu' : undefined });
      const data = out.read();
      ta.dispose(); tb.dispose(); out.dispose(); if (w !== tb) w.dispose();
      return data;
    };
    const batched = vi.spyOn(lw.device, 'gemmBatched');
    for (const [i, c] of shapes.entries()) {
      const before = pool.stats().reduce((x, y) => x + y, 0);
      const got = run(lw, c, 40 + i);
      expect(pool.stats().reduce((x, y) => x + y, 0), JSON.stringify(c)).toBeGreaterThan(before + 1);
      expect(batched.mock.results.at(-1)?.value, `${JSON.stringify(c)} ran as one plan of batches`).toBe(true);
      expectSameBits(got, run(single, c, 40 + i), JSON.stringify(c));
    }
    // Batches above BATCH_PLAN_MAX_OPS (2·64·1024·300 operations each) run one GEMM at a time.
    const big: B = { a: [4, 64, 1024], b: [4, 1024, 300] };
    const gotBig = run(lw, big, 50);
    expect(batched.mock.results.at(-1)?.value, 'large batches one GEMM at a time').toBe(false);
    expectSameBits(gotBig, run(single, big, 50), 'large batches');
    // Each batch element against the documented order.
    const a = randomF32(8 * 13 * 33, 40), b = randomF32(8 * 33 * 47, 41), bias = randomF32(47, 42);
    const all = run(lw, shapes[0], 40);
    for (let i = 0; i < 8; i++) {
      expectSameBits(all.subarray(i * 13 * 47, (i + 1) * 13 * 47),
        gemmF32Ordered(13, 47, 33, a.subarray(i * 13 * 33), b.subarray(i * 33 * 47), bias, 0, Infinity), `batch ${i}`);
    }
  }));

  it('runs batched binary16 matMuls that do not fold as whole batches per task, both precisions, with the same halves', () => onPool((lw) => {
    // The batched plan's per-thread scratch shows that it ran.
    const alloc = vi.spyOn(lw.device, 'alloc');
    const planned = () => alloc.mock.calls.filter((c) => c[1] === 'scratch (batched f16 gemm)').length;
    const r = rng(77);
    const [bs, m, k, n] = [6, 9, 21, 19];
    const a = randomF16(bs * m * k, r), b = randomF16(bs * k * n, r), bias = randomF16(n, r);
    for (const precision of ['f16', 'f16-exact'] as const) {
      const run = (x: Lanewise, tB: boolean) => {
        const bData = tB ? Uint16Array.from({ length: bs * k * n }, (_, i) => {
          const bi = Math.floor(i / (k * n)), j = Math.floor((i % (k * n)) / k), kk = i % k;
          return b[bi * k * n + kk * n + j];
        }) : b;
        const ta = x.tensor('float16', a, [bs, m, k]), tb = x.tensor('float16', bData, tB ? [bs, n, k] : [bs, k, n]);
        const out = x.matMul(ta, tb, { transposeB: tB, bias, activation: 'relu6', precision });
        const data = out.read();
        ta.dispose(); tb.dispose(); out.dispose();
        return data;
      };
      for (const tB of [false, true]) {
        const before = planned();
        const got = run(lw, tB);
        expect(planned(), `${precision} tB=${tB} ran as one plan of batches`).toBe(before + 1);
        expect(Array.from(got), `${precision} tB=${tB} against one thread`).toEqual(Array.from(run(single, tB)));
        const ref = precision === 'f16' ? gemmF16Fast : gemmF16Exact;
        for (let i = 0; i < bs; i++) {
          expect(Array.from(got.subarray(i * m * n, (i + 1) * m * n)), `${precision} tB=${tB} batch ${i}`)
            .toEqual(Array.from(ref(m, n, k, a.subarray(i * m * k), b.subarray(i * k * n), bias, 0, 6)));
        }
      }
      // A transposed on prepacked weights (one B for every batch).
      const aT = Uint16Array.from({ length: bs * k * m }, (_, j) => {
        const bi = Math.floor(j / (k * m)), kk = Math.floor((j % (k * m)) / m), row = j % m;
        return a[bi * m * k + row * k + kk];
      });
      const runT = (x: Lanewise) => {
        const w = x.prepack(x.tensor('float16', b.subarray(0, k * n), [k, n]), { bias });
        const ta = x.tensor('float16', aT, [bs, k, m]);
        const out = x.matMul(ta, w, { transposeA: true, activation: 'relu6', precision });
        const data = out.read();
        ta.dispose(); w.dispose(); out.dispose();
        return data;
      };
      const before = planned();
      const gotT = runT(lw);
      expect(planned(), `${precision} transposeA ran as one plan of batches`).toBe(before + 1);
      expect(Array.from(gotT), `${precision} transposeA against one thread`).toEqual(Array.from(runT(single)));
      const ref = precision === 'f16' ? gemmF16Fast : gemmF16Exact;
      for (let i = 0; i < bs; i++) {
        expect(Array.from(gotT.subarray(i * m * n, (i + 1) * m * n)), `${precision} transposeA batch ${i}`)
          .toEqual(Array.from(ref(m, n, k, a.subarray(i * m * k), b, bias, 0, 6)));
      }
    }
  }));

  it('keeps small problems on the calling thread', async () => {
    const lw = await Lanewise.create({ threads: 2 });
    try {
      expect(threadsFor(lw.device.kmod, 2 * 64 ** 3)).toBe(1);
      expect(threadsFor(lw.device.kmod, 2 * 96 ** 3)).toBe(2);
      // A driver that raises its own bar (the quantized GEMM: 2^22) keeps a 96³ call serial.
      expect(threadsFor(lw.device.kmod, opsFrom(2 * 96 ** 3, 2 ** 22))).toBe(1);
      expect(threadsFor(lw.device.kmod, opsFrom(2 * 128 ** 3, 2 ** 22))).toBe(2);
      expect(lw.info().threadsReason).toMatch(/2 threads/);
    } finally {
      lw.dispose();
    }
  });

  it('runs a 96³ f32 matMul on the pool and keeps a 96³ int8 qMatMul and f16 matMul serial', async () => {
    const lw = await Lanewise.create({ threads: 2 });
    try {
      const tasks = () => poolOf(lw).stats().reduce((x, y) => x + y, 0);
      const data = Float32Array.from({ length: 96 * 96 }, (_, i) => Math.sin(i));
      const a = lw.tensor('float32', data, [96, 96]);
      let before = tasks();
      lw.matMul(a, a).dispose();
      expect(tasks()).toBeGreaterThan(before);
      const q = lw.quantize(a, { bits: 8 });
      before = tasks();
      lw.qMatMul(q, q, { outScale: 0.05 }).dispose();
      const h = lw.cast(a, 'float16');
      lw.matMul(h, h).dispose();
      expect(tasks()).toBe(before);
    } finally {
      lw.dispose();
    }
  });

  it("'auto' uses the hardware's threads; options are validated", async () => {
    const lw = await Lanewise.create({ threads: 'auto' });
    expect(lw.info().threads).toBeGreaterThanOrEqual(1);
    lw.dispose();
    await expect(Lanewise.create({ threads: 0 })).rejects.toBeInstanceOf(ValueError);
    await expect(Lanewise.create({ threads: 2.5 })).rejects.toBeInstanceOf(ValueError);
    await expect(Lanewise.create({ threads: 'many' as never })).rejects.toBeInstanceOf(ValueError);
  });

  it('falls back to one thread with a reason when given the single-thread module', async () => {
    const lw = await Lanewise.create({ threads: 2, module: await compileBuild('simd') });
    try {
      expect(lw.info().threads).toBe(1);
      expect(lw.info().build).toBe('simd');
      expect(lw.info().threadsReason).toMatch(/lanewise-simd-mt\.wasm/);
      expectSameBits(runCase(lw, cases[6], 61), reference.get(cases[6])!);
    } finally {
      lw.dispose();
    }
  });

  it('a runtime that cannot reserve the shared memory: one thread with a reason, or threads under a smaller maxMemory', async () => {
    // As a 32-bit browser would: shared memories with a maximum above 256 MiB are refused.
    const Real = WebAssembly.Memory;
    const Refusing = function (d: WebAssembly.MemoryDescriptor) {
      if (d.shared && (d.maximum ?? 0) > 4096) throw new RangeError('WebAssembly.Memory(): could not allocate memory');
      return new Real(d);
    } as unknown as typeof WebAssembly.Memory;
    Object.defineProperty(WebAssembly, 'Memory', { value: Refusing, configurable: true, writable: true });
    try {
      const one = await Lanewise.create({ threads: 2 });
      expect(one.info().threads).toBe(1);
      expect(one.info().build).toBe('simd');
      expect(one.info().threadsReason).toMatch(/could not reserve a shared memory of 4294967296 bytes \(pass a smaller maxMemory for threads; WebAssembly.Memory\(\): could not allocate memory\)$/);
      expectSameBits(runCase(one, cases[6], 61), reference.get(cases[6])!);
      one.dispose();
      const two = await Lanewise.create({ threads: 2, maxMemory: 256 << 20 });
      await (executorOf(two.device.kmod) as Pool).whenReady();
      expect(two.info().threads).toBe(2);
      expectSameBits(runCase(two, cases[6], 61), reference.get(cases[6])!);
      two.dispose();
      // Asked for by name, the threads build is not swapped: a typed error naming the option.
      await expect(Lanewise.create({ build: 'simd-mt' })).rejects.toThrow(/^options\.maxMemory: expected a size this runtime can reserve for a shared WebAssembly\.Memory, got 4294967296 bytes \(.*pass a smaller maxMemory\)$/);
    } finally {
      Object.defineProperty(WebAssembly, 'Memory', { value: Real, configurable: true, writable: true });
    }
  });

  it('a job whose call table does not fit in memory runs on the calling thread, and the pool keeps no freed block', () => onPool((lw) => {
    const arena = lw.device.arena, real = arena.alloc.bind(arena);
    let table = -1;
    const alloc = vi.spyOn(arena, 'alloc').mockImplementation((bytes: number, what: string) => {
      const ptr = real(bytes, what);
      if (what === 'thread pool job (calls)' && table < 0) table = ptr;
      return ptr;
    });
    try {
      const x = lw.tensor('float32', randomF32(4096, 90), [4096]);
      lw.relu(x).dispose();
      expect(table, 'the first job allocated a call table').toBeGreaterThan(0);
      // 300 images: one kernel call each, more than the first table holds. Its replacement is
      // refused; the old table was freed to make room for it.
      alloc.mockImplementation((bytes: number, what: string) => {
        if (what === 'thread pool job (calls)') throw new OutOfMemoryError(what, 'a block (refused by the test)', `${bytes} bytes`);
        return real(bytes, what);
      });
      const img = randomF32(300 * 4 * 3, 91);
      const got = lw.globalAvgPool(lw.tensor('float32', img, [300, 2, 2, 3])).read();
      expect(alloc.mock.calls.some((c) => c[1] === 'thread pool job (calls)'), 'the larger table was asked for').toBe(true);
      expectSameBits(got, single.globalAvgPool(single.tensor('float32', img, [300, 2, 2, 3])).read());
      alloc.mockImplementation(real);
      // A tensor now takes the old table's address; the next threaded job must not write its calls there.
      let victim: ReturnType<typeof lw.tensor> | undefined;
      for (let i = 0; i < 64 && !victim; i++) {
        const t = lw.tensor('float32', new Float32Array(1024).fill(42), [1024]);
        if (t.block.ptr <= table && table < t.block.ptr + 4096) victim = t;
      }
      expect(victim, 'the old table block is free').toBeDefined();
      const y = lw.relu(x).read();
      expect(Array.from(victim!.read()), 'the tensor in the old table block').toEqual(new Array(1024).fill(42));
      expectSameBits(y, single.relu(single.tensor('float32', randomF32(4096, 90), [4096])).read());
    } finally {
      alloc.mockRestore();
    }
  }));

  it('cuts a plan past the control block (stages, tasks per stage) into jobs run in a row, with the same calls', async () => {
    const lw = await Lanewise.create({ threads: 1 });
    try {
      const fn = 'f32_vclamp_x8__simd';
      const plan = (stages: number[]) => {
        const p = new Plan(lw.device.kmod);
        let id = 0;
        for (const tasks of stages) { for (let t = 0; t < tasks; t++) p.task().call(fn, [id++, 0, 0]); p.stage(); }
        return p.finish();
      };
      const idsOf = (w: Plan) => Array.from({ length: w.nCalls }, (_, i) => w.calls[i * CALL_SLOTS + 2]);
      const small = plan([3, 5]);
      expect(jobWindows(small)).toEqual([small]);
      // One stage of 65,537 tasks: one job, the stage cut at 65,535.
      const wide = jobWindows(plan([65537]));
      expect(wide.map((w) => [w.taskCount, w.stageStarts])).toEqual([[65537, [0, 65535]]]);
      // 70 stages of 2 tasks: jobs of 32, 32 and 6 stages, calls rebased, in order.
      const long = jobWindows(plan(Array(70).fill(2)));
      expect(long.map((w) => w.stageCount)).toEqual([32, 32, 6]);
      expect(long.map((w) => w.taskStarts[0])).toEqual([0, 0, 0]);
      expect(long.flatMap(idsOf)).toEqual(Array.from({ length: 140 }, (_, i) => i));
    } finally {
      lw.dispose();
    }
  });

  it('runs plans past the control block on the pool with the single-thread bits: int4/int2 qMatMul with many N blocks, 65,536 images', async () => {
    const [one, two] = [await Lanewise.create({ threads: 1 }), await Lanewise.create({ threads: 2 })];
    try {
      await poolOf(two).whenReady();
      const [m, k, n] = [16, 4096, 2048];
      const x = randomF32(m * k, 41), w = randomF32(n * k, 42);
      for (const bits of [4, 2] as const) {
        const run = (l: Lanewise) => {
          const qx = l.quantize(l.tensor('float32', x, [m, k]));
          const qw = l.quantize(l.tensor('float32', w, [n, k]), { bits, axis: 0 });
          const y = l.qMatMul(qx, qw, { transposeB: true, output: 'int32' });
          const out = y.data; y.dispose(); qx.dispose(); qw.dispose();
          return out;
        };
        const jobs = vi.spyOn(poolOf(two), 'run');
        expect(Array.from(run(two))).toEqual(Array.from(run(one)));
        // The plan and then each of its jobs went through the pool.
        expect(jobs.mock.calls.length).toBeGreaterThan(2);
        jobs.mockRestore();
      }
      const N = 65536, xs = randomF32(N * 2 * 2 * 8, 43), fs = randomF32(72, 44);
      const dw = (l: Lanewise) => l.depthwiseConv2d(l.tensor('float32', xs, [N, 2, 2, 8]), l.tensor('float32', fs, [3, 3, 8, 1]), { pad: 'same' }).data;
      expectSameBits(dw(two), dw(one));
    } finally {
      one.dispose(); two.dispose();
    }
  });

  it('a worker dying mid-call: typed error, no hang, then the pool recovers', () => onPool(async (lw, pool) => {
    pool.callerTakesWork = false;   // so the worker surely claims a task
    pool.killOnNextTask(1);
    const t0 = Date.now();
    expect(() => runCase(lw, cases[6], 61)).toThrow(WorkerError);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(lw.info().threads).toBe(1);       // restarting
    await pool.whenReady();
    expect(lw.info().threads).toBe(2);
    expectSameBits(runCase(lw, cases[6], 61), reference.get(cases[6])!);
    expect(pool.stats()[1]).toBeGreaterThan(0);
  }, 300));

  it('a worker dying in the first or last job of a call: the call keeps none of its blocks', () => onPool(async (lw, pool) => {
    // Blocks by label, without the pool's own (a restart leaves its old tables unused).
    const arena = lw.device.arena, labels = new Map<number, string>();
    const alloc = arena.alloc.bind(arena), free = arena.free.bind(arena);
    arena.alloc = (bytes: number, what: string) => { const p = alloc(bytes, what); labels.set(p, what); return p; };
    arena.free = (p: number) => { labels.delete(p); free(p); };
    const ours = () => [...labels].filter(([, w]) => !w.startsWith('thread pool')).map(([p, w]) => `${w}@${p}`).sort();
    const F = (n: number, s: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * s + 1));
    const x = lw.tensor('float32', F(4 * 8 * 8 * 16, 1), [4, 8, 8, 16]), w = lw.tensor('float32', F(64 * 64, 2), [64, 64]);
    const q = lw.quantize(x), x16 = lw.cast(x, 'float16');
    const f16 = lw.cast(lw.tensor('float32', F(8 * 3 * 3 * 16, 3), [8, 3, 3, 16]), 'float16');
    const d16 = lw.cast(lw.tensor('float32', F(3 * 3 * 16, 4), [3, 3, 16, 1]), 'float16');
    const ops: [string, () => { dispose(): void }][] = [
      ['quantize', () => lw.quantize(x)], ['quantize axis 0', () => lw.quantize(w, { axis: 0 })],
      ['dequantize', () => lw.dequantize(q)], ['requantize', () => lw.requantize(q, { scale: 0.05, zeroPoint: 3 })],
      ['fromNCHW', () => lw.fromNCHW(x)], ['relu', () => lw.relu(x)], ['add', () => lw.add(x, x)],
      ['globalAvgPool', () => lw.globalAvgPool(x)], ['cast', () => lw.cast(x, 'float16')],
      ['prepackConv f16', () => lw.prepackConv(f16)],
      ["conv2d 'f16-exact'", () => lw.conv2d(x16, f16, { precision: 'f16-exact' })],
      ["depthwiseConv2d 'f16'", () => lw.depthwiseConv2d(x16, d16, { precision: 'f16' })],
    ];
    const run = pool.run.bind(pool);
    let jobs = 0, killAt = -1;
    pool.run = (plan) => { if (++jobs === killAt) { pool.callerTakesWork = false; pool.killOnNextTask(1); } run(plan); };
    for (const [name, op] of ops) {
      await pool.whenReady();
      op().dispose();   // the first call may warm kernels up in jobs of its own
      jobs = 0; killAt = -1;
      op().dispose();
      for (const j of new Set([1, jobs])) {
        await pool.whenReady();
        (pool as unknown as { restarts: number }).restarts = 0;   // under the give-up limit across the ops
        const before = ours();
        jobs = 0; killAt = j;
        expect(() => op().dispose(), `${name}, job ${j}`).toThrow(WorkerError);
        pool.callerTakesWork = true;
        expect(ours(), `${name}, job ${j}`).toEqual(before);
      }
    }
  }, 300), 60_000);

  it('a replacement worker that dies before it is ready: the pool tries again instead of staying on one thread', () => onPool(async (lw, pool) => {
    const a = lw.tensor('float32', new Float32Array(64 * 64).fill(1), [64, 64]);
    pool.callerTakesWork = false;
    pool.killOnNextTask(1);
    expect(() => lw.matMul(a, a)).toThrow(WorkerError);
    pool.callerTakesWork = true;
    // Wait for the replacement to exist but not be ready yet, then end it.
    const slots = () => (pool as unknown as { slots: { handle: unknown; ready: boolean }[] }).slots;
    for (let i = 0; i < 5000 && !slots().some((x) => x.handle && !x.ready); i++) await new Promise((r) => setTimeout(r, 0.2));
    pool.terminateWorker(1);
    await pool.whenReady();
    for (let i = 0; i < 100 && lw.info().threads !== 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(lw.info().threads).toBe(2);
    expect(lw.matMul(a, a).data[0]).toBe(64);
  }, 300));

  it('a worker terminated between calls is replaced', async () => {
    const lw = await Lanewise.create({ threads: 2 });
    try {
      const pool = poolOf(lw);
      pool.minOps = 0;
      pool.callerTakesWork = false;
      pool.terminateWorker(1);
      // Until the replacement is ready, calls run on the calling thread.
      for (let i = 0; i < 200 && pool.readyWorkers > 0; i++) await new Promise((r) => setTimeout(r, 5));
      expectSameBits(runCase(lw, cases[6], 61), reference.get(cases[6])!);
      await pool.whenReady();
      expectSameBits(runCase(lw, cases[7], 71), reference.get(cases[7])!);
      expect(pool.stats()[1]).toBeGreaterThan(0);
    } finally {
      lw.dispose();
    }
  });

  it('workers do not keep a Node process alive (no dispose), and start under flags Node refuses in workers', async () => {
    const { execFile } = await import('node:child_process');
    const entry = new URL('../../dist/src/index.js', import.meta.url).href;
    const code = `import { Lanewise } from ${JSON.stringify(entry)};
      const lw = await Lanewise.create({ threads: 2 });
      const a = lw.tensor('float32', new Float32Array(256 * 256).fill(1), [256, 256]);
      console.log(lw.info().threads, lw.matMul(a, a).data[0]);`;
    // --expose-gc, --max-old-space-size, --stack-size: process flags a Worker's execArgv may not carry.
    for (const flags of [[], ['--expose-gc', '--max-old-space-size=2048', '--stack-size=2000']]) {
      const out = await new Promise<string>((resolve, reject) => {
        execFile(process.execPath, [...flags, '--input-type=module', '-e', code], { timeout: 20_000 }, (err, stdout, stderr) => {
          if (err) reject(new Error(`${err.message} ${stderr}`)); else resolve(stdout);
        });
      });
      expect(out.trim(), flags.join(' ')).toBe('2 256');
    }
  }, 60_000);

  it('an instance dropped without dispose() ends its workers once it is collected', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const pool = await (async () => {
      const lw = await Lanewise.create({ threads: 3 });
      const a = lw.tensor('float32', new Float32Array(128 * 128).fill(1), [128, 128]);
      expect(lw.matMul(a, a).data[0]).toBe(128);
      return poolOf(lw);
    })();
    expect(pool.readyWorkers).toBe(2);
    // Finalizers run as tasks some time after a collection: collect and yield until they have.
    for (let i = 0; i < 100 && pool.readyWorkers > 0; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(pool.readyWorkers).toBe(0);
  });

  it('dispose ends the workers', async () => {
    const lw = await Lanewise.create({ threads: 3 });
    const pool = poolOf(lw);
    expect(pool.readyWorkers).toBe(2);
    lw.dispose();
    expect(pool.readyWorkers).toBe(0);
    expect(executorOf(lw.device.kmod)).toBeNull();
  });
});
