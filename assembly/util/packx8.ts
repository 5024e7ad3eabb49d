// The body of the 8-bit activation packers (qs8-packx, qu8-packx), inlined into each with a
// constant `signed`, so each export compiles to the loop it had on its own.
//
// Tiles of 4 rows, per k-pair 16 bytes [row 0..3][a(k), a(k+1) widened to i16], tiles back to
// back, k padded to a multiple of 4, padding and rows past m zero. 16 k of 4 rows are widened
// and transposed in registers; the tail goes element by element.
import { loadInt8, widen8 } from './int8';
import { storeTransposed4x4 } from './transpose';

// @ts-ignore: decorator
@inline export function packx4x8(m: i32, k: i32, a: usize, aStride: usize, out: usize, signed: bool): void {
  const pairsPadded = ((k + 3) >> 2) << 1;
  const k16 = k & ~15;
  for (let m0 = 0; m0 < m; m0 += 4) {
    const rows = min(4, m - m0);
    const r0 = a + <usize>m0 * aStride;
    let p = 0;
    if (rows == 4) {
      const r1 = r0 + aStride;
      const r2 = r1 + aStride;
      const r3 = r2 + aStride;
      for (let j = 0; j < k16; j += 16) {
        const x0 = v128.load(r0 + <usize>j);
        const x1 = v128.load(r1 + <usize>j);
        const x2 = v128.load(r2 + <usize>j);
        const x3 = v128.load(r3 + <usize>j);
        for (let half = 0; half < 2; half++) {
          const y0 = widen8(x0, half, signed);
          const y1 = widen8(x1, half, signed);
          const y2 = widen8(x2, half, signed);
          const y3 = widen8(x3, half, signed);
          storeTransposed4x4(out, 16, y0, y1, y2, y3);
          out += 64;
        }
      }
      p = k16 >> 1;
    }
    for (; p < pairsPadded; p++) {
      const k0 = p << 1;
      for (let i = 0; i < 4; i++) {
        const row = r0 + <usize>i * aStride;
        const lo: i32 = i < rows && k0 < k ? loadInt8(row + <usize>k0, signed) : 0;
        const hi: i32 = i < rows && k0 + 1 < k ? loadInt8(row + <usize>k0 + 1, signed) : 0;
        store<u32>(out + (<usize>i << 2), <u32>(lo & 0xffff) | (<u32>hi << 16));
      }
      out += 16;
    }
  }
}
