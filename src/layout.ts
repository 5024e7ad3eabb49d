// Layout converters at the API edge: activations NCHW ⇄ NHWC, filters OIHW / HWIO / HWCM → OHWI.
// Filters: index permutations on JS arrays (once per weight). Activations: a wasm transpose per image.
import type { Owner } from './tensor.js';
import { checkTensor, filling, Tensor } from './tensor.js';
import { DTypeError, ShapeError } from './errors.js';
import { transposeRun } from '../bindings/conv.js';

/** Filter layouts a convolution accepts. O = output channels, I = input channels per group, M = depth multiplier. */
export type FilterLayout = 'OHWI' | 'OIHW' | 'HWIO';
/** Depthwise filter layouts: tfjs's [kh, kw, channels, multiplier], or ONNX/PyTorch [channels·multiplier, 1, kh, kw]. */
export type DepthwiseFilterLayout = 'HWCM' | 'OIHW';

/** A permutation of a rank-4 array: out[i0][i1][i2][i3] = src[...] with `perm` naming the source axis of each output axis. */
export function permute4(src: ArrayLike<number>, dims: readonly number[], perm: readonly [number, number, number, number]): Float32Array {
  const out = new Float32Array(dims[0] * dims[1] * dims[2] * dims[3]);
  const od = perm.map((p) => dims[p]);
  const stride = [dims[1] * dims[2] * dims[3], dims[2] * dims[3], dims[3], 1];
  const s0 = stride[perm[0]], s1 = stride[perm[1]], s2 = stride[perm[2]], s3 = stride[perm[3]];
  let i = 0;
  for (let a = 0; a < od[0]; a++) {
    for (let b = 0; b < od[1]; b++) {
      for (let c = 0; c < od[2]; c++) {
        const base = a * s0 + b * s1 + c * s2;
        for (let d = 0; d < od[3]; d++) out[i++] = src[base + d * s3];
      }
    }
  }
  return out;
}

/** OHWI data and its dims [O, KH, KW, I] from a filter in `layout`. */
export function filterToOHWI(data: Float32Array, dims: readonly number[], layout: FilterLayout): { data: Float32Array; dims: number[] } {
  switch (layout) {
    case 'OHWI': return { data, dims: dims.slice() };
    case 'OIHW': return { data: permute4(data, dims, [0, 2, 3, 1]), dims: [dims[0], dims[2], dims[3], dims[1]] };
    case 'HWIO': return { data: permute4(data, dims, [3, 0, 1, 2]), dims: [dims[3], dims[0], dims[1], dims[2]] };
  }
}

/**
 * A depthwise filter as a grouped OHWI filter (groups = channels, one input channel per group,
 * output channel c·M + j for input channel c and multiplier index j). `dims` are the filter's
 * dims in `layout`; rank 3 [kh, kw, c] means HWCM with M = 1.
 */
export function depthwiseToOHWI(data: Float32Array, dims: readonly number[], layout: DepthwiseFilterLayout): { data: Float32Array; dims: number[] } {
  if (layout === 'OIHW') return { data: permute4(data, dims, [0, 2, 3, 1]), dims: [dims[0], dims[2], dims[3], 1] };
  const [kh, kw, c, m] = dims.length === 3 ? [dims[0], dims[1], dims[2], 1] : dims;
  // [kh][kw][c][m] → [c·m][kh][kw][1]
  const d4 = [kh, kw, c * m, 1];
  return { data: permute4(data, d4, [2, 0, 1, 3]), dims: [c * m, kh, kw, 1] };
}

function rank4(t: unknown, arg: string, owner: Owner): Tensor<'float32'> {
  const x = checkTensor(t, arg, owner);
  if (x.type !== 'float32') throw new DTypeError(`${arg}.type`, 'float32', x.type);
  if (x.dims.length !== 4) throw new ShapeError(`${arg}.dims`, 'rank 4', x.dims);
  return x as Tensor<'float32'>;
}

/**
 * A new tensor of `dims` holding each of the n images of t transposed as a rows × cols matrix,
 * in wasm (x32_transpose_4x4__simd): a per-element pass in JS took 4.7 ms (NCHW → NHWC) and
 * 8.0 ms (NHWC → NCHW) for 1M elements of 64 channels.
 */
function transposed(owner: Owner, t: Tensor<'float32'>, n: number, rows: number, cols: number, dims: number[]): Tensor<'float32'> {
  const dev = owner.device;
  const out = dev.alloc(t.size * 4, 'tensor');
  return filling(new Tensor(owner, 'float32', dims, out), () => transposeRun(dev, n, rows, cols, t.block, out));
}

/** NCHW (PyTorch, ONNX) → NHWC, a new tensor: per image, [C][H·W] transposed. */
export function fromNCHW(owner: Owner, x: unknown): Tensor<'float32'> {
  const t = rank4(x, 'x', owner);
  const [n, c, h, w] = t.dims;
  return transposed(owner, t, n, c, h * w, [n, h, w, c]);
}

/** NHWC → NCHW, a new tensor: per image, [H·W][C] transposed. */
export function toNCHW(owner: Owner, x: unknown): Tensor<'float32'> {
  const t = rank4(x, 'x', owner);
  const [n, h, w, c] = t.dims;
  return transposed(owner, t, n, h * w, c, [n, c, h, w]);
}
