// f32 IGEMM microkernel, 2×8 register tile, SIMD128: f32_igemm_4x8__simd's contract (entries,
// panels, params, limits, reduction order, so the same bits), computed two rows at a time.
//   a: the same indirection entries, [ceil(m/4)][ks][4] u32: rows 4t and 4t+1 of a group are one
//      2-row tile, rows 4t+2 and 4t+3 the next; entries past m are never read.
//
// Why: the 4×8 loop computes all four rows of its last tile, so a tile of 1 or 2 rows cost as
// much as a whole one, and a 2-row GEMM as much as a 4-row one. The drivers (bindings/gemm.ts
// igemmRows) run such a last tile here: four accumulator chains, half the operations per k-step
// (2×1024×1024 matMul 1.65–1.69× faster, 6×1024×1024 1.20–1.26×). Its own export rather than a
// branch in the 4×8 kernel: that branch, or a call from it, made the 4-row loop 3–4% slower at
// K = 256 (V8 compiled it differently).
import { loadUpTo4 } from '../util/gemm4x8';
import { clampF32x4, storeRow8 } from '../util/tile';

export function f32_igemm_2x8__simd(
  m: i32, nc: i32, kc: i32, ks: i32,
  a: usize,
  w: usize,
  c: usize, cStride: usize,
  params: usize,
): void {
  const aOffset = <usize>load<u32>(params);
  const zero = <usize>load<u32>(params, 4);
  const vlo = f32x4.splat(load<f32>(params, 8));
  const vhi = f32x4.splat(load<f32>(params, 12));
  const accumulate = load<u32>(params, 16) != 0;
  const kcBytes = (<usize>kc) << 2;
  const tapBytes = (<usize>ks) << 4;
  const w0 = w;
  for (let m0 = 0; m0 < m; m0 += 2) {
    const at = a + (<usize>(m0 >> 2)) * tapBytes + ((<usize>(m0 & 2)) << 2);
    const aEnd = at + tapBytes;
    let c0 = c + <usize>m0 * cStride;
    let c1 = m0 + 1 < m ? c0 + cStride : c0;
    w = w0;
    let nLeft = nc;
    while (true) {
      let acc0l = v128.load(w);
      let acc0h = v128.load(w, 16);
      let acc1l = acc0l; let acc1h = acc0h;
      if (accumulate) {
        acc0l = loadUpTo4(c0, nLeft); acc0h = loadUpTo4(c0 + 16, nLeft - 4);
        acc1l = loadUpTo4(c1, nLeft); acc1h = loadUpTo4(c1 + 16, nLeft - 4);
      }
      w += 32;
      let ip = at;
      do {
        let a0 = <usize>load<u32>(ip);
        let a1 = <usize>load<u32>(ip, 4);
        a0 = select<usize>(zero, a0 + aOffset, a0 == 0xFFFFFFFF);
        a1 = select<usize>(zero, a1 + aOffset, a1 == 0xFFFFFFFF);
        ip += 16;
        const a0End = a0 + kcBytes;
        do {
          const bl = v128.load(w);
          const bh = v128.load(w, 16);
          const va0 = v128.load32_splat(a0);
          const va1 = v128.load32_splat(a1);
          acc0l = f32x4.add(acc0l, f32x4.mul(va0, bl));
          acc0h = f32x4.add(acc0h, f32x4.mul(va0, bh));
          acc1l = f32x4.add(acc1l, f32x4.mul(va1, bl));
          acc1h = f32x4.add(acc1h, f32x4.mul(va1, bh));
          w += 32;
          a0 += 4; a1 += 4;
        } while (a0 < a0End);
      } while (ip < aEnd);
      // Row 1 first: with one row, c1 = c0 and row 0's values are stored last.
      storeRow8(c1, clampF32x4(acc1l, vlo, vhi), clampF32x4(acc1h, vlo, vhi), nLeft);
      storeRow8(c0, clampF32x4(acc0l, vlo, vhi), clampF32x4(acc0h, vlo, vhi), nLeft);
      if (nLeft <= 8) break;
      c0 += 32; c1 += 32;
      nLeft -= 8;
    }
  }
}
