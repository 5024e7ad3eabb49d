// The per-tensor quantizers (f32-qs8-vcvt, f32-qu8-vcvt), their statistics (f32-rminmax) and
// the dequantizers (qs8-f32-vcvt, qu8-f32-vcvt), every registered variant in every build:
// bit-exact against test/reference/quant.ts on every length around the 16-element step, ties,
// saturation, ±Inf, signed zeros and NaN.
import { describe, it, expect, beforeAll } from 'vitest';
import { Device } from '../../bindings/device.js';
import { kernels, type QVcvtKernelInfo } from '../../bindings/kernels.js';
import { buildNames, type BuildName } from '../../bindings/module.js';
import { dequantizeRef, quantizeRef } from '../reference/quant.js';
import { rng } from '../harness/random.js';

const devices = new Map<BuildName, Device>();
beforeAll(async () => {
  for (const build of buildNames) devices.set(build, await Device.create({ build }));
});

const lengths = [...Array.from({ length: 41 }, (_, i) => i), 63, 64, 65, 1000, 1027];

/** n floats: random in ±range, with ties (k + 0.5)·scale, ±Inf, ±0 and huge values sprinkled in. */
function data(n: number, seed: number, scale: number, range: number): Float32Array {
  const r = rng(seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = r();
    x[i] = u < 0.3 ? (Math.floor(r() * 400 - 200) + 0.5) * scale
      : u < 0.34 ? [Infinity, -Infinity, 0, -0, 3e38, -3e38, 1e-40][Math.floor(r() * 7)]
      : (r() * 2 - 1) * range;
  }
  return x;
}

for (const kern of kernels.filter((k): k is QVcvtKernelInfo => k.family === 'f32-qs8-vcvt' || k.family === 'f32-qu8-vcvt')) {
  const signed = kern.family === 'f32-qs8-vcvt';
  describe(kern.name, () => {
    for (const build of kern.builds) {
      it(`${build}: clamp(nearest(x / scale) + zp) on every length, ties to even, saturation, ±Inf`, () => {
        const dev = devices.get(build)!;
        const params = signed ? [[0.05, 0, -128, 127], [0.013, -7, -127, 127], [1, 3, -128, 127], [2.5e-3, 100, -100, 20]]
          : [[0.05, 128, 0, 255], [0.013, 0, 0, 255], [1, 255, 0, 255], [2.5e-3, 17, 10, 200]];
        for (const [p, [scale, zp, qmin, qmax]] of params.entries()) {
          const s = Math.fround(scale);
          for (const n of lengths) {
            const x = data(n, 1000 * p + n, s, 200 * s);
            const xb = dev.alloc(n * 4 + 64, 'x'), yb = dev.alloc(n + 64, 'y');
            try {
              dev.write(xb, x);
              dev.fill(yb, 0x5a);
              dev.kmod.exports[kern.name](n, xb.ptr, yb.ptr, s, zp, qmin, qmax);
              const y = dev.read(yb, new Uint8Array(n + 64));
              expect(y.subarray(n).every((v) => v === 0x5a)).toBe(true);
              const got = signed ? new Int8Array(y.buffer, 0, n) : y.subarray(0, n);
              for (let i = 0; i < n; i++) {
                const want = quantizeRef(x[i], s, zp, qmin, qmax);
                if (got[i] !== want) expect.fail(`scale ${s} zp ${zp} n ${n} x[${i}] = ${x[i]}: got ${got[i]}, want ${want}`);
              }
            } finally {
              dev.free(yb); dev.free(xb);
            }
          }
        }
      });
    }
  });
}

for (const kern of kernels.filter((k): k is QVcvtKernelInfo => k.family === 'f32-rminmax')) {
  describe(kern.name, () => {
    for (const build of kern.builds) {
      it(`${build}: min and max on every length, ±Inf, zeros of either sign, NaN anywhere gives NaN`, () => {
        const dev = devices.get(build)!;
        const run = (x: Float32Array): [number, number] => {
          const xb = dev.alloc(x.length * 4 + 64, 'x'), ob = dev.alloc(8, 'out');
          try {
            dev.write(xb, x);
            dev.kmod.exports[kern.name](x.length, xb.ptr, ob.ptr);
            const o = dev.read(ob, new Float32Array(2));
            return [o[0], o[1]];
          } finally {
            dev.free(ob); dev.free(xb);
          }
        };
        for (const n of lengths) {
          const x = data(n, 7 * n + 1, 0.01, 5);
          let lo = Infinity, hi = -Infinity;
          for (const v of x) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
          expect(run(x)).toEqual([lo, hi]);
          if (n > 0) {
            // Every position of a NaN, in the vector loop and in the tail.
            for (const at of new Set([0, n - 1, Math.floor(n / 2), 17 % n])) {
              const y = x.slice();
              y[at] = NaN;
              const [a, b] = run(y);
              expect(Number.isNaN(a) && Number.isNaN(b)).toBe(true);
            }
          }
        }
        // Zeros of both signs compare equal (the contract: the callers use the sign nowhere), in
        // the vector loop and the tail; a zero never hides a smaller or a larger value.
        for (const n of [2, 20, 37]) {
          const z = new Float32Array(n).map((_, i) => (i % 3 ? -0 : 0));
          expect(run(z).map((v) => v === 0)).toEqual([true, true]);
          z[n - 1] = -1e-30; z[0] = 1e-30;
          expect(run(z)).toEqual([Math.fround(-1e-30), Math.fround(1e-30)]);
        }
      });
    }
  });
}

for (const kern of kernels.filter((k): k is QVcvtKernelInfo => k.family === 'qs8-f32-vcvt' || k.family === 'qu8-f32-vcvt')) {
  const signed = kern.family === 'qs8-f32-vcvt';
  describe(kern.name, () => {
    for (const build of kern.builds) {
      it(`${build}: f32(q − zp) · scale on every length and every byte value`, () => {
        const dev = devices.get(build)!;
        for (const [scale, zp] of signed ? [[0.05, 0], [0.0137, -128], [3.3e-5, 127], [1e30, -7]] : [[0.05, 128], [0.0137, 0], [3.3e-5, 255], [1e30, 7]]) {
          const s = Math.fround(scale);
          for (const n of [...lengths, 256]) {
            // n = 256 holds every byte value once.
            const q = Uint8Array.from({ length: n }, (_, i) => (n === 256 ? i : (i * 37 + n) & 255));
            const xb = dev.alloc(n + 64, 'q'), yb = dev.alloc(n * 4 + 64, 'y');
            try {
              dev.write(xb, q);
              dev.fill(yb, 0x5a);
              dev.kmod.exports[kern.name](n, xb.ptr, yb.ptr, zp, s);
              const y = dev.read(yb, new Float32Array(n + 16));
              expect(new Uint8Array(y.buffer, n * 4).every((v) => v === 0x5a)).toBe(true);
              for (let i = 0; i < n; i++) {
                const v = signed ? (q[i] << 24) >> 24 : q[i];
                const want = dequantizeRef(v, s, zp);
                if (!Object.is(y[i], want)) expect.fail(`scale ${s} zp ${zp} n ${n} q[${i}] = ${v}: got ${y[i]}, want ${want}`);
              }
            } finally {
              dev.free(yb); dev.free(xb);
            }
          }
        }
      });
    }
  });
}
