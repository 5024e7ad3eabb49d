// Where 2 threads start to pay: 1 against 2 threads on small problems of each op family, around
// the thresholds the drivers use (the pool's 2^20 operations, and STAGED_PLAN_OPS in
// bindings/exec.ts for the quantized and binary16 drivers). Below a threshold both instances run
// on one thread, so those rows show ~1.00×.
// One process, a 1-thread and a 2-thread instance; per size, interleaved best-of rounds, each
// round a block of calls (small calls are too short to time one at a time).
// Run after `npm run build`: node dist/bench/threads-small.js [rounds]
import { Lanewise } from '../src/index.js';

const rounds = Number(process.argv[2] ?? 9);
const wave = (n: number, phase = 0) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + phase));
interface Owned { dispose(): void }
/** Every tensor a size makes goes through `keep`, and is disposed when that size is done. */
type Keep = <T extends Owned>(t: T) => T;
type Make = (lw: Lanewise, s: number, keep: Keep) => () => void;

const square = (lw: Lanewise, s: number, seed: number, keep: Keep) => keep(lw.tensor('float32', wave(s * s, seed), [s, s]));
const image = (lw: Lanewise, s: number, c: number, keep: Keep) => keep(lw.tensor('float32', wave(s * s * c), [1, s, s, c]));
const half = (lw: Lanewise, t: ReturnType<typeof square>, keep: Keep) => keep(lw.cast(t, 'float16'));

const families: { name: string; sizes: number[]; make: Make }[] = [
  { name: 'f32 matMul s³', sizes: [48, 64, 96, 128], make: (lw, s, k) => {
    const a = square(lw, s, 0, k), w = k(lw.prepack(square(lw, s, 1, k)));
    return () => lw.matMul(a, w).dispose();
  } },
  { name: 'f32 conv2d s×s×32→32 k3', sizes: [5, 6, 8, 12, 16], make: (lw, s, k) => {
    const x = image(lw, s, 32, k), w = k(lw.prepackConv(k(lw.tensor('float32', wave(9 * 32 * 32, 2).map((v) => v * 0.1), [32, 3, 3, 32]))));
    return () => lw.conv2d(x, w, { pad: 'same' }).dispose();
  } },
  { name: 'f32 depthwiseConv2d s×s×32 k3', sizes: [16, 24, 28, 32, 48], make: (lw, s, k) => {
    const x = image(lw, s, 32, k), w = k(lw.prepackConv(k(lw.tensor('float32', wave(9 * 32, 2), [3, 3, 32])), { depthwise: true }));
    return () => lw.depthwiseConv2d(x, w, { pad: 'same' }).dispose();
  } },
  { name: 'f32 maxPool s×s×32 3×3/2', sizes: [64, 96, 128], make: (lw, s, k) => {
    const x = image(lw, s, 32, k);
    return () => lw.maxPool(x, { windowShape: 3, strides: 2, pad: 'same' }).dispose();
  } },
  { name: 'add, s elements', sizes: [65536, 131072, 262144, 524288], make: (lw, n, k) => {
    const x = k(lw.tensor('float32', wave(n), [n])), y = k(lw.tensor('float32', wave(n, 3), [n]));
    return () => lw.add(x, y).dispose();
  } },
  { name: 'cast to float16, s elements', sizes: [43690, 87381, 174762, 349525], make: (lw, n, k) => {
    const x = k(lw.tensor('float32', wave(n), [n]));
    return () => lw.cast(x, 'float16').dispose();
  } },
  { name: 'dequantize (8 bits), s elements', sizes: [65536, 131072, 262144], make: (lw, n, k) => {
    const q = k(lw.quantize(k(lw.tensor('float32', wave(n), [n])), { bits: 8 }));
    return () => lw.dequantize(q).dispose();
  } },
  { name: "'f16' matMul s³", sizes: [64, 96, 128], make: (lw, s, k) => {
    const a = half(lw, square(lw, s, 0, k), k), w = k(lw.prepack(half(lw, square(lw, s, 1, k), k)));
    return () => lw.matMul(a, w).dispose();
  } },
  { name: "'f16-exact' matMul s³", sizes: [64, 80, 96], make: (lw, s, k) => {
    const a = half(lw, square(lw, s, 0, k), k), w = k(lw.prepack(half(lw, square(lw, s, 1, k), k)));
    return () => lw.matMul(a, w, { precision: 'f16-exact' }).dispose();
  } },
  { name: "'f16' depthwiseConv2d s×s×32 k3", sizes: [32, 48, 64], make: (lw, s, k) => {
    const x = k(lw.cast(image(lw, s, 32, k), 'float16'));
    const w = k(lw.prepackConv(k(lw.cast(k(lw.tensor('float32', wave(9 * 32, 2), [3, 3, 32])), 'float16')), { depthwise: true }));
    return () => lw.depthwiseConv2d(x, w, { pad: 'same' }).dispose();
  } },
  { name: 'int8 qMatMul s³', sizes: [64, 96, 128], make: (lw, s, k) => {
    const x = k(lw.quantize(square(lw, s, 0, k), { bits: 8 })), w = k(lw.quantize(square(lw, s, 1, k), { bits: 8, axis: 1 }));
    return () => lw.qMatMul(x, w, { outScale: 0.05 }).dispose();
  } },
];

const one = await Lanewise.create({ threads: 1 }), two = await Lanewise.create({ threads: 2 });
console.log(`${two.info().threadsReason}; best of ${rounds} interleaved rounds of ~15 ms`);
for (const f of families) {
  for (const s of f.sizes) {
    const owned: Owned[] = [];
    const keep: Keep = (t) => { owned.push(t); return t; };
    const runs = [f.make(one, s, keep), f.make(two, s, keep)];
    // Calls per round: ~15 ms on one thread (after a first call that warms the instance up).
    runs.forEach((r) => r());
    let calls = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 15) { runs[0](); calls++; }
    const best = [Infinity, Infinity];
    for (let r = 0; r < rounds; r++) {
      runs.forEach((run, i) => {
        const t = performance.now();
        for (let c = 0; c < calls; c++) run();
        best[i] = Math.min(best[i], (performance.now() - t) / calls);
      });
    }
    const label = f.name.replace(/\bs\b/g, String(s));
    console.log(`${label.padEnd(40)} 1 thread ${(best[0] * 1e3).toFixed(1).padStart(8)} µs   2 threads ${(best[1] * 1e3).toFixed(1).padStart(8)} µs   ×${(best[0] / best[1]).toFixed(2)}`);
    for (const t of owned) t.dispose();
  }
}
one.dispose(); two.dispose();
