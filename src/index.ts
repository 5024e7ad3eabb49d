export { Lanewise, version, type CreateOptions, type Info } from './lanewise.js';
export { Tensor, type DataType, type TensorData, type TensorDataOf } from './tensor.js';
export { PackedMatrix, type MatMulOptions, type PrepackOptions, type Activation } from './ops/matmul.js';
export { LanewiseError, ShapeError, DTypeError, ValueError, DisposedError, OutOfMemoryError, UnsupportedError } from './errors.js';
export { kernels, type KernelInfo } from '../bindings/kernels.js';
export { PackedConv, type Conv2DOptions, type DepthwiseConv2DOptions, type PrepackConvOptions, type Padding } from './ops/conv.js';
export { type PoolOptions, type AvgPoolOptions } from './ops/pool.js';
export { type AddOptions } from './ops/elementwise.js';
export { type FilterLayout, type DepthwiseFilterLayout } from './layout.js';
