// Checks the benchmark's peer adapters (bench/peers/): each available peer's
// GEMM against a naive f64 matmul, and the hand-written ONNX encoder against
// onnxruntime-web. Every peer is a devDependency, so one that cannot load fails the suite.
import { describe, expect, it } from 'vitest';
import { DataType, graph, matMulModel, tensor } from '../bench/peers/onnx-model.js';
import { peers } from '../bench/peers/index.js';
import type { Peer } from '../bench/peers/types.js';

/** Deterministic values in [-1, 1). */
function random(count: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** C = A·B in f64, plus Σ|a·b| per element to scale the tolerance. */
function reference(m: number, k: number, n: number, a: Float32Array, b: Float32Array) {
  const c = new Float64Array(m * n);
  const mag = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let t = 0;
      for (let p = 0; p < k; p++) {
        const x = a[i * k + p]! * b[p * n + j]!;
        s += x;
        t += Math.abs(x);
      }
      c[i * n + j] = s;
      mag[i * n + j] = t;
    }
  }
  return { c, mag };
}

/** Largest |y - c| / Σ|a·b| over the elements (f32 accumulation error is ~k·2^-24 of that). */
function relativeError(y: ArrayLike<number>, c: Float64Array, mag: Float64Array): number {
  expect(y.length).toBe(c.length);
  let worst = 0;
  for (let i = 0; i < c.length; i++) {
    worst = Math.max(worst, Math.abs(y[i]! - c[i]!) / Math.max(mag[i]!, 1e-30));
  }
  return worst;
}

const SHAPES: readonly (readonly [number, number, number])[] = [
  [3, 5, 7],
  [1, 64, 33],
  [17, 31, 9],
  [1, 1, 1],
  [40, 129, 70],
];

const availability = await Promise.all(peers.map(async (peer) => ({ name: peer.name, peer, reason: await peer.available() })));

describe.each(availability)('peer $name', ({ peer, reason }: { peer: Peer; reason: string | null }) => {
  // Every peer is a devDependency: one that cannot load is a failure here, not a skip.
  it(`is available${reason ? ` (unavailable: ${reason})` : ''}`, async () => {
    expect(reason).toBeNull();
    expect(await peer.describe?.()).toMatch(/\S/);
  });

  it.each(SHAPES)('GEMM %i×%i×%i matches an f64 matmul', async (m, k, n) => {
    const a = random(m * k, m * 1000 + k);
    const b = random(k * n, n * 1000 + k + 7);
    const gemm = await peer.gemm(m, k, n, a, b);
    try {
      await gemm.run();
      const { c, mag } = reference(m, k, n, a, b);
      expect(relativeError(await gemm.output(), c, mag)).toBeLessThan(1e-5);

      // run() is a fresh call: it reads A again (B stays the prepared weight).
      a.set(random(m * k, 99 + m));
      await gemm.run();
      const again = reference(m, k, n, a, b);
      expect(relativeError(await gemm.output(), again.c, again.mag)).toBeLessThan(1e-5);
    } finally {
      await gemm.dispose();
    }
  });

  it('rejects mismatched buffers', async () => {
    await expect(peer.gemm(2, 3, 4, new Float32Array(5), new Float32Array(12))).rejects.toThrow(RangeError);
  });
});

describe('ONNX model builder', () => {
  const ortWebEntry = availability.find((p) => p.name === 'ort-web');
  const ortWebReason = ortWebEntry ? ortWebEntry.reason : 'ort-web peer not listed';

  it('writes a MatMul model whose header fields decode as expected', () => {
    const bytes = matMulModel(2, 3, new Float32Array(6));
    // ModelProto starts with ir_version (field 1, varint) = 8, then producer_name (field 2).
    expect([...bytes.subarray(0, 2)]).toEqual([0x08, 8]);
    expect(bytes[2]).toBe(0x12);
    // The initializer's raw_data holds B's 24 bytes.
    expect(bytes.length).toBeGreaterThan(24);
  });

  it('produces models that onnxruntime-web accepts and runs', async () => {
    const ort = await import('onnxruntime-web'); // configured by the ort-web peer's available()
    const opts = { executionProviders: ['wasm'] };

    // The MatMul model, at a row count other than the one it was built for (M is symbolic).
    const [k, n] = [6, 5];
    const b = random(k * n, 3);
    const mm = await ort.InferenceSession.create(matMulModel(k, n, b), opts);
    try {
      expect(mm.inputNames).toEqual(['A']);
      expect(mm.outputNames).toEqual(['Y']);
      const a = random(4 * k, 4);
      const { Y } = await mm.run({ A: new ort.Tensor('float32', a, [4, k]) });
      expect(Y?.dims).toEqual([4, n]);
      const { c, mag } = reference(4, k, n, a, b);
      expect(relativeError(Y?.data as Float32Array, c, mag)).toBeLessThan(1e-5);
    } finally {
      await mm.release();
    }

    // Float, int and negative-int attributes, a non-f32 initializer, a 1-D tensor:
    // Y = Softmax(alpha·X·Wᵀ + beta·bias, axis=-1) with W stored as int8 → Cast.
    const w = Int8Array.from([1, -2, 3, 0, 4, -1]); // [2, 3], used transposed
    const bias = Float32Array.from([0.25, -0.5]);
    const model = graph({
      nodes: [
        { op: 'Cast', inputs: ['W8'], outputs: ['W'], attrs: { to: { i: DataType.FLOAT } } },
        { op: 'Gemm', inputs: ['X', 'W', 'bias'], outputs: ['G'], attrs: { alpha: { f: 0.5 }, beta: { f: 2 }, transB: { i: 1 } } },
        { op: 'Softmax', inputs: ['G'], outputs: ['Y'], attrs: { axis: { i: -1 } } },
      ],
      initializers: [tensor('W8', [2, 3], w), tensor('bias', [2], bias)],
      inputs: [{ name: 'X', dataType: DataType.FLOAT, shape: ['batch', 3] }],
      outputs: [{ name: 'Y', dataType: DataType.FLOAT, shape: ['batch', 2] }],
      opset: 17,
    });
    const s = await ort.InferenceSession.create(model, opts);
    try {
      const x = Float32Array.from([1, 2, 3, -1, 0.5, 2]);
      const { Y } = await s.run({ X: new ort.Tensor('float32', x, [2, 3]) });
      const want: number[] = [];
      for (let r = 0; r < 2; r++) {
        const g = [0, 1].map((j) => 0.5 * (x[r * 3]! * w[j * 3]! + x[r * 3 + 1]! * w[j * 3 + 1]! + x[r * 3 + 2]! * w[j * 3 + 2]!) + 2 * bias[j]!);
        const e = g.map((v) => Math.exp(v - Math.max(...g)));
        want.push(...e.map((v) => v / (e[0]! + e[1]!)));
      }
      expect(Y?.dims).toEqual([2, 2]);
      [...(Y?.data as Float32Array)].forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 6));
    } finally {
      await s.release();
    }
  });

  it('refuses a tensor whose data does not match its dims', () => {
    expect(() => tensor('t', [2, 2], new Float32Array(3))).toThrow(RangeError);
  });
});
