// maxPool, avgPool, globalAvgPool on NHWC activations: validation and geometry around the
// pooling driver of bindings/conv.ts.
import { checkIndirection, globalAvgPoolRun, hasEmptyWindow, pool as runPool } from '../../bindings/conv.js';
import { ValueError } from '../errors.js';
import { filling, Tensor, type Owner } from '../tensor.js';
import { checkPair, checkX, geometry, type Padding } from './conv.js';
import { checkOptions } from './options.js';

export interface PoolOptions {
  /** Window [height, width] (or one number for both). Required. */
  windowShape: number | readonly [number, number];
  /** Default 1 (as ONNX). */
  strides?: number | readonly [number, number];
  /** Default 'valid'. Explicit padding must be smaller than the dilated window. */
  pad?: Padding;
  /** Default 1. */
  dilations?: number | readonly [number, number];
}

export interface AvgPoolOptions extends PoolOptions {
  /** Divide by every window tap, padding included (default false: only the taps inside the image, as TensorFlow). */
  countIncludePad?: boolean;
}

function poolOp(owner: Owner, kind: 'max' | 'avg', x: unknown, options: unknown): Tensor<'float32'> {
  const names = ['windowShape', 'strides', 'pad', 'dilations', ...(kind === 'avg' ? ['countIncludePad'] : [])];
  const o = checkOptions(options, names);
  const xt = checkX(x, owner);
  if (o.windowShape === undefined) throw new ValueError('options.windowShape', 'a positive integer or [height, width]', undefined);
  const [kh, kw] = checkPair(o.windowShape, 'options.windowShape', 1);
  if (o.countIncludePad !== undefined && typeof o.countIncludePad !== 'boolean') {
    throw new ValueError('options.countIncludePad', 'a boolean', o.countIncludePad);
  }
  const c = xt.dims[3];
  const g = geometry(xt.dims, c, kh, kw, c, o, 'options.windowShape');
  // A window is only numbers (no filter tensor bounds it), and 'same' padding grows with it: its
  // indirection buffer is checked against the instance's memory limit before any per-pixel work
  // (the output's allocation checks itself).
  checkIndirection(g, 1, owner.device.memoryLimit, 'options.windowShape');
  if (g.pt + g.pb + g.pl + g.pr > 0 && hasEmptyWindow(g)) {
    throw new ValueError('options.pad', 'padding that leaves at least one input pixel in every window', o.pad ?? 'valid',
      'with this dilation some windows would see only padding');
  }
  return run(owner, xt, g, kind, o.countIncludePad === true);
}

function run(owner: Owner, x: Tensor<'float32'>, g: ReturnType<typeof geometry>, kind: 'max' | 'avg', countIncludePad: boolean): Tensor<'float32'> {
  const dev = owner.device;
  const out = dev.alloc(g.n * g.oh * g.ow * g.ci * 4, 'output');
  return filling(new Tensor(owner, 'float32', [g.n, g.oh, g.ow, g.ci], out),
    () => runPool(dev, { geometry: g, x: x.block, out, kind, countIncludePad }));
}

export function maxPool(owner: Owner, x: unknown, options: PoolOptions): Tensor<'float32'> {
  return poolOp(owner, 'max', x, options);
}

export function avgPool(owner: Owner, x: unknown, options: AvgPoolOptions): Tensor<'float32'> {
  return poolOp(owner, 'avg', x, options);
}

/** Mean over height and width: [n, h, w, c] → [n, 1, 1, c]. */
export function globalAvgPool(owner: Owner, x: unknown): Tensor<'float32'> {
  const xt = checkX(x, owner);
  const [, h, w, c] = xt.dims;
  if (h === 0 || w === 0) throw new ValueError('x.dims', 'a non-empty image (height and width ≥ 1)', xt.dims);
  const n = xt.dims[0];
  const dev = owner.device;
  const out = dev.alloc(n * c * 4, 'output');
  return filling(new Tensor(owner, 'float32', [n, 1, 1, c], out), () => { if (n * c > 0) globalAvgPoolRun(dev, n, h * w, c, xt.block, out); });
}
