// Every registered f32-gemm variant, in every build, on the battery of its own tile: bit-exact
// against the documented f32 reduction order, and within the f32 error bound of the f64 oracle.
import { describe, it, expect, beforeAll } from 'vitest';
import { Device } from '../../bindings/device.js';
import { kernelsOf } from '../../bindings/kernels.js';
import { gemm, gemmScratchBytes, packWeights, packedBytes, regroupScratchBytes, regroupWeights } from '../../bindings/gemm.js';
import { buildNames, type BuildName } from '../../bindings/module.js';
import { gemmAbs, gemmF32Ordered, gemmF64, transpose } from '../reference/gemm.js';
import { expectSameBits, expectWithinBound, gemmBattery } from '../harness/gemm.js';
import { randomF32 } from '../harness/random.js';

const devices = new Map<BuildName, Device>();
beforeAll(async () => {
  for (const build of buildNames) devices.set(build, await Device.create({ build }));
});

/**
 * Runs one kernel through the generic loops on raw memory, exactly as the driver does. `pad`
 * adds that many elements to every row of A and C (odd strides); the padding of C and a guard
 * after it must come back untouched.
 */
function run(dev: Device, kernelName: string, m: number, n: number, k: number, a: Float32Array, b: Float32Array,
  bias: Float32Array | null, opts: { transposeA?: boolean; transposeB?: boolean; min?: number; max?: number; pad?: number } = {}): Float32Array {
  const kern = kernelsOf('f32-gemm').find((x) => x.name === kernelName)!;
  const pad = opts.pad ?? 0;
  const [aRows, aCols] = opts.transposeA ? [k, m] : [m, k];
  const aLd = aCols + pad, cLd = n + pad;
  const aPadded = new Float32Array(aRows * aLd).fill(NaN);
  for (let i = 0; i < aRows; i++) aPadded.set(a.subarray(i * aCols, (i + 1) * aCols), i * aLd);
  const blocks = [
    dev.alloc(aPadded.byteLength, 'a'), dev.alloc(b.byteLength, 'b'), dev.alloc(packedBytes(n, k), 'w'),
    dev.alloc((m * cLd + 16) * 4, 'c'), dev.alloc(Math.max(64, gemmScratchBytes(kern.mr === 1 ? 1 : m, n, k, !!opts.transposeA, kern)), 's'), dev.alloc(Math.max(n, 1) * 4, 'bias'),
    dev.alloc(regroupScratchBytes(k), 'regroup'),
  ];
  const [ab, bb, wb, cb, sb, biasb, rb] = blocks;
  try {
    dev.write(ab, aPadded); dev.write(bb, b);
    if (bias) dev.write(biasb, bias);
    const cView = () => dev.viewF32(cb, 0, m * cLd + 16);
    cView().fill(12345);
    packWeights(dev.kmod, n, k, bb.ptr, !!opts.transposeB, bias ? biasb.ptr : 0, wb.ptr);
    if (kern.layout === 'rows') regroupWeights(dev.kmod, n, k, wb.ptr, rb.ptr, 'rows');
    // Row kernels (mr = 1) run once per row, as the driver would for M = 1.
    const rows = kern.mr === 1 ? 1 : m;
    for (let m0 = 0; m0 < m; m0 += rows) {
      gemm(dev.kmod, {
        m: rows, n, k, a: ab.ptr + (opts.transposeA ? m0 * 4 : m0 * aLd * 4),
        aStride: aLd * 4, transposeA: !!opts.transposeA, w: wb.ptr,
        c: cb.ptr + m0 * cLd * 4, cStride: cLd * 4, min: opts.min ?? -Infinity, max: opts.max ?? Infinity, scratch: sb.ptr,
      }, kern);
    }
    const c = cView();
    const out = new Float32Array(m * n);
    for (let i = 0; i < m; i++) {
      out.set(c.subarray(i * cLd, i * cLd + n), i * n);
      for (let j = n; j < cLd; j++) if (c[i * cLd + j] !== 12345) expect.fail(`row ${i} padding column ${j} was written`);
    }
    for (let j = 0; j < 16; j++) if (c[m * cLd + j] !== 12345) expect.fail(`guard ${j} after C was written`);
    return out;
  } finally {
    for (const bl of blocks) dev.free(bl);
  }
}

for (const kern of kernelsOf('f32-gemm')) {
  for (const build of kern.builds) {
    describe(`${kern.name} [${build}]`, () => {
      const shapes = gemmBattery(kern.mr, kern.nr, kern.panel, kern.mr * 100 + kern.nr);
      it(`matches the ordered f32 reference bit for bit and the f64 oracle within bound (${shapes.length} shapes)`, () => {
        const dev = devices.get(build)!;
        let seed = 1;
        for (const [m, n, k] of shapes) {
          const a = randomF32(m * k, seed++), b = randomF32(k * n, seed++), bias = randomF32(n, seed++);
          const got = run(dev, kern.name, m, n, k, a, b, bias);
          expectSameBits(got, gemmF32Ordered(m, n, k, a, b, bias), `${m}×${n}×${k}`);
          expectWithinBound(got, gemmF64(m, n, k, a, b, bias), gemmAbs(m, n, k, a, b, bias), k);
        }
      });

      it('reads and writes rows with odd strides', () => {
        const dev = devices.get(build)!;
        let seed = 500;
        for (const [m, n, k] of [[kern.mr, kern.nr + 1, 13], [kern.mr + 1, 2 * kern.nr + 5, 33], [1, 3, 1], [2 * kern.mr + 1, 11, 70]] as const) {
          for (const pad of [1, 3, 5]) {
            const a = randomF32(m * k, seed++), b = randomF32(k * n, seed++), bias = randomF32(n, seed++);
            const want = gemmF32Ordered(m, n, k, a, b, bias);
            expectSameBits(run(dev, kern.name, m, n, k, a, b, bias, { pad }), want, `pad ${pad}`);
            // A transposed and padded is strided along k: only the A-packing kernels read that.
            if (kern.packA !== null) {
              expectSameBits(run(dev, kern.name, m, n, k, transpose(m, k, a), b, bias, { pad, transposeA: true }), want, `pad ${pad} transposeA`);
            }
          }
        }
      });

      it('reads transposed A and B layouts', () => {
        const dev = devices.get(build)!;
        for (const [m, n, k] of [[kern.mr, kern.nr, 9], [kern.mr + 1, kern.nr + 3, 17], [1, 5, 3]] as const) {
          const a = randomF32(m * k, 7), b = randomF32(k * n, 8);
          const want = gemmF32Ordered(m, n, k, a, b, null);
          // A row kernel reads contiguous rows: a transposed A is one only when m = 1 (the driver never asks more).
          if (m === 1 || kern.packA !== null) {
            expectSameBits(run(dev, kern.name, m, n, k, transpose(m, k, a), b, null, { transposeA: true }), want, 'transposeA');
          }
          expectSameBits(run(dev, kern.name, m, n, k, a, transpose(k, n, b), null, { transposeB: true }), want, 'transposeB');
        }
      });

      it('clamps, and lets NaN through a clamp unchanged', () => {
        const dev = devices.get(build)!;
        const m = kern.mr, n = kern.nr + 1, k = 5;
        const a = randomF32(m * k, 11, -4, 4), b = randomF32(k * n, 12, -4, 4);
        expectSameBits(run(dev, kern.name, m, n, k, a, b, null, { min: -0.5, max: 0.75 }),
          gemmF32Ordered(m, n, k, a, b, null, -0.5, 0.75), 'clamp');
        a[0] = NaN;
        const got = run(dev, kern.name, m, n, k, a, b, null, { min: 0, max: 6 });
        for (let j = 0; j < n; j++) expect(got[j]).toBeNaN();
        expect(got.slice(n).some(Number.isNaN)).toBe(false);
      });

      it('propagates infinities as IEEE arithmetic does', () => {
        const dev = devices.get(build)!;
        const m = kern.mr, n = 3, k = 2;
        const a = new Float32Array(m * k).fill(1), b = new Float32Array([Infinity, 1, -Infinity, 2, 3, Infinity]);
        const got = run(dev, kern.name, m, n, k, a, b, null);
        expectSameBits(got, gemmF32Ordered(m, n, k, a, b, null));
        expect(got[0]).toBe(Infinity);
      });
    });
  }
}

describe('f32-gemm variants agree with each other bit for bit', () => {
  it('every variant gives the same bits for the same rows', () => {
    const dev = devices.get('simd')!;
    const m = 7, n = 45, k = 123;
    const a = randomF32(m * k, 21), b = randomF32(k * n, 22), bias = randomF32(n, 23);
    const results = kernelsOf('f32-gemm').map((kern) => run(dev, kern.name, m, n, k, a, b, bias));
    for (const r of results.slice(1)) expectSameBits(r, results[0]);
  });
});

describe('f32-gemm: K above 768 runs in slices from M = 256 (row-major A, 4-row kernel)', () => {
  const kern = kernelsOf('f32-gemm').find((x) => x.mr === 4)!;
  for (const build of buildNames) {
    it(`gives the documented order's bits across slice boundaries, clamped only at the end [${build}]`, () => {
      const dev = devices.get(build)!;
      let seed = 500;
      for (const [m, n, k] of [[256, 13, 769], [257, 8, 1024], [258, 17, 1025], [259, 1, 1536], [260, 30, 2049], [261, 11, 1000], [262, 15, 800], [256, 300, 1536], [255, 9, 1025]] as const) {
        // Scaled so that partial sums leave [0, 6] at the slice boundaries.
        const a = randomF32(m * k, seed++, -2, 2), b = randomF32(k * n, seed++), bias = randomF32(n, seed++);
        expectSameBits(run(dev, kern.name, m, n, k, a, b, bias, { min: 0, max: 6 }), gemmF32Ordered(m, n, k, a, b, bias, 0, 6), `${m}×${n}×${k} relu6`);
        expectSameBits(run(dev, kern.name, m, n, k, a, b, bias, { pad: 3 }), gemmF32Ordered(m, n, k, a, b, bias), `${m}×${n}×${k} strided`);
        // The same bits as the packed-A path, which never slices, with NaN and infinities crossing a boundary.
        a[0] = NaN; a[k + 700] = Infinity; b[600 * n] = -Infinity;
        const packed = run(dev, kern.name, m, n, k, transpose(m, k, a), b, bias, { transposeA: true, min: -1, max: 1 });
        expectSameBits(run(dev, kern.name, m, n, k, a, b, bias, { min: -1, max: 1 }), packed, `${m}×${n}×${k} specials`);
      }
    });
  }
});

for (const kern of kernelsOf('x32-kslice')) {
  for (const build of kern.builds) {
    it(`${kern.name} [${build}] copies k-steps [k0, k0 + kc) of each panel, with its bias slots, and nothing else`, () => {
      const dev = devices.get(build)!;
      for (const [panels, k, k0, kc] of [[1, 1, 0, 1], [3, 10, 0, 4], [3, 10, 4, 6], [2, 1025, 513, 512], [5, 7, 6, 1]] as const) {
        const src = randomF32(panels * (8 + 8 * k), panels + k + k0), outFloats = panels * (8 + 8 * kc);
        const [sb, db] = [dev.alloc(src.byteLength, 'src'), dev.alloc((outFloats + 8) * 4, 'dst')];
        try {
          dev.write(sb, src);
          dev.viewF32(db, 0, outFloats + 8).fill(12345);
          dev.kmod.exports[kern.name](panels, k, k0, kc, sb.ptr, db.ptr);
          const got = dev.viewF32(db, 0, outFloats + 8);
          for (let p = 0; p < panels; p++) {
            for (let j = 0; j < 8 + 8 * kc; j++) {
              const want = src[p * (8 + 8 * k) + (j < 8 ? j : 8 + k0 * 8 + (j - 8))];
              if (!Object.is(got[p * (8 + 8 * kc) + j], want)) expect.fail(`panels=${panels} k=${k} k0=${k0} kc=${kc}: panel ${p} slot ${j}`);
            }
          }
          for (let j = 0; j < 8; j++) expect(got[outFloats + j]).toBe(12345);
        } finally {
          dev.free(sb); dev.free(db);
        }
      }
    });
  }
}

describe('f32-regroupw (panels ⇄ row groups, in place)', () => {
  for (const build of buildNames) {
    it(`lays out groups of 24 columns as [bias][k rows] and converts back to the same bytes [${build}]`, () => {
      const dev = devices.get(build)!;
      for (const [n, k] of [[45, 7], [8, 3], [16, 1], [17, 5], [48, 2], [1, 4], [100, 33]] as const) {
        const b = randomF32(k * n, n + k), bias = randomF32(n, 3 * n + k);
        const [bb, biasb, wb, rb] = [dev.alloc(b.byteLength, 'b'), dev.alloc(n * 4, 'bias'), dev.alloc(packedBytes(n, k), 'w'),
          dev.alloc(regroupScratchBytes(k), 'regroup')];
        try {
          dev.write(bb, b); dev.write(biasb, bias);
          packWeights(dev.kmod, n, k, bb.ptr, false, biasb.ptr, wb.ptr);
          const panels = dev.viewF32(wb, 0, packedBytes(n, k) / 4).slice();
          regroupWeights(dev.kmod, n, k, wb.ptr, rb.ptr, 'rows');
          const rows = dev.viewF32(wb, 0, packedBytes(n, k) / 4);
          let at = 0;
          for (let n0 = 0; n0 < n; n0 += 24) {
            const width = Math.min(24, Math.ceil((n - n0) / 8) * 8);
            for (let r = 0; r <= k; r++) {
              for (let j = 0; j < width; j++) {
                const col = n0 + j, want = col >= n ? 0 : r === 0 ? bias[col] : b[(r - 1) * n + col];
                if (!Object.is(rows[at++], want)) expect.fail(`n=${n} k=${k}: group ${n0 / 24} row ${r} column ${j}`);
              }
            }
          }
          expect(at).toBe(rows.length);
          regroupWeights(dev.kmod, n, k, wb.ptr, rb.ptr, 'panels');
          expectSameBits(dev.viewF32(wb, 0, packedBytes(n, k) / 4), panels, `n=${n} k=${k} round trip`);
        } finally {
          for (const bl of [bb, biasb, wb, rb]) dev.free(bl);
        }
      }
    });
  }
});
