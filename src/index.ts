export { Lanewise, version, type CreateOptions, type Info } from './lanewise.js';
export { Tensor, type DataType, type TensorData, type TensorDataOf } from './tensor.js';
export { PackedMatrix, type MatMulOptions, type PrepackOptions, type Activation } from './ops/matmul.js';
export { LanewiseError, ShapeError, DTypeError, ValueError, DisposedError, OutOfMemoryError, UnsupportedError } from './errors.js';
export { kernels, type KernelInfo } from '../bindings/kernels.js';
