// 1 against 2 threads on the ops beyond the f32 GEMM and conv of the threads suite: batched f32
// matMul, the f16 GEMV and convolutions, the f32 depthwise, casts, elementwise ops, quantize and
// the quantized ops with a dyadic shift per channel.
// One process, a 1-thread and a 2-thread instance, interleaved best-of rounds.
// Run after `npm run build`: node dist/bench/threads-ops.js [rounds]
import { Lanewise } from '../src/index.js';

const rounds = Number(process.argv[2] ?? 25);
const wave = (n: number, phase = 0) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + phase));
const perChannel = (n: number, base: number, spread: number) =>
  ({ multiplier: Array<number>(n).fill(1 << 30), shift: Array.from({ length: n }, (_, i) => base + (i % spread)) });

const cases: Record<string, (lw: Lanewise) => () => void> = {
  'f32 matMul batched 8×128³ (A and B batched)': (lw) => {
    const a = lw.tensor('float32', wave(8 * 128 * 128), [8, 128, 128]), b = lw.tensor('float32', wave(8 * 128 * 128, 1), [8, 128, 128]);
    return () => lw.matMul(a, b).dispose();
  },
  "'f16' GEMV 1×2048×2048, prepacked": (lw) => {
    const a = lw.cast(lw.tensor('float32', wave(2048), [1, 2048]), 'float16');
    const w = lw.prepack(lw.cast(lw.tensor('float32', wave(2048 * 2048, 1), [2048, 2048]), 'float16'));
    return () => lw.matMul(a, w).dispose();
  },
  "'f16' conv2d 56×56×64→64 k3, prepacked": (lw) => {
    const x = lw.cast(lw.tensor('float32', wave(56 * 56 * 64), [1, 56, 56, 64]), 'float16');
    const w = lw.prepackConv(lw.cast(lw.tensor('float32', wave(64 * 9 * 64, 1).map((v) => v * 0.1), [64, 3, 3, 64]), 'float16'));
    return () => lw.conv2d(x, w, { pad: 'same', activation: 'relu' }).dispose();
  },
  "'f16-exact' depthwise 112×112×32 k3": (lw) => {
    const x = lw.cast(lw.tensor('float32', wave(112 * 112 * 32), [1, 112, 112, 32]), 'float16');
    const w = lw.prepackConv(lw.cast(lw.tensor('float32', wave(9 * 32, 2), [3, 3, 32]), 'float16'), { depthwise: true });
    return () => lw.depthwiseConv2d(x, w, { pad: 'same', precision: 'f16-exact' }).dispose();
  },
  "'f16' depthwise 112×112×32 k3": (lw) => {
    const x = lw.cast(lw.tensor('float32', wave(112 * 112 * 32), [1, 112, 112, 32]), 'float16');
    const w = lw.prepackConv(lw.cast(lw.tensor('float32', wave(9 * 32, 2), [3, 3, 32]), 'float16'), { depthwise: true });
    return () => lw.depthwiseConv2d(x, w, { pad: 'same' }).dispose();
  },
  'f32 depthwise 56×56×64 k3': (lw) => {
    const x = lw.tensor('float32', wave(56 * 56 * 64), [1, 56, 56, 64]);
    const w = lw.prepackConv(lw.tensor('float32', wave(9 * 64, 2), [3, 3, 64]), { depthwise: true });
    return () => lw.depthwiseConv2d(x, w, { pad: 'same' }).dispose();
  },
  'cast to float16, 1M elements': (lw) => {
    const x = lw.tensor('float32', wave(1 << 20), [1 << 20]);
    return () => lw.cast(x, 'float16').dispose();
  },
  'add with ReLU, 1M elements': (lw) => {
    const x = lw.tensor('float32', wave(1 << 20), [1 << 20]), y = lw.tensor('float32', wave(1 << 20, 3), [1 << 20]);
    return () => lw.add(x, y, { activation: 'relu' }).dispose();
  },
  'quantize per tensor (asymmetric), 1M elements': (lw) => {
    const x = lw.tensor('float32', wave(1 << 20), [1 << 20]);
    return () => lw.quantize(x, { scheme: 'asymmetric' }).dispose();
  },
  'qMatMul 512³, a dyadic shift per column': (lw) => {
    const x = lw.quantize(lw.tensor('float32', wave(512 * 512), [512, 512]), { scheme: 'asymmetric' });
    const w = lw.quantize(lw.tensor('float32', wave(512 * 512, 5), [512, 512]), { axis: 0, scheme: 'symmetric' });
    const opts = { outScale: 0.07, outZeroPoint: 128, requant: 'dyadic' as const, dyadic: perChannel(512, 35, 4) };
    return () => lw.qMatMul(x, w, opts).dispose();
  },
  'qConv2d 56×56×64→64 k3, a dyadic shift per channel': (lw) => {
    const x = lw.quantize(lw.tensor('float32', wave(56 * 56 * 64), [1, 56, 56, 64]), { scheme: 'asymmetric' });
    const f = lw.quantize(lw.tensor('float32', wave(64 * 9 * 64, 7), [64, 3, 3, 64]), { axis: 0, scheme: 'symmetric' });
    const opts = { pad: 'same' as const, outScale: 0.3, outZeroPoint: 128, requant: 'dyadic' as const, dyadic: perChannel(64, 36, 3) };
    return () => lw.qConv2d(x, f, opts).dispose();
  },
};

const one = await Lanewise.create(), two = await Lanewise.create({ threads: 2 });
console.log(`${two.info().threadsReason}; best of ${rounds} interleaved rounds`);
for (const [name, make] of Object.entries(cases)) {
  const runs = [make(one), make(two)];
  const best = [Infinity, Infinity];
  for (let r = 0; r < rounds; r++) {
    runs.forEach((run, i) => { const t0 = performance.now(); run(); best[i] = Math.min(best[i], performance.now() - t0); });
  }
  console.log(`${name.padEnd(52)} 1 thread ${(best[0] * 1e3).toFixed(0).padStart(6)} µs   2 threads ${(best[1] * 1e3).toFixed(0).padStart(6)} µs   ×${(best[0] / best[1]).toFixed(2)}`);
}
one.dispose(); two.dispose();
