// The passes around the quantized kernels (docs/quant.md), one thread, interleaved best-of rounds:
// quantize and dequantize of 1M elements, and the requantization pass that a dyadic shift per
// column needs (qMatMul with such shifts against the same call with int32 output).
// Run after `npm run build`: node dist/bench/quant-passes.js [rounds]
import { Lanewise } from '../src/index.js';

const rounds = Number(process.argv[2] ?? 15);
const lw = await Lanewise.create();
const wave = (n: number, phase = 0) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + phase));
{
  const x = lw.tensor('float32', wave(1 << 20), [1024, 1024]);
  const q = lw.quantize(x, { scheme: 'asymmetric' });
  const runs = [
    () => lw.quantize(x, { scheme: 'asymmetric' }).dispose(),
    () => lw.quantize(x, { scale: 0.01, zeroPoint: 3 }).dispose(),
    () => lw.dequantize(q).dispose(),
    () => lw.quantize(x, { axis: 0, scheme: 'symmetric' }).dispose(),
  ];
  const best = runs.map(() => Infinity);
  for (let r = 0; r < rounds; r++) {
    runs.forEach((run, i) => { const t0 = performance.now(); run(); best[i] = Math.min(best[i], performance.now() - t0); });
  }
  console.log(`1M elements: quantize (dynamic, asymmetric) ${best[0].toFixed(2)} ms, quantize (given scale) ${best[1].toFixed(2)} ms, ` +
    `dequantize ${best[2].toFixed(2)} ms, quantize (per channel, symmetric, weights) ${best[3].toFixed(2)} ms`);
  x.dispose(); q.dispose();
}
for (const s of [256, 512, 1024]) {
  const x = lw.quantize(lw.tensor('float32', wave(s * s), [s, s]), { scheme: 'asymmetric' });
  const w = lw.quantize(lw.tensor('float32', wave(s * s, 5), [s, s]), { axis: 0, scheme: 'symmetric' });
  const dyadic = { multiplier: Array<number>(s).fill(1 << 30), shift: Array.from({ length: s }, (_, i) => 35 + (i % 4)) };
  const runs = [
    () => lw.qMatMul(x, w, { outScale: 0.07, outZeroPoint: 128, requant: 'dyadic', dyadic }).dispose(),
    () => lw.qMatMul(x, w, { output: 'int32' }).dispose(),
  ];
  const best = [Infinity, Infinity];
  for (let r = 0; r < rounds; r++) {
    runs.forEach((run, i) => { const t0 = performance.now(); run(); best[i] = Math.min(best[i], performance.now() - t0); });
  }
  console.log(`qMatMul ${s}³: shift per column ${(best[0] * 1e3).toFixed(0)} µs, int32 output ${(best[1] * 1e3).toFixed(0)} µs, ` +
    `pass ≈ ${(((best[0] - best[1]) * 1e6) / (s * s)).toFixed(2)} ns per output`);
  x.dispose(); w.dispose();
}
lw.dispose();
