/**
 * Convolution chains for the peers (tfjs-backend-wasm, onnxruntime-web, onnxruntime-node) and for
 * lanewise: one spec (NHWC input, a list of conv / depthwise layers with bias and activation, or
 * pooling layers, an optional residual add) built the way each library is meant to be used for
 * inference —
 * weights constant and packed once (tfjs caches its XNNPACK operator per filter, ORT prepacks
 * initializers at session creation, lanewise uses prepackConv), the input copied in and the
 * output copied out on every call.
 */
import type { Lanewise, Tensor, PackedConv } from '../../src/index.js';
import { graph, tensor, DataType, type NodeSpec, type TensorSpec } from './onnx-model.js';
import type { OrtApi } from './ort-common.js';
import { tfjsCore } from './tfjs-wasm.js';
import { ortWebApi } from './ort-web.js';
import { ortNodeApi } from './ort-node.js';
import { errorMessage } from './types.js';
import type { Runner } from '../suite.js';

export interface ConvLayerSpec {
  /** Pooling layers have no weights (their filter and bias are empty) and no activation. */
  kind: 'conv' | 'dw' | 'maxpool' | 'avgpool';
  k: number;
  stride: number;
  /** Symmetric explicit padding on every side. */
  pad: number;
  /** Output channels (depthwise: the input channels times the multiplier; pooling: the input channels). */
  co: number;
  act: 'none' | 'relu' | 'relu6';
}

export interface ConvNetSpec {
  n: number; h: number; w: number; c: number;
  layers: ConvLayerSpec[];
  /** Adds the input to the last layer's output (a MobileNetV2 inverted residual). */
  residual: boolean;
}

/** Filters OHWI ([co][k][k][ci]; depthwise [c][k][k][1]) and biases, one per layer. */
export interface ConvNetWeights { filters: Float32Array[]; biases: Float32Array[]; }

export interface LayerShape { ih: number; iw: number; ci: number; oh: number; ow: number; co: number; }

export function layerShapes(spec: ConvNetSpec): LayerShape[] {
  let h = spec.h, w = spec.w, c = spec.c;
  return spec.layers.map((l) => {
    const oh = Math.floor((h + 2 * l.pad - l.k) / l.stride) + 1, ow = Math.floor((w + 2 * l.pad - l.k) / l.stride) + 1;
    const co = isPool(l) ? c : l.co;
    const s = { ih: h, iw: w, ci: c, oh, ow, co };
    h = oh; w = ow; c = co;
    return s;
  });
}

const isPool = (l: ConvLayerSpec) => l.kind === 'maxpool' || l.kind === 'avgpool';

/**
 * Floating-point operations per call: 2 per multiply-add, one per pooling window tap (a max or
 * an add), plus the residual adds.
 */
export function convNetFlops(spec: ConvNetSpec): number {
  const shapes = layerShapes(spec);
  let f = 0;
  spec.layers.forEach((l, i) => {
    const s = shapes[i];
    f += (isPool(l) ? 1 : 2) * spec.n * s.oh * s.ow * s.co * l.k * l.k * (l.kind === 'conv' ? s.ci : 1);
  });
  if (spec.residual) f += spec.n * spec.h * spec.w * spec.c;
  return f;
}

/** out[a][b][c][d] = src with axes permuted: `perm[i]` is the source axis of output axis i. */
function permute4(src: Float32Array, dims: readonly number[], perm: readonly number[]): Float32Array {
  const od = perm.map((p) => dims[p]);
  const stride = [dims[1] * dims[2] * dims[3], dims[2] * dims[3], dims[3], 1];
  const out = new Float32Array(src.length);
  let i = 0;
  for (let a = 0; a < od[0]; a++) for (let b = 0; b < od[1]; b++) for (let c = 0; c < od[2]; c++) for (let d = 0; d < od[3]; d++) {
    out[i++] = src[a * stride[perm[0]] + b * stride[perm[1]] + c * stride[perm[2]] + d * stride[perm[3]]];
  }
  return out;
}

function checkSpec(spec: ConvNetSpec): void {
  if (spec.residual) {
    const last = layerShapes(spec).at(-1)!;
    if (last.oh !== spec.h || last.ow !== spec.w || last.co !== spec.c) throw new RangeError('residual: the chain must keep the input shape');
  }
}

// ---------------------------------------------------------------------------------------------
// lanewise

export function lanewiseConvNet(lw: Lanewise, spec: ConvNetSpec, wts: ConvNetWeights, x: Float32Array): Runner {
  checkSpec(spec);
  const shapes = layerShapes(spec);
  const packed: (PackedConv | null)[] = spec.layers.map((l, i) => {
    const s = shapes[i];
    if (isPool(l)) return null;
    const f = lw.tensor('float32', wts.filters[i], [s.co, l.k, l.k, l.kind === 'dw' ? 1 : s.ci]);
    const p = lw.prepackConv(f, { groups: l.kind === 'dw' ? s.ci : 1, bias: wts.biases[i] });
    f.dispose();
    return p;
  });
  const last = shapes.at(-1)!;
  const out = new Float32Array(spec.n * last.oh * last.ow * last.co);
  return {
    run() {
      const xt = lw.tensor('float32', x, [spec.n, spec.h, spec.w, spec.c]);
      let y: Tensor = xt;
      spec.layers.forEach((l, i) => {
        const pool = { windowShape: l.k, strides: l.stride, pad: l.pad };
        const next = l.kind === 'maxpool' ? lw.maxPool(y, pool) : l.kind === 'avgpool' ? lw.avgPool(y, pool)
          : lw.conv2d(y, packed[i]!, { strides: l.stride, pad: l.pad, activation: l.act === 'none' ? 'linear' : l.act });
        if (y !== xt) y.dispose();
        y = next;
      });
      if (spec.residual) { const z = lw.add(y, xt); y.dispose(); y = z; }
      y.read(out);
      y.dispose(); xt.dispose();
    },
    dispose() { for (const p of packed) p?.dispose(); },
  };
}

// ---------------------------------------------------------------------------------------------
// tfjs-backend-wasm (XNNPACK): fused conv2d / depthwiseConv2d with bias and activation

export async function tfjsConvNet(spec: ConvNetSpec, wts: ConvNetWeights, x: Float32Array): Promise<Runner | string> {
  let tf: Awaited<ReturnType<typeof tfjsCore>>;
  try { tf = await tfjsCore(); } catch (e) { return `tfjs-backend-wasm unavailable: ${errorMessage(e)}`; }
  checkSpec(spec);
  const shapes = layerShapes(spec);
  const filters = spec.layers.map((l, i) => {
    const s = shapes[i];
    if (isPool(l)) return null;
    // OHWI → HWIO (conv), [c·m][k][k][1] → [k][k][c·m][1], read as [k][k][c][m] (depthwise, HWCM).
    const hw = l.kind === 'dw'
      ? permute4(wts.filters[i], [s.co, l.k, l.k, 1], [1, 2, 0, 3])
      : permute4(wts.filters[i], [s.co, l.k, l.k, s.ci], [1, 2, 3, 0]);
    return tf.tensor4d(hw, l.kind === 'dw' ? [l.k, l.k, s.ci, s.co / s.ci] : [l.k, l.k, s.ci, s.co], 'float32');
  });
  const biases = wts.biases.map((b) => tf.tensor1d(b, 'float32'));
  const run = () => {
    const y = tf.tidy(() => {
      const x0 = tf.tensor4d(x, [spec.n, spec.h, spec.w, spec.c], 'float32');
      let y = x0 as ReturnType<typeof tf.tensor4d>;
      spec.layers.forEach((l, i) => {
        if (l.kind === 'maxpool') { y = tf.maxPool(y, l.k, l.stride, l.pad); return; }
        if (l.kind === 'avgpool') { y = tf.avgPool(y, l.k, l.stride, l.pad); return; }
        const args = { x: y, filter: filters[i]!, strides: l.stride, pad: l.pad, bias: biases[i],
          activation: (l.act === 'none' ? 'linear' : l.act) as 'linear' | 'relu' | 'relu6' };
        y = l.kind === 'dw' ? tf.fused.depthwiseConv2d(args) : tf.fused.conv2d(args);
      });
      return spec.residual ? tf.add(y, x0) : y;
    });
    y.dataSync();
    y.dispose();
  };
  return { run, dispose() { for (const t of [...filters, ...biases]) t?.dispose(); } };
}

// ---------------------------------------------------------------------------------------------
// ONNX Runtime (web: wasm EP; node: native CPU EP): one graph, weights as initializers, NCHW

export function convNetModel(spec: ConvNetSpec, wts: ConvNetWeights): Uint8Array {
  checkSpec(spec);
  const shapes = layerShapes(spec);
  const nodes: NodeSpec[] = [];
  const inits: TensorSpec[] = [];
  let cur = 'X';
  spec.layers.forEach((l, i) => {
    const s = shapes[i];
    if (isPool(l)) {
      // AveragePool divides by the taps inside the image (count_include_pad = 0), as lanewise and tfjs.
      nodes.push({ op: l.kind === 'maxpool' ? 'MaxPool' : 'AveragePool', inputs: [cur], outputs: [`P${i}`], attrs: {
        kernel_shape: { ints: [l.k, l.k] }, strides: { ints: [l.stride, l.stride] }, pads: { ints: [l.pad, l.pad, l.pad, l.pad] } } });
      cur = `P${i}`;
      return;
    }
    const cig = l.kind === 'dw' ? 1 : s.ci;
    inits.push(tensor(`W${i}`, [s.co, cig, l.k, l.k], permute4(wts.filters[i], [s.co, l.k, l.k, cig], [0, 3, 1, 2])));
    inits.push(tensor(`B${i}`, [s.co], wts.biases[i]));
    nodes.push({ op: 'Conv', inputs: [cur, `W${i}`, `B${i}`], outputs: [`C${i}`], attrs: {
      kernel_shape: { ints: [l.k, l.k] }, strides: { ints: [l.stride, l.stride] }, pads: { ints: [l.pad, l.pad, l.pad, l.pad] },
      group: { i: l.kind === 'dw' ? s.ci : 1 } } });
    cur = `C${i}`;
    if (l.act === 'relu') { nodes.push({ op: 'Relu', inputs: [cur], outputs: [`A${i}`] }); cur = `A${i}`; }
    if (l.act === 'relu6') {
      if (!inits.some((t) => t.name === 'zero')) {
        inits.push(tensor('zero', [], new Float32Array([0])), tensor('six', [], new Float32Array([6])));
      }
      nodes.push({ op: 'Clip', inputs: [cur, 'zero', 'six'], outputs: [`A${i}`] });
      cur = `A${i}`;
    }
  });
  if (spec.residual) { nodes.push({ op: 'Add', inputs: [cur, 'X'], outputs: ['R'] }); cur = 'R'; }
  nodes[nodes.length - 1] = { ...nodes[nodes.length - 1], outputs: ['Y'] };
  const last = shapes.at(-1)!;
  return graph({
    nodes, initializers: inits,
    inputs: [{ name: 'X', dataType: DataType.FLOAT, shape: [spec.n, spec.c, spec.h, spec.w] }],
    outputs: [{ name: 'Y', dataType: DataType.FLOAT, shape: [spec.n, last.co, last.oh, last.ow] }],
  });
}

export async function ortConvNet(which: 'web' | 'node', spec: ConvNetSpec, wts: ConvNetWeights, x: Float32Array): Promise<Runner | string> {
  let api: { ort: OrtApi; sessionOptions: object };
  try { api = which === 'web' ? await ortWebApi() : await ortNodeApi(); } catch (e) {
    return `onnxruntime-${which} unavailable: ${errorMessage(e)}`;
  }
  const session = await api.ort.InferenceSession.create(convNetModel(spec, wts), api.sessionOptions);
  // ORT takes NCHW: the same values, transposed once here (the layout is the peer's native one).
  const nchw = permute4(x, [spec.n, spec.h, spec.w, spec.c], [0, 3, 1, 2]);
  const feeds = { X: new api.ort.Tensor('float32', nchw, [spec.n, spec.c, spec.h, spec.w]) };
  return {
    async run() {
      const { Y } = await session.run(feeds);
      if (!Y || !(Y.data instanceof Float32Array)) throw new Error('ort conv: no output');
    },
    async dispose() { await session.release(); },
  };
}
