// Every registered f16 kernel, in every build: conversions against @petamoriken/float16 on all
// 65,536 halves and a large f32 sample; f16 GEMMs bit-exact against test/reference/f16.ts.
import { describe, it, expect, beforeAll } from 'vitest';
import { getFloat16, setFloat16 } from '@petamoriken/float16';
import { Device } from '../../bindings/device.js';
import { kernelsOf } from '../../bindings/kernels.js';
import { packedABytes } from '../../bindings/gemm.js';
import { F16_PANEL, packedF16Bytes } from '../../bindings/f16.js';
import { buildNames, type BuildName } from '../../bindings/module.js';
import { indirection } from '../../bindings/conv.js';
import { conv2dRef, outSize } from '../reference/conv.js';
import { gemmBattery } from '../harness/gemm.js';
import { rng } from '../harness/random.js';
import { conv2dF16Exact, f16Value, f16ToF32BitsExpected, f32BitsToF16Expected, gemmF16Exact, gemmF16Fast, gemmF16NaiveF32, randomF16,
  im2colF16, round16Bits, transpose16 } from '../reference/f16.js';

const devices = new Map<BuildName, Device>();
beforeAll(async () => {
  for (const build of buildNames) devices.set(build, await Device.create({ build }));
});

const dv = new DataView(new ArrayBuffer(4));
const oracleToF32 = (h: number) => { dv.setUint16(0, h); return getFloat16(dv, 0); };
const oracleToF16 = (x: number) => { setFloat16(dv, 0, x); return dv.getUint16(0); };

function convert(dev: Device, name: string, input: Uint16Array | Uint32Array, outBytes: number): Uint8Array {
  const src = dev.alloc(input.byteLength, 'src'), dst = dev.alloc(input.length * outBytes + 64, 'dst');
  try {
    dev.write(src, input);
    dev.fill(dst, 0xa5);
    dev.kmod.exports[name](input.length, src.ptr, dst.ptr);
    const out = dev.read(dst, new Uint8Array(input.length * outBytes + 64));
    // Nothing written past the end.
    expect(out.subarray(input.length * outBytes).every((x) => x === 0xa5)).toBe(true);
    return out.subarray(0, input.length * outBytes);
  } finally {
    dev.free(dst); dev.free(src);
  }
}

function hex(x: number) { return '0x' + x.toString(16); }

for (const kern of kernelsOf('f16-f32-vcvt')) {
  for (const build of kern.builds) {
    describe(`${kern.name} [${build}]`, () => {
      it('converts all 65,536 halves exactly (NaN: payload kept, quiet bit set)', () => {
        const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
        const got = new Uint32Array(convert(devices.get(build)!, kern.name, all, 4).slice().buffer);
        for (let h = 0; h < 65536; h++) {
          const want = f16ToF32BitsExpected(h, oracleToF32);
          if (got[h] !== want) expect.fail(`half ${hex(h)}: got ${hex(got[h])}, want ${hex(want)}`);
        }
      });
      it('handles every length (tails) the same way', () => {
        const r = rng(3);
        for (let n = 0; n <= 40; n++) {
          const x = Uint16Array.from({ length: n }, () => Math.floor(r() * 65536));
          const got = new Uint32Array(convert(devices.get(build)!, kern.name, x, 4).slice().buffer);
          for (let i = 0; i < n; i++) expect(got[i]).toBe(f16ToF32BitsExpected(x[i], oracleToF32));
        }
      });
    });
  }
}

/** Boundary f32 patterns: around every f16 rounding point that matters, plus specials. */
function f32Specials(): Uint32Array {
  const out: number[] = [0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7f800001, 0xff800001,
    0x7fffffff, 0x7fa00000, 0x7fbfe000, 0x7f802000, 0x00000001, 0x007fffff, 0x00800000];
  const f = new Float32Array(1), u = new Uint32Array(f.buffer);
  // Every f16 value ± a few f32 ulps, and every f16 midpoint ± a few ulps (the ties).
  for (let h = 0; h < 0x7c00; h++) {
    f[0] = oracleToF32(h);
    const base = u[0];
    for (let d = -2; d <= 2; d++) out.push((base + d) >>> 0);
    // Midpoint to the next half (exact in f32: 12 significant bits).
    f[0] = (oracleToF32(h) + oracleToF32(h + 1 === 0x7c00 ? 0x7bff : h + 1)) / 2;
    if (h === 0x7bff) f[0] = 65520;
    const mid = u[0];
    for (let d = -2; d <= 2; d++) out.push((mid + d) >>> 0);
  }
  const n = out.length;
  for (let i = 0; i < n; i++) out.push((out[i] ^ 0x80000000) >>> 0);
  return Uint32Array.from(out);
}

for (const kern of kernelsOf('f32-f16-vcvt')) {
  for (const build of kern.builds) {
    describe(`${kern.name} [${build}]`, () => {
      const check = (x: Uint32Array) => {
        const got = new Uint16Array(convert(devices.get(build)!, kern.name, x, 2).slice().buffer);
        for (let i = 0; i < x.length; i++) {
          const want = f32BitsToF16Expected(x[i], oracleToF16);
          if (got[i] !== want) expect.fail(`f32 ${hex(x[i])}: got ${hex(got[i])}, want ${hex(want)}`);
        }
      };
      it('rounds every f16 neighbourhood and midpoint as the oracle (ties to even, overflow, subnormals, NaN rule)', () => {
        check(f32Specials());
      });
      it('matches the oracle on 2^21 random f32 bit patterns', () => {
        const r = rng(build === 'simd' ? 11 : 12);
        const x = new Uint32Array(1 << 21);
        for (let i = 0; i < x.length; i++) x[i] = Math.floor(r() * 4294967296) >>> 0;
        check(x);
      });
      it('matches the oracle on 2^20 random f32 values inside the f16 range', () => {
        const r = rng(5);
        const f = new Float32Array(1 << 20);
        for (let i = 0; i < f.length; i++) f[i] = (r() - 0.5) * 2 ** (Math.floor(r() * 44) - 26);
        check(new Uint32Array(f.buffer));
      });
      it('converts ±0 and f32 subnormals inside blocks of normal-range values (the fast path)', () => {
        const r = rng(6);
        const tiny = [0, 0x80000000, 0x00000001, 0x807fffff, 0x00400000];
        const x = new Uint32Array(16 * 16 * tiny.length);
        const f = new Float32Array(1), u = new Uint32Array(f.buffer);
        for (let i = 0; i < x.length; i++) { f[0] = (r() < 0.5 ? -1 : 1) * (0.001 + r() * 1000); x[i] = u[0]; }
        // Block b puts tiny value b % 5 at lane (b / 5) % 16.
        for (let b = 0; b < x.length / 16; b++) x[b * 16 + (Math.floor(b / tiny.length) % 16)] = tiny[b % tiny.length];
        check(x);
      });
      it('converts nonnegative blocks (a clamp\'s output: zeros, ties, f32 subnormals) and blocks with one odd lane', () => {
        const r = rng(7);
        const f = new Float32Array(1 << 16);
        for (let i = 0; i < f.length; i++) {
          const u = r();
          if (u < 0.25) f[i] = 0;
          else if (u < 0.5) { const h = 0x400 + Math.floor(r() * 0x77ff); f[i] = (oracleToF32(h) + oracleToF32(h + 1)) / 2; }
          else if (u < 0.55) f[i] = 2 ** -140 * (1 + r());
          else f[i] = 2 ** -14 + r() * 65000;
        }
        // Every 4th block of 16 takes one lane the fast paths must not serve (or, for -0, need not).
        const odd = [-1.5, -0, 1e-6, 3e-5, 65520, 70000, NaN, Infinity, -Infinity, 2 ** -14 - 2 ** -30];
        for (let b = 0; b < f.length / 16; b += 4) f[b * 16 + ((b >> 2) % 16)] = odd[(b >> 2) % odd.length];
        check(new Uint32Array(f.buffer));
      });
      it('handles every length (tails) the same way', () => {
        const r = rng(4);
        for (let n = 0; n <= 40; n++) check(Uint32Array.from({ length: n }, () => Math.floor(r() * 4294967296) >>> 0));
      });
    });
  }
}

// ---- GEMM ----

/** Runs one f16 GEMM kernel through the driver's steps (widen A, pack A, widen panels) on raw memory. */
function runGemm(dev: Device, kernelName: string, m: number, n: number, k: number, a: Uint16Array, b: Uint16Array,
  bias: Uint16Array | null, opts: { transposeA?: boolean; transposeB?: boolean; min?: number; max?: number } = {}): Uint16Array {
  const kern = [...kernelsOf('f16-f32acc-gemm'), ...kernelsOf('f16-gemm')].find((x) => x.name === kernelName)!;
  const ex = dev.kmod.exports;
  const panelHalves = F16_PANEL + F16_PANEL * k;
  const blocks = [
    dev.alloc(a.byteLength, 'a'), dev.alloc(b.byteLength, 'b'), dev.alloc(packedF16Bytes(n, k), 'w'),
    dev.alloc(m * n * 2 + 64, 'c'), dev.alloc(m * k * 4, 'a32'), dev.alloc(packedABytes(m, k, kern.packA ?? 1), 'ap'),
    dev.alloc(Math.ceil(n / 8) * panelHalves * 4, 'w32'), dev.alloc(Math.max(n, 1) * 2, 'bias'),
  ];
  const [ab, bb, wb, cb, a32, ap, w32, biasb] = blocks;
  try {
    dev.write(ab, a); dev.write(bb, b);
    if (bias) dev.write(biasb, bias);
    dev.fill(cb, 0x5a);
    const pw = kernelsOf('f16-packw').find((p) => p.layout === (opts.transposeB ? 'goi' : 'gio'))!;
    ex[pw.name](n, k, bb.ptr, (opts.transposeB ? k : n) * 2, bias ? biasb.ptr : 0, wb.ptr);
    ex.f16_f32_vcvt_x16__simd(m * k, ab.ptr, a32.ptr);
    if (kern.packA === null) {
      // Row kernels reading binary16 weights: mr widened A rows per call (a transposed A is
      // rows only when m = 1, the only case the drivers send it), scaled where the kernel says.
      if (kern.scaledA) { const v = dev.viewF32(a32, 0, m * k); for (let i = 0; i < v.length; i++) v[i] *= 2 ** 112; }
      for (let m0 = 0; m0 < m; m0 += kern.mr) {
        ex[kern.name](Math.min(kern.mr, m - m0), n, k, a32.ptr + m0 * k * 4, k * 4, wb.ptr, cb.ptr + m0 * n * 2, n * 2, opts.min ?? -Infinity, opts.max ?? Infinity);
      }
    } else {
      const pa = kernelsOf('f16-f32-packx').find((p) => p.mr === kern.packA && p.source === (opts.transposeA ? 't' : 'n'))!;
      ex[pa.name](m, k, ab.ptr, (opts.transposeA ? m : k) * 2, ap.ptr);
      ex.f16_f32_vcvt_x16__simd(Math.ceil(n / 8) * panelHalves, wb.ptr, w32.ptr);
      const w = kern.weights === 'f16' ? wb.ptr : w32.ptr;
      // Row m0 of the packed tiles ([k][4] floats per 4 rows): a 1-row kernel reads one of a tile's four.
      for (let m0 = 0; m0 < m; m0 += kern.mr) {
        ex[kern.name](Math.min(kern.mr, m - m0), n, k, ap.ptr + Math.floor(m0 / 4) * k * 16 + (m0 % 4) * 4, 0, w, cb.ptr + m0 * n * 2, n * 2,
          opts.min ?? -Infinity, opts.max ?? Infinity);
      }
    }
    const out = dev.read(cb, new Uint8Array(m * n * 2 + 64));
    expect(out.subarray(m * n * 2).every((x) => x === 0x5a)).toBe(true);
    return new Uint16Array(out.slice(0, m * n * 2).buffer);
  } finally {
    for (const bl of blocks) dev.free(bl);
  }
}

function expectSameHalves(got: Uint16Array, want: Uint16Array, what: string): void {
  expect(got.length).toBe(want.length);
  const canon = (h: number) => ((h & 0x7fff) > 0x7c00 ? 0x7e00 : h);
  for (let i = 0; i < got.length; i++) {
    if (canon(got[i]) !== canon(want[i])) expect.fail(`${what} element ${i}: got ${hex(got[i])}, want ${hex(want[i])}`);
  }
}

const gemmKernels = [...kernelsOf('f16-f32acc-gemm'), ...kernelsOf('f16-gemm')];
for (const kern of gemmKernels) {
  const ref = kern.precision === 'f16' ? gemmF16Fast : gemmF16Exact;
  for (const build of kern.builds) {
    describe(`${kern.name} [${build}]`, () => {
      const shapes = gemmBattery(kern.mr, kern.nr, kern.panel, kern.mr * 100 + kern.nr + 7);
      it(`matches the ${kern.precision} reference bit for bit (${shapes.length} shapes)`, () => {
        const dev = devices.get(build)!;
        const r = rng(17);
        for (const [m, n, k] of shapes) {
          const a = randomF16(m * k, r), b = randomF16(k * n, r), bias = randomF16(n, r);
          expectSameHalves(runGemm(dev, kern.name, m, n, k, a, b, bias), ref(m, n, k, a, b, bias), `${m}×${n}×${k}`);
        }
      });

      it('reads transposed A and B layouts', () => {
        const dev = devices.get(build)!;
        const r = rng(23);
        for (const [m, n, k] of [[4, 8, 9], [5, 11, 17], [1, 5, 3], [7, 20, 40], [1, 37, 21]] as const) {
          const a = randomF16(m * k, r), b = randomF16(k * n, r);
          const want = ref(m, n, k, a, b, null);
          if (m === 1 || kern.packA !== null) {
            expectSameHalves(runGemm(dev, kern.name, m, n, k, transpose16(m, k, a), b, null, { transposeA: true }), want, 'transposeA');
          }
          expectSameHalves(runGemm(dev, kern.name, m, n, k, a, transpose16(k, n, b), null, { transposeB: true }), want, 'transposeB');
        }
      });

      it('clamps, and lets NaN through a clamp', () => {
        const dev = devices.get(build)!;
        const r = rng(29);
        const m = 4, n = 9, k = 5;
        const a = randomF16(m * k, r, -4, 4), b = randomF16(k * n, r, -4, 4);
        expectSameHalves(runGemm(dev, kern.name, m, n, k, a, b, null, { min: -0.5, max: 0.75 }),
          ref(m, n, k, a, b, null, -0.5, 0.75), 'clamp');
        // One infinite bound (relu; a cap alone): the kernels skip that side of the clamp.
        expectSameHalves(runGemm(dev, kern.name, m, n, k, a, b, null, { min: 0 }), ref(m, n, k, a, b, null, 0, Infinity), 'relu');
        expectSameHalves(runGemm(dev, kern.name, m, n, k, a, b, null, { max: 0.25 }), ref(m, n, k, a, b, null, -Infinity, 0.25), 'cap');
        a[0] = 0x7e00;
        const got = runGemm(dev, kern.name, m, n, k, a, b, null, { min: 0, max: 6 });
        for (let j = 0; j < n; j++) expect((got[j] & 0x7fff) > 0x7c00).toBe(true);
        expect(Array.from(got.slice(n)).some((h) => (h & 0x7fff) > 0x7c00)).toBe(false);
      });

      it('extreme operands: the largest finite halves against the smallest subnormals', () => {
        // The GEMV widens weights to w·2^-112 and scales A by 2^112: both must stay exact here.
        const dev = devices.get(build)!;
        const r = rng(37);
        const pick = [0x7bff, 0xfbff, 0x0001, 0x8001, 0x03ff, 0x83ff, 0x0400, 0x3c00, 0x0000, 0x8000, 0x5bff, 0x1001];
        const m = 5, n = 21, k = 33;
        const draw = (len: number) => Uint16Array.from({ length: len }, () => pick[Math.floor(r() * pick.length)]);
        for (let trial = 0; trial < 4; trial++) {
          const a = draw(m * k), b = draw(k * n), bias = draw(n);
          expectSameHalves(runGemm(dev, kern.name, m, n, k, a, b, bias), ref(m, n, k, a, b, bias), `trial ${trial}`);
        }
      });

      it('overflows to ±Inf, underflows through subnormals, keeps the sign of zero', () => {
        const dev = devices.get(build)!;
        const r = rng(31);
        const m = 6, n = 13, k = 40;
        // Large: products near 2^14 overflow the f16 range mid-sum; tiny: sums in the subnormal range.
        for (const [lo, hi] of [[-300, 300], [-(2 ** -7), 2 ** -7], [-(2 ** -12), 2 ** -12]]) {
          const a = randomF16(m * k, r, lo, hi), b = randomF16(k * n, r, lo, hi), bias = randomF16(n, r, lo, hi);
          expectSameHalves(runGemm(dev, kern.name, m, n, k, a, b, bias), ref(m, n, k, a, b, bias), `[${lo}, ${hi}]`);
        }
        // Infinite operands (weights too, unless the kernel's contract excludes them), and −0 sums.
        const a = randomF16(m * k, r), b = randomF16(k * n, r);
        a[3] = 0x7c00; b[7] = 0;
        if (!kern.finiteWeights) b[5] = 0xfc00;
        expectSameHalves(runGemm(dev, kern.name, m, n, k, a, b, null), ref(m, n, k, a, b, null), 'inf');
        // One Inf or NaN weight in either panel of a pair (the GEMV reads two at a time), in the
        // lone last panel, first and last k: the others stay finite.
        const n2 = 21, b2 = randomF16(k * n2, r);
        for (const j of kern.finiteWeights ? [] : [0, 7, 8, 15, 16, 20]) {
          for (const [kk, h] of [[0, 0xfc00], [k - 1, 0x7e01], [k >> 1, 0x7c00]] as const) {
            const bj = b2.slice();
            bj[kk * n2 + j] = h;
            expectSameHalves(runGemm(dev, kern.name, m, n2, k, a, bj, null), ref(m, n2, k, a, bj, null), `special weight at k ${kk}, column ${j}`);
          }
        }
        const z = new Uint16Array(m * k).fill(0x8000), bz = new Uint16Array(k * n).fill(0x3c00), nb = new Uint16Array(n).fill(0x8000);
        const gz = runGemm(dev, kern.name, m, n, k, z, bz, nb);
        expectSameHalves(gz, ref(m, n, k, z, bz, nb), '-0');
        expect(gz[0]).toBe(0x8000);
      });

      if (kern.precision === 'f16-exact') {
        it('rounds sums just under the smallest normal on the subnormal grid, and sums around the overflow bound', () => {
          const dev = devices.get(build)!;
          const r = rng(41);
          // Products in [2^-16, 2^-14] with long significands: running sums cross [2^-15, 2^-14),
          // where a binary16's quantum is 2^-24, not a tenth-bit of the float's own binade.
          for (const k of [1, 2, 3, 8]) {
            const m = 5, n = 12;
            const sign = () => (r() < 0.5 ? -1 : 1);
            const a = Uint16Array.from({ length: m * k }, () => round16Bits(sign() * (2 ** -8 + r() * 2 ** -8)));
            const b = Uint16Array.from({ length: k * n }, () => round16Bits(sign() * (2 ** -8 + r() * 2 ** -8)));
            const want = gemmF16Exact(m, n, k, a, b, null);
            expect(want.some((h) => (h & 0x7fff) < 0x0400 && (h & 0x7fff) >= 0x0200)).toBe(true); // the band is reached
            expectSameHalves(runGemm(dev, kern.name, m, n, k, a, b, null), want, `subnormal band, k = ${k}`);
          }
          // First sums swept over [65024, 66100): from 65520 on they overflow to Inf, which a
          // negative second product cannot bring back; below, they round to 65504 or less first.
          const m = 3, n = 64, k = 2;
          const a = Uint16Array.from([256, -1, 255.5, -1, 256, -0.5], round16Bits);
          const b = Uint16Array.from({ length: k * n }, (_, i) => round16Bits(i < n ? 254 + 4.2 * i / (n - 1) : r() * 1000));
          const bias = new Uint16Array(n);
          const want = gemmF16Exact(m, n, k, a, b, bias);
          expect(want.some((h) => h === 0x7c00) && want.some((h) => h < 0x7bff && h > 0x7800)).toBe(true);
          expectSameHalves(runGemm(dev, kern.name, m, n, k, a, b, bias), want, 'near 65504');
          // A whole panel of first sums in [65536, 66048) (no other lane hard in that step), brought
          // back under 65504 by the second product: Inf, since the FMA overflowed first.
          const a2 = Uint16Array.from([256, -1, 1, 1], round16Bits);
          const b2 = Uint16Array.from([256, 256.25, 256.5, 256.75, 257, 257.5, 257.75, 256, 100, 100, 100, 100, 100, 100, 100, 100], round16Bits);
          const whole = runGemm(dev, kern.name, 2, 8, 2, a2, b2, new Uint16Array(8));
          expectSameHalves(whole, gemmF16Exact(2, 8, 2, a2, b2, new Uint16Array(8)), 'a panel overflowing at once');
          expect(Array.from(whole.subarray(0, 8))).toEqual(new Array(8).fill(0x7c00));
        });

        it('resolves subnormal sums that the f32 sum rounded onto a midpoint of the 2^-24 grid', () => {
          const dev = devices.get(build)!;
          // bias 64·2^-24 + a·b = 2^-25 + 2^-43 and bias 65·2^-24 + a·b = 2^-25 − 2^-45: each f32 sum drops
          // the last term and lands on a midpoint whose even neighbour is the wrong one; the FMA gives 65·2^-24.
          const [a1, b1, a2, b2] = [0.00006496906280517578, 0.00045871734619140625, 0.00006109476089477539, 0.0004878044128417969].map(round16Bits);
          const bias = Uint16Array.of(round16Bits(64 * 2 ** -24), round16Bits(65 * 2 ** -24));
          for (const m of [1, 2, 3]) {
            const a = Uint16Array.from({ length: m }, (_, i) => (i % 2 ? a2 : a1)), b = Uint16Array.of(b1, b2);
            const got = runGemm(dev, kern.name, m, 2, 1, a, b, bias);
            expectSameHalves(got, ref(m, 2, 1, a, b, bias), `subnormal midpoints, m = ${m}`);
            expect(got[0]).toBe(0x0041);
            if (m > 1) expect(got[3]).toBe(0x0041);
          }
        });

        it('takes zero sums, infinities and NaNs of any payload through the fast path right', () => {
          const dev = devices.get(build)!;
          const r = rng(53);
          const m = 6, n = 13, k = 24;
          // Zero bias (some −0) and rows whose first half is ±0: the first sums are exactly ±0.
          const a = randomF16(m * k, r), b = randomF16(k * n, r);
          for (let i = 0; i < m; i++) for (let j = 0; j < k / 2; j++) a[i * k + j] = (i + j) % 2 ? 0x8000 : 0;
          const bias = Uint16Array.from({ length: n }, (_, j) => (j % 3 === 0 ? 0x8000 : 0));
          expectSameHalves(runGemm(dev, kern.name, m, n, k, a, b, bias), ref(m, n, k, a, b, bias), 'leading zeros');
          // NaNs with every payload bit set (significand 0x7fe000 once widened: lift16 must not carry
          // it into the sign), infinities met by later products, and a NaN bias.
          const an = randomF16(m * k, r), bn = randomF16(k * n, r);
          an[1] = 0x7fff; an[k + 2] = 0xffff; bn[3 * n + 4] = 0xfdff; an[2 * k] = 0x7c00; an[3 * k + 5] = 0xfc00;
          const bnan = Uint16Array.from({ length: n }, (_, j) => (j === 6 ? 0x7fff : 0));
          const got = runGemm(dev, kern.name, m, n, k, an, bn, bnan);
          expectSameHalves(got, ref(m, n, k, an, bn, bnan), 'NaN payloads and infinities');
          for (let j = 0; j < n; j++) expect((got[j] & 0x7fff) > 0x7c00 && (got[n + j] & 0x7fff) > 0x7c00).toBe(true); // rows 0 and 1 meet a NaN
          expect(got.every((h, i) => i % n !== 6 || (h & 0x7fff) > 0x7c00)).toBe(true);
        });

        it('resolves the double-rounding cases (ties after an inexact f32 sum) as the FP16 FMA does', () => {
          const dev = devices.get(build)!;
          // acc = 1025, a·b = 0.5 − 2^-21: the f32 sum rounds to the tie 1025.5; the FMA gives 1025.
          const one = runGemm(dev, kern.name, 1, 1, 1, Uint16Array.of(round16Bits(1 + 2 ** -10)),
            Uint16Array.of(round16Bits(0.5 - 2 ** -11)), Uint16Array.of(round16Bits(1025)));
          expect(one[0]).toBe(round16Bits(1025));
          // Random data built to hit such ties: integer-valued accumulators, products with long significands.
          const r = rng(37);
          const m = 8, n = 16, k = 64;
          // a·b = ±(1 + j·2^-10)(0.5 + i·2^-11) = ±(0.5 + (i + j)·2^-11 + ij·2^-21): when i = −j the f32 sum
          // with an integer acc in [1024, 2048) lands on a tie that the exact sum is not on.
          const a = Uint16Array.from({ length: m * k }, () => round16Bits((1 + (1 + Math.floor(r() * 7)) * 2 ** -10) * (r() < 0.5 ? -1 : 1)));
          const b = Uint16Array.from({ length: k * n }, () => round16Bits(0.5 + Math.floor(r() * 16 - 8) * 2 ** -11));
          const bias = Uint16Array.from({ length: n }, () => round16Bits(1200 + Math.floor(r() * 600)));
          const want = gemmF16Exact(m, n, k, a, b, bias);
          const naive = gemmF16NaiveF32(m, n, k, a, b, bias);
          expect(want.some((h, i) => h !== naive[i])).toBe(true); // the data reaches the hard cases
          expectSameHalves(runGemm(dev, kern.name, m, n, k, a, b, bias), want, 'ties');
        });
      }
    });
  }
}

// ---- im2col (the exact convolution's A) ----

for (const kern of kernelsOf('x16-im2col')) {
  for (const build of kern.builds) {
    describe(`${kern.name} [${build}]`, () => {
      it('copies every tap row of every group (padding as +0), channel tails, strides, dilation', () => {
        const dev = devices.get(build)!;
        const r = rng(43);
        // [ih, iw, ci, groups, kh, kw, stride, pad, dilation]
        for (const [ih, iw, ci, groups, kh, kw, st, pad, dil] of [[5, 6, 3, 1, 3, 3, 1, 1, 1], [7, 5, 16, 2, 3, 2, 2, 1, 1],
          [6, 6, 24, 3, 5, 5, 1, 2, 1], [9, 8, 17, 1, 3, 3, 2, 0, 2], [4, 4, 8, 1, 1, 1, 1, 0, 1], [6, 7, 40, 4, 3, 3, 1, 1, 1]]) {
          const g = { n: 1, ih, iw, ci, co: groups, kh, kw, groups, sh: st, sw: st, dh: dil, dw: dil, pt: pad, pb: pad, pl: pad, pr: pad };
          const [oh, ow] = outSize(g);
          const cig = ci / groups, K = kh * kw * cig, P = oh * ow;
          const x = Uint16Array.from({ length: ih * iw * ci }, () => 1 + Math.floor(r() * 65535));
          const ind = indirection({ ...g, oh, ow }, 1, 2 ** 32);
          const [xb, ib, ob] = [dev.alloc(x.length * 2 + 64, 'x'), dev.alloc(ind.byteLength, 'ind'), dev.alloc(P * K * 2 + 64, 'out')];
          try {
            dev.write(xb, x); dev.write(ib, ind);
            for (let gi = 0; gi < groups; gi++) {
              dev.fill(ob, 0x5a);
              dev.kmod.exports[kern.name](P, kh * kw, cig, ib.ptr, xb.ptr, gi * cig * 2, ob.ptr);
              const got = dev.read(ob, new Uint16Array(P * K + 32));
              expect(got.subarray(P * K).every((v) => v === 0x5a5a)).toBe(true);
              const want = im2colF16(x, g, 0, gi);
              for (let i = 0; i < want.length; i++) {
                if (got[i] !== want[i]) expect.fail(`${[ih, iw, ci, groups, kh, kw, st, pad, dil]} group ${gi} element ${i}: got ${got[i]}, want ${want[i]}`);
              }
            }
          } finally {
            dev.free(ob); dev.free(ib); dev.free(xb);
          }
        }
      });
    });
  }
}

// ---- depthwise, exact ----

for (const kern of kernelsOf('f16-dwconv').filter((k) => k.precision === 'f16-exact')) {
  for (const build of kern.builds) {
    describe(`${kern.name} [${build}]`, () => {
      type Data = (n: number, what: 'x' | 'w' | 'bias') => Uint16Array;
      const runCase = (dev: Device, [ih, iw, C, kh, kw, s, p]: number[], data: Data, lo: number, hi: number, label: string) => {
        const oh = Math.floor((ih + 2 * p - kh) / s) + 1, ow = Math.floor((iw + 2 * p - kw) / s) + 1, ks = kh * kw;
        const g = { n: 1, ih, iw, ci: C, oh, ow, co: C, kh, kw, sh: s, sw: s, dh: 1, dw: 1, pt: p, pb: p, pl: p, pr: p, groups: C };
        const x = data(ih * iw * C, 'x'), w = data(C * ks, 'w'), bias = data(C, 'bias');
        const want = conv2dF16Exact(x, w, bias, g, lo, hi).out;
        const tiles = Math.ceil(C / 8), packed = new Float32Array(tiles * (8 + 8 * ks));
        for (let c = 0; c < C; c++) {
          const t = Math.floor(c / 8) * (8 + 8 * ks), lane = c % 8;
          packed[t + lane] = f16Value(bias[c]);
          for (let k = 0; k < ks; k++) packed[t + 8 + k * 8 + lane] = f16Value(w[c * ks + k]);
        }
        const ind = indirection(g, 1, 2 ** 32);
        const blocks = [dev.alloc(x.length * 4 + 64, 'x'), dev.alloc(packed.byteLength, 'w'), dev.alloc(ind.byteLength, 'ind'),
          dev.alloc(C * 4 + 64, 'zero'), dev.alloc(oh * ow * C * 2 + 64, 'out'), dev.alloc(8, 'params')];
        const [xb, wb, ib, zb, ob, pb] = blocks;
        try {
          dev.write(xb, Float32Array.from(x, f16Value)); dev.write(wb, packed); dev.write(ib, ind);
          dev.fill(zb, 0); dev.fill(ob, 0x5a); dev.write(pb, new Float32Array([lo, hi]));
          dev.kmod.exports[kern.name](oh * ow, C, ks, ib.ptr, xb.ptr, zb.ptr, wb.ptr, ob.ptr, C * 2, pb.ptr);
          const out = dev.read(ob, new Uint8Array(oh * ow * C * 2 + 64));
          expect(out.subarray(oh * ow * C * 2).every((v) => v === 0x5a)).toBe(true);
          expectSameHalves(new Uint16Array(out.slice(0, oh * ow * C * 2).buffer), want, label);
        } finally {
          for (const bl of blocks) dev.free(bl);
        }
      };

      it('matches the f16-exact depthwise reference bit for bit (windows, strides, padding, channel tails)', () => {
        const dev = devices.get(build)!;
        const r = rng(43);
        for (const geo of [[5, 6, 8, 3, 3, 1, 1], [7, 5, 13, 5, 5, 2, 2], [4, 4, 3, 1, 2, 1, 0], [6, 6, 17, 3, 3, 2, 0], [5, 5, 40, 3, 3, 1, 1], [4, 5, 25, 3, 3, 1, 0]]) {
          runCase(dev, geo, (n) => randomF16(n, r, -2, 2), -1.5, 1.5, geo.join(','));
        }
      });

      it('resolves the double-rounding cases (ties after an inexact f32 sum) as the FP16 FMA does', () => {
        const dev = devices.get(build)!;
        const r = rng(47);
        // As the GEMM test: integer-valued sums in [1024, 2048) and products ±(1 + j·2^-10)(0.5 + i·2^-11)
        // whose f32 sum can land on a tie the exact sum is not on.
        const data: Data = (n, what) => Uint16Array.from({ length: n }, () => round16Bits(
          what === 'x' ? (1 + (1 + Math.floor(r() * 7)) * 2 ** -10) * (r() < 0.5 ? -1 : 1)
            : what === 'w' ? 0.5 + Math.floor(r() * 16 - 8) * 2 ** -11 : 1200 + Math.floor(r() * 600)));
        for (const geo of [[9, 9, 16, 3, 3, 1, 0], [8, 7, 11, 5, 5, 1, 0]]) runCase(dev, geo, data, -65504, 65504, `ties ${geo.join(',')}`);
      });

      it('resolves subnormal sums that the f32 sum rounded onto a midpoint of the 2^-24 grid', () => {
        const dev = devices.get(build)!;
        // As the GEMM test: per channel, bias + x·w with the f32 sum on a midpoint the FMA does not round to.
        const pick = (c: number, v: number[]) => round16Bits(v[c % 2]);
        const data: Data = (n, what) => Uint16Array.from({ length: n }, (_, c) => what === 'x' ? pick(c, [0.00006496906280517578, 0.00006109476089477539])
          : what === 'w' ? pick(c, [0.00045871734619140625, 0.0004878044128417969]) : pick(c, [64 * 2 ** -24, 65 * 2 ** -24]));
        for (const C of [16, 8, 3]) runCase(dev, [1, 1, C, 1, 1, 1, 0], data, -Infinity, Infinity, `subnormal midpoints, C = ${C}`);
      });

      it('takes zero sums and infinities through the fast path right (ReLU input, zero bias, padding)', () => {
        const dev = devices.get(build)!;
        const r = rng(59);
        // Half the inputs +0, a few ±Inf, zero bias (some −0): padded windows start on exact zero sums.
        const data: Data = (n, what) => Uint16Array.from({ length: n }, (_, i) => what === 'bias' ? (i % 3 === 0 ? 0x8000 : 0)
          : what === 'w' ? round16Bits((r() - 0.5) * 2)
            : r() < 0.5 ? 0 : r() < 0.02 ? (r() < 0.5 ? 0x7c00 : 0xfc00) : round16Bits(r() * 2));
        for (const geo of [[6, 7, 16, 3, 3, 1, 1], [5, 5, 9, 3, 3, 2, 1]]) runCase(dev, geo, data, -Infinity, Infinity, `zeros ${geo.join(',')}`);
      });
    });
  }
}

// ---- A packing with widening ----
for (const kern of kernelsOf('f16-f32-packx')) {
  for (const build of kern.builds) {
    describe(`${kern.name} [${build}]`, () => {
      it('gives the bits of widening A and packing it with x32-packx (every half value, odd shapes)', () => {
        const dev = devices.get(build)!;
        const r = rng(53);
        for (const [m, k] of [[4, 8], [5, 17], [9, 33], [3, 1], [8, 64], [7, 0]]) {
          const a = Uint16Array.from({ length: m * k }, () => Math.floor(r() * 65536));
          const src = kern.source === 't' ? transpose16(m, k, a) : a;
          const bytes = Math.ceil(m / 4) * 4 * k * 4;
          const blocks = [dev.alloc(a.byteLength + 16, 'a'), dev.alloc(m * k * 4 + 16, 'a32'), dev.alloc(bytes + 64, 'got'), dev.alloc(bytes + 64, 'want')];
          const [ab, a32, gb, wb] = blocks;
          try {
            dev.write(ab, src);
            dev.fill(gb, 0x5a); dev.fill(wb, 0x5a);
            dev.kmod.exports[kern.name](m, k, ab.ptr, (kern.source === 't' ? m : k) * 2, gb.ptr);
            dev.kmod.exports.f16_f32_vcvt_x16__simd(m * k, ab.ptr, a32.ptr);
            const x32 = kernelsOf('x32-packx').find((p) => p.mr === kern.mr && p.source === kern.source)!;
            dev.kmod.exports[x32.name](m, k, a32.ptr, (kern.source === 't' ? m : k) * 4, wb.ptr);
            expect(Array.from(dev.read(gb, new Uint32Array((bytes + 64) / 4)))).toEqual(Array.from(dev.read(wb, new Uint32Array((bytes + 64) / 4))));
          } finally {
            for (const bl of blocks) dev.free(bl);
          }
        }
      });
    });
  }
}
