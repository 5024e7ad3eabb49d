// Transposes a rows×cols matrix of 32-bit elements: out[j][i] = in[i][j].
//   in: row i at in + i·inStride bytes.   out: row j at out + j·outStride bytes.
// 4×4 blocks go through registers; edges are copied element by element. Bit patterns are
// moved unchanged (NaN payloads included), so it serves f32 and i32 alike.
// Limits: rows ≥ 0, cols ≥ 0, the two regions must not overlap.
export function x32_transpose_4x4__simd(rows: i32, cols: i32, inp: usize, inStride: usize, out: usize, outStride: usize): void {
  const rows4 = rows & ~3;
  const cols4 = cols & ~3;
  for (let i = 0; i < rows4; i += 4) {
    const r0 = inp + <usize>i * inStride;
    const r1 = r0 + inStride;
    const r2 = r1 + inStride;
    const r3 = r2 + inStride;
    for (let j = 0; j < cols4; j += 4) {
      const off = <usize>j << 2;
      const x0 = v128.load(r0 + off);
      const x1 = v128.load(r1 + off);
      const x2 = v128.load(r2 + off);
      const x3 = v128.load(r3 + off);
      const t0 = i32x4.shuffle(x0, x1, 0, 4, 1, 5);
      const t1 = i32x4.shuffle(x0, x1, 2, 6, 3, 7);
      const t2 = i32x4.shuffle(x2, x3, 0, 4, 1, 5);
      const t3 = i32x4.shuffle(x2, x3, 2, 6, 3, 7);
      const o0 = out + <usize>j * outStride + (<usize>i << 2);
      v128.store(o0, i64x2.shuffle(t0, t2, 0, 2));
      v128.store(o0 + outStride, i64x2.shuffle(t0, t2, 1, 3));
      v128.store(o0 + 2 * outStride, i64x2.shuffle(t1, t3, 0, 2));
      v128.store(o0 + 3 * outStride, i64x2.shuffle(t1, t3, 1, 3));
    }
    for (let j = cols4; j < cols; j++) {
      const o = out + <usize>j * outStride + (<usize>i << 2);
      const off = <usize>j << 2;
      store<u32>(o, load<u32>(r0 + off));
      store<u32>(o, load<u32>(r1 + off), 4);
      store<u32>(o, load<u32>(r2 + off), 8);
      store<u32>(o, load<u32>(r3 + off), 12);
    }
  }
  for (let i = rows4; i < rows; i++) {
    const r = inp + <usize>i * inStride;
    for (let j = 0; j < cols; j++) {
      store<u32>(out + <usize>j * outStride + (<usize>i << 2), load<u32>(r + (<usize>j << 2)));
    }
  }
}
