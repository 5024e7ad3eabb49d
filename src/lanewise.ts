// The public entry point: one instance owns one wasm instance and its memory.
import { Device, type Block } from '../bindings/device.js';
import { buildOfModule, detectFeatures, isWasmModule, reserveSharedMemory, type BuildName, type Features } from '../bindings/module.js';
import { noSharedMemoryPlan, planThreads, startThreads, threadsNow, type Threads } from '../bindings/pool.js';
import { DisposedError, DTypeError, ShapeError, ValueError } from './errors.js';
import { checkDims, checkDType, sizeOf, Tensor, type DataType, type Held, type Owner, type TensorData, type TensorDataOf } from './tensor.js';
import { matMul, prepack, PackedMatrix, type MatMulOptions, type PrepackOptions } from './ops/matmul.js';
import { QuantizedTensor, type QuantizedType } from './quant/tensor.js';
import * as quantOps from './quant/quantize.js';
import { qMatMul, type QMatMulOptions } from './ops/qmatmul.js';
import * as qConvOps from './ops/qconv.js';
import * as f16Ops from './ops/f16matmul.js';
import * as castOps from './ops/cast.js';
import * as f16Conv from './ops/f16conv.js';
import { warmUpConv } from '../bindings/conv.js';
import * as convOps from './ops/conv.js';
import { checkNumbers, checkOptions } from './ops/options.js';
import * as poolOps from './ops/pool.js';
import * as ewOps from './ops/elementwise.js';
import * as layout from './layout.js';

export const version = '0.1.0';

export interface CreateOptions {
  /** A precompiled lanewise module: needed where compiling from bytes is forbidden (workerd, Vercel edge). */
  module?: WebAssembly.Module;
  /** Which build to compile: 'simd' (default) or 'simd-mt' (shared memory). */
  build?: BuildName;
  /** Run the kernels a few times at creation so the first call gets optimized code (default true). */
  warmUp?: boolean;
  /**
   * Threads, the calling thread included: 1 (default), a number, or 'auto' (the hardware's).
   * Above 1 the 'simd-mt' build runs on a pool of workers sharing its memory where the runtime
   * allows it; elsewhere the instance runs single-threaded and info().threadsReason says why.
   */
  threads?: 'auto' | number;
  /**
   * Bytes of wasm memory the instance may grow to, a multiple of 64 KiB from 1 MiB to 4 GiB
   * (default 4 GiB). Past it an allocation throws OutOfMemoryError and the instance stays
   * usable, where growing further could exceed a runtime's own limit (a workerd isolate has
   * 128 MB) and end the whole isolate. The threaded build also reserves only this much.
   */
  maxMemory?: number;
}

export interface Info {
  version: string;
  build: BuildName;
  features: Features;
  threads: number;
  /** Why `threads` is what it is. */
  threadsReason: string;
  /** Wasm memory: its size, the part in live blocks, their count, and the size it may grow to. */
  memory: { bytes: number; bytesInUse: number; blocks: number; limit: number };
}

const disposeSymbol: symbol = (Symbol as { dispose?: symbol }).dispose ?? Symbol.for('Symbol.dispose');

// Frees what a user forgot to dispose once it is garbage; stale blocks (from an instance that
// was disposed or reset since) are skipped by the device.
// workerd (Cloudflare Workers) has no FinalizationRegistry: there the backstop is off and
// dispose() is the only way to free.
const registry: FinalizationRegistry<Held> = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry<Held>((h) => {
    h.device.free(h.block);
    if (h.extra) for (const b of h.extra()) h.device.free(b);
  })
  : { register() {}, unregister() { return false; } } as unknown as FinalizationRegistry<Held>;

// A threaded instance dropped without dispose() ends its workers once it is collected (none of
// its tensors or weights is alive then: each holds the instance). Before, every such instance
// left its idle workers, and their threads, for the life of the process.
const pools: FinalizationRegistry<{ dispose(): void }> | null = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry<{ dispose(): void }>((pool) => pool.dispose())
  : null;

export class Lanewise implements Owner {
  /** @internal */ readonly device: Device;
  /** @internal */ readonly registry = registry;
  /** @internal The worker pool (null when single-threaded) and why. */
  readonly threads: Threads;
  private isDisposed = false;
  /** Whether the convolution-family kernels still need their warm-up (done on first use). */
  private convCold: boolean;

  private constructor(device: Device, threads: Threads, warmUp: boolean) {
    this.device = device; this.threads = threads; this.convCold = warmUp;
    if (threads.pool) pools?.register(this, threads.pool, this);
  }

  static async create(options: CreateOptions = {}): Promise<Lanewise> {
    checkOptions(options, ['module', 'build', 'warmUp', 'threads', 'maxMemory']);
    const mm = options.maxMemory;
    if (mm !== undefined && !(Number.isInteger(mm) && mm >= 2 ** 20 && mm <= 2 ** 32 && mm % 65536 === 0)) {
      throw new ValueError('options.maxMemory', 'a byte count from 1 MiB (1048576) to 4 GiB (4294967296), a multiple of 64 KiB (65536)', mm);
    }
    if (options.warmUp !== undefined && typeof options.warmUp !== 'boolean') {
      throw new ValueError('options.warmUp', 'a boolean', options.warmUp);
    }
    const t = options.threads;
    if (t !== undefined && t !== 'auto' && !(Number.isInteger(t) && t >= 1 && t <= 64)) {
      throw new ValueError('options.threads', "'auto' or an integer 1..64", t);
    }
    const moduleBuild = isWasmModule(options.module) ? buildOfModule(options.module) : undefined;
    let plan = await planThreads(t, moduleBuild, options.build, detectFeatures());
    let memory: WebAssembly.Memory | undefined;
    if (plan.build === 'simd-mt' && options.build === undefined && !options.module) {
      // The threads build was this instance's choice, not the caller's: without the shared memory
      // it needs, run single-threaded and say why.
      const limit = mm ?? 2 ** 32;
      const reserved = reserveSharedMemory(limit / 65536);
      if ('refused' in reserved) plan = noSharedMemoryPlan(limit, reserved.refused);
      else memory = reserved;
    }
    const device = await Device.create({ module: options.module, build: options.module ? options.build : plan.build, maxMemory: mm, memory });
    // GEMM kernels are warmed here (~1 ms); the convolution family (~10 ms) on its first call,
    // so create() stays fast for programs that never convolve.
    if (options.warmUp !== false) device.warmUp();
    return new Lanewise(device, await startThreads(device.kmod, device.arena, plan), options.warmUp !== false);
  }

  get disposed(): boolean { return this.isDisposed; }

  private alive(): void {
    if (this.isDisposed) throw new DisposedError('this', 'a live Lanewise instance', 'a disposed instance');
  }

  /** alive(), then the one-time warm-up of the convolution-family kernels. */
  private aliveConv(): void {
    this.alive();
    if (this.convCold) { this.convCold = false; warmUpConv(this.device); }
  }

  /** A tensor in wasm memory holding a copy of `data` (dims default to [data.length]). */
  tensor<T extends DataType>(type: T, data: TensorDataOf[T] | readonly number[], dims?: readonly number[]): Tensor<T> {
    this.alive();
    const info = checkDType(type);
    let values: TensorData;
    if (data instanceof info.array) values = data as TensorData;
    else if (Array.isArray(data)) {
      checkNumbers(data, 'data');
      // Integer storage would wrap or truncate the others silently (float16 data are binary16
      // bits: 1.5 would become 0x0001).
      const r = info.range;
      if (r) {
        for (let i = 0; i < data.length; i++) {
          const v = data[i];
          if (!(Number.isInteger(v) && v >= r[0] && v <= r[1])) {
            throw new ValueError(`data[${i}]`, type === 'float16'
              ? 'binary16 bits, an integer in [0, 65535] (for values, lw.cast a float32 tensor)'
              : `an integer in [${r[0]}, ${r[1]}] (${type})`, v);
          }
        }
      }
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
    const info = checkDType(type);
    const shape = checkDims(dims, 'dims');
    const bytes = sizeOf(shape) * info.bytes;
    const block: Block = this.device.alloc(bytes, 'tensor');
    this.device.fill(block, 0);
    return new Tensor<T>(this, type, shape, block);
  }

  /**
   * C = activation(A·B + bias). A is [..., m, k] ([..., k, m] with transposeA); B is [..., k, n]
   * ([..., n, k] with transposeB) or prepacked weights; batch dimensions broadcast.
   */
  matMul(a: Tensor<'float16'>, b: Tensor<'float16'> | f16Ops.PackedMatrixF16, options?: MatMulOptions): Tensor<'float16'>;
  matMul(a: Tensor, b: Tensor | PackedMatrix | f16Ops.PackedMatrixF16, options?: MatMulOptions): Tensor<'float32'>;
  matMul(a: Tensor, b: Tensor | PackedMatrix | f16Ops.PackedMatrixF16, options?: MatMulOptions): Tensor<'float32'> | Tensor<'float16'> {
    this.alive();
    // float16 operands or precision 'f16' / 'f16-exact': the f16 path (src/ops/f16matmul.ts).
    if (f16Ops.routesToF16(a, b, options ?? {})) return f16Ops.matMulF16(this, a, b, options);
    return matMul(this, a, b, options);
  }

  /** Packs a [k, n] weight ([n, k] with transposeB) once for repeated matMul calls (float16 weights stay binary16). */
  prepack(b: Tensor<'float16'>, options?: PrepackOptions): f16Ops.PackedMatrixF16;
  prepack(b: Tensor, options?: PrepackOptions): PackedMatrix;
  prepack(b: Tensor, options?: PrepackOptions): PackedMatrix | f16Ops.PackedMatrixF16 {
    this.alive();
    if (b instanceof Tensor && b.type === 'float16') return f16Ops.prepackF16(this, b, options);
    return prepack(this, b, options);
  }

  /** float32 ⇄ float16 (IEEE binary16, nearest even; see docs/f16.md), as a new tensor. */
  cast<T extends castOps.FloatType>(t: Tensor, type: T): Tensor<T> {
    this.alive();
    return castOps.cast(this, t, type);
  }

  // Convolution family (NHWC activations, OHWI filters; see src/ops/conv.ts)

  /** 2-D convolution: x [n, h, w, ci], filter [co, kh, kw, ci/groups] (OHWI; see filterLayout) or prepacked. */
  conv2d(x: Tensor<'float16'>, filter: Tensor<'float16'> | f16Conv.PackedConvF16, options?: f16Conv.F16ConvOptions): Tensor<'float16'>;
  conv2d(x: Tensor, filter: Tensor | convOps.PackedConv | f16Conv.PackedConvF16, options?: f16Conv.F16ConvOptions): Tensor<'float32'>;
  conv2d(x: Tensor, filter: Tensor | convOps.PackedConv | f16Conv.PackedConvF16, options?: f16Conv.F16ConvOptions): Tensor<'float32'> | Tensor<'float16'> {
    this.aliveConv();
    // float16 operands or precision 'f16' / 'f16-exact': src/ops/f16conv.ts.
    if (f16Conv.routesToF16Conv(x, filter, options)) return f16Conv.conv2dF16(this, x, filter, options);
    return convOps.conv2d(this, x, filter, f16Conv.withoutPrecision(options));
  }

  /** Depthwise 2-D convolution: filter [kh, kw, c, multiplier] (HWCM; see filterLayout) or prepacked. */
  depthwiseConv2d(x: Tensor<'float16'>, filter: Tensor<'float16'> | f16Conv.PackedConvF16, options?: f16Conv.F16DepthwiseOptions): Tensor<'float16'>;
  depthwiseConv2d(x: Tensor, filter: Tensor | convOps.PackedConv | f16Conv.PackedConvF16, options?: f16Conv.F16DepthwiseOptions): Tensor<'float32'>;
  depthwiseConv2d(x: Tensor, filter: Tensor | convOps.PackedConv | f16Conv.PackedConvF16, options?: f16Conv.F16DepthwiseOptions): Tensor<'float32'> | Tensor<'float16'> {
    this.aliveConv();
    if (f16Conv.routesToF16Conv(x, filter, options)) return f16Conv.depthwiseConv2dF16(this, x, filter, options);
    return convOps.depthwiseConv2d(this, x, filter, f16Conv.withoutPrecision(options));
  }

  /** Packs a convolution filter (and bias) once for repeated conv2d / depthwiseConv2d calls. */
  prepackConv(filter: Tensor<'float16'>, options?: convOps.PrepackConvOptions): f16Conv.PackedConvF16;
  prepackConv(filter: Tensor, options?: convOps.PrepackConvOptions): convOps.PackedConv;
  prepackConv(filter: Tensor, options?: convOps.PrepackConvOptions): convOps.PackedConv | f16Conv.PackedConvF16 {
    this.alive();
    if (filter instanceof Tensor && filter.type === 'float16') return f16Conv.prepackConvF16(this, filter, options);
    return convOps.prepackConv(this, filter, options);
  }

  maxPool(x: Tensor, options: poolOps.PoolOptions): Tensor<'float32'> {
    this.aliveConv();
    return poolOps.maxPool(this, x, options);
  }

  avgPool(x: Tensor, options: poolOps.AvgPoolOptions): Tensor<'float32'> {
    this.aliveConv();
    return poolOps.avgPool(this, x, options);
  }

  /** Mean over height and width: [n, h, w, c] → [n, 1, 1, c]. */
  globalAvgPool(x: Tensor): Tensor<'float32'> {
    this.aliveConv();
    return poolOps.globalAvgPool(this, x);
  }

  /** x + y with numpy broadcasting and a fused activation. */
  add(x: Tensor, y: Tensor, options?: ewOps.AddOptions): Tensor<'float32'> {
    this.aliveConv();
    return ewOps.add(this, x, y, options);
  }

  relu(x: Tensor): Tensor<'float32'> { this.aliveConv(); return ewOps.relu(this, x); }
  relu6(x: Tensor): Tensor<'float32'> { this.aliveConv(); return ewOps.relu6(this, x); }
  clamp(x: Tensor, min: number, max: number): Tensor<'float32'> { this.aliveConv(); return ewOps.clamp(this, x, min, max); }

  /** NCHW (PyTorch, ONNX) → NHWC, as a new tensor. */
  fromNCHW(x: Tensor): Tensor<'float32'> { this.alive(); return layout.fromNCHW(this, x); }
  /** NHWC → NCHW, as a new tensor. */
  toNCHW(x: Tensor): Tensor<'float32'> { this.alive(); return layout.toNCHW(this, x); }

  // Quantization (int8 / int4 / int2; see docs/quant.md)

  /** Quantizes a float32 tensor: symmetric per-channel weights or asymmetric per-tensor activations. */
  quantize(x: Tensor, options?: quantOps.QuantizeOptions): QuantizedTensor {
    this.alive();
    return quantOps.quantize(this, x, options);
  }

  /** A quantized tensor from integers quantized elsewhere (ONNX / TFLite models), with their scale(s) and zero point(s). */
  quantized(type: QuantizedType, data: ArrayLike<number>, dims: readonly number[], options: quantOps.QuantizedFromOptions): QuantizedTensor {
    this.alive();
    return quantOps.quantizedFrom(this, type, data, dims, options);
  }

  /** float32 values of a quantized tensor: (q − zeroPoint) · scale. */
  dequantize(q: QuantizedTensor): Tensor<'float32'> {
    this.alive();
    return quantOps.dequantize(this, q);
  }

  /** Re-expresses a quantized tensor with another (per-tensor, 8-bit) scale and zero point. */
  requantize(q: QuantizedTensor, options: quantOps.RequantizeOptions): QuantizedTensor {
    this.alive();
    return quantOps.requantize(this, q, options);
  }

  /** Quantized x·w with int32 accumulation and fp32 or dyadic requantization (or the int32 sums). */
  qMatMul(x: QuantizedTensor, w: QuantizedTensor, options: QMatMulOptions & { output: 'int32' }): Tensor<'int32'>;
  qMatMul(x: QuantizedTensor, w: QuantizedTensor, options?: QMatMulOptions): QuantizedTensor;
  qMatMul(x: QuantizedTensor, w: QuantizedTensor, options?: QMatMulOptions): QuantizedTensor | Tensor<'int32'> {
    this.alive();
    return qMatMul(this, x, w, options);
  }

  /** Quantized 2-D convolution (NHWC; int8, int4 or int2 filters, OHWI or OIHW; groups), int32 accumulation, fp32 or dyadic requantization. */
  qConv2d(x: QuantizedTensor, filter: QuantizedTensor, options: qConvOps.QConv2DOptions & { output: 'int32' }): Tensor<'int32'>;
  qConv2d(x: QuantizedTensor, filter: QuantizedTensor, options?: qConvOps.QConv2DOptions): QuantizedTensor;
  qConv2d(x: QuantizedTensor, filter: QuantizedTensor, options?: qConvOps.QConv2DOptions): QuantizedTensor | Tensor<'int32'> {
    this.alive();
    return qConvOps.qConv2d(this, x, filter, options);
  }

  /** Quantized depthwise convolution (multiplier 1, filter HWC or OIHW). */
  qDepthwiseConv2d(x: QuantizedTensor, filter: QuantizedTensor, options: qConvOps.QDepthwiseConv2DOptions & { output: 'int32' }): Tensor<'int32'>;
  qDepthwiseConv2d(x: QuantizedTensor, filter: QuantizedTensor, options?: qConvOps.QDepthwiseConv2DOptions): QuantizedTensor;
  qDepthwiseConv2d(x: QuantizedTensor, filter: QuantizedTensor, options?: qConvOps.QDepthwiseConv2DOptions): QuantizedTensor | Tensor<'int32'> {
    this.alive();
    return qConvOps.qDepthwiseConv2d(this, x, filter, options);
  }

  info(): Info {
    this.alive();
    const d = this.device;
    return {
      version,
      build: d.build,
      features: { ...d.features },
      ...((n) => ({ threads: n.threads, threadsReason: n.reason }))(threadsNow(this.threads)),
      memory: { bytes: d.arena.memory.buffer.byteLength, bytesInUse: d.arena.bytesInUse, blocks: d.arena.blockCount, limit: d.memoryLimit },
    };
  }

  /** Frees every tensor and packed weight of this instance; later use throws DisposedError. */
  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    pools?.unregister(this);
    this.threads.pool?.dispose();
    this.device.reset();
  }

  [disposeSymbol](): void { this.dispose(); }
}
