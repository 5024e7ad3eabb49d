// Issue 3 (depthwise) figures only: lanewise against tfjs-backend-wasm on the two depthwise shapes,
// interleaved best-of rounds in one process, ratios per round printed so the spread shows.
// Run after `npm run build`: node dist/bench/dw-figures.js [rounds]
import { Lanewise } from '../src/index.js';
import { convCases } from './suites/conv.js';
import type { Runner } from './suite.js';

const rounds = Number(process.argv[2] ?? 15);
const minMs = 60;
const now = () => performance.now();
const lw = await Lanewise.create({ threads: 1 });

async function perRound(r: Runner): Promise<number> {
  let n = 1;
  for (;;) {
    const t = now();
    for (let i = 0; i < n; i++) await r.run();
    const dt = now() - t;
    if (dt >= minMs / 4) return Math.max(1, Math.ceil(n * minMs / dt));
    n *= 2;
  }
}

for (const c of convCases().filter((c) => c.name.includes('dwconv'))) {
  const mine = await c.lanewise(lw);
  const tf = await c.peers!['tfjs-wasm']();
  if (typeof tf === 'string') throw new Error(tf);
  const both: [string, Runner][] = [['lanewise', mine], ['tfjs-wasm', tf]];
  for (const [, r] of both) { const t = now(); for (let i = 0; i < 20 || now() - t < 300; i++) await r.run(); }
  const counts = await Promise.all(both.map(([, r]) => perRound(r)));
  const best = [Infinity, Infinity];
  for (let k = 0; k < rounds; k++) {
    for (let j = 0; j < 2; j++) {
      const t = now();
      for (let i = 0; i < counts[j]; i++) await both[j][1].run();
      best[j] = Math.min(best[j], (now() - t) / counts[j]);
    }
  }
  const g = best.map((ms) => c.ops / ms / 1e6);
  console.log(`${c.name}: lanewise ${g[0].toFixed(1)} GFLOPS (${(best[0] * 1000).toFixed(1)} µs), tfjs-wasm ${g[1].toFixed(1)} GFLOPS (${(best[1] * 1000).toFixed(1)} µs), ${(g[0] / g[1]).toFixed(2)}×`);
  for (const [, r] of both) await r.dispose();
}
lw.dispose();
