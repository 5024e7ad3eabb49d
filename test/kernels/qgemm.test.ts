// Every registered quantized GEMM kernel (8/4/2-bit weights, 4×8 and GEMV tiles), in every build,
// on the battery of its own tile: bit-exact against the integer reference in all three modes
// (fp32 requantization, dyadic requantization, raw int32), signed and unsigned activations.
import { describe, it, expect, beforeAll } from 'vitest';
import { Device } from '../../bindings/device.js';
import { kernels, type QGemmKernelInfo, type QRequantKernelInfo } from '../../bindings/kernels.js';
import { buildNames, type BuildName } from '../../bindings/module.js';
import { packQWeights, padColumns, qgemm, unpackBlockBytes, qPackedABytes, qPackedWeightBytes, QMode, writeParams, PARAMS_BYTES,
  requantTableBytes, writeRequantTable, type WeightBits } from '../../bindings/quant.js';
import { qgemmRef, requantDyadicRef, requantFp32Ref } from '../reference/quant.js';
import { gemmBattery } from '../harness/gemm.js';
import { rng } from '../harness/random.js';

const devices = new Map<BuildName, Device>();
beforeAll(async () => {
  for (const build of buildNames) devices.set(build, await Device.create({ build }));
});

const qkernels = kernels.filter((k): k is QGemmKernelInfo => /^qs8-qc[842]w-gemm$/.test(k.family));
const wRange = { 8: [-127, 127], 4: [-8, 7], 2: [-2, 1] } as const;

interface Case {
  m: number; n: number; k: number; bits: WeightBits; signed: boolean;
  a: Int8Array | Uint8Array; zpA: number; w: Int16Array; bias: Int32Array;
  mode: QMode; scale: Float32Array; mult: Int32Array; shift: number; zpOut: number; unsignedOut: boolean; lo: number; hi: number;
}

function makeCase(m: number, n: number, k: number, bits: WeightBits, signed: boolean, mode: QMode, seed: number): Case {
  const r = rng(seed);
  const ri = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const a = signed ? new Int8Array(m * k) : new Uint8Array(m * k);
  for (let i = 0; i < a.length; i++) a[i] = signed ? ri(-128, 127) : ri(0, 255);
  const [wlo, whi] = wRange[bits];
  const w = new Int16Array(k * n);
  for (let i = 0; i < w.length; i++) w[i] = ri(wlo, whi);
  // Scales that put outputs around the int8 range, so both saturation and ties happen.
  const spread = Math.sqrt(Math.max(k, 1)) * 150 * (bits === 8 ? 70 : bits === 4 ? 4 : 3);
  const bias = new Int32Array(n);
  for (let i = 0; i < n; i++) bias[i] = ri(-spread, spread);
  const zpA = signed ? ri(-128, 127) : ri(0, 255);
  const scale = new Float32Array(n);
  const mult = new Int32Array(n);
  const shift = Math.min(62, Math.max(32, Math.round(Math.log2(2 ** 30.5 * spread / 100))));
  for (let j = 0; j < n; j++) {
    scale[j] = Math.fround((0.5 + r()) * 100 / spread);
    mult[j] = ri(2 ** 30, 2 ** 31 - 1);
  }
  const unsignedOut = r() < 0.5;
  const zpOut = unsignedOut ? ri(0, 255) : ri(-128, 127);
  const lo = unsignedOut ? ri(0, 20) : ri(-128, -100);
  const hi = unsignedOut ? ri(230, 255) : ri(100, 127);
  return { m, n, k, bits, signed, a, zpA, w, bias, mode, scale, mult, shift, zpOut, unsignedOut, lo, hi };
}

function expected(c: Case): Int32Array | Int8Array | Uint8Array {
  const wz = c.w;
  // The kernel's bias carries −zpA·Σw; the reference subtracts zpA from A instead.
  const acc = qgemmRef(c.m, c.n, c.k, c.a, c.zpA, wz, c.bias);
  if (c.mode === QMode.Int32) return Int32Array.from(acc);
  const out = c.unsignedOut ? new Uint8Array(acc.length) : new Int8Array(acc.length);
  for (let i = 0; i < acc.length; i++) {
    const j = i % c.n;
    out[i] = c.mode === QMode.Fp32 ? requantFp32Ref(acc[i], c.scale[j], c.zpOut, c.lo, c.hi)
      : requantDyadicRef(acc[i], c.mult[j], c.shift, c.zpOut, c.lo, c.hi);
  }
  return out;
}

function run(dev: Device, kern: QGemmKernelInfo, c: Case, unpack = false): Int32Array | Int8Array | Uint8Array {
  const { m, n, k, bits } = c;
  const outBytes = c.mode === QMode.Int32 ? 4 : 1;
  const np = padColumns(n);
  const blocks = [
    dev.alloc(Math.max(c.a.byteLength, 1), 'a'), dev.alloc(qPackedWeightBytes(n, k, bits), 'w'),
    dev.alloc(np * 4, 'bias'), dev.alloc(np * 4, 'scale'), dev.alloc(PARAMS_BYTES, 'params'),
    dev.alloc(m * n * outBytes + 64, 'c'), dev.alloc(qPackedABytes(m, k), 'scratch'), dev.alloc(unpackBlockBytes(k), 'unpack'),
  ];
  const [ab, wb, bb, sb, pb, cb, xb, ub] = blocks;
  try {
    dev.write(ab, c.a);
    packQWeights(dev.viewU8(wb), n, k, bits, c.w);
    // Fold −zpA·Σw into the bias, as the API does.
    const bias = new Int32Array(np);
    for (let j = 0; j < n; j++) {
      let sw = 0;
      for (let p = 0; p < k; p++) sw += c.w[p * n + j];
      bias[j] = c.bias[j] - c.zpA * sw;
    }
    dev.write(bb, bias);
    const s = c.mode === QMode.Dyadic ? new Int32Array(np) : new Float32Array(np);
    s.set(c.mode === QMode.Dyadic ? c.mult : c.scale);
    dev.write(sb, s);
    writeParams(dev, pb.ptr, { mode: c.mode, unsigned: c.unsignedOut, shift: c.shift, zeroPoint: c.zpOut, lo: c.lo, hi: c.hi });
    dev.arena.u8At(cb.ptr + m * n * outBytes, 64).fill(0xa5);
    if (kern.mr === 1) {
      for (let i = 0; i < m; i++) {
        qgemm(dev, { m: 1, n, k, bits, a: ab.ptr + i * k, aStride: k, aSigned: c.signed, w: wb.ptr, bias: bb.ptr,
          scale: sb.ptr, c: cb.ptr + i * n * outBytes, cStride: n * outBytes, params: pb.ptr, scratch: xb.ptr }, kern, c.mode);
      }
    } else {
      qgemm(dev, { m, n, k, bits, a: ab.ptr, aStride: k, aSigned: c.signed, w: wb.ptr, bias: bb.ptr, scale: sb.ptr,
        c: cb.ptr, cStride: n * outBytes, params: pb.ptr, scratch: xb.ptr, unpack: unpack ? ub.ptr : 0 }, kern, c.mode);
    }
    expect(Array.from(dev.arena.u8At(cb.ptr + m * n * outBytes, 64))).toEqual(new Array(64).fill(0xa5));
    const bytes = dev.arena.u8At(cb.ptr, m * n * outBytes).slice();
    return c.mode === QMode.Int32 ? new Int32Array(bytes.buffer) : c.unsignedOut ? bytes : new Int8Array(bytes.buffer);
  } finally {
    for (const b of blocks) dev.free(b);
  }
}

function expectSame(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) expect.fail(`${what} element ${i}: got ${got[i]}, want ${want[i]}`);
}

for (const kern of qkernels) {
  for (const build of kern.builds) {
    describe(`${kern.name} [${build}]`, () => {
      const shapes = gemmBattery(kern.mr, kern.nr, 8, kern.mr * 100 + kern.nr + kern.bits);
      for (const mode of [QMode.Fp32, QMode.Dyadic, QMode.Int32]) {
        it(`bit-exact, mode ${['fp32', 'dyadic', 'int32'][mode]}, signed and unsigned A (${shapes.length} shapes)`, () => {
          const dev = devices.get(build)!;
          let seed = 1 + mode * 1000;
          for (const [m, n, k] of shapes) {
            for (const signed of [true, false]) {
              const c = makeCase(m, n, k, kern.bits, signed, mode, seed++);
              expectSame(run(dev, kern, c), expected(c), `${m}×${n}×${k} ${signed ? 's8' : 'u8'}`);
            }
          }
        });
      }
      it('rounds ties: half to even (fp32), half toward +∞ (dyadic)', () => {
        const dev = devices.get(build)!;
        for (const mode of [QMode.Fp32, QMode.Dyadic]) {
          const c = makeCase(kern.mr + 1, kern.nr + 1, 5, kern.bits, true, mode, 99);
          c.scale.fill(0.5); c.mult.fill(2 ** 30); c.shift = 32; // fp32 ×0.5, dyadic ×0.25
          c.zpOut = 0; c.unsignedOut = false; c.lo = -128; c.hi = 127;
          for (let j = 0; j < c.n; j++) c.bias[j] = -40 + 2 * j;
          const want = expected(c);
          const got = run(dev, kern, c);
          expectSame(got, want, `ties mode ${mode}`);
          const acc = qgemmRef(c.m, c.n, c.k, c.a, c.zpA, c.w, c.bias);
          const ties = Array.from(acc).filter((v) => (mode === QMode.Fp32 ? Math.abs(v % 2) === 1 : Math.abs(v % 4) === 2)).length;
          expect(ties).toBeGreaterThan(0);
        }
        expect(requantFp32Ref(5, 0.5, 0, -128, 127)).toBe(2);
        expect(requantFp32Ref(-5, 0.5, 0, -128, 127)).toBe(-2);
        expect(requantFp32Ref(7, 0.5, 0, -128, 127)).toBe(4);
        expect(requantDyadicRef(-2, 2 ** 30, 32, 0, -128, 127)).toBe(0);
        expect(requantDyadicRef(-6, 2 ** 30, 32, 0, -128, 127)).toBe(-1);
        expect(requantDyadicRef(6, 2 ** 30, 32, 0, -128, 127)).toBe(2);
      });

      if (kern.bits !== 8 && kern.mr === 4) {
        it('unpack-a-block path (qs8-qc*w-unpack, then the int8 kernel): same bits', () => {
          const dev = devices.get(build)!;
          let seed = 5000;
          for (const [m, n, k] of [...shapes.slice(0, 30), [40, 70, 300], [17, 3000, 33]] as [number, number, number][]) {
            for (const mode of [QMode.Fp32, QMode.Int32]) {
              const c = makeCase(m, n, k, kern.bits, seed % 2 === 0, mode, seed++);
              expectSame(run(dev, kern, c, true), expected(c), `unpack ${m}×${n}×${k}`);
            }
          }
        });
      }

      it('saturates at the extremes of A and W', () => {
        const dev = devices.get(build)!;
        const [wlo, whi] = wRange[kern.bits];
        for (const mode of [QMode.Fp32, QMode.Dyadic, QMode.Int32]) {
          for (const signed of [true, false]) {
            const c = makeCase(kern.mr + 1, kern.nr + 3, 301, kern.bits, signed, mode, 77);
            c.a.fill(signed ? -128 : 255); c.zpA = signed ? 127 : 0;
            for (let i = 0; i < c.w.length; i++) c.w[i] = i % 3 === 0 ? wlo : whi;
            expectSame(run(dev, kern, c), expected(c), `extremes mode ${mode}`);
          }
        }
        // Scales that send fl(acc·s) past 2^16, 2^22 and 2^31 (and leave some near 0): the fp32
        // rule saturates them like any value beyond the output range.
        for (const signed of [true, false]) {
          const c = makeCase(kern.mr + 1, kern.nr + 3, 37, kern.bits, signed, QMode.Fp32, 78);
          for (let j = 0; j < c.scale.length; j++) c.scale[j] = Math.fround([1e-6, 3, 300, 3e4, 3e6, 1e9][j % 6]);
          expectSame(run(dev, kern, c), expected(c), 'huge scales');
        }
      });
    });
  }
}

describe('requantization kernels (qs8-requant), a shift per column', () => {
  const rq = kernels.filter((k): k is QRequantKernelInfo => k.family === 'qs8-requant');
  it('the registry has the scalar and the SIMD kernel', () => expect(rq.map((k) => k.name).sort()).toEqual(
    ['qs8_requant_x1__scalar_dyadic', 'qs8_requant_x4__simd_dyadic']));
  for (const kern of rq) {
    for (const build of buildNames) {
      it(`${kern.name} [${build}]: bit-exact against the 64-bit reference over shifts ${kern.shifts.join('–')}, extremes included`, () => {
        const dev = devices.get(build)!;
        const r = rng(91);
        const ri = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
        const [s0, s1] = kern.shifts;
        for (const [m, n] of [[1, 1], [3, 4], [2, 7], [5, 13], [4, 37], [1, 64]]) {
          for (const unsignedOut of [false, true]) {
            const acc = new Int32Array(m * n), b = new Int32Array(n), sh = new Int32Array(n);
            for (let j = 0; j < n; j++) { sh[j] = j < 2 ? (j ? s1 : s0) : ri(s0, s1); b[j] = j === 2 ? 2 ** 31 - 1 : ri(1, 2 ** 31 - 1); }
            for (let i = 0; i < acc.length; i++) {
              acc[i] = i % 7 === 0 ? [-(2 ** 31), 2 ** 31 - 1, 0, -1][i % 4] : ri(-(2 ** 31), 2 ** 31 - 1) >> ri(0, 24);
            }
            const zp = unsignedOut ? ri(0, 255) : ri(-128, 127);
            const [lo, hi] = unsignedOut ? [ri(0, 20), ri(200, 255)] : [ri(-128, -100), ri(100, 127)];
            const tableBytes = requantTableBytes(n);
            const blk = dev.alloc(m * n * 4 + n * 8 + tableBytes + PARAMS_BYTES + m * n + 256, 'requant test');
            try {
              const base = blk.ptr, bAt = base + m * n * 4, shAt = bAt + n * 4, tAt = shAt + n * 4, pAt = tAt + tableBytes, oAt = pAt + PARAMS_BYTES;
              const buf = dev.arena.memory.buffer;
              new Int32Array(buf, base, m * n).set(acc);
              new Int32Array(buf, bAt, n).set(b);
              new Int32Array(buf, shAt, n).set(sh);
              writeParams(dev, pAt, { mode: QMode.Int32, unsigned: unsignedOut, shift: 32, zeroPoint: zp, lo, hi });
              const simd = kern.perColumn === 'table';
              if (simd) writeRequantTable(new DataView(buf, tAt, tableBytes), n, sh, zp);
              dev.kmod.exports[kern.name](m, n, base, n * 4, bAt, simd ? tAt : shAt, pAt, oAt, n);
              const got = unsignedOut ? new Uint8Array(buf, oAt, m * n) : new Int8Array(buf, oAt, m * n);
              for (let i = 0; i < m * n; i++) {
                const j = i % n, want = requantDyadicRef(acc[i], b[j], sh[j], zp, lo, hi);
                if (got[i] !== want) expect.fail(`${m}×${n} unsigned=${unsignedOut} element ${i}: acc ${acc[i]}, b ${b[j]}, shift ${sh[j]}: got ${got[i]}, want ${want}`);
              }
            } finally {
              dev.free(blk);
            }
          }
        }
      });
    }
  }
});
