// f16: GEMM in both f16 precisions against lanewise's own f32 GEMM on the same shapes, f32 ⇄ f16
// conversion throughput, and bytes per packed weight. Single thread, B prepacked (the weights
// stay binary16 in memory), A/B/C as a model layer would hold them: float16 tensors.
import type { Lanewise } from '../../src/index.js';
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

function f16Gemm(lw: Lanewise, m: number, k: number, n: number, precision: 'f16' | 'f16-exact'): Runner {
  const a32 = lw.tensor('float32', randomData(m * k, 1), [m, k]);
  const b32 = lw.tensor('float32', randomData(k * n, 2), [k, n]);
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

function gemmCases(m: number, k: number, n: number): BenchCase[] {
  const ops = 2 * m * n * k;
  const shape = `${m}×${k}×${n}`;
  const f32Bytes = Math.ceil(n / 8) * (8 + 8 * k) * 4, f16Bytes = f32Bytes / 2;
  return [
    { name: `f32 gemm ${shape} (reference)`, ops, unit: 'GFLOPS', lanewise: (lw) => f32Gemm(lw, m, k, n),
      notes: { 'packed weight bytes': f32Bytes, 'bytes per weight': f32Bytes / (k * n) } },
    { name: `f16 gemm ${shape}`, ops, unit: 'GFLOPS', lanewise: (lw) => f16Gemm(lw, m, k, n, 'f16'),
      notes: { 'packed weight bytes': f16Bytes, 'bytes per weight': f16Bytes / (k * n) } },
    { name: `f16-exact gemm ${shape}`, ops, unit: 'GFLOPS', lanewise: (lw) => f16Gemm(lw, m, k, n, 'f16-exact'),
      notes: { 'packed weight bytes': f16Bytes, 'bytes per weight': f16Bytes / (k * n) } },
  ];
}

function castCases(count: number): BenchCase[] {
  // ops = elements, so the GOPS column reads as elements per nanosecond.
  return [
    { name: `cast f32→f16 ${count} elements (GOPS = elements/ns)`, ops: count, unit: 'GOPS', lanewise: (lw) => castRunner(lw, count, 'float16') },
    { name: `cast f16→f32 ${count} elements (GOPS = elements/ns)`, ops: count, unit: 'GOPS', lanewise: (lw) => castRunner(lw, count, 'float32') },
  ];
}

export const f16Suite: Suite = {
  name: 'f16',
  description: "binary16: matMul precision 'f16' and 'f16-exact' vs lanewise f32 (B prepacked, single thread), f32⇄f16 cast throughput",
  cases: ({ quick }) => [
    ...(quick ? [[256, 256, 256]] : [[256, 256, 256], [512, 512, 512], [1024, 1024, 1024]])
      .flatMap(([m, k, n]) => gemmCases(m, k, n)),
    ...castCases(quick ? 1 << 16 : 1 << 20),
  ],
};
