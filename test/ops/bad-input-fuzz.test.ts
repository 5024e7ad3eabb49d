// Seeded bad-input fuzzing of every public op. Each case starts from a valid call and replaces one
// argument, one option or one element of an array argument (sometimes two of them) by a value
// drawn from a pool of malformed ones (wrong JS types, NaN, negative and fractional sizes,
// symbols, bigints, names such as 'toString', typed arrays of the wrong type, tensors of the wrong
// type, rank or instance, disposed tensors). The call must either succeed (the value happened to
// be acceptable) or throw a LanewiseError that names an argument and says "expected …, got …"; an
// unknown option name is always refused; a failed call leaves no block allocated; and afterwards
// the instance still gives the same bits for the valid call, and a tensor made before the fuzzing
// still holds its data (nothing wrote outside its own blocks). LANEWISE_FUZZ_ROUNDS and
// LANEWISE_FUZZ_SEED run longer searches by hand; LANEWISE_FUZZ_TRACE=FILE logs every call.
import { appendFileSync } from 'node:fs';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { dyadicScales, Lanewise, LanewiseError, QuantizedTensor, quantizeMultiplier, Tensor } from '../../src/index.js';
import { randomF32, rng } from '../harness/random.js';

/** Mutations per op. */
const ROUNDS = Number(process.env.LANEWISE_FUZZ_ROUNDS ?? 400);
const SEED = Number(process.env.LANEWISE_FUZZ_SEED ?? 0x5eed);

let lw: Lanewise;
let other: Lanewise;
beforeAll(async () => {
  lw = await Lanewise.create({ threads: 1 });
  other = await Lanewise.create({ threads: 1, warmUp: false });
});
afterAll(() => { lw.dispose(); other.dispose(); });

type Args = unknown[];
interface Case {
  name: string;
  /** The valid arguments (fresh objects each time: a mutation never leaks into the next call). */
  args: () => Args;
  call: (args: Args) => unknown;
}

const f32 = (dims: number[], seed: number) => lw.tensor('float32', randomF32(dims.reduce((p, d) => p * d, 1), seed), dims);
const f16 = (dims: number[], seed: number) => {
  const t = f32(dims, seed);
  try { return lw.cast(t, 'float16'); } finally { t.dispose(); }
};

/** Long-lived operands of the valid calls, made once. */
let fx: {
  a: Tensor; b: Tensor; ha: Tensor; hb: Tensor; x: Tensor; w: Tensor; dw: Tensor; hx: Tensor; hw: Tensor; hdw: Tensor;
  qx: QuantizedTensor; qw: QuantizedTensor; qimg: QuantizedTensor; qfilter: QuantizedTensor; qdw: QuantizedTensor;
  nchw: Tensor; y: Tensor;
};

/** The malformed values: each is a fresh value (tensors made on demand and freed after the case). */
function garbage(): (() => unknown)[] {
  const disposed = () => { const t = f32([2, 2], 9); t.dispose(); return t; };
  return [
    () => undefined, () => null, () => true, () => 0, () => -1, () => 0.5, () => NaN, () => Infinity, () => -Infinity,
    () => 2 ** 31, () => 1e300, () => '', () => 'x', () => 'float32', () => [], () => [1], () => [NaN], () => [-1, 2],
    () => [2, 2, 2, 2, 2], () => [[1]], () => ({}), () => ({ length: -1 }), () => () => 1, () => Symbol('s'), () => 10n,
    () => new Float32Array(3), () => new Uint16Array(2), () => new Int32Array(1), () => new Float64Array(2),
    () => disposed(), () => f32([2], 10), () => f32([1, 1, 1, 1], 11), () => f16([2, 2], 12), () => lw.quantized('int8', [1, -2, 3, 4], [2, 2], { scale: 0.5 }),
    () => other.tensor('float32', [1, 2, 3, 4], [2, 2]), () => lw.prepack(fx.b), () => [1e9, 1e9],
    () => ({ toString() { return 'odd'; } }), () => Object.create(null), () => 'toString', () => '__proto__', () => 'constructor',
    () => -0, () => 1e-300, () => 2 ** 53 + 2, () => [2 ** 30, 4], () => ['2', '3'], () => [, 1], () => [0], () => new Array(3),
    () => ({ min: 1 }), () => ({ scale: 1 }), () => [[1, 2], [3, 4]], () => new Uint8Array(4), () => [1, 2, 3, 4],
  ];
}

/** Every public op, with options wherever the op takes them (so the options get fuzzed too). */
function cases(): Case[] {
  return [
    { name: 'tensor', args: () => ['float32', randomF32(6, 1), [2, 3]], call: ([t, d, s]) => lw.tensor(t as 'float32', d as Float32Array, s as number[]) },
    { name: 'zeros', args: () => ['float16', [3, 2]], call: ([t, s]) => lw.zeros(t as 'float16', s as number[]) },
    {
      name: 'matMul', args: () => [fx.a, fx.b, { transposeA: false, transposeB: false, bias: [1, 2, 3, 4, 5], activation: 'relu' }],
      call: ([a, b, o]) => lw.matMul(a as Tensor, b as Tensor, o as object),
    },
    {
      name: 'matMul f16', args: () => [fx.ha, fx.hb, { precision: 'f16-exact', activation: { min: -1, max: 1 } }],
      call: ([a, b, o]) => lw.matMul(a as Tensor, b as Tensor, o as object),
    },
    { name: 'prepack', args: () => [fx.b, { transposeB: false, bias: new Float32Array(5) }], call: ([b, o]) => lw.prepack(b as Tensor, o as object) },
    { name: 'cast', args: () => [fx.a, 'float16'], call: ([t, type]) => lw.cast(t as Tensor, type as 'float16') },
    { name: 'cast to float32', args: () => [fx.ha, 'float32'], call: ([t, type]) => lw.cast(t as Tensor, type as 'float32') },
    { name: 'Tensor.read', args: () => [new Float32Array(21)], call: ([out]) => (fx.a as Tensor<'float32'>).read(out as Float32Array).slice() },
    {
      name: 'conv2d', args: () => [fx.x, fx.w, { strides: [1, 2], pad: 'same', dilations: 1, groups: 1, bias: [0, 1, 2, 3], activation: 'relu6', filterLayout: 'OHWI' }],
      call: ([x, w, o]) => lw.conv2d(x as Tensor, w as Tensor, o as object),
    },
    {
      name: 'conv2d f16', args: () => [fx.hx, fx.hw, { precision: 'f16', pad: [1, 0, 0, 1] }],
      call: ([x, w, o]) => lw.conv2d(x as Tensor, w as Tensor, o as object),
    },
    {
      name: 'depthwiseConv2d', args: () => [fx.x, fx.dw, { strides: 2, pad: 1, dilations: [1, 1], activation: 'relu', filterLayout: 'HWCM' }],
      call: ([x, w, o]) => lw.depthwiseConv2d(x as Tensor, w as Tensor, o as object),
    },
    {
      name: 'depthwiseConv2d f16-exact', args: () => [fx.hx, fx.hdw, { precision: 'f16-exact', strides: [2, 1], pad: 'same', bias: new Uint16Array(3), activation: 'relu6' }],
      call: ([x, w, o]) => lw.depthwiseConv2d(x as Tensor, w as Tensor, o as object),
    },
    {
      name: 'prepackConv f16', args: () => [fx.hw, { groups: 1, bias: [0.5, 1, 2, 3], filterLayout: 'OHWI' }],
      call: ([w, o]) => lw.prepackConv(w as Tensor, o as object),
    },
    {
      name: 'prepackConv', args: () => [fx.w, { groups: 1, bias: [1, 2, 3, 4], depthwise: false, filterLayout: 'OHWI' }],
      call: ([w, o]) => lw.prepackConv(w as Tensor, o as object),
    },
    { name: 'maxPool', args: () => [fx.x, { windowShape: [2, 3], strides: 1, pad: 'valid', dilations: 1 }], call: ([x, o]) => lw.maxPool(x as Tensor, o as never) },
    { name: 'avgPool', args: () => [fx.x, { windowShape: 3, strides: [2, 1], pad: 'same', countIncludePad: true }], call: ([x, o]) => lw.avgPool(x as Tensor, o as never) },
    { name: 'globalAvgPool', args: () => [fx.x], call: ([x]) => lw.globalAvgPool(x as Tensor) },
    { name: 'add', args: () => [fx.x, fx.y, { activation: 'relu' }], call: ([x, y, o]) => lw.add(x as Tensor, y as Tensor, o as object) },
    { name: 'relu', args: () => [fx.a], call: ([x]) => lw.relu(x as Tensor) },
    { name: 'relu6', args: () => [fx.a], call: ([x]) => lw.relu6(x as Tensor) },
    { name: 'clamp', args: () => [fx.a, -0.5, 0.5], call: ([x, lo, hi]) => lw.clamp(x as Tensor, lo as number, hi as number) },
    { name: 'fromNCHW', args: () => [fx.nchw], call: ([x]) => lw.fromNCHW(x as Tensor) },
    { name: 'toNCHW', args: () => [fx.x], call: ([x]) => lw.toNCHW(x as Tensor) },
    { name: 'quantize', args: () => [fx.b, { bits: 4, scheme: 'symmetric', axis: 1, signed: true }], call: ([x, o]) => lw.quantize(x as Tensor, o as object) },
    { name: 'quantize, given scales', args: () => [fx.b, { bits: 8, scheme: 'asymmetric', axis: 1, scale: [0.1, 0.2, 0.3, 0.4, 0.5], zeroPoint: [1, 2, 3, 4, 5], signed: false }], call: ([x, o]) => lw.quantize(x as Tensor, o as object) },
    {
      name: 'quantized', args: () => ['uint8', [0, 1, 2, 255, 7, 9], [2, 3], { scale: [0.5, 0.25], zeroPoint: [3, 4], axis: 0 }],
      call: ([t, d, s, o]) => lw.quantized(t as 'uint8', d as number[], s as number[], o as never),
    },
    { name: 'quantizeMultiplier', args: () => [0.0123], call: ([v]) => quantizeMultiplier(v as number) },
    { name: 'dyadicScales', args: () => [[0.5, 0.25, 1e-3]], call: ([v]) => dyadicScales(v as number[]) },
    { name: 'dequantize', args: () => [fx.qx], call: ([q]) => lw.dequantize(q as QuantizedTensor) },
    { name: 'requantize', args: () => [fx.qx, { scale: 0.03, zeroPoint: 2, signed: false }], call: ([q, o]) => lw.requantize(q as QuantizedTensor, o as never) },
    {
      name: 'qMatMul', args: () => [fx.qx, fx.qw, { bias: [1, 2, 3, 4, 5], outScale: 0.05, outZeroPoint: 1, outType: 'int8', requant: 'fp32', activation: 'relu' }],
      call: ([x, w, o]) => lw.qMatMul(x as QuantizedTensor, w as QuantizedTensor, o as object),
    },
    {
      name: 'qMatMul dyadic', args: () => [fx.qx, fx.qw, { outScale: 0.05, requant: 'dyadic', dyadic: { multiplier: [1 << 30, 1 << 29, 1 << 30, 1 << 30, 1 << 30], shift: 8 } }],
      call: ([x, w, o]) => lw.qMatMul(x as QuantizedTensor, w as QuantizedTensor, o as object),
    },
    {
      name: 'qConv2d', args: () => [fx.qimg, fx.qfilter, { strides: 1, pad: 'same', dilations: 1, groups: 1, outScale: 0.1, outType: 'uint8', filterLayout: 'OHWI' }],
      call: ([x, w, o]) => lw.qConv2d(x as QuantizedTensor, w as QuantizedTensor, o as object),
    },
    {
      name: 'qDepthwiseConv2d', args: () => [fx.qimg, fx.qdw, { strides: [1, 2], pad: 'valid', output: 'int32', filterLayout: 'HWC' }],
      call: ([x, w, o]) => lw.qDepthwiseConv2d(x as QuantizedTensor, w as QuantizedTensor, o as never),
    },
  ];
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

/** One malformed variant of `args`: an argument, an option (known or unknown key) or an element replaced. */
function mutate(args: Args, r: () => number, pool: (() => unknown)[]): { args: Args; what: string } {
  const pick = () => pool[Math.floor(r() * pool.length)]();
  const out = args.slice();
  const i = Math.floor(r() * out.length);
  const v = out[i];
  const roll = r();
  if (isPlainObject(v) && roll < 0.7) {
    const keys = [...Object.keys(v), 'unknownOption'];
    const key = keys[Math.floor(r() * keys.length)];
    const copy = { ...v };
    const nested = copy[key];
    if (isPlainObject(nested) && r() < 0.5) {
      const nk = Object.keys(nested)[Math.floor(r() * Object.keys(nested).length)];
      copy[key] = { ...nested, [nk]: pick() };
      out[i] = copy;
      return { args: out, what: `arg ${i}.${key}.${nk}` };
    }
    if (Array.isArray(nested) && nested.length > 0 && r() < 0.4) {
      const arr = nested.slice();
      const j = Math.floor(r() * arr.length);
      arr[j] = pick();
      copy[key] = arr;
      out[i] = copy;
      return { args: out, what: `arg ${i}.${key}[${j}]` };
    }
    copy[key] = pick();
    out[i] = copy;
    return { args: out, what: `arg ${i}.${key}` };
  }
  if ((Array.isArray(v) || ArrayBuffer.isView(v)) && roll < 0.5 && (v as ArrayLike<unknown>).length > 0) {
    const arr = Array.from(v as ArrayLike<unknown>);
    const j = Math.floor(r() * arr.length);
    arr[j] = pick();
    out[i] = arr;
    return { args: out, what: `arg ${i}[${j}]` };
  }
  out[i] = pick();
  return { args: out, what: `arg ${i}` };
}

function bitsOf(v: unknown): number[] {
  if (v instanceof Tensor || v instanceof QuantizedTensor) {
    const d = v.data as ArrayBufferView;
    return Array.from(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  }
  return [];
}

function disposeResult(v: unknown): void {
  if (v && typeof (v as { dispose?: unknown }).dispose === 'function') (v as { dispose(): void }).dispose();
}

/** A short description of an argument for failure messages (never walks an instance's graph). */
function showArg(v: unknown, depth = 0): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v !== 'object' || v === null) return typeof v === 'function' ? 'function' : String(v);
  if (v instanceof Tensor || v instanceof QuantizedTensor) return `${v.constructor.name}(${v.type} [${v.dims.join(', ')}]${v.disposed ? ', disposed' : ''})`;
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as unknown as ArrayLike<number>).length})`;
  if (depth > 1) return '…';
  if (Array.isArray(v)) return `[${Array.from(v, (e) => showArg(e, depth + 1)).join(', ')}]`;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return (proto as { constructor?: { name?: string } }).constructor?.name ?? 'object';
  return `{ ${Object.entries(v).map(([k, e]) => `${k}: ${showArg(e, depth + 1)}`).join(', ')} }`;
}

describe('bad input, fuzzed: typed errors, nothing leaked or overwritten, the instance still usable', () => {
  beforeAll(() => {
    const q = (dims: number[], seed: number, o: object) => {
      const t = f32(dims, seed);
      try { return lw.quantize(t, o); } finally { t.dispose(); }
    };
    fx = {
      a: f32([3, 7], 1), b: f32([7, 5], 2), ha: f16([3, 7], 3), hb: f16([7, 5], 4),
      x: f32([1, 5, 6, 3], 5), w: f32([4, 3, 2, 3], 6), dw: f32([3, 3, 3], 7),
      hx: f16([1, 5, 6, 3], 8), hw: f16([4, 2, 2, 3], 9), hdw: f16([3, 3, 3], 19),
      qx: q([3, 7], 13, { scheme: 'asymmetric' }),
      qw: q([7, 5], 14, { bits: 4, axis: 1 }),
      qimg: q([1, 5, 6, 3], 21, { signed: true }),
      qfilter: q([4, 3, 3, 3], 15, { axis: 0 }),
      qdw: q([3, 3, 3], 16, { axis: 2 }),
      nchw: f32([1, 3, 5, 6], 17), y: f32([6, 1], 18),
    };
  });

  for (const c of cases()) {
    it(c.name, () => {
      const sentinel = f32([37], 99);
      const sentinelBits = bitsOf(sentinel);
      const valid = c.call(c.args());
      const want = bitsOf(valid);
      disposeResult(valid);
      const r = rng(SEED + c.name.length * 7919 + c.name.charCodeAt(0));
      let failures = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const pool = garbage();
        const made: unknown[] = [];
        const tracked = pool.map((g) => () => { const v = g(); made.push(v); return v; });
        let { args, what } = mutate(c.args(), r, tracked);
        if (r() < 0.3) { const second = mutate(args, r, tracked); args = second.args; what = `${what} and ${second.what}`; }
        if (process.env.LANEWISE_FUZZ_TRACE) appendFileSync(process.env.LANEWISE_FUZZ_TRACE, `${c.name} ${round} ${what}: ${args.map((a) => showArg(a)).join(', ')}\n`);
        const before = lw.info().memory.blocks;
        let result: unknown, err: unknown;
        try { result = c.call(args); } catch (e) { err = e; }
        const label = () => `${c.name}, ${what}: ${args.map((a) => showArg(a)).join(', ')}`;
        // A misspelt option must not be ignored: alone, it is the error.
        if (what.endsWith('.unknownOption') && !what.includes(' and ') && (err as LanewiseError | undefined)?.argument !== 'options.unknownOption') {
          throw new Error(`${label()}: an unknown option was not refused (${err === undefined ? 'accepted' : (err as Error).message})`);
        }
        if (err === undefined) {
          disposeResult(result);
        } else {
          failures++;
          if (!(err instanceof LanewiseError)) throw new Error(`${label()}: threw ${(err as Error)?.stack ?? String(err)} (not a LanewiseError)`);
          if (!/^\S/.test(err.argument) || !/: expected .+, got /.test(err.message)) throw new Error(`${label()}: ${err.message}`);
          if (lw.info().memory.blocks !== before) throw new Error(`${label()}: ${lw.info().memory.blocks - before} blocks left after a failed call`);
        }
        for (const v of made) disposeResult(v);
      }
      expect(failures).toBeGreaterThan(ROUNDS / 3); // the pool mostly holds values no op accepts
      const again = c.call(c.args());
      expect(bitsOf(again)).toEqual(want);
      disposeResult(again);
      expect(bitsOf(sentinel)).toEqual(sentinelBits);
      sentinel.dispose();
    });
  }

  it('Lanewise.create', async () => {
    const pool = garbage();
    let failures = 0;
    for (const key of [null, 'module', 'build', 'warmUp', 'threads', 'maxMemory', 'unknownOption']) {
      for (const g of pool) {
        const v = g();
        let err: unknown;
        try { (await Lanewise.create((key === null ? v : { [key]: v }) as never)).dispose(); } catch (e) { err = e; }
        disposeResult(v);
        if (err === undefined) continue;
        failures++;
        if (!(err instanceof LanewiseError)) throw new Error(`create, ${key ?? 'options'} = ${showArg(v)}: threw ${(err as Error)?.stack ?? String(err)}`);
        expect(err.message).toMatch(/: expected .+, got /);
      }
    }
    expect(failures).toBeGreaterThan(pool.length * 4);
  });
});
