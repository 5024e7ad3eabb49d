// The 4×4 transpose of 32-bit lanes through registers, shared by the A packers (x32-packx,
// f16-f32-packx, the 8-bit packers of util/packx8.ts) and the x32-transpose kernel.

/**
 * Stores the transpose of the 4×4 block whose rows are x0..x3 (lane j of row i goes to lane i
 * of output row j): output row j at d + j·stride bytes. 4 shuffles within row pairs, 4 across.
 */
// @ts-ignore: decorator
@inline export function storeTransposed4x4(d: usize, stride: usize, x0: v128, x1: v128, x2: v128, x3: v128): void {
  const t0 = i32x4.shuffle(x0, x1, 0, 4, 1, 5), t1 = i32x4.shuffle(x0, x1, 2, 6, 3, 7);
  const t2 = i32x4.shuffle(x2, x3, 0, 4, 1, 5), t3 = i32x4.shuffle(x2, x3, 2, 6, 3, 7);
  v128.store(d, i64x2.shuffle(t0, t2, 0, 2));
  v128.store(d + stride, i64x2.shuffle(t0, t2, 1, 3));
  v128.store(d + 2 * stride, i64x2.shuffle(t1, t3, 0, 2));
  v128.store(d + 3 * stride, i64x2.shuffle(t1, t3, 1, 3));
}
