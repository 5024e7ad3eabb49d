// f16: GEMM, GEMV and convolution in both f16 precisions against lanewise's own f32 on the same
// shapes, f32 ⇄ f16 conversion throughput, and bytes per packed weight. Single thread, weights
// prepacked (they stay binary16 in memory), activations as a model layer holds them: float16.
// Run as a script (`node dist/bench/suites/f16.js [quick]`) it prints interleaved best-of
// figures and the f16/f32 ratios measured in that one process.
import { Lanewise, type Tensor } from '../../src/index.js';
import type { BenchCase, Runner, Suite } from '../suite.js';
import { randomData } from './gemm.js';

function f32Gemm(lw: Lanewise, m: number, k: number, n: number): Runner {
  const ta = lw.tensor('float32', randomData(m * k, 1), [m, k]);
  const tb = lw.tensor('float32', randomData(k * n, 2), [k, n]);
  const w = lw.prepack(tb);
  tb.dispose();
  return {
    run() { lw.matMul(ta, w).dispose(); },
    dispose() { ta.dispose(); w.dispose(); },
  };
}

/** Inputs uniform in [−scale, scale]: 2^-7 makes most 'f16-exact' sums binary16 subnormals (its slow path). */
function f16Gemm(lw: Lanewise, m: number, k: number, n: number, precision: 'f16' | 'f16-exact', scale = 1): Runner {
  const a32 = lw.tensor('float32', randomData(m * k, 1).map((v) => v * scale), [m, k]);
  const b32 = lw.tensor('float32', randomData(k * n, 2).map((v) => v * scale), [k, n]);
  const ta = lw.cast(a32, 'float16'), tb = lw.cast(b32, 'float16');
  a32.dispose(); b32.dispose();
  const w = lw.prepack(tb);
  tb.dispose();
  return {
    run() { lw.matMul(ta, w, { precision }).dispose(); },
    dispose() { ta.dispose(); w.dispose(); },
  };
}

function castRunner(lw: Lanewise, count: number, to: 'float16' | 'float32'): Runner {
  const x32 = lw.tensor('float32', randomData(count, 3), [count]);
  const src = to === 'float16' ? x32 : lw.cast(x32, 'float16');
  if (src !== x32) x32.dispose();
  return {
    run() { lw.cast(src, to).dispose(); },
    dispose() { src.dispose(); },
  };
}

/** lanewise's f32 op on the same shape, timed with the f16 cases (one object per shape). */
function f32Reference(make: (lw: Lanewise) => Runner): NonNullable<BenchCase['reference']> {
  return { name: 'lanewise-f32', make };
}

function gemmCases(m: number, k: number, n: number, small = false): BenchCase[] {
  const ops = 2 * m * n * k;
  const shape = `${m}×${k}×${n}`, op = m === 1 ? 'gemv' : 'gemm';
  const f32Bytes = Math.ceil(n / 8) * (8 + 8 * k) * 4, f16Bytes = f32Bytes / 2;
  const reference = f32Reference((lw) => f32Gemm(lw, m, k, n));
  const notes = { 'packed weight bytes': f16Bytes, 'bytes per weight': f16Bytes / (k * n), 'f32 bytes per weight': f32Bytes / (k * n) };
  return [
    { name: `f16 ${op} ${shape}`, ops, unit: 'GFLOPS', lanewise: (lw) => f16Gemm(lw, m, k, n, 'f16'), reference, notes },
    { name: `f16-exact ${op} ${shape}`, ops, unit: 'GFLOPS', lanewise: (lw) => f16Gemm(lw, m, k, n, 'f16-exact'), reference, notes },
    ...(small ? [
      { name: `f16 gemm ${shape}, inputs ×2^-7`, ops, unit: 'GFLOPS', lanewise: (lw) => f16Gemm(lw, m, k, n, 'f16', 2 ** -7), reference, notes },
      { name: `f16-exact gemm ${shape}, inputs ×2^-7`, ops, unit: 'GFLOPS', lanewise: (lw) => f16Gemm(lw, m, k, n, 'f16-exact', 2 ** -7), reference, notes },
    ] satisfies BenchCase[] : []),
  ];
}

function castCases(count: number): BenchCase[] {
  // ops = elements, so the GOPS column reads as elements per nanosecond.
  return [
    { name: `cast f32→f16 ${count} elements (GOPS = elements/ns)`, ops: count, unit: 'GOPS', lanewise: (lw) => castRunner(lw, count, 'float16') },
    { name: `cast f16→f32 ${count} elements (GOPS = elements/ns)`, ops: count, unit: 'GOPS', lanewise: (lw) => castRunner(lw, count, 'float32') },
  ];
}

interface ConvShape { name: string; h: number; w: number; c: number; co: number; k: number; s: number; p: number; dw: boolean }
const convShapes: ConvShape[] = [
  { name: 'conv 32×32×16→16 k3 p1', h: 32, w: 32, c: 16, co: 16, k: 3, s: 1, p: 1, dw: false },
  { name: 'conv 16×16×32→32 k3 p0', h: 16, w: 16, c: 32, co: 32, k: 3, s: 1, p: 0, dw: false },
  { name: 'conv 56×56×64→64 k3 p1', h: 56, w: 56, c: 64, co: 64, k: 3, s: 1, p: 1, dw: false },
  { name: 'conv 56×56×64→128 k1', h: 56, w: 56, c: 64, co: 128, k: 1, s: 1, p: 0, dw: false },
  { name: 'dwconv 112×112×32 k3 s1 p1', h: 112, w: 112, c: 32, co: 32, k: 3, s: 1, p: 1, dw: true },
  { name: 'dwconv 28×28×128 k3 s2 p1', h: 28, w: 28, c: 128, co: 128, k: 3, s: 2, p: 1, dw: true },
];

function convRunner(lw: Lanewise, sh: ConvShape, precision: 'f32' | 'f16' | 'f16-exact'): Runner {
  const x32 = lw.tensor('float32', randomData(sh.h * sh.w * sh.c, 3), [1, sh.h, sh.w, sh.c]);
  const wData = randomData(sh.co * sh.k * sh.k * (sh.dw ? 1 : sh.c), 4).map((v) => v * 0.1);
  const f32 = lw.tensor('float32', wData, sh.dw ? [sh.k, sh.k, sh.c] : [sh.co, sh.k, sh.k, sh.c]);
  const bias = Array.from(randomData(sh.co, 5));
  const x = precision === 'f32' ? x32 : lw.cast(x32, 'float16');
  const f = precision === 'f32' ? f32 : lw.cast(f32, 'float16');
  const packed = lw.prepackConv(f as Tensor<'float32'>, sh.dw ? { depthwise: true, bias } : { bias });
  if (x !== x32) x32.dispose();
  f32.dispose(); if (f !== f32) f.dispose();
  const opts = { strides: sh.s, pad: sh.p, activation: 'relu' as const, ...(precision === 'f32' ? {} : { precision }) };
  return {
    run() { (sh.dw ? lw.depthwiseConv2d(x as Tensor<'float32'>, packed, opts) : lw.conv2d(x as Tensor<'float32'>, packed, opts)).dispose(); },
    dispose() { x.dispose(); packed.dispose(); },
  };
}

function convCases(quick: boolean): BenchCase[] {
  return convShapes.filter((_, i) => !quick || i < 2).flatMap((sh) => {
    const oh = Math.floor((sh.h + 2 * sh.p - sh.k) / sh.s) + 1, ow = Math.floor((sh.w + 2 * sh.p - sh.k) / sh.s) + 1;
    const ops = 2 * oh * ow * sh.co * sh.k * sh.k * (sh.dw ? 1 : sh.c);
    const notes = { weights: sh.co * sh.k * sh.k * (sh.dw ? 1 : sh.c) };
    const reference = f32Reference((lw) => convRunner(lw, sh, 'f32'));
    return [
      { name: `f16 ${sh.name}`, ops, unit: 'GFLOPS', lanewise: (lw) => convRunner(lw, sh, 'f16'), reference, notes },
      { name: `f16-exact ${sh.name}`, ops, unit: 'GFLOPS', lanewise: (lw) => convRunner(lw, sh, 'f16-exact'), reference, notes },
    ] satisfies BenchCase[];
  });
}

export const f16Suite: Suite = {
  name: 'f16',
  description: "binary16: matMul (GEMM and GEMV) and conv in precision 'f16' and 'f16-exact' against lanewise's f32 on the same shape in the same rounds (weights prepacked, single thread), f32⇄f16 cast throughput, bytes per weight",
  cases: ({ quick }) => [
    ...(quick ? [[256, 256, 256]] : [[256, 256, 256], [512, 512, 512], [1024, 1024, 1024]])
      .flatMap(([m, k, n]) => gemmCases(m, k, n, m === 256)),
    // GEMVs, where the binary16 weights are read directly ('f16') or widened per call
    // ('f16-exact'): 4 MB of f32 weights sit in cache, 64 MB come from memory. And 4 rows over
    // 64 MB, which 'f16' reads as binary16 too (bindings/f16.ts fewRows).
    ...(quick ? [[1, 1024, 1024]] : [[1, 1024, 1024], [1, 4096, 4096], [4, 4096, 4096]]).flatMap(([m, k, n]) => gemmCases(m, k, n)),
    ...convCases(quick),
    ...castCases(quick ? 1 << 16 : 1 << 20),
  ],
};

/**
 * Interleaved best-of rounds in this process over every case and every f32 reference (each
 * shape's once); prints each case with its ratio to the f32 op. 21 rounds of ≥ 25 ms: on a
 * shared machine, more and shorter rounds give every case quiet windows (7 of ≥ 80 ms left
 * single ratios off by up to ±10% at load averages of 4–6).
 */
export async function f16Figures(quick = false, rounds = 21, minMs = 25): Promise<void> {
  const lw = await Lanewise.create();
  const cases = f16Suite.cases({ quick });
  const refs = [...new Set(cases.flatMap((c) => (c.reference ? [c.reference] : [])))];
  const runners: Runner[] = [];
  for (const make of [...cases.map((c) => c.lanewise), ...refs.map((r) => r.make)]) {
    const r = await make(lw);
    const t0 = performance.now();
    for (let i = 0; i < 20 && performance.now() - t0 < 1000; i++) await r.run();
    runners.push(r);
  }
  const best = runners.map(() => Infinity);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < runners.length; i++) {
      let n = 0; const t0 = performance.now(); let t: number;
      do { await runners[i].run(); n++; t = performance.now() - t0; } while (t < minMs);
      best[i] = Math.min(best[i], t / n);
    }
  }
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i];
    const rate = (ms: number) => `${(ms * 1e3).toFixed(1)} µs, ${(c.ops / ms / 1e6).toFixed(2)} ${c.unit}`;
    const ref = c.reference ? cases.length + refs.indexOf(c.reference) : -1;
    const ratio = ref < 0 ? '' : `  ${(best[ref] / best[i]).toFixed(3)}× f32 (f32: ${rate(best[ref])})`;
    const notes = c.notes ? '  ' + Object.entries(c.notes).map(([k, v]) => `${k} ${v}`).join(', ') : '';
    console.log(`${c.name.padEnd(52)} ${rate(best[i])}${ratio}${notes}`);
  }
  for (const r of runners) await r.dispose();
  lw.dispose();
}

const argv1 = typeof process !== 'undefined' ? process.argv[1] ?? '' : '';
if (/bench[\\/]suites[\\/]f16\.js$/.test(argv1)) await f16Figures(process.argv.includes('quick'));
