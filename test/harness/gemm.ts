// Shape batteries and the tolerance check shared by every f32 GEMM test.
import { expect } from 'vitest';
import { rng } from './random.js';

export type Shape = [m: number, n: number, k: number];

/** Shapes derived from a kernel's tile: m = 1..MR+1 and 2·MR+1, n around NR and the panel, k 0..33 and large. */
export function gemmBattery(mr: number, nr: number, panel: number, seed = 1): Shape[] {
  const ms = [...Array.from({ length: mr + 1 }, (_, i) => i + 1), 2 * mr + 1];
  const ns = [...new Set([1, 2, 3, panel - 1, panel, panel + 1, nr - 1, nr, nr + 1, 2 * nr + 3, 3 * panel + 5])].filter((n) => n >= 1);
  const ks = [0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 31, 33, 257];
  const shapes: Shape[] = [];
  for (const m of ms) for (const n of ns) for (const k of [ks[(m + n) % ks.length], ks[(m * 3 + n) % ks.length]]) shapes.push([m, n, k]);
  for (const k of ks) shapes.push([mr, nr, k]);
  const r = rng(seed);
  for (let i = 0; i < 12; i++) shapes.push([1 + Math.floor(r() * 40), 1 + Math.floor(r() * 70), Math.floor(r() * 300)]);
  return shapes;
}

/** |got − want| ≤ c·k·ε·Σ|a·b| (plus a few ulps for the bias and tiny sums) per element. */
export function expectWithinBound(got: Float32Array, want: Float64Array, absSum: Float64Array, k: number, c = 1): void {
  const eps = 2 ** -24;
  for (let i = 0; i < want.length; i++) {
    const bound = c * (k + 2) * eps * absSum[i] + 1e-30;
    const err = Math.abs(got[i] - want[i]);
    if (!(err <= bound)) {
      expect.fail(`element ${i}: got ${got[i]}, want ${want[i]} ± ${bound} (error ${err})`);
    }
  }
}

/** Bitwise equality after canonicalizing NaN (engines may differ in a canonical NaN's sign). */
export function expectSameBits(got: Float32Array, want: Float32Array, what = ''): void {
  expect(got.length).toBe(want.length);
  const g = new Uint32Array(got.buffer, got.byteOffset, got.length);
  const w = new Uint32Array(want.buffer, want.byteOffset, want.length);
  for (let i = 0; i < g.length; i++) {
    const gi = Number.isNaN(got[i]) ? 0x7fc00000 : g[i];
    const wi = Number.isNaN(want[i]) ? 0x7fc00000 : w[i];
    if (gi !== wi) expect.fail(`${what} element ${i}: got ${got[i]} (0x${gi.toString(16)}), want ${want[i]} (0x${wi.toString(16)})`);
  }
}
