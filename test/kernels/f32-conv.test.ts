// Every registered f32 convolution-family kernel (igemm, dwconv, maxpool, avgpool, vadd, vclamp),
// in every build, on a battery of shapes: bit-exact against the documented f32 order and within
// the f32 error bound of the f64 oracle; and every route of one convolution (GEMM, IGEMM,
// depthwise kernels) gives the same bits.
import { describe, it, expect, beforeAll } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Device, type Block } from '../../bindings/device.js';
import { kernelsOf } from '../../bindings/kernels.js';
import { conv2d, globalAvgPoolRun, hasEmptyWindow, packConv, packedConvBytes, packingOf, routeOf, pool, addRowsRun, addRun, clampRun, transposeRun, IndirectionCache, validTaps, type ConvGeometry, type ConvRoute } from '../../bindings/conv.js';
import { buildNames, type BuildName } from '../../bindings/module.js';
import { conv2dRef, outSize, poolRef, resolvePad, type RefGeometry, type RefPad } from '../reference/conv.js';
import { expectSameBits, expectWithinBound } from '../harness/gemm.js';
import { randomF32, rng } from '../harness/random.js';

const devices = new Map<BuildName, Device>();
beforeAll(async () => {
  for (const build of buildNames) devices.set(build, await Device.create({ build }));
});

interface Case extends RefGeometry { label: string; }

function makeCase(n: number, ih: number, iw: number, ci: number, co: number, kh: number, kw: number, groups: number,
  s: [number, number], d: [number, number], pad: RefPad): Case | null {
  const [pt, pb, pl, pr] = resolvePad(ih, iw, kh, kw, s[0], s[1], d[0], d[1], pad);
  if (Math.max(pt, pb) >= (kh - 1) * d[0] + 1 || Math.max(pl, pr) >= (kw - 1) * d[1] + 1) return null;
  const g: RefGeometry = { n, ih, iw, ci, co, kh, kw, groups, sh: s[0], sw: s[1], dh: d[0], dw: d[1], pt, pb, pl, pr };
  const [oh, ow] = outSize(g);
  if (oh < 1 || ow < 1) return null;
  return { ...g, label: `n${n} ${ih}×${iw}×${ci}→${co} k${kh}×${kw} g${groups} s${s} d${d} p${JSON.stringify(pad)}` };
}

/** Kernel 1..7, stride 1..3, dilation 1..2, every padding mode, tiny and odd sizes, odd channels, batch > 1. */
function convBattery(opts: { depthwise: boolean; taps?: number | null; only3x3?: boolean; seed: number; count: number }): Case[] {
  const r = rng(opts.seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const cases: Case[] = [];
  const windows: [number, number][] = opts.only3x3 ? [[3, 3]]
    : opts.taps === 9 ? [[3, 3], [1, 9], [9, 1]]
    : opts.taps === 25 ? [[5, 5], [1, 25], [25, 1]]
    : [[1, 1], [2, 2], [3, 3], [4, 4], [5, 5], [6, 6], [7, 7], [1, 3], [3, 1], [2, 5], [7, 3]];
  const pads: RefPad[] = ['valid', 'same', [1, 0, 0, 1], [0, 2, 1, 1], [2, 2, 2, 2]];
  let guard = 0;
  while (cases.length < opts.count && guard++ < opts.count * 50) {
    const [kh, kw] = pick(windows);
    const s: [number, number] = [pick([1, 1, 2, 3]), pick([1, 1, 2, 3])];
    const d: [number, number] = [pick([1, 1, 2]), pick([1, 1, 2])];
    const ih = pick([1, 2, 3, 5, 7, 8, 11, 13, 26]), iw = pick([1, 2, 3, 4, 6, 9, 12, 30]);
    const n = pick([1, 1, 2, 3]);
    let ci: number, co: number, groups: number;
    if (opts.depthwise) { ci = pick([1, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 33, 45, 70]); co = ci; groups = ci; }
    else {
      groups = pick([1, 1, 1, 2, 3]);
      ci = groups * pick([1, 2, 3, 5, 8, 9]); co = groups * pick([1, 2, 3, 7, 8, 9, 17]);
    }
    const c = makeCase(n, ih, iw, ci, co, kh, kw, groups, s, d, pick(pads));
    if (c) cases.push(c);
  }
  return cases;
}

function toGeometry(c: RefGeometry): ConvGeometry {
  const [oh, ow] = outSize(c);
  return { n: c.n, ih: c.ih, iw: c.iw, ci: c.ci, oh, ow, co: c.co, kh: c.kh, kw: c.kw, sh: c.sh, sw: c.sw,
    dh: c.dh, dw: c.dw, pt: c.pt, pb: c.pb, pl: c.pl, pr: c.pr, groups: c.groups };
}

/** Runs one convolution on raw memory through the driver with a forced route and kernel. */
function runConv(dev: Device, c: RefGeometry, x: Float32Array, w: Float32Array, bias: Float32Array | null,
  route: ConvRoute, kernel: string | undefined, min = -Infinity, max = Infinity): Float32Array {
  const g = toGeometry(c);
  const cig = c.ci / c.groups;
  const packing = route === 'dwconv' ? 'dwconv' : 'panels';
  const outFloats = g.n * g.oh * g.ow * g.co;
  const blocks: Block[] = [];
  const alloc = (bytes: number) => { const b = dev.alloc(bytes, 'test'); blocks.push(b); return b; };
  try {
    const xb = alloc(x.byteLength), wb = alloc(packedConvBytes(c.co, c.kh, c.kw, cig, c.groups, packing));
    const ob = alloc(outFloats * 4 + 64);
    dev.write(xb, x);
    packConv(dev, w, bias, c.co, c.kh, c.kw, cig, c.groups, packing, wb);
    dev.viewF32(ob, outFloats * 4, 16).fill(12345);
    conv2d(dev, { geometry: g, x: xb, w: wb, out: ob, min, max, route, kernel });
    expect(Array.from(dev.viewF32(ob, outFloats * 4, 16))).toEqual(new Array(16).fill(12345));
    return dev.viewF32(ob, 0, outFloats).slice();
  } finally {
    for (const b of blocks.reverse()) dev.free(b);
  }
}

function checkConv(dev: Device, c: Case, route: ConvRoute, kernel: string | undefined, seed: number): void {
  const cig = c.ci / c.groups;
  const x = randomF32(c.n * c.ih * c.iw * c.ci, seed), w = randomF32(c.co * c.kh * c.kw * cig, seed + 1);
  const bias = randomF32(c.co, seed + 2);
  const ref = conv2dRef(x, w, bias, c);
  const got = runConv(dev, c, x, w, bias, route, kernel);
  expectSameBits(got, ref.ordered, c.label);
  expectWithinBound(got, ref.f64, ref.abs, ref.k);
}

for (const kern of kernelsOf('f32-igemm')) {
  for (const build of kern.builds) {
    describe(`${kern.name} [${build}]`, () => {
      it('convolutions of every kind: bit-exact to the documented order, within the f64 bound', () => {
        const dev = devices.get(build)!;
        const cases = [...convBattery({ depthwise: false, seed: 3, count: 90 }), ...convBattery({ depthwise: true, seed: 4, count: 20 })];
        let seed = 100;
        expect(cases.length).toBe(110);
        for (const c of cases) checkConv(dev, c, 'igemm', kern.name, seed += 3);
      });

      it('clamps (NaN passes), and pads by adding 0·w (0·∞ = NaN, as documented)', () => {
        const dev = devices.get(build)!;
        const c = makeCase(2, 5, 6, 3, 11, 3, 3, 1, [1, 1], [1, 1], 'same')!;
        const x = randomF32(c.n * c.ih * c.iw * c.ci, 5, -3, 3), w = randomF32(c.co * 27, 6, -3, 3);
        expectSameBits(runConv(dev, c, x, w, null, 'igemm', kern.name, -0.5, 0.75),
          conv2dRef(x, w, null, c, -0.5, 0.75).ordered, 'clamp');
        x[0] = NaN;
        const got = runConv(dev, c, x, w, null, 'igemm', kern.name, 0, 6);
        expect(Number.isNaN(got[0])).toBe(true);
        w[0] = Infinity; x[0] = 1;
        expectSameBits(runConv(dev, c, x, w, null, 'igemm', kern.name), conv2dRef(x, w, null, c).ordered, 'inf weight in padding');
      });
    });
  }
}

for (const kern of kernelsOf('f32-dwconv')) {
  for (const build of kern.builds) {
    describe(`${kern.name} [${build}]`, () => {
      it('depthwise convolutions: bit-exact to the documented order, within the f64 bound', () => {
        const dev = devices.get(build)!;
        const cases = convBattery({ depthwise: true, taps: kern.taps, only3x3: kern.pointers === 'direct', seed: 7 + (kern.taps ?? 0), count: 60 });
        let seed = 300;
        expect(cases.length).toBe(60);
        for (const c of cases) checkConv(dev, c, 'dwconv', kern.name, seed += 3);
      });

      if (kern.pointers === 'direct') {
        it('rows whose first / last step reaches one padding column, remainders of 1..3 pixels', () => {
          const dev = devices.get(build)!;
          let seed = 700;
          for (const [ih, iw, ch, s, d, pad] of [[28, 28, 13, 2, 1, 1], [16, 16, 7, 1, 1, 1], [6, 17, 4, 1, 2, 2], [7, 19, 9, 2, 2, 2],
            [5, 11, 8, 1, 1, 1], [5, 9, 3, 2, 1, 1], [6, 14, 5, 1, 1, [1, 1, 1, 0]], [4, 13, 6, 2, 1, [0, 1, 1, 1]]] as const) {
            for (const w0 of [iw, iw + 1, iw + 2, iw + 3]) {
              const c = makeCase(1, ih, w0, ch, ch, 3, 3, ch, [s, s], [d, d], typeof pad === 'number' ? [pad, pad, pad, pad] : [...pad])!;
              checkConv(dev, c, 'dwconv', kern.name, seed += 3);
            }
          }
        });
      }

      it('clamps (NaN passes), and pads by adding 0·w (0·∞ = NaN, as documented)', () => {
        const dev = devices.get(build)!;
        const k = kern.taps === 25 ? 5 : 3;
        // Padding on every side, a row wider than the 4-pixel steps, channels not a multiple of 4.
        const c = makeCase(2, 6, 11, 7, 7, k, k, 7, [1, 1], [1, 1], 'same')!;
        const x = randomF32(c.n * c.ih * c.iw * c.ci, 8, -3, 3), w = randomF32(c.co * k * k, 9, -3, 3);
        expectSameBits(runConv(dev, c, x, w, null, 'dwconv', kern.name, -0.5, 0.75),
          conv2dRef(x, w, null, c, -0.5, 0.75).ordered, 'clamp');
        x[0] = NaN;
        expect(Number.isNaN(runConv(dev, c, x, w, null, 'dwconv', kern.name, 0, 6)[0])).toBe(true);
        x[0] = 1;
        for (const tap of [0, k * k - 1]) {
          // Channels 0 and 6 (SIMD and scalar tail): an infinite weight on a tap that hits the padding.
          const w2 = w.slice();
          w2[tap] = Infinity; w2[6 * k * k + tap] = -Infinity;
          expectSameBits(runConv(dev, c, x, w2, null, 'dwconv', kern.name), conv2dRef(x, w2, null, c).ordered, `inf weight on tap ${tap}`);
        }
      });
    });
  }
}

describe('every route of a convolution gives the same bits', () => {
  it('1×1 convolutions (the GEMM route, run through the IGEMM), IGEMM and the depthwise kernels agree', () => {
    const dev = devices.get('simd')!;
    let seed = 900;
    for (const c of [makeCase(2, 7, 5, 12, 19, 1, 1, 1, [1, 1], [1, 1], 'valid')!, makeCase(1, 9, 9, 6, 10, 1, 1, 2, [1, 1], [1, 1], 'valid')!]) {
      const x = randomF32(c.n * c.ih * c.iw * c.ci, seed++), w = randomF32(c.co * c.ci / c.groups, seed++), bias = randomF32(c.co, seed++);
      expect(routeOf(toGeometry(c))).toBe('gemm');
      expectSameBits(runConv(dev, c, x, w, bias, 'gemm', undefined), conv2dRef(x, w, bias, c).ordered, c.label);
    }
    for (const [k, ch] of [[3, 21], [5, 13], [2, 9], [7, 4]]) {
      const c = makeCase(2, 11, 10, ch, ch, k, k, ch, [2, 1], [1, 2], 'same')!;
      const x = randomF32(c.n * c.ih * c.iw * c.ci, seed++), w = randomF32(c.co * k * k, seed++), bias = randomF32(c.co, seed++);
      const viaIgemm = runConv(dev, c, x, w, bias, 'igemm', undefined);
      for (const kern of kernelsOf('f32-dwconv').filter((kk) => kk.taps === null || kk.taps === k * k)) {
        expectSameBits(runConv(dev, c, x, w, bias, 'dwconv', kern.name), viaIgemm, `${kern.name} ${c.label}`);
      }
    }
  });

  it('a depthwise convolution with a channel multiplier: the repeated-input route gives the IGEMM bits through every depthwise kernel', () => {
    let seed = 950;
    for (const build of buildNames) {
      const dev = devices.get(build)!;
      for (const [k, ci, m, s, d, pad] of [[3, 5, 2, 1, 1, 'same'], [3, 12, 3, 2, 1, 'same'], [3, 1, 16, 1, 2, [1, 0, 2, 1]], [5, 4, 4, 1, 1, 'valid'],
        [5, 3, 17, 2, 1, 'same'], [2, 7, 2, 1, 2, 'valid'], [1, 9, 8, 1, 1, 'valid'], [7, 2, 5, 3, 1, 'same']] as const) {
        const c = makeCase(2, 11, 9, ci, ci * m, k, k, ci, [s, s], [d, d], typeof pad === 'string' ? pad : [...pad])!;
        const x = randomF32(c.n * c.ih * c.iw * c.ci, seed++), w = randomF32(c.co * k * k, seed++), bias = randomF32(c.co, seed++);
        expect(routeOf(toGeometry(c))).toBe('dwconv-rep');
        const viaIgemm = runConv(dev, c, x, w, bias, 'igemm', undefined);
        expectSameBits(viaIgemm, conv2dRef(x, w, bias, c).ordered, c.label);
        expectSameBits(runConv(dev, c, x, w, bias, 'dwconv-rep', undefined), viaIgemm, `default kernel ${c.label}`);
        for (const kern of kernelsOf('f32-dwconv').filter((kk) => kk.taps === null || (kk.taps === k * k && (kk.pointers !== 'direct' || k === 3)))) {
          expectSameBits(runConv(dev, c, x, w, bias, 'dwconv-rep', kern.name), viaIgemm, `${kern.name} [${build}] ${c.label}`);
        }
      }
    }
  });

  it('routeOf: multiplier 1 depthwise, multiplier > 1 repeated, grouped and regular convolutions through IGEMM or GEMM', () => {
    const geo = (ci: number, co: number, groups: number, k: number) => toGeometry(makeCase(1, 5, 5, ci, co, k, k, groups, [1, 1], [1, 1], 'valid')!);
    expect(routeOf(geo(8, 8, 8, 3))).toBe('dwconv');
    expect(routeOf(geo(8, 16, 8, 3))).toBe('dwconv-rep');
    expect(routeOf(geo(8, 16, 8, 1))).toBe('dwconv-rep');
    expect(routeOf(geo(1, 16, 1, 3))).toBe('dwconv-rep');
    expect(routeOf(geo(8, 16, 4, 3))).toBe('igemm');
    expect(routeOf(geo(8, 16, 1, 1))).toBe('gemm');
    expect(routeOf(geo(1, 1, 1, 3))).toBe('dwconv');
  });

  it('packingOf picks the depthwise layout only for multiplier 1', () => {
    expect(packingOf(8, 8, 8)).toBe('dwconv');
    expect(packingOf(8, 16, 8)).toBe('panels');
    expect(packingOf(8, 8, 1)).toBe('panels');
  });
});

function poolBattery(seed: number, count: number, window?: [number, number]): Case[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const out: Case[] = [];
  let guard = 0;
  while (out.length < count && guard++ < count * 50) {
    const k: [number, number] = window ?? [pick([1, 2, 3, 4, 5, 7]), pick([1, 2, 3, 5])];
    const ci = pick([1, 3, 4, 5, 8, 9, 13, 16, 21]);
    const c = makeCase(pick([1, 2]), pick([1, 2, 5, 8, 11]), pick([1, 3, 4, 9, 12]), ci, ci, k[0], k[1], ci,
      [pick([1, 2, 3]), pick([1, 2, 3])], [pick([1, 1, 2]), 1], pick<RefPad>(['valid', 'same', [1, 0, 0, 1], [0, 1, 1, 0]]));
    if (!c) continue;
    // Every window must hold a real pixel (the API rejects the others).
    const { oh, ow } = poolRef(new Float32Array(c.n * c.ih * c.iw * c.ci), c, 'avg');
    let ok = true;
    for (let oy = 0; oy < oh && ok; oy++) for (let ox = 0; ox < ow && ok; ox++) {
      let any = false;
      for (let ky = 0; ky < c.kh; ky++) for (let kx = 0; kx < c.kw; kx++) {
        const iy = oy * c.sh - c.pt + ky * c.dh, ix = ox * c.sw - c.pl + kx * c.dw;
        if (iy >= 0 && iy < c.ih && ix >= 0 && ix < c.iw) any = true;
      }
      ok = any;
    }
    if (ok) out.push(c);
  }
  return out;
}

function runPool(dev: Device, c: RefGeometry, x: Float32Array, kind: 'max' | 'avg', countIncludePad: boolean, kernel?: string): Float32Array {
  const g = toGeometry(c);
  const outFloats = g.n * g.oh * g.ow * g.ci;
  const xb = dev.alloc(x.byteLength, 'x'), ob = dev.alloc(outFloats * 4 + 64, 'out');
  try {
    dev.write(xb, x);
    dev.viewF32(ob, outFloats * 4, 16).fill(12345);
    pool(dev, { geometry: g, x: xb, out: ob, kind, countIncludePad, kernel });
    expect(Array.from(dev.viewF32(ob, outFloats * 4, 16))).toEqual(new Array(16).fill(12345));
    return dev.viewF32(ob, 0, outFloats).slice();
  } finally {
    dev.free(ob); dev.free(xb);
  }
}

describe('hasEmptyWindow (the pooling ops reject windows of padding only)', () => {
  it('agrees with a per-pixel count of the taps inside the image', () => {
    let empty = 0, checked = 0;
    for (const ih of [1, 2, 5]) for (const k of [1, 2, 3]) for (const s of [1, 2, 3]) for (const d of [1, 2, 3]) {
      const span = (k - 1) * d + 1;
      for (let pt = 0; pt < span; pt++) for (let pl = 0; pl < span; pl++) {
        const c = makeCase(1, ih, ih + 1, 2, 2, k, k, 2, [s, s], [d, d], [pt, (pt * 7) % span, pl, (pl * 5) % span]);
        if (!c) continue;
        const g = toGeometry(c);
        const want = validTaps(g).some((v) => v === 0);
        expect(hasEmptyWindow(g), JSON.stringify(c)).toBe(want);
        checked++; if (want) empty++;
      }
    }
    expect(checked).toBeGreaterThan(500);
    expect(empty).toBeGreaterThan(20);
  });
});

for (const kind of ['max', 'avg'] as const) {
  for (const kern of kernelsOf(kind === 'max' ? 'f32-maxpool' : 'f32-avgpool')) {
    for (const build of kern.builds) {
      describe(`${kern.name} [${build}]`, () => {
        it('matches the reference on a battery of windows, strides, dilations and paddings', () => {
          const dev = devices.get(build)!;
          let seed = 500;
          // A kernel written for one window size gets a battery of that size only (3×3: 9 taps, 2×2: 4).
          const window: [number, number] | undefined = kern.taps === 9 ? [3, 3] : kern.taps === 4 ? [2, 2] : undefined;
          expect(kern.taps === null || window !== undefined).toBe(true);
          const battery = poolBattery(kind === 'max' ? 11 : 12, 60, window);
          expect(battery.length).toBe(60);
          for (const c of battery) {
            const x = randomF32(c.n * c.ih * c.iw * c.ci, seed++, -5, 5);
            for (const cip of kind === 'avg' ? [false, true] : [false]) {
              const got = runPool(dev, c, x, kind, cip, kern.name);
              expectSameBits(got, poolRef(x, c, kind, cip).ordered, `${c.label} countIncludePad=${cip}`);
            }
          }
        });
        // The window of the tests below: the kernel's own size (2×2 for 4 taps), else 3×3.
        const k = kern.taps === 4 ? 2 : 3;
        it('signed zeros: +0 above −0 (max), sums from +0 (avg), as the reference', () => {
          const dev = devices.get(build)!;
          const c = makeCase(1, 4, 4, 9, 9, k, k, 9, [1, 1], [1, 1], 'valid')!;
          for (const x of [new Float32Array(144).fill(-0), Float32Array.from({ length: 144 }, (_, i) => (i % 7 === 0 ? 0 : -0))]) {
            for (const cip of kind === 'avg' ? [false, true] : [false]) {
              expectSameBits(runPool(dev, c, x, kind, cip, kern.name), poolRef(x, c, kind, cip).ordered, `countIncludePad=${cip}`);
            }
          }
        });
        it('negative NaNs, infinities of both signs, windows of negatives only: as the reference', () => {
          const dev = devices.get(build)!;
          // 6×6 image, 13 channels (8 + 4 + 1: every step of a kernel), k×k windows, stride 1, 'same'.
          const c = makeCase(1, 6, 6, 13, 13, k, k, 13, [1, 1], [1, 1], 'same')!;
          const r = rng(77);
          const x = Float32Array.from({ length: 6 * 6 * 13 }, () => -1 - 4 * r());
          const bits = new Uint32Array(x.buffer);
          for (let i = 0; i < x.length; i += 5) if (r() < 0.3) x[i] = 2 * r() - 0.5;
          bits[7 * 13 + 3] = 0xffc00000;                      // x86's default NaN: negative
          bits[20 * 13 + 9] = 0xfff00001;                     // a negative NaN with a payload
          x[28 * 13 + 1] = Infinity; x[29 * 13 + 1] = -Infinity; // both infinities in some windows
          x[33 * 13 + 12] = -Infinity;
          for (const cip of kind === 'avg' ? [false, true] : [false]) {
            expectSameBits(runPool(dev, c, x, kind, cip, kern.name), poolRef(x, c, kind, cip).ordered, `countIncludePad=${cip}`);
          }
        });
        if (kind === 'max') {
          it('propagates NaN and never lets padding win', () => {
            const dev = devices.get(build)!;
            // A NaN at the centre of a 3×3 image: every window that holds it gives NaN in its channel.
            const c = makeCase(1, 3, 3, 5, 5, k, k, 5, [1, 1], [1, 1], 'same')!;
            const x = new Float32Array(45).fill(-7);
            x[4 * 5 + 2] = NaN;
            const got = runPool(dev, c, x, 'max', false, kern.name);
            const windows = k === 3 ? [0, 1, 2, 3, 4, 5, 6, 7, 8] : [0, 1, 3, 4]; // 2×2 'same' pads after
            for (let p = 0; p < 9; p++) {
              expect(Number.isNaN(got[p * 5 + 2])).toBe(windows.includes(p));
              expect(got[p * 5]).toBe(-7);
            }
          });
        }
      });
    }
  }
}

for (const kern of [...kernelsOf('f32-vadd').filter((k) => k.broadcast !== 'row'), ...kernelsOf('f32-vclamp')]) {
  for (const build of kern.builds) {
    describe(`${kern.name} [${build}]`, () => {
      it('every length 0..40 and 1001, with a clamp, exact and without writing past the end', () => {
        const dev = devices.get(build)!;
        const f = Math.fround;
        for (const n of [...Array(41).keys(), 1001]) {
          const a = randomF32(n, n + 1, -3, 3), b = randomF32(Math.max(n, 1), n + 2, -3, 3);
          const ab = dev.alloc(a.byteLength, 'a'), bb = dev.alloc(b.byteLength, 'b'), ob = dev.alloc(n * 4 + 64, 'o');
          try {
            dev.write(ab, a); dev.write(bb, b);
            dev.viewF32(ob, n * 4, 16).fill(12345);
            const want = new Float32Array(n);
            if (kern.family === 'f32-vclamp') {
              clampRun(dev, n, ab, ob, -1, 2);
              for (let i = 0; i < n; i++) want[i] = Math.min(Math.max(a[i], -1), 2);
            } else {
              const scalar = kern.broadcast === 'scalar';
              addRun(dev, n, ab, 0, bb, 0, scalar, ob, 0, -2, 2.5);
              for (let i = 0; i < n; i++) want[i] = Math.min(Math.max(f(a[i] + (scalar ? b[0] : b[i])), -2), 2.5);
            }
            expectSameBits(dev.viewF32(ob, 0, n).slice(), want, `n=${n}`);
            expect(Array.from(dev.viewF32(ob, n * 4, 16))).toEqual(new Array(16).fill(12345));
          } finally {
            dev.free(ob); dev.free(bb); dev.free(ab);
          }
        }
      });
    });
  }
}

for (const kern of kernelsOf('f32-gavgpool')) {
  for (const build of kern.builds) {
    describe(`${kern.name} [${build}]`, () => {
      it('the average pooling bits over one window of every pixel: channel tails, batches, ±0, ±Inf, NaN', () => {
        const dev = devices.get(build)!;
        let seed = 900;
        for (const [n, h, w, c] of [[1, 1, 1, 1], [1, 7, 7, 13], [2, 3, 5, 8], [3, 2, 2, 37], [1, 7, 7, 2048], [1, 1, 9, 3], [2, 4, 1, 0], [1, 2, 3, 5]]) {
          const cs = makeCase(n, h, w, Math.max(c, 1), Math.max(c, 1), h, w, Math.max(c, 1), [1, 1], [1, 1], 'valid')!;
          const x = c === 5 ? new Float32Array(n * h * w * c).fill(-0) : randomF32(n * h * w * c, seed++, -5, 5); // all −0: the sum starts at +0
          if (x.length > 8 && c !== 5) { x[3] = -0; x[5] = Infinity; x[x.length - 2] = NaN; if (c > 1) x[c + 1] = -Infinity; }
          const xb = dev.alloc(x.byteLength + 64, 'x'), ob = dev.alloc(n * c * 4 + 64, 'out');
          try {
            dev.write(xb, x);
            dev.viewF32(ob, n * c * 4, 16).fill(12345);
            globalAvgPoolRun(dev, n, h * w, c, xb, ob);
            if (c > 0) expectSameBits(dev.viewF32(ob, 0, n * c).slice(), poolRef(x, cs, 'avg', true).ordered, `${n}×${h}×${w}×${c}`);
            expect(Array.from(dev.viewF32(ob, n * c * 4, 16))).toEqual(new Array(16).fill(12345));
          } finally {
            dev.free(ob); dev.free(xb);
          }
        }
      });
    });
  }
}

/** n raw 32-bit patterns, NaN payloads included: the kernels that move bits compute nothing. */
const bitPatterns = (n: number) => Uint32Array.from({ length: n }, (_, i) => (Math.imul(i + 1, 2654435761) ^ (i << 7)) >>> 0);

/**
 * Runs a bit-moving kernel from `bits` into `outWords` words guarded by 16 more, checks the guard
 * is untouched and returns the output words.
 */
function moveBits(dev: Device, bits: Uint32Array, outWords: number, run: (src: Block, dst: Block) => void): Uint32Array {
  const sb = dev.alloc(bits.byteLength + 64, 'src'), db = dev.alloc(outWords * 4 + 64, 'dst');
  try {
    new Uint32Array(dev.arena.memory.buffer, sb.ptr, bits.length).set(bits);
    new Uint32Array(dev.arena.memory.buffer, db.ptr, outWords + 16).fill(0xdeadbeef);
    run(sb, db);
    const got = new Uint32Array(dev.arena.memory.buffer, db.ptr, outWords + 16).slice();
    expect(Array.from(got.subarray(outWords))).toEqual(new Array(16).fill(0xdeadbeef));
    return got.subarray(0, outWords);
  } finally {
    dev.free(db); dev.free(sb);
  }
}

for (const kern of kernelsOf('x32-rep')) {
  for (const build of kern.builds) {
    describe(`${kern.name} [${build}]`, () => {
      it('every n up to 21 and m up to 9, and larger ones: each element m times, bits moved, nothing written past the end', () => {
        const dev = devices.get(build)!;
        const shapes: [number, number][] = [];
        for (let n = 0; n <= 21; n++) for (let m = 1; m <= 9; m++) shapes.push([n, m]);
        shapes.push([1000, 2], [1001, 4], [333, 3], [77, 17], [5, 64]);
        for (const [n, m] of shapes) {
          const bits = bitPatterns(n);
          const got = moveBits(dev, bits, n * m, (src, dst) => dev.kmod.exports[kern.name](n, m, src.ptr, dst.ptr));
          for (let i = 0; i < n * m; i++) {
            if (got[i] !== bits[Math.floor(i / m)]) expect.fail(`n ${n} m ${m} [${i}]: got ${got[i].toString(16)}, want ${bits[Math.floor(i / m)].toString(16)}`);
          }
        }
      });
    });
  }
}

for (const kern of kernelsOf('x32-transpose')) {
  for (const build of kern.builds) {
    describe(`${kern.name} [${build}]`, () => {
      it('every shape up to 13 × 13 and larger ones, whole blocks and edges: the bits moved, nothing written past the end', () => {
        const dev = devices.get(build)!;
        const shapes: [number, number][] = [];
        for (let r = 0; r <= 13; r++) for (let c = 0; c <= 13; c++) shapes.push([r, c]);
        shapes.push([37, 70], [1000, 3], [3, 1000], [64, 256], [256, 64]);
        for (const [rows, cols] of shapes) {
          for (const batch of [1, 2]) {
            const n = rows * cols;
            const bits = bitPatterns(batch * n);
            const got = moveBits(dev, bits, batch * n, (src, dst) => transposeRun(dev, batch, rows, cols, src, dst));
            for (let b = 0; b < batch; b++) {
              for (let i = 0; i < rows; i++) {
                for (let j = 0; j < cols; j++) {
                  const g = got[b * n + j * rows + i], w = bits[b * n + i * cols + j];
                  if (g !== w) expect.fail(`${batch}×${rows}×${cols} [${b}][${i}][${j}]: got ${g.toString(16)}, want ${w.toString(16)}`);
                }
              }
            }
          }
        }
      });
    });
  }
}

for (const kern of kernelsOf('f32-vadd').filter((k) => k.broadcast === 'row')) {
  for (const build of kern.builds) {
    describe(`${kern.name} [${build}]`, () => {
      it('one row added down 0–3 rows, every row length 0..40 and 1001, with a clamp, exact, nothing written past the end', () => {
        const dev = devices.get(build)!;
        const f = Math.fround;
        for (const rows of [0, 1, 3]) {
          for (const m of [...Array(41).keys(), 1001]) {
            const n = rows * m;
            const a = randomF32(n, 7 * m + rows, -3, 3), b = randomF32(Math.max(m, 1), m + 2, -3, 3);
            const ab = dev.alloc(n * 4 + 64, 'a'), bb = dev.alloc(b.byteLength, 'b'), ob = dev.alloc(n * 4 + 64, 'o');
            try {
              dev.write(ab, a); dev.write(bb, b);
              dev.viewF32(ob, n * 4, 16).fill(12345);
              addRowsRun(dev, rows, m, ab, 0, bb, 0, ob, 0, -2, 2.5);
              const want = Float32Array.from(a, (v, i) => Math.min(Math.max(f(v + b[i % m]), -2), 2.5));
              expectSameBits(dev.viewF32(ob, 0, n).slice(), want, `${rows} rows of ${m}`);
              expect(Array.from(dev.viewF32(ob, n * 4, 16))).toEqual(new Array(16).fill(12345));
            } finally {
              dev.free(ob); dev.free(bb); dev.free(ab);
            }
          }
        }
      });
    });
  }
}

describe('IndirectionCache', () => {
  const fill = (dev: Device, cache: IndirectionCache) => {
    const g = toGeometry(makeCase(1, 9, 8, 5, 5, 3, 3, 5, [2, 1], [1, 1], 'same')!);
    cache.get(g, 1); cache.get(g, 4); cache.geometry(g); cache.zeroRow(g.iw * g.ci);
  };

  it('clear() frees every block it holds', () => {
    const dev = devices.get('simd')!;
    const before = dev.arena.bytesInUse;
    const cache = new IndirectionCache(dev);
    fill(dev, cache);
    expect(dev.arena.bytesInUse).toBeGreaterThan(before);
    cache.clear();
    expect(dev.arena.bytesInUse).toBe(before);
  });

  it('a cache dropped without clear() is freed by the FinalizationRegistry backstop', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const dev = devices.get('simd')!;
    const before = dev.arena.bytesInUse;
    (() => fill(dev, new IndirectionCache(dev)))();
    expect(dev.arena.bytesInUse).toBeGreaterThan(before);
    // Finalizers run as tasks some time after a collection: collect and yield until they have.
    for (let i = 0; i < 50 && dev.arena.bytesInUse !== before; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(dev.arena.bytesInUse).toBe(before);
  });
});
