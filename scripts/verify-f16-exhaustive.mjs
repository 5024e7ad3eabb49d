// One-off check of lanewise's f32 → f16 conversion kernels (every one in the registry) on all 2^32 f32 bit patterns against
// @petamoriken/float16 (an independent table-based implementation), plus every f16 → f32 value.
// NaN inputs are checked against lanewise's documented NaN rule (sign and top 9 payload bits
// kept, quiet bit set), since the oracle has no payloads. Too slow for `npm test`.
//   npm run build && node scripts/verify-f16-exhaustive.mjs [build]     (build: simd | simd-mt)
import { Device } from '../dist/bindings/device.js';
import { kernelsOf } from '../dist/bindings/kernels.js';
import { roundToFloat16Bits, convertToNumber } from '../node_modules/@petamoriken/float16/src/_util/converter.mjs';

const build = process.argv[2] ?? 'simd';
const dev = await Device.create({ build });
const ex = dev.kmod.exports;
const CHUNK = 1 << 22;
const src = dev.alloc(CHUNK * 4, 'src'), dst = dev.alloc(CHUNK * 2, 'dst');
const bits = new Uint32Array(CHUNK), floats = new Float32Array(bits.buffer), out = new Uint16Array(CHUNK), want = new Uint16Array(CHUNK);
const kernels = kernelsOf('f32-f16-vcvt').filter((k) => k.builds.includes(build)).map((k) => k.name);
const mismatchesOf = new Map(kernels.map((k) => [k, 0]));
const t0 = performance.now();
let nans = 0;
for (let base = 0; base < 2 ** 32; base += CHUNK) {
  for (let i = 0; i < CHUNK; i++) {
    const x = bits[i] = base + i, abs = x & 0x7fffffff;
    if (abs > 0x7f800000) { want[i] = ((x >>> 16) & 0x8000) | 0x7e00 | ((abs >>> 13) & 0x3ff); nans++; }
    else want[i] = roundToFloat16Bits(floats[i]);
  }
  dev.write(src, bits);
  for (const name of kernels) {
    ex[name](CHUNK, src.ptr, dst.ptr);
    dev.read(dst, out);
    for (let i = 0; i < CHUNK; i++) {
      if (out[i] !== want[i]) {
        const m = mismatchesOf.get(name) + 1;
        mismatchesOf.set(name, m);
        if (m <= 20) console.log(`${name}: f32 0x${bits[i].toString(16)}: got 0x${out[i].toString(16)}, want 0x${want[i].toString(16)}`);
      }
    }
  }
  if ((base / CHUNK) % 128 === 127) console.log(`${((base + CHUNK) / 2 ** 32 * 100).toFixed(0)}% (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}
// f16 → f32 on all halves, as a bonus (the test suite also does it).
let m16 = 0;
const h = dev.alloc(65536 * 2, 'h'), f = dev.alloc(65536 * 4, 'f');
dev.write(h, Uint16Array.from({ length: 65536 }, (_, i) => i));
ex.f16_f32_vcvt_x16__simd(65536, h.ptr, f.ptr);
const got = dev.read(f, new Uint32Array(65536)), gotF = new Float32Array(got.buffer);
for (let i = 0; i < 65536; i++) {
  const ok = (i & 0x7fff) > 0x7c00 ? got[i] === ((((i & 0x8000) << 16) | 0x7fc00000 | ((i & 0x3ff) << 13)) >>> 0)
    : Object.is(gotF[i], convertToNumber(i));
  if (!ok) m16++;
}
const secs = (performance.now() - t0) / 1000;
const mismatches = [...mismatchesOf.values()].reduce((a, b) => a + b, 0);
console.log(`build ${build}: f32→f16 on all 2^32 patterns: ${[...mismatchesOf].map(([k, m]) => `${k} ${m} mismatches`).join(', ')} ` +
  `(${nans} NaN patterns checked by rule); f16→f32 on all 65536 halves: ${m16} mismatches; ${secs.toFixed(1)} s`);
process.exit(mismatches || m16 ? 1 : 0);
