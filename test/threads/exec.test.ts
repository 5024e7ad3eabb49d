// The generic executor (bindings/exec.ts) with the pool: multi-call tasks, per-thread scratch
// (argument masks), and stage barriers, on elementwise kernels — the same plan serially and on
// 3 threads must give the same bytes.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Device } from '../../bindings/device.js';
import { Calls, nBlockColumns, Plan, Spans, runPlan, runSerial, maxThreads } from '../../bindings/exec.js';
import { Pool } from '../../bindings/pool.js';
import { randomF32 } from '../harness/random.js';

const CHUNK = 256, CHUNKS = 96;
let dev: Device;
let pool: Pool;
beforeAll(async () => {
  dev = await Device.create({ build: 'simd-mt' });
  pool = await Pool.start(dev.kmod, dev.arena, { workers: 2, minOps: 0 });
});
afterAll(() => pool.dispose());

/** Stage 1: out[i] = clamp(x[i]) through thread scratch; stage 2: y[i] = out[i] + out[i+1 mod CHUNKS]. */
function plan(x: number, out: number, y: number, scratch: number): Plan {
  const p = new Plan(dev.kmod);
  p.threadScratch(scratch, CHUNK * 4);
  for (let i = 0; i < CHUNKS; i++) {
    p.task()
      .call('f32_vclamp_x8__simd', [CHUNK, x + i * CHUNK * 4, 0, -0.5, 0.5], 0b100)
      .call('f32_vclamp_x8__simd', [CHUNK, 0, out + i * CHUNK * 4, -Infinity, Infinity], 0b10);
  }
  p.stage();
  for (let i = 0; i < CHUNKS; i++) {
    p.task().call('f32_vadd_x8__simd', [CHUNK, out + i * CHUNK * 4, out + ((i + 1) % CHUNKS) * CHUNK * 4, y + i * CHUNK * 4, -Infinity, Infinity]);
  }
  return p;
}

describe('executor', () => {
  it('builds tasks and stages', () => {
    const p = plan(0, 0, 0, 0).finish();
    expect(p.stageCount).toBe(2);
    expect(p.taskCount).toBe(2 * CHUNKS);
    expect(p.nCalls).toBe(3 * CHUNKS);
  });

  for (const callerTakesWork of [true, false]) {
    it(`runs multi-call tasks with per-thread scratch and barriers (caller takes work: ${callerTakesWork})`, () => {
      const n = CHUNK * CHUNKS;
      const data = randomF32(n, 5, -2, 2);
      const xb = dev.alloc(n * 4, 'x'), ob = dev.alloc(n * 4, 'out'), yb = dev.alloc(n * 4, 'y');
      const sb = dev.alloc(CHUNK * 4 * maxThreads(dev.kmod), 'scratch');
      try {
        expect(maxThreads(dev.kmod)).toBe(3);
        dev.write(xb, data);
        const want = new Float32Array(n);
        for (let i = 0; i < CHUNKS; i++) {
          for (let j = 0; j < CHUNK; j++) {
            const c = (v: number) => Math.min(0.5, Math.max(-0.5, v));
            want[i * CHUNK + j] = Math.fround(c(data[i * CHUNK + j]) + c(data[((i + 1) % CHUNKS) * CHUNK + j]));
          }
        }
        runSerial(dev.kmod, plan(xb.ptr, ob.ptr, yb.ptr, sb.ptr).finish());
        expect(dev.read(yb, new Float32Array(n))).toEqual(want);
        dev.fill(yb, 0); dev.fill(ob, 0);
        pool.callerTakesWork = callerTakesWork;
        const before = pool.stats();
        for (let r = 0; r < 20; r++) runPlan(dev.kmod, plan(xb.ptr, ob.ptr, yb.ptr, sb.ptr));
        expect(dev.read(yb, new Float32Array(n))).toEqual(want);
        const after = pool.stats();
        expect(after[1] + after[2] - before[1] - before[2]).toBeGreaterThan(0);
      } finally {
        dev.free(sb); dev.free(yb); dev.free(ob); dev.free(xb);
        pool.callerTakesWork = true;
      }
    });
  }

  it('reports a trap inside a worker task as an error of the call, and stays usable', () => {
    // An out-of-bounds read traps in whichever thread runs the task.
    const p = new Plan(dev.kmod);
    for (let i = 0; i < 8; i++) p.task().call('f32_vclamp_x8__simd', [CHUNK, 0xfffff000, 0xfffff000, 0, 1]);
    pool.callerTakesWork = false;
    try {
      expect(() => runPlan(dev.kmod, p)).toThrow();
    } finally {
      pool.callerTakesWork = true;
    }
    const ok = new Plan(dev.kmod);
    const b = dev.alloc(CHUNK * 4 * 4, 'b');
    for (let i = 0; i < 4; i++) ok.task().call('f32_vclamp_x8__simd', [CHUNK, b.ptr + i * CHUNK * 4, b.ptr + i * CHUNK * 4, 0, 1]);
    expect(() => runPlan(dev.kmod, ok)).not.toThrow();
    dev.free(b);
  });
});

describe('task spans', () => {
  /** Spans of runs of `units` (total `runs`·`units`) for `threads`, flattened with their run index. */
  const cut = (threads: number, runs: number, units: number, min = 1) => {
    const s = new Spans(threads, runs * units, min);
    return Array.from({ length: runs }, (_, r) => s.of(units).map(([u0, n]) => ({ r, u0, n }))).flat();
  };

  it('is one span per run on one thread', () => {
    expect(cut(1, 3, 50)).toEqual([0, 1, 2].map((r) => ({ r, u0: 0, n: 50 })));
  });

  it('covers every unit once, in order, for any shape', () => {
    for (const [threads, runs, units, min] of [[2, 1, 64, 1], [2, 9, 256, 1], [3, 4, 7, 1], [2, 1, 1, 1], [4, 2, 3136, 32], [2, 3, 5, 32]]) {
      const spans = cut(threads, runs, units, min);
      for (let r = 0; r < runs; r++) {
        let next = 0;
        for (const s of spans.filter((x) => x.r === r)) { expect(s.u0).toBe(next); expect(s.n).toBeGreaterThan(0); next += s.n; }
        expect(next).toBe(units);
      }
    }
  });

  it('shrinks towards the end of the job: long first tasks, a one-unit tail', () => {
    const n = cut(2, 1, 64).map((s) => s.n);
    expect(n[0]).toBe(16); // a quarter of the work: 1/(2·threads)
    for (let i = 1; i < n.length; i++) expect(n[i]).toBeLessThanOrEqual(n[i - 1]);
    expect(n.slice(-3)).toEqual([1, 1, 1]);
    // Across runs the work left counts every later run: the first run's spans stay long.
    const multi = cut(2, 4, 64);
    expect(multi.filter((s) => s.r === 0).every((s) => s.n === 64)).toBe(true);
    expect(multi.at(-1)!.n).toBe(1);
    // The floor: no span under `min` units unless its run has fewer left.
    expect(cut(2, 1, 3136, 32).every((s, i, all) => s.n >= 32 || i === all.length - 1)).toBe(true);
  });
});

describe('N blocks', () => {
  it('fit the budget, cover N, and the last is at most blocks − 1 panels short of the others', () => {
    for (const [n, panel, panelBytes, budget] of [[512, 8, 16416, 512 << 10], [1024, 8, 32800, 512 << 10], [7, 8, 100, 4096],
      [4096, 16, 70000, 384 << 10], [256, 8, 8224, 512 << 10], [9, 8, 1 << 20, 512 << 10]]) {
      const nb = nBlockColumns(n, panel, panelBytes, budget);
      const panels = Math.ceil(n / panel), blocks = Math.ceil(panels / (nb / panel));
      expect(nb % panel, `n=${n}`).toBe(0);
      expect((nb / panel) * panelBytes <= budget || nb === panel, `n=${n}: ${nb} columns over the budget`).toBe(true);
      expect(panels - (blocks - 1) * (nb / panel), `n=${n}: last block`).toBeGreaterThan(nb / panel - blocks);
    }
    // 512 columns of 512-deep panels: 31 fit, so 3 blocks, made 22 + 22 + 20 panels (not 31 + 31 + 2).
    expect(nBlockColumns(512, 8, 16416, 512 << 10)).toBe(176);
    // A call that fits in one block stays one block.
    expect(nBlockColumns(200, 8, 16416, 512 << 10)).toBe(200);
  });
});

describe('element ranges (Calls.ranges)', () => {
  it('cover n once, start aligned, one range serially and 2 per thread on the pool', () => {
    const serial = new Calls(dev.kmod, 0, true), pooled = new Calls(dev.kmod, 1 << 30);
    expect(pooled.threads).toBe(3);
    for (const n of [1, 63, 64, 65, 1000, 70001, 401408]) {
      expect(serial.ranges(n), `n=${n} serially`).toEqual([[0, n]]);
      const r = pooled.ranges(n);
      expect(r.length, `n=${n}`).toBeLessThanOrEqual(6);
      let next = 0;
      for (const [i, count] of r) {
        expect(i, `n=${n}: ranges back to back`).toBe(next);
        expect(i % 64, `n=${n}: start aligned`).toBe(0);
        expect(count).toBeGreaterThan(0);
        next = i + count;
      }
      expect(next, `n=${n}: covered`).toBe(n);
    }
  });
});
