// Naive GEMM oracles. Not kernels: clarity over speed.

/** C = A·B + bias in f64 (A m×k, B k×n, row-major), no rounding until the caller's compare. */
export function gemmF64(m: number, n: number, k: number, a: ArrayLike<number>, b: ArrayLike<number>, bias?: ArrayLike<number> | null): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = bias ? bias[j] : 0;
      for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
      c[i * n + j] = s;
    }
  }
  return c;
}

/** Σ|a·b| per output (plus |bias|): the scale of the f32 rounding error bound. */
export function gemmAbs(m: number, n: number, k: number, a: ArrayLike<number>, b: ArrayLike<number>, bias?: ArrayLike<number> | null): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = bias ? Math.abs(bias[j]) : 0;
      for (let p = 0; p < k; p++) s += Math.abs(a[i * k + p] * b[p * n + j]);
      c[i * n + j] = s;
    }
  }
  return c;
}

/**
 * The documented f32 reduction order of every lanewise f32 GEMM, emulated with Math.fround:
 * acc = bias; acc = fl(acc + fl(a·b)) for k ascending; then clamp. Kernels must match it bit
 * for bit, which is what makes results identical across variants, runtimes and threads.
 */
export function gemmF32Ordered(m: number, n: number, k: number, a: ArrayLike<number>, b: ArrayLike<number>,
  bias: ArrayLike<number> | null | undefined, min = -Infinity, max = Infinity): Float32Array {
  const f = Math.fround;
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = bias ? f(bias[j]) : 0;
      for (let p = 0; p < k; p++) s = f(s + f(a[i * k + p] * b[p * n + j]));
      if (s < min) s = f(min);
      if (s > max) s = f(max);
      c[i * n + j] = s;
    }
  }
  return c;
}

export function transpose(rows: number, cols: number, x: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = x[i * cols + j];
  return out;
}
