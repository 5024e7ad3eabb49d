// The public entry point: one instance owns one wasm instance and its memory.
import { Device, type Block } from '../bindings/device.js';
import type { BuildName, Features } from '../bindings/module.js';
import { DisposedError, DTypeError, ShapeError, ValueError } from './errors.js';
import { checkDims, dtypes, sizeOf, Tensor, type DataType, type Held, type Owner, type TensorData, type TensorDataOf } from './tensor.js';
import { matMul, prepack, PackedMatrix, type MatMulOptions, type PrepackOptions } from './ops/matmul.js';

export const version = '0.1.0';

export interface CreateOptions {
  /** A precompiled lanewise module: needed where compiling from bytes is forbidden (workerd, Vercel edge). */
  module?: WebAssembly.Module;
  /** Which build to compile: 'simd' (default) or 'simd-mt' (shared memory). */
  build?: BuildName;
  /** Run the kernels a few times at creation so the first call gets optimized code (default true). */
  warmUp?: boolean;
}

export interface Info {
  version: string;
  build: BuildName;
  features: Features;
  threads: number;
  /** Why `threads` is what it is. */
  threadsReason: string;
  memory: { bytes: number; bytesInUse: number; blocks: number };
}

const disposeSymbol: symbol = (Symbol as { dispose?: symbol }).dispose ?? Symbol.for('Symbol.dispose');

// Frees what a user forgot to dispose once it is garbage; stale blocks (from an instance that
// was disposed or reset since) are skipped by the device.
const registry = new FinalizationRegistry<Held>((h) => h.device.free(h.block));

export class Lanewise implements Owner {
  /** @internal */ readonly device: Device;
  /** @internal */ readonly registry = registry;
  private isDisposed = false;

  private constructor(device: Device) { this.device = device; }

  static async create(options: CreateOptions = {}): Promise<Lanewise> {
    if (typeof options !== 'object' || options === null) throw new ValueError('options', 'an object', options);
    if (options.warmUp !== undefined && typeof options.warmUp !== 'boolean') {
      throw new ValueError('options.warmUp', 'a boolean', options.warmUp);
    }
    const device = await Device.create({ module: options.module, build: options.build });
    if (options.warmUp !== false) device.warmUp();
    return new Lanewise(device);
  }

  get disposed(): boolean { return this.isDisposed; }

  private alive(): void {
    if (this.isDisposed) throw new DisposedError('this', 'a live Lanewise instance', 'a disposed instance');
  }

  /** A tensor in wasm memory holding a copy of `data` (dims default to [data.length]). */
  tensor<T extends DataType>(type: T, data: TensorDataOf[T] | readonly number[], dims?: readonly number[]): Tensor<T> {
    this.alive();
    const info = (dtypes as Record<string, (typeof dtypes)[DataType] | undefined>)[type];
    if (info === undefined) throw new DTypeError('type', `one of ${Object.keys(dtypes).map((t) => `'${t}'`).join(', ')}`, type);
    let values: TensorData;
    if (data instanceof info.array) values = data as TensorData;
    else if (Array.isArray(data)) {
      data.forEach((v, i) => { if (typeof v !== 'number') throw new DTypeError(`data[${i}]`, 'a number', v); });
      values = info.array.from(data) as TensorData;
    } else throw new DTypeError('data', `a ${info.array.name} or an array of numbers for '${type}'`, data);
    const shape = dims === undefined ? [values.length] : checkDims(dims, 'dims');
    if (sizeOf(shape) !== values.length) {
      throw new ShapeError('data.length', `${sizeOf(shape)} (the product of dims [${shape.join(', ')}])`, values.length);
    }
    const block = this.device.alloc(values.byteLength, 'tensor');
    this.device.write(block, values);
    return new Tensor<T>(this, type, shape, block);
  }

  /** A tensor of zeros. */
  zeros<T extends DataType>(type: T, dims: readonly number[]): Tensor<T> {
    this.alive();
    if (!(type in dtypes)) throw new DTypeError('type', `one of ${Object.keys(dtypes).join(', ')}`, type);
    const shape = checkDims(dims, 'dims');
    const bytes = sizeOf(shape) * dtypes[type].bytes;
    const block: Block = this.device.alloc(bytes, 'tensor');
    this.device.fill(block, 0);
    return new Tensor<T>(this, type, shape, block);
  }

  /**
   * C = activation(A·B + bias). A is [..., m, k] ([..., k, m] with transposeA); B is [..., k, n]
   * ([..., n, k] with transposeB) or prepacked weights; batch dimensions broadcast.
   */
  matMul(a: Tensor, b: Tensor | PackedMatrix, options?: MatMulOptions): Tensor<'float32'> {
    this.alive();
    return matMul(this, a, b, options);
  }

  /** Packs a [k, n] weight ([n, k] with transposeB) once for repeated matMul calls. */
  prepack(b: Tensor, options?: PrepackOptions): PackedMatrix {
    this.alive();
    return prepack(this, b, options);
  }

  info(): Info {
    this.alive();
    const d = this.device;
    return {
      version,
      build: d.build,
      features: { ...d.features },
      threads: 1,
      threadsReason: 'single-threaded: the worker pool is not part of this version',
      memory: { bytes: d.arena.memory.buffer.byteLength, bytesInUse: d.arena.bytesInUse, blocks: d.arena.blockCount },
    };
  }

  /** Frees every tensor and packed weight of this instance; later use throws DisposedError. */
  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    this.device.reset();
  }

  [disposeSymbol](): void { this.dispose(); }
}
