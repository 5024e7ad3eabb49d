// The f16 API: lw.cast, float16 tensors, matMul/prepack with precision 'f16' / 'f16-exact',
// transposes (the backward GEMMs), broadcasting, and typed errors for bad input.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Lanewise, ShapeError, DTypeError, ValueError, LanewiseError, PackedMatrixF16 } from '../../src/index.js';
import { gemmF16Exact, gemmF16Fast, f16Value, randomF16, round16Bits, transpose16 } from '../reference/f16.js';
import { gemmF64 } from '../reference/gemm.js';
import { rng } from '../harness/random.js';
import { executorOf } from '../../bindings/exec.js';
import type { Pool } from '../../bindings/pool.js';

let lw: Lanewise;
beforeAll(async () => { lw = await Lanewise.create(); });
afterAll(() => lw.dispose());

function expectSameHalves(got: Uint16Array, want: Uint16Array, what = ''): void {
  expect(got.length).toBe(want.length);
  const canon = (h: number) => ((h & 0x7fff) > 0x7c00 ? 0x7e00 : h);
  for (let i = 0; i < got.length; i++) {
    if (canon(got[i]) !== canon(want[i])) expect.fail(`${what} element ${i}: got 0x${got[i].toString(16)}, want 0x${want[i].toString(16)}`);
  }
}

describe('cast', () => {
  it('float32 → float16 → float32 round-trips every half and rounds like the reference', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const h = lw.tensor('float16', all, [256, 256]);
    const f = lw.cast(h, 'float32');
    expect(f.type).toBe('float32');
    expect(f.dims).toEqual([256, 256]);
    const back = lw.cast(f, 'float16');
    const got = back.data;
    for (let i = 0; i < 65536; i++) {
      // Signalling NaNs come back quiet; everything else bit for bit.
      const want = (i & 0x7fff) > 0x7c00 ? i | 0x0200 : i;
      if (got[i] !== want) expect.fail(`half 0x${i.toString(16)} came back as 0x${got[i].toString(16)}`);
    }
    const x = new Float32Array([0.1, -65519, 65520, 1e-8, -3e-8, 2 ** -25, 1 + 2 ** -11, 1 + 3 * 2 ** -11, -0]);
    const hx = lw.cast(lw.tensor('float32', x), 'float16').data;
    expect(Array.from(hx)).toEqual(Array.from(x, round16Bits));
  });

  it('copies when the type is already the requested one, and refuses other types', () => {
    const h = lw.tensor('float16', [0x3c00, 0x4000]);
    const c = lw.cast(h, 'float16');
    expect(Array.from(c.data)).toEqual([0x3c00, 0x4000]);
    expect(() => lw.cast(lw.tensor('int32', [1]), 'float16')).toThrow(DTypeError);
    expect(() => lw.cast(h, 'int8' as never)).toThrow(DTypeError);
    expect(() => lw.cast({} as never, 'float16')).toThrow(ValueError);
  });
});

describe("matMul with float16 tensors", () => {
  const cases = [['f16', gemmF16Fast], ['f16-exact', gemmF16Exact]] as const;

  for (const [precision, ref] of cases) {
    it(`precision '${precision}': every transpose combination, bias, activation, bit for bit`, () => {
      const r = rng(precision === 'f16' ? 1 : 2);
      const m = 6, k = 19, n = 13;
      const a = randomF16(m * k, r), b = randomF16(k * n, r), bias = randomF16(n, r);
      for (const transposeA of [false, true]) {
        for (const transposeB of [false, true]) {
          for (const [activation, lo, hi] of [[undefined, -Infinity, Infinity], ['relu', 0, Infinity], ['relu6', 0, 6]] as const) {
            const ta = lw.tensor('float16', transposeA ? transpose16(m, k, a) : a, transposeA ? [k, m] : [m, k]);
            const tb = lw.tensor('float16', transposeB ? transpose16(k, n, b) : b, transposeB ? [n, k] : [k, n]);
            const c = lw.matMul(ta, tb, { transposeA, transposeB, bias, activation, precision });
            expect(c.type).toBe('float16');
            expect(c.dims).toEqual([m, n]);
            expectSameHalves(c.data, ref(m, n, k, a, b, bias, lo, hi), `tA=${transposeA} tB=${transposeB} ${activation}`);
            for (const t of [ta, tb, c]) t.dispose();
          }
        }
      }
    });

    if (precision === 'f16') {
      it("precision 'f16' with K above 768 (the f32 GEMM's K slices), partial panels, relu6: bit for bit", () => {
        const r = rng(44);
        for (const [m, k, n] of [[256, 1025, 11], [259, 800, 17], [260, 1600, 8], [256, 1536, 300], [255, 1025, 9]] as const) {
          const a = randomF16(m * k, r), b = randomF16(k * n, r), bias = randomF16(n, r);
          const ta = lw.tensor('float16', a, [m, k]), tb = lw.tensor('float16', b, [k, n]);
          const c = lw.matMul(ta, tb, { bias, activation: 'relu6', precision });
          expectSameHalves(c.data, ref(m, n, k, a, b, bias, 0, 6), `${m}×${k}×${n}`);
          for (const t of [ta, tb, c]) t.dispose();
        }
      });
    }

    it(`precision '${precision}': prepacked weights give the same bits and take half the f32 bytes`, () => {
      const r = rng(3);
      const m = 9, k = 70, n = 21;
      const a = randomF16(m * k, r), b = randomF16(k * n, r), bias = randomF16(n, r);
      const ta = lw.tensor('float16', a, [m, k]), tb = lw.tensor('float16', b, [k, n]);
      const w = lw.prepack(tb, { bias });
      expect(w).toBeInstanceOf(PackedMatrixF16);
      const w32 = lw.prepack(lw.cast(tb, 'float32'));
      expect(w.byteLength * 2).toBeLessThanOrEqual(w32.byteLength + 64);
      expect(w.byteLength).toBeLessThan(w32.byteLength * 0.51);
      expectSameHalves(lw.matMul(ta, w, { precision }).data, ref(m, n, k, a, b, bias), 'prepacked');
      // Per-call bias on weights packed without one; then back to none.
      const w2 = lw.prepack(tb);
      expectSameHalves(lw.matMul(ta, w2, { precision, bias }).data, ref(m, n, k, a, b, bias), 'call bias');
      expectSameHalves(lw.matMul(ta, w2, { precision }).data, ref(m, n, k, a, b, null), 'no bias');
      // M = 1 rows equal the same rows of the full product.
      const full = lw.matMul(ta, w2, { precision }).data;
      const one = lw.matMul(lw.tensor('float16', a.slice(k * 4, k * 5), [1, k]), w2, { precision }).data;
      expectSameHalves(one, full.slice(n * 4, n * 5), 'row 4');
    });
  }

  it("the 'f16' GEMV on prepacked weights with an Inf or NaN (checked at prepack): bit for bit, as on finite ones", () => {
    // Prepack records whether the weights are all finite; the GEMV skips its per-step check only then.
    const r = rng(5);
    const k = 45, n = 37;
    const a = randomF16(k, r), bias = randomF16(n, r);
    for (const special of [null, 0x7c00, 0xfc00, 0x7e00, 0xfd01]) {
      for (const at of [0, 9 * n + 17, k * n - 1]) {
        const b = randomF16(k * n, r);
        if (special !== null) b[at] = special;
        const w = lw.prepack(lw.tensor('float16', b, [k, n]), { bias });
        expectSameHalves(lw.matMul(lw.tensor('float16', a, [1, k]), w, { precision: 'f16' }).data,
          gemmF16Fast(1, n, k, a, b, bias), `weight ${special === null ? 'finite' : special.toString(16)} at ${at}`);
        w.dispose();
      }
    }
  });

  it("'f16' with 2 or 3 rows on prepacked weights (finite: the 2×16 and 3×8 kernels; else the widening path): bit for bit", () => {
    const r = rng(7);
    for (const [m, k, n] of [[2, 45, 21], [2, 1, 8], [2, 300, 77], [2, 64, 16], [3, 45, 21], [3, 1, 9], [3, 300, 77], [3, 64, 16]]) {
      const a = randomF16(m * k, r), b = randomF16(k * n, r), bias = randomF16(n, r);
      const ta = lw.tensor('float16', a, [m, k]);
      for (const special of [null, 0x7c00, 0xfe00]) {
        const bj = b.slice();
        if (special !== null) bj[k * n - 1] = special;
        const w = lw.prepack(lw.tensor('float16', bj, [k, n]), { bias });
        expectSameHalves(lw.matMul(ta, w, { precision: 'f16', activation: 'relu6' }).data, gemmF16Fast(m, n, k, a, bj, bias, 0, 6),
          `${m}×${k}×${n}, ${special === null ? 'finite' : special.toString(16)}`);
        w.dispose();
      }
    }
  });

  it("'f16' with 5 to 7 rows on prepacked finite weights of 2^23 halves (row groups of 3 and 2): the widening path's bits", () => {
    const r = rng(8);
    const k = 2048, n = 4100;
    const tb = lw.tensor('float16', randomF16(k * n, r), [k, n]), bias = randomF16(n, r);
    const w = lw.prepack(tb, { bias });
    for (const m of [5, 6, 7]) {
      const ta = lw.tensor('float16', randomF16(m * k, r), [m, k]);
      const grouped = lw.matMul(ta, w, { precision: 'f16', activation: 'relu' }), widened = lw.matMul(ta, tb, { precision: 'f16', activation: 'relu', bias });
      expectSameHalves(grouped.data, widened.data, `m = ${m}`);
      grouped.dispose(); widened.dispose(); ta.dispose();
    }
    w.dispose(); tb.dispose();
  });

  it("'f16' with 2 to 4 rows on prepacked weights of 2^22 halves (read as binary16 when finite): bit for bit", () => {
    const r = rng(6);
    const k = 1024, n = 4096;
    const b = randomF16(k * n, r), bias = randomF16(n, r);
    const w = lw.prepack(lw.tensor('float16', b, [k, n]), { bias });
    for (const m of [2, 3, 4]) {
      const a = randomF16(m * k, r);
      const want = gemmF16Fast(m, n, k, a, b, bias, 0, Infinity);
      expectSameHalves(lw.matMul(lw.tensor('float16', a, [m, k]), w, { precision: 'f16', activation: 'relu' }).data, want, `m = ${m}`);
      if (m === 3) {
        expectSameHalves(lw.matMul(lw.tensor('float16', transpose16(m, k, a), [k, m]), w, { precision: 'f16', activation: 'relu', transposeA: true }).data,
          want, 'transposeA');
      }
    }
    // One Inf weight: prepack notes it, and the call takes the path that widens every weight.
    const bInf = b.slice();
    bInf[7 * n + 4093] = 0xfc00;
    const wInf = lw.prepack(lw.tensor('float16', bInf, [k, n]), { bias });
    const a = randomF16(4 * k, r);
    expectSameHalves(lw.matMul(lw.tensor('float16', a, [4, k]), wInf, { precision: 'f16' }).data, gemmF16Fast(4, n, k, a, bInf, bias), 'an Inf weight');
    w.dispose(); wInf.dispose();
  });

  it("defaults to 'f16' for float16 operands and stays within storage rounding of the f64 product", () => {
    const r = rng(5);
    const m = 20, k = 300, n = 30;
    const a = randomF16(m * k, r), b = randomF16(k * n, r);
    const c = lw.matMul(lw.tensor('float16', a, [m, k]), lw.tensor('float16', b, [k, n]));
    expect(c.type).toBe('float16');
    const want = gemmF64(m, n, k, Array.from(a, f16Value), Array.from(b, f16Value));
    const got = c.data;
    for (let i = 0; i < got.length; i++) {
      // One storage rounding (½ ulp16 = 2^-11 relative) plus the f32 accumulation error.
      const abs = Math.abs(want[i]);
      expect(Math.abs(f16Value(got[i]) - want[i])).toBeLessThanOrEqual(abs * 2 ** -11 + (k + 2) * 2 ** -24 * k + 2 ** -24);
    }
  });

  it('broadcasts batch dimensions, with the same bits as per-batch products', () => {
    const r = rng(6);
    const m = 3, k = 4, n = 5;
    const a = randomF16(2 * 3 * m * k, r), b = randomF16(3 * k * n, r);
    for (const precision of ['f16', 'f16-exact'] as const) {
      const c = lw.matMul(lw.tensor('float16', a, [2, 3, m, k]), lw.tensor('float16', b, [3, k, n]), { precision });
      expect(c.dims).toEqual([2, 3, m, n]);
      const got = c.data;
      const ref = precision === 'f16' ? gemmF16Fast : gemmF16Exact;
      for (let i = 0; i < 2; i++) {
        for (let j = 0; j < 3; j++) {
          const idx = i * 3 + j;
          expectSameHalves(got.slice(idx * m * n, (idx + 1) * m * n),
            ref(m, n, k, a.subarray(idx * m * k, (idx + 1) * m * k), b.subarray(j * k * n, (j + 1) * k * n), null), `batch ${idx}`);
        }
      }
    }
  });

  it('serves the backward GEMMs: grad-input = dY·Wᵀ and grad-weight = Xᵀ·dY from the same kernels', () => {
    const r = rng(7);
    const batch = 7, cin = 12, cout = 10;
    const x = randomF16(batch * cin, r), w = randomF16(cin * cout, r), dy = randomF16(batch * cout, r);
    const tx = lw.tensor('float16', x, [batch, cin]), tw = lw.tensor('float16', w, [cin, cout]), tdy = lw.tensor('float16', dy, [batch, cout]);
    for (const precision of ['f16', 'f16-exact'] as const) {
      const ref = precision === 'f16' ? gemmF16Fast : gemmF16Exact;
      const dx = lw.matMul(tdy, tw, { transposeB: true, precision });
      expectSameHalves(dx.data, ref(batch, cin, cout, dy, transpose16(cin, cout, w), null), `dX ${precision}`);
      const dw = lw.matMul(tx, tdy, { transposeA: true, precision });
      expectSameHalves(dw.data, ref(cin, cout, batch, transpose16(batch, cin, x), dy, null), `dW ${precision}`);
    }
  });

  it('handles empty and degenerate shapes', () => {
    const e1 = lw.matMul(lw.zeros('float16', [0, 3]), lw.zeros('float16', [3, 4]));
    expect(e1.dims).toEqual([0, 4]);
    const e3 = lw.matMul(lw.zeros('float16', [2, 0]), lw.zeros('float16', [0, 3]), { bias: [1, -2, 7], activation: 'relu6', precision: 'f16-exact' });
    expect(Array.from(e3.data, f16Value)).toEqual([1, 0, 6, 1, 0, 6]);
  });
});

describe('f16 typed errors', () => {
  it('rejects a Uint16Array of the wrong length', () => {
    expect(() => lw.tensor('float16', new Uint16Array(5), [2, 3])).toThrow(ShapeError);
    expect(() => lw.tensor('float16', new Float32Array(6) as never, [2, 3])).toThrow(DTypeError);
  });

  it('refuses to mix float16 and float32 without an explicit cast', () => {
    const h = lw.tensor('float16', new Uint16Array(6), [2, 3]), f = lw.tensor('float32', new Float32Array(12), [3, 4]);
    const hb = lw.tensor('float16', new Uint16Array(12), [3, 4]), fa = lw.tensor('float32', new Float32Array(6), [2, 3]);
    const before = lw.info().memory.blocks;
    for (const call of [() => lw.matMul(h, f), () => lw.matMul(fa, hb), () => lw.matMul(h, lw.prepack(f)),
      () => lw.matMul(h, hb, { bias: new Float32Array(4) as never }), () => lw.matMul(h, hb, { bias: lw.tensor('float32', [1, 2, 3, 4]) }),
      () => lw.matMul(fa, f, { precision: 'f16' }), () => lw.matMul(h, hb, { precision: 'f32' })]) {
      let err: unknown;
      try { call(); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(DTypeError);
      expect((err as LanewiseError).argument).toMatch(/^(a|b|options\.bias)(\.type)?$/);
    }
    // The failed calls allocated nothing that survived (the bias tensor and f32 packing aside).
    expect(lw.info().memory.blocks).toBeLessThanOrEqual(before + 2);
    expect(() => lw.matMul(h, f)).toThrow(/lw\.cast/);
  });

  it('rejects an unknown precision and a precision on weights packed for another type', () => {
    const h = lw.tensor('float16', new Uint16Array(6), [2, 3]), hb = lw.tensor('float16', new Uint16Array(12), [3, 4]);
    expect(() => lw.matMul(h, hb, { precision: 'bf16' as never })).toThrow(ValueError);
    const fa = lw.tensor('float32', new Float32Array(6), [2, 3]);
    expect(() => lw.matMul(fa, lw.prepack(hb))).toThrow(DTypeError);
    expect(() => lw.matMul(h, lw.prepack(hb), { transposeB: true })).toThrow(ValueError);
    expect(() => lw.matMul(h, lw.tensor('float16', new Uint16Array(8), [4, 2]))).toThrow(ShapeError);
    expect(() => lw.matMul(h, hb, { bias: [1, 2] })).toThrow(ShapeError);
  });
});

describe('precision and float16 on ops without an f16 path', () => {
  it('are typed errors', () => {
    const x = lw.tensor('float32', new Float32Array(16), [1, 2, 2, 4]);
    const h = lw.cast(x, 'float16');
    expect(() => lw.add(x, x, { precision: 'f16' } as never)).toThrow(ValueError);
    expect(() => lw.maxPool(x, { windowShape: 2, precision: 'f16' } as never)).toThrow(ValueError);
    expect(() => lw.relu(h)).toThrow(DTypeError);
    expect(() => lw.add(h, h)).toThrow(DTypeError);
  });
});

describe('f16 with threads', () => {
  it('gives the single-thread bits at 2 threads, both precisions, plain and transposed A', async () => {
    const mt = await Lanewise.create({ threads: 2 });
    try {
      const r = rng(61);
      const m = 80, k = 200, n = 150; // 4.8M operations: above the pool's 4M threshold, so the plan runs on 2 threads
      const a = randomF16(m * k, r), b = randomF16(k * n, r), bias = randomF16(n, r);
      for (const precision of ['f16', 'f16-exact'] as const) {
        const ref = precision === 'f16' ? gemmF16Fast : gemmF16Exact;
        const want = ref(m, n, k, a, b, bias);
        const c = mt.matMul(mt.tensor('float16', a, [m, k]), mt.prepack(mt.tensor('float16', b, [k, n]), { bias }), { precision });
        expectSameHalves(c.data, want, `${precision} threads`);
        const ct = mt.matMul(mt.tensor('float16', transpose16(m, k, a), [k, m]), mt.tensor('float16', b, [k, n]), { precision, bias, transposeA: true });
        expectSameHalves(ct.data, want, `${precision} threads transposeA`);
      }
      // M = 1 on prepacked (all finite) weights: 'f16-exact' (the 1×16 kernel: N blocks of panel
      // pairs, an odd panel count, N = 1000: 125 panels, K = 1200) and 'f16' (the GEMV without
      // its Inf/NaN check), each split across the pool.
      const pool = executorOf(mt.device.kmod) as Pool;
      const n1 = 1000, k1 = 1200, a1 = randomF16(k1, r), b1 = randomF16(k1 * n1, r), bias1 = randomF16(n1, r);
      const w1 = mt.prepack(mt.tensor('float16', b1, [k1, n1]), { bias: bias1 }), x1 = mt.tensor('float16', a1, [1, k1]);
      for (const precision of ['f16-exact', 'f16'] as const) {
        const before = pool.stats().reduce((x, y) => x + y, 0);
        const c1 = mt.matMul(x1, w1, { precision });
        const ref = precision === 'f16' ? gemmF16Fast : gemmF16Exact;
        expectSameHalves(c1.data, ref(1, n1, k1, a1, b1, bias1), `${precision} M = 1 threads`);
        expect(pool.stats().reduce((x, y) => x + y, 0)).toBeGreaterThan(before);
      }
      // 2 rows (the 2×16 kernel over column ranges), and 3 rows over prepacked finite weights of
      // 2^22 halves (the 3×8 kernel over column ranges): the bits of one thread.
      const k2 = 1500, n2 = 1000, a2 = randomF16(2 * k2, r), b2 = randomF16(k2 * n2, r);
      const c2 = mt.matMul(mt.tensor('float16', a2, [2, k2]), mt.prepack(mt.tensor('float16', b2, [k2, n2])), { precision: 'f16' });
      expectSameHalves(c2.data, gemmF16Fast(2, n2, k2, a2, b2, null), '2 rows threads');
      const k3 = 2048, n3 = 2056, a3 = randomF16(3 * k3, r), b3 = randomF16(k3 * n3, r);
      const x3 = mt.tensor('float16', a3, [3, k3]), w3 = mt.prepack(mt.tensor('float16', b3, [k3, n3]));
      const before = pool.stats().reduce((x, y) => x + y, 0);
      const c3 = mt.matMul(x3, w3, { precision: 'f16', activation: 'relu6' });
      expect(pool.stats().reduce((x, y) => x + y, 0)).toBeGreaterThan(before);
      const one = lw.matMul(lw.tensor('float16', a3, [3, k3]), lw.prepack(lw.tensor('float16', b3, [k3, n3])), { precision: 'f16', activation: 'relu6' });
      expectSameHalves(c3.data, one.data, '3 rows threads');
    } finally {
      mt.dispose();
    }
  });
});

describe('f16 golden hash', () => {
  // One FNV-1a hash over casts, both matMul precisions, conv and depthwise conv on seeded data
  // (NaN canonicalized). The same script gave 4730c519 in Node 20, Deno and Bun; this pins the
  // bits against regressions.
  it('is 4730c519', () => {
    let s = 12345;
    const rnd = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
    const f = (n: number, lo = -1, hi = 1) => Float32Array.from({ length: n }, () => lo + (hi - lo) * rnd());
    let h = 2166136261;
    const mix = (u16: Uint16Array) => { for (const v of u16) { h ^= ((v & 0x7fff) > 0x7c00 ? 0x7e00 : v); h = Math.imul(h, 16777619) >>> 0; } };
    const m = 37, k = 91, n = 45;
    const a = lw.cast(lw.tensor('float32', f(m * k, -3, 3), [m, k]), 'float16');
    const b = lw.cast(lw.tensor('float32', f(k * n, -3, 3), [k, n]), 'float16');
    const big = lw.cast(lw.tensor('float32', f(1 << 16, -70000, 70000)), 'float16');
    mix(big.data); mix(new Uint16Array(lw.cast(big, 'float32').data.buffer));
    for (const precision of ['f16', 'f16-exact'] as const) {
      mix(lw.matMul(a, b, { precision, bias: Array.from(f(n)) }).data);
      mix(lw.matMul(a, b, { precision, transposeB: false, activation: 'relu6' }).data);
    }
    const x = lw.cast(lw.tensor('float32', f(2 * 9 * 9 * 6), [2, 9, 9, 6]), 'float16');
    const w = lw.cast(lw.tensor('float32', f(8 * 3 * 3 * 6), [8, 3, 3, 6]), 'float16');
    const dw = lw.cast(lw.tensor('float32', f(3 * 3 * 6), [3, 3, 6]), 'float16');
    for (const precision of ['f16', 'f16-exact'] as const) {
      mix(lw.conv2d(x, w, { precision, pad: 'same' }).data);
      mix(lw.depthwiseConv2d(x, dw, { precision, strides: 2, pad: 1 }).data);
    }
    expect(h.toString(16)).toBe('4730c519');
  });
});
