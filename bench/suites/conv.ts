// f32 convolution (regular, pointwise, depthwise) and a MobileNetV2 block against
// tfjs-backend-wasm (XNNPACK), onnxruntime-web and onnxruntime-node, single thread. Every
// contender gets constant, prepacked weights and copies the input in and the output out on
// every call; bias and activation are fused where the library fuses them.
import { convNetFlops, lanewiseConvNet, layerShapes, ortConvNet, tfjsConvNet, type ConvNetSpec, type ConvNetWeights } from '../peers/conv.js';
import type { BenchCase, Suite } from '../suite.js';
import { randomData } from './gemm.js';

/** Random filters (scaled by 0.1) and biases for every layer of `spec`. */
export function weights(spec: ConvNetSpec, seed: number): ConvNetWeights {
  const shapes = layerShapes(spec);
  return {
    filters: spec.layers.map((l, i) => (l.kind === 'conv' || l.kind === 'dw'
      ? randomData(shapes[i].co * l.k * l.k * (l.kind === 'dw' ? 1 : shapes[i].ci), seed + 2 * i).map((v) => v * 0.1)
      : new Float32Array(0))),
    biases: spec.layers.map((l, i) => (l.kind === 'conv' || l.kind === 'dw' ? randomData(shapes[i].co, seed + 2 * i + 1) : new Float32Array(0))),
  };
}

/** unit: pooling cases count one operation per window tap (a max or an add): 'GOPS'. */
function convCase(name: string, spec: ConvNetSpec, unit: 'GFLOPS' | 'GOPS' = 'GFLOPS'): BenchCase {
  const w = weights(spec, 7), x = randomData(spec.n * spec.h * spec.w * spec.c, 3);
  return {
    name,
    ops: convNetFlops(spec),
    unit,
    lanewise: (lw) => lanewiseConvNet(lw, spec, w, x),
    peers: {
      'tfjs-wasm': () => tfjsConvNet(spec, w, x),
      'ort-web': () => ortConvNet('web', spec, w, x),
      'ort-node': () => ortConvNet('node', spec, w, x),
    },
  };
}

/** One layer; `co` is the output channels (depthwise: the input channels times the multiplier). */
export const one = (h: number, w: number, c: number, kind: 'conv' | 'dw', k: number, stride: number, pad: number, co: number): ConvNetSpec =>
  ({ n: 1, h, w, c, residual: false, layers: [{ kind, k, stride, pad, co, act: 'relu' }] });

const pooling = (h: number, w: number, c: number, kind: 'maxpool' | 'avgpool', k: number, stride: number, pad: number): ConvNetSpec =>
  ({ n: 1, h, w, c, residual: false, layers: [{ kind, k, stride, pad, co: c, act: 'none' }] });

/** The shapes (bias + ReLU fused), then a MobileNetV2 inverted-residual block. */
export function convCases(): BenchCase[] {
  return [
    convCase('f32 conv 32×32×16→16 k3 p1', one(32, 32, 16, 'conv', 3, 1, 1, 16)),
    convCase('f32 conv 16×16×32→32 k3 p0', one(16, 16, 32, 'conv', 3, 1, 0, 32)),
    convCase('f32 conv 56×56×64→64 k3 p1', one(56, 56, 64, 'conv', 3, 1, 1, 64)),
    convCase('f32 conv 56×56×64→128 k1 (pointwise)', one(56, 56, 64, 'conv', 1, 1, 0, 128)),
    convCase('f32 dwconv 112×112×32 k3 s1 p1', one(112, 112, 32, 'dw', 3, 1, 1, 32)),
    convCase('f32 dwconv 28×28×128 k3 s2 p1', one(28, 28, 128, 'dw', 3, 2, 1, 128)),
    convCase('f32 dwconv 56×56×32→64 k3 s1 p1 (multiplier 2)', one(56, 56, 32, 'dw', 3, 1, 1, 64)),
    convCase('f32 maxpool 112×112×64 k3 s2 p1 (ResNet stem)', pooling(112, 112, 64, 'maxpool', 3, 2, 1), 'GOPS'),
    convCase('f32 maxpool 112×112×64 k2 s2 (VGG, U-Net)', pooling(112, 112, 64, 'maxpool', 2, 2, 0), 'GOPS'),
    convCase('f32 avgpool 28×28×192 k3 s1 p1', pooling(28, 28, 192, 'avgpool', 3, 1, 1), 'GOPS'),
    convCase('f32 MobileNetV2 block 28×28×32 (1×1→192 relu6, dw3×3 relu6, 1×1→32, +x)', {
      n: 1, h: 28, w: 28, c: 32, residual: true, layers: [
        { kind: 'conv', k: 1, stride: 1, pad: 0, co: 192, act: 'relu6' },
        { kind: 'dw', k: 3, stride: 1, pad: 1, co: 192, act: 'relu6' },
        { kind: 'conv', k: 1, stride: 1, pad: 0, co: 32, act: 'none' },
      ] }),
  ];
}

export const convSuite: Suite = {
  name: 'conv',
  description: 'f32 convolution NHWC (regular, pointwise, depthwise, MobileNetV2 block), weights prepacked, bias + activation fused, single thread',
  cases: () => convCases(),
};
