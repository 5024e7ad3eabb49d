// add (numpy broadcasting, fused clamp), relu, relu6 and clamp on float32 tensors.
import { addRowsRun, addRun, clampRun } from '../../bindings/conv.js';
import { DTypeError, ShapeError, ValueError } from '../errors.js';
import { checkTensor, filling, Tensor, type Owner } from '../tensor.js';
import { clampBounds, type Activation } from './matmul.js';
import { checkOptions } from './options.js';

export interface AddOptions { activation?: Activation; }

function f32(t: unknown, arg: string, owner: Owner): Tensor<'float32'> {
  const x = checkTensor(t, arg, owner);
  if (x.type !== 'float32') throw new DTypeError(`${arg}.type`, 'float32', x.type);
  return x as Tensor<'float32'>;
}

function broadcastDims(a: readonly number[], b: readonly number[]): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const da = a[a.length - r + i] ?? 1, db = b[b.length - r + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError('y.dims', `dimensions broadcastable with x's [${a.join(', ')}]`, b, `axis ${i - r}: ${da} vs ${db}`);
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Element strides of `src` (padded to the rank of `out`), 0 along broadcast axes. */
function stridesOf(src: readonly number[], out: readonly number[]): number[] {
  const r = out.length, pad = r - src.length;
  const s = new Array<number>(r).fill(0);
  let acc = 1;
  for (let i = r - 1; i >= pad; i--) {
    const d = src[i - pad];
    s[i] = d === 1 ? 0 : acc;
    acc *= d;
  }
  return s;
}

/** z = clamp(x + y) with numpy broadcasting. */
export function add(owner: Owner, x: unknown, y: unknown, options?: AddOptions): Tensor<'float32'> {
  const o = checkOptions(options, ['activation']);
  const xt = f32(x, 'x', owner), yt = f32(y, 'y', owner);
  const [min, max] = clampBounds(o.activation);
  const dims = broadcastDims(xt.dims, yt.dims);
  const size = dims.reduce((p, d) => p * d, 1);
  const dev = owner.device;
  const out = dev.alloc(size * 4, 'output');
  const result = new Tensor(owner, 'float32', dims, out);
  if (size === 0) return result;
  return filling(result, () => {
    const xb = xt.block, yb = yt.block;
    if (xt.size === size && yt.size === size) { addRun(dev, size, xb, 0, yb, 0, false, out, 0, min, max); return; }
    if (xt.size === size && yt.size === 1) { addRun(dev, size, xb, 0, yb, 0, true, out, 0, min, max); return; }
    if (yt.size === size && xt.size === 1) { addRun(dev, size, yb, 0, xb, 0, true, out, 0, min, max); return; }
    const r = dims.length;
    const sx = stridesOf(xt.dims, dims), sy = stridesOf(yt.dims, dims);
    // The innermost run: trailing axes where both operands are whole (one call), else the last axis.
    let k = r;
    while (k > 0 && sx[k - 1] !== 0 && sy[k - 1] !== 0) k--;
    let inner: number, mode: 'both' | 'xScalar' | 'yScalar';
    if (k < r) { inner = dims.slice(k).reduce((p, d) => p * d, 1); mode = 'both'; }
    else { k = r - 1; inner = dims[r - 1]; mode = sx[r - 1] === 0 ? 'xScalar' : 'yScalar'; }
    const outer = size / inner;
    // One operand a single trailing run (a bias [C] over [N, H, W, C]): one row-broadcast call.
    if (mode === 'both') {
      const constant = (s: number[]) => s.slice(0, k).every((v) => v === 0);
      const yRow = xt.size === size && constant(sy), xRow = !yRow && yt.size === size && constant(sx);
      if (yRow || xRow) {
        addRowsRun(dev, outer, inner, yRow ? xb : yb, 0, yRow ? yb : xb, 0, out, 0, min, max);
        return;
      }
    }
    const idx = new Array<number>(k).fill(0);
    for (let i = 0; i < outer; i++) {
      let xo = 0, yo = 0;
      for (let d = 0; d < k; d++) { xo += idx[d] * sx[d]; yo += idx[d] * sy[d]; }
      const o4 = i * inner * 4;
      if (mode === 'both') addRun(dev, inner, xb, xo * 4, yb, yo * 4, false, out, o4, min, max);
      else if (mode === 'yScalar') addRun(dev, inner, xb, xo * 4, yb, yo * 4, true, out, o4, min, max);
      else addRun(dev, inner, yb, yo * 4, xb, xo * 4, true, out, o4, min, max);
      for (let d = k - 1; d >= 0; d--) { if (++idx[d] < dims[d]) break; idx[d] = 0; }
    }
  });
}

function clampOp(owner: Owner, x: unknown, min: number, max: number): Tensor<'float32'> {
  const xt = f32(x, 'x', owner);
  const dev = owner.device;
  const out = dev.alloc(xt.size * 4, 'output');
  return filling(new Tensor(owner, 'float32', xt.dims, out), () => { if (xt.size > 0) clampRun(dev, xt.size, xt.block, out, min, max); });
}

export function relu(owner: Owner, x: unknown): Tensor<'float32'> { return clampOp(owner, x, 0, Infinity); }
export function relu6(owner: Owner, x: unknown): Tensor<'float32'> { return clampOp(owner, x, 0, 6); }

/** min ≤ x ≤ max elementwise; NaN stays NaN. */
export function clamp(owner: Owner, x: unknown, min: unknown, max: unknown): Tensor<'float32'> {
  f32(x, 'x', owner);
  if (typeof min !== 'number' || Number.isNaN(min)) throw new ValueError('min', 'a number (not NaN)', min);
  if (typeof max !== 'number' || Number.isNaN(max)) throw new ValueError('max', 'a number (not NaN)', max);
  if (!(Math.fround(min) <= Math.fround(max))) throw new ValueError('min', `a value ≤ max (${max})`, min);
  return clampOp(owner, x, min, max);
}
