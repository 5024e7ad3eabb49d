import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Lanewise, ShapeError, DTypeError, ValueError, DisposedError, LanewiseError, OutOfMemoryError, Tensor } from '../../src/index.js';
import { gemmAbs, gemmF32Ordered, gemmF64, transpose } from '../reference/gemm.js';
import { expectSameBits, expectWithinBound } from '../harness/gemm.js';
import { randomF32 } from '../harness/random.js';

let lw: Lanewise;
beforeAll(async () => { lw = await Lanewise.create(); });
afterAll(() => lw.dispose());

describe('matMul', () => {
  it('computes A·B for every combination of transposes, with bias and activations', () => {
    const m = 6, k = 19, n = 13;
    const a = randomF32(m * k, 1), b = randomF32(k * n, 2), bias = randomF32(n, 3);
    const cases: [string | { min: number; max: number } | undefined, number, number][] = [
      [undefined, -Infinity, Infinity], ['linear', -Infinity, Infinity], ['relu', 0, Infinity], ['relu6', 0, 6],
      [{ min: -0.25, max: 0.5 }, -0.25, 0.5],
    ];
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) {
        for (const [activation, lo, hi] of cases) {
          const ta = lw.tensor('float32', transposeA ? transpose(m, k, a) : a, transposeA ? [k, m] : [m, k]);
          const tb = lw.tensor('float32', transposeB ? transpose(k, n, b) : b, transposeB ? [n, k] : [k, n]);
          const c = lw.matMul(ta, tb, { transposeA, transposeB, bias, activation: activation as never });
          expect(c.dims).toEqual([m, n]);
          expect(c.type).toBe('float32');
          expectSameBits(c.data, gemmF32Ordered(m, n, k, a, b, bias, lo, hi), `tA=${transposeA} tB=${transposeB} ${JSON.stringify(activation)}`);
          ta.dispose(); tb.dispose(); c.dispose();
        }
      }
    }
  });

  it('stays within the f32 error bound of the f64 oracle on a large problem', () => {
    const m = 70, k = 1100, n = 90;
    const a = randomF32(m * k, 4), b = randomF32(k * n, 5);
    const c = lw.matMul(lw.tensor('float32', a, [m, k]), lw.tensor('float32', b, [k, n]));
    expectWithinBound(c.data, gemmF64(m, n, k, a, b), gemmAbs(m, n, k, a, b), k);
  });

  it('few rows over 2^22 weights or more (A packed, not read as rows) give the ordered bits, prepacked or not', () => {
    const k = 1024, n = 4096;
    const b = randomF32(k * n, 8), bias = randomF32(n, 9);
    const tb = lw.tensor('float32', b, [k, n]), pb = lw.prepack(tb);
    for (const m of [3, 4, 6, 8]) {
      const a = randomF32(m * k, 10 + m), ta = lw.tensor('float32', a, [m, k]);
      const want = gemmF32Ordered(m, n, k, a, b, bias, 0, Infinity);
      for (const w of [tb, pb]) {
        const c = lw.matMul(ta, w, { bias, activation: 'relu' });
        expectSameBits(c.data, want, `m = ${m}, ${w === pb ? 'prepacked' : 'per call'}`);
        c.dispose();
      }
      ta.dispose();
    }
    tb.dispose(); pb.dispose();
  });

  it('GEMV (m = 1) gives the same bits as the same row inside a larger GEMM', () => {
    const m = 9, k = 301, n = 77;
    const a = randomF32(m * k, 6), b = lw.tensor('float32', randomF32(k * n, 7), [k, n]);
    const full = lw.matMul(lw.tensor('float32', a, [m, k]), b).data;
    for (const row of [0, 4, 8]) {
      const one = lw.matMul(lw.tensor('float32', a.slice(row * k, row * k + k), [1, k]), b).data;
      expectSameBits(one, full.slice(row * n, row * n + n), `row ${row}`);
    }
  });

  it('accepts a bias as a Tensor, a Float32Array or numbers', () => {
    const a = lw.tensor('float32', [1, 2, 3, 4], [2, 2]);
    const b = lw.tensor('float32', [1, 0, 0, 1], [2, 2]);
    for (const bias of [lw.tensor('float32', [10, 20], [2]), new Float32Array([10, 20]), [10, 20]]) {
      expect(Array.from(lw.matMul(a, b, { bias }).data)).toEqual([11, 22, 13, 24]);
    }
  });

  it('handles empty and degenerate shapes', () => {
    const e1 = lw.matMul(lw.zeros('float32', [0, 3]), lw.zeros('float32', [3, 4]));
    expect(e1.dims).toEqual([0, 4]);
    expect(e1.data.length).toBe(0);
    const e2 = lw.matMul(lw.zeros('float32', [2, 3]), lw.zeros('float32', [3, 0]));
    expect(e2.dims).toEqual([2, 0]);
    // k = 0: the sum is empty, so the output is the (activated) bias.
    const e3 = lw.matMul(lw.zeros('float32', [2, 0]), lw.zeros('float32', [0, 3]), { bias: [1, -2, 7], activation: 'relu6' });
    expect(Array.from(e3.data)).toEqual([1, 0, 6, 1, 0, 6]);
  });

  it('broadcasts batch dimensions like tfjs', () => {
    const m = 3, k = 4, n = 5;
    const a = randomF32(2 * 3 * m * k, 8), b = randomF32(3 * k * n, 9);
    const c = lw.matMul(lw.tensor('float32', a, [2, 3, m, k]), lw.tensor('float32', b, [3, k, n]));
    expect(c.dims).toEqual([2, 3, m, n]);
    const got = c.data;
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 3; j++) {
        const idx = i * 3 + j;
        const want = gemmF32Ordered(m, n, k, a.subarray(idx * m * k, (idx + 1) * m * k), b.subarray(j * k * n, (j + 1) * k * n), null);
        expectSameBits(got.slice(idx * m * n, (idx + 1) * m * n), want, `batch ${i},${j}`);
      }
    }
    // A single B for a batch of A (folded into one taller GEMM), with transposeA.
    const at = randomF32(4 * k * m, 10);
    const c2 = lw.matMul(lw.tensor('float32', at, [4, k, m]), lw.tensor('float32', b.subarray(0, k * n), [k, n]), { transposeA: true });
    expect(c2.dims).toEqual([4, m, n]);
    for (let i = 0; i < 4; i++) {
      const want = gemmF32Ordered(m, n, k, transpose(k, m, at.subarray(i * k * m, (i + 1) * k * m)), b.subarray(0, k * n), null);
      expectSameBits(c2.data.slice(i * m * n, (i + 1) * m * n), want, `folded batch ${i}`);
    }
  });
});

describe('prepack', () => {
  it('gives the same bits as packing per call, and can be reused', () => {
    const m = 5, k = 40, n = 33;
    const a = lw.tensor('float32', randomF32(m * k, 11), [m, k]);
    const bData = randomF32(k * n, 12);
    const b = lw.tensor('float32', bData, [k, n]);
    const w = lw.prepack(b);
    expect(w.k).toBe(k);
    expect(w.n).toBe(n);
    const want = lw.matMul(a, b, { activation: 'relu' }).data;
    for (let i = 0; i < 3; i++) expectSameBits(lw.matMul(a, w, { activation: 'relu' }).data, want);
    // Transposed weights (a fully-connected layer's [out, in]).
    const wt = lw.prepack(lw.tensor('float32', transpose(k, n, bData), [n, k]), { transposeB: true });
    expectSameBits(lw.matMul(a, wt, { activation: 'relu' }).data, want);
  });

  it('takes a bias at prepack time or per call, never both', () => {
    const a = lw.tensor('float32', [1, 2], [1, 2]);
    const b = lw.tensor('float32', [1, 0, 0, 1], [2, 2]);
    const baked = lw.prepack(b, { bias: [5, 6] });
    expect(Array.from(lw.matMul(a, baked).data)).toEqual([6, 8]);
    expect(() => lw.matMul(a, baked, { bias: [1, 1] })).toThrow(ValueError);
    const plain = lw.prepack(b);
    expect(Array.from(lw.matMul(a, plain, { bias: [1, 1] }).data)).toEqual([2, 3]);
    expect(Array.from(lw.matMul(a, plain).data)).toEqual([1, 2]);
    expect(Array.from(lw.matMul(a, plain, { bias: [3, 4] }).data)).toEqual([4, 6]);
  });

  it('serves M = 1 and M > 1 calls alternately (in-place layout switches), with every bias source', () => {
    for (const [k, n] of [[37, 45], [5, 16], [64, 8], [129, 200], [3, 1]] as const) {
      const b = randomF32(k * n, k + n), bias = randomF32(n, 2 * k + n), other = randomF32(n, 3 * k + n);
      const wNone = lw.prepack(lw.tensor('float32', b, [k, n]));
      const wBias = lw.prepack(lw.tensor('float32', transpose(k, n, b), [n, k]), { transposeB: true, bias });
      let seed = 100;
      for (const m of [1, 3, 1, 1, 8, 1, 2, 2, 1]) {
        const a = randomF32(m * k, seed++);
        const ta = lw.tensor('float32', a, [m, k]);
        const callBias = m % 2 === 1 && seed % 3 === 0 ? other : undefined;
        expectSameBits(lw.matMul(ta, wNone, { bias: callBias }).data, gemmF32Ordered(m, n, k, a, b, callBias ?? null), `k=${k} n=${n} m=${m}`);
        expect(wNone.layout).toBe(m === 1 && n > 8 ? 'rows' : 'panels');
        expectSameBits(lw.matMul(ta, wBias, { activation: 'relu' }).data, gemmF32Ordered(m, n, k, a, b, bias, 0, Infinity),
          `k=${k} n=${n} m=${m} prepacked bias`);
        // M = 1 as a batch of one row of a 3-D A, and transposed.
        if (m === 1) {
          expectSameBits(lw.matMul(lw.tensor('float32', a, [1, 1, k]), wNone).data, gemmF32Ordered(1, n, k, a, b, null), 'batched row');
          expectSameBits(lw.matMul(lw.tensor('float32', a, [k, 1]), wNone, { transposeA: true }).data, gemmF32Ordered(1, n, k, a, b, null), 'transposed row');
        }
      }
      wNone.dispose(); wBias.dispose();
    }
  });

  it('rejects a transposeB that contradicts the packing', () => {
    const w = lw.prepack(lw.zeros('float32', [3, 2]));
    expect(() => lw.matMul(lw.zeros('float32', [1, 3]), w, { transposeB: true })).toThrow(ValueError);
  });
});

describe('bad input is a typed error, writes nothing, and leaves the instance usable', () => {
  const expectError = (fn: () => unknown, type: new (...a: never[]) => LanewiseError, argument: string) => {
    let err: unknown;
    try { fn(); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(type);
    expect((err as LanewiseError).argument).toBe(argument);
    expect((err as LanewiseError).message).toMatch(/expected .*, got /);
  };

  it('names the argument, the expectation and the actual value', () => {
    const a = lw.tensor('float32', randomF32(6, 1), [2, 3]);
    const b = lw.tensor('float32', randomF32(12, 2), [4, 3]);
    const before = lw.info().memory;
    expectError(() => lw.matMul(a, b), ShapeError, 'b.dims');
    expectError(() => lw.matMul(lw.tensor('float32', [1, 2, 3]), b), ShapeError, 'a.dims');
    expectError(() => lw.matMul(a, b, { transposeB: true, activation: 'gelu' as never }), ValueError, 'options.activation');
    expectError(() => lw.matMul(a, b, { transposeB: true, activation: { min: NaN } }), ValueError, 'options.activation.min');
    expectError(() => lw.matMul(a, b, { transposeB: true, activation: { max: -Infinity } }), ValueError, 'options.activation.max');
    expectError(() => lw.matMul(a, b, { transposeB: true, activation: { min: 2, max: 1 } }), ValueError, 'options.activation');
    expectError(() => lw.matMul(a, b, { transposeB: true, bias: [1, 2] }), ShapeError, 'options.bias.length');
    expectError(() => lw.matMul(a, b, { transposeB: true, bias: new Float64Array(4) as never }), DTypeError, 'options.bias');
    expectError(() => lw.matMul(a, b, { transposeB: 1 as never }), ValueError, 'options.transposeB');
    expectError(() => lw.matMul(a, {} as never), ValueError, 'b');
    expectError(() => lw.matMul(lw.tensor('float32', randomF32(24, 3), [2, 3, 4]), lw.tensor('float32', randomF32(24, 3), [3, 4, 2])), ShapeError, 'b.dims');
    // Nothing was allocated or leaked by the failed calls beyond the tensors made for them.
    expect(lw.info().memory.blocks).toBe(before.blocks + 3);
    expect(Array.from(lw.matMul(a, b, { transposeB: true }).dims)).toEqual([2, 4]);
  });

  it('rejects wrong data for tensors', () => {
    expectError(() => lw.tensor('float32', new Float64Array(4) as never, [4]), DTypeError, 'data');
    expectError(() => lw.tensor('float32', new Int32Array(4) as never, [4]), DTypeError, 'data');
    expectError(() => lw.tensor('float32', new Float32Array(5), [2, 2]), ShapeError, 'data.length');
    expectError(() => lw.tensor('float32', new Float32Array(4), [2, -2]), ShapeError, 'dims[1]');
    expectError(() => lw.tensor('float32', new Float32Array(4), [2, 2.5]), ShapeError, 'dims[1]');
    expectError(() => lw.tensor('bfloat16' as never, new Float32Array(4), [4]), DTypeError, 'type');
    expectError(() => lw.tensor('int8', new Uint8Array(4) as never, [4]), DTypeError, 'data');
    expectError(() => lw.tensor('float32', ['x'] as never, [1]), DTypeError, 'data[0]');
    // Names inherited from Object.prototype are no element types (once a TypeError).
    expectError(() => lw.tensor('toString' as never, new Float32Array(4), [4]), DTypeError, 'type');
    expectError(() => lw.zeros('constructor' as never, [4]), DTypeError, 'type');
    expectError(() => lw.zeros(Object.create(null) as never, [4]), DTypeError, 'type');
  });

  it('refuses disposed tensors and packed weights', () => {
    const a = lw.tensor('float32', [1, 2], [1, 2]);
    const b = lw.tensor('float32', [1, 2, 3, 4], [2, 2]);
    const w = lw.prepack(b);
    b.dispose();
    expect(b.disposed).toBe(true);
    expectError(() => lw.matMul(a, b), DisposedError, 'b');
    expectError(() => b.data, DisposedError, 'tensor');
    expect(Array.from(lw.matMul(a, w).data)).toEqual([7, 10]);
    w.dispose();
    expectError(() => lw.matMul(a, w), DisposedError, 'b');
    b.dispose();  // twice is harmless
  });

  it('refuses tensors of another instance', async () => {
    const other = await Lanewise.create({ warmUp: false });
    const x = other.tensor('float32', [1], [1, 1]);
    expectError(() => lw.matMul(x, x), ValueError, 'a');
    const w = other.prepack(x);
    const hw = other.prepack(other.tensor('float16', new Uint16Array([0x3c00]), [1, 1]));
    expectError(() => lw.matMul(lw.tensor('float32', [1], [1, 1]), w), ValueError, 'b');
    expectError(() => lw.matMul(lw.tensor('float16', new Uint16Array([0x3c00]), [1, 1]), hw), ValueError, 'b');
    other.dispose();
    expectError(() => other.tensor('float32', [1]), DisposedError, 'this');
    expectError(() => x.data, DisposedError, 'tensor');
  });
});

describe('Tensor', () => {
  it('has the ONNX Runtime Web shape: type, dims, data, dispose()', () => {
    const t = lw.tensor('float32', [1, 2, 3, 4, 5, 6], [2, 3]);
    expect(t).toBeInstanceOf(Tensor);
    expect(t.type).toBe('float32');
    expect(t.dims).toEqual([2, 3]);
    expect(t.size).toBe(6);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 5, 6]);
    const out = new Float32Array(6);
    expect(t.read(out)).toBe(out);
    expect(() => t.read(new Float32Array(5))).toThrow(ShapeError);
    // data is a copy: changing it does not change the tensor.
    t.data[0] = 99;
    expect(t.data[0]).toBe(1);
    t.dispose();
  });

  it('frees its memory on dispose and through `using`', () => {
    const before = lw.info().memory;
    {
      using t = lw.tensor('float32', new Float32Array(1000), [1000]);
      expect(lw.info().memory.blocks).toBe(before.blocks + 1);
      expect(t.size).toBe(1000);
    }
    expect(lw.info().memory.blocks).toBe(before.blocks);
    expect(lw.info().memory.bytesInUse).toBe(before.bytesInUse);
  });

  it('survives memory growth: views are refreshed', () => {
    const first = lw.tensor('float32', [1, 2, 3], [3]);
    const big = lw.zeros('float32', [4 * 1024 * 1024]);
    expect(Array.from(first.data)).toEqual([1, 2, 3]);
    big.dispose();
    first.dispose();
  });
});

describe('Lanewise', () => {
  it('reports its build, features and threads', () => {
    const info = lw.info();
    expect(info.build).toBe('simd');
    expect(info.features.simd).toBe(true);
    expect(info.threads).toBe(1);
    expect(typeof info.threadsReason).toBe('string');
  });

  it('accepts a precompiled WebAssembly.Module (the workerd / edge path)', async () => {
    const { compileBuild } = await import('../../bindings/module.js');
    for (const build of ['simd', 'simd-mt'] as const) {
      const other = await Lanewise.create({ module: await compileBuild(build) });
      expect(other.info().build).toBe(build);
      const c = other.matMul(other.tensor('float32', [1, 2], [1, 2]), other.tensor('float32', [3, 4], [2, 1]));
      expect(Array.from(c.data)).toEqual([11]);
      other.dispose();
    }
    await expect(Lanewise.create({ module: {} as never })).rejects.toThrow(ValueError);
    await expect(Lanewise.create({ build: 'wasm64' as never })).rejects.toThrow(ValueError);
    // Options are checked like every op's: unknown names and arrays are refused.
    await expect(Lanewise.create({ thread: 2 } as never)).rejects.toThrow(/options\.thread: expected one of the options/);
    await expect(Lanewise.create([] as never)).rejects.toThrow(ValueError);
    // A string that reads as a number is shown quoted, so the message does not look like a valid call.
    await expect(Lanewise.create({ maxMemory: '1048576' as never })).rejects.toThrow(/, got "1048576"$/);
    await expect(Lanewise.create({ threads: '' as never })).rejects.toThrow(/, got ""$/);
  });

  it('sizes past 2^53 bytes are out of memory, not a bad byte count', () => {
    expect(() => lw.zeros('float32', [2 ** 27, 2 ** 27])).toThrow(OutOfMemoryError);
    expect(() => lw.zeros('float32', [2 ** 27, 2 ** 27])).toThrow(/got 72057594037927940 bytes/);
    const a = lw.zeros('float32', [2 ** 27, 0]), b = lw.zeros('float32', [0, 2 ** 27]);
    expect(() => lw.matMul(a, b)).toThrow(OutOfMemoryError);
    a.dispose(); b.dispose();
  });

  it('keeps within options.maxMemory: past it a typed error, and the instance keeps working', async () => {
    for (const opts of [{ threads: 1 }, { threads: 2 }, { build: 'simd-mt' as const }]) {
      const small = await Lanewise.create({ ...opts, maxMemory: 16 << 20 });
      expect(small.info().memory.limit).toBe(16 << 20);
      const held: Tensor[] = [];
      let error: unknown;
      try { for (;;) held.push(small.zeros('float32', [1 << 20])); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(OutOfMemoryError);
      expect((error as Error).message).toMatch(/^tensor: expected at most \d+ more bytes \(the instance's maxMemory is 16777216 bytes\), got 4194304 bytes/);
      expect(held.length).toBe(3);
      const x = small.tensor('float32', new Float32Array(64 * 64).fill(1), [64, 64]);
      const y = small.matMul(x, x);
      expect(y.data[0]).toBe(64);
      for (const t of [...held, x, y]) t.dispose();
      const b = small.tensor('float32', new Float32Array(512 * 512).fill(0.5), [512, 512]);
      expect(small.matMul(b, b).data[512 * 512 - 1]).toBe(128);
      expect(small.info().memory.bytes).toBeLessThanOrEqual(16 << 20);
      // A pooling window whose indirection table (64 MiB) fits wasm32 but not this instance.
      const img = small.zeros('float32', [1, 64, 64, 1]);
      expect(() => small.maxPool(img, { windowShape: 64, pad: 'same' })).toThrow(/^options\.windowShape: expected at most 1024 taps .*16777216 bytes of wasm memory at most/);
      small.dispose();
    }
    expect(lw.info().memory.limit).toBe(2 ** 32);
    for (const bad of [1000, 2 ** 20 + 1, 2 ** 20 - 65536, 2 ** 32 + 65536, -65536, NaN, '16MB']) {
      await expect(Lanewise.create({ maxMemory: bad as never })).rejects.toThrow(/^options\.maxMemory: expected a byte count from 1 MiB/);
    }
  });

  it('gives identical bits in the simd and simd-mt builds', async () => {
    const mt = await Lanewise.create({ build: 'simd-mt' });
    const m = 13, k = 77, n = 29;
    const a = randomF32(m * k, 31), b = randomF32(k * n, 32);
    const x = lw.matMul(lw.tensor('float32', a, [m, k]), lw.tensor('float32', b, [k, n])).data;
    const y = mt.matMul(mt.tensor('float32', a, [m, k]), mt.tensor('float32', b, [k, n])).data;
    expectSameBits(y, x);
    mt.dispose();
  });
});
