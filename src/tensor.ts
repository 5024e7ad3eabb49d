// Tensors live in wasm memory; JS holds a handle. Shape conventions follow ONNX Runtime Web
// (`type`, `dims`, `data`, `dispose()`), op names follow tfjs.
import type { Block, Device } from '../bindings/device.js';
import { DisposedError, DTypeError, ShapeError, ValueError } from './errors.js';
// A cycle (cast.ts builds Tensors), safe because neither module uses the other at load time.
import { cast } from './ops/cast.js';

/**
 * Element types. float16 is IEEE binary16 stored as raw bits in a Uint16Array (WebAssembly has
 * no f16 arithmetic by default); int4/int2 weights live inside quantized packed weights only.
 */
export type DataType = 'float32' | 'float16' | 'int8' | 'uint8' | 'int32';

type ArrayCtor = Float32ArrayConstructor | Uint16ArrayConstructor | Int8ArrayConstructor | Uint8ArrayConstructor | Int32ArrayConstructor;
interface DTypeInfo {
  bytes: number;
  array: ArrayCtor;
  /** Integer storage (binary16 bits for float16): the values a plain array may hold, which would otherwise wrap. */
  range?: readonly [number, number];
}
export const dtypes: Record<DataType, DTypeInfo> = {
  float32: { bytes: 4, array: Float32Array },
  float16: { bytes: 2, array: Uint16Array, range: [0, 0xffff] },
  int8: { bytes: 1, array: Int8Array, range: [-128, 127] },
  uint8: { bytes: 1, array: Uint8Array, range: [0, 255] },
  int32: { bytes: 4, array: Int32Array, range: [-(2 ** 31), 2 ** 31 - 1] },
};

/** The element type `type` names; a DTypeError unless it is one of dtypes' own keys ('toString' is none). */
export function checkDType(type: unknown): DTypeInfo {
  if (typeof type === 'string' && Object.prototype.hasOwnProperty.call(dtypes, type)) return dtypes[type as DataType];
  throw new DTypeError('type', `one of ${Object.keys(dtypes).map((t) => `'${t}'`).join(', ')}`, type);
}

export type TensorData = Float32Array | Uint16Array | Int8Array | Uint8Array | Int32Array;
/** The typed array of each element type. */
export interface TensorDataOf { float32: Float32Array; float16: Uint16Array; int8: Int8Array; uint8: Uint8Array; int32: Int32Array; }

/** What a Tensor needs from its owner; kept narrow so tensors never reach the instance. */
export interface Owner {
  readonly device: Device;
  readonly registry: FinalizationRegistry<Held>;
  readonly disposed: boolean;
}
export interface Held {
  device: Device;
  block: Block;
  /** Blocks made for the object after it (a quantized weight's packed forms), freed with it; must not reach the object. */
  extra?: () => Block[];
}

const disposeSymbol: symbol = (Symbol as { dispose?: symbol }).dispose ?? Symbol.for('Symbol.dispose');

export function checkDims(dims: unknown, arg: string): number[] {
  if (!Array.isArray(dims)) throw new ShapeError(arg, 'an array of non-negative integers', dims);
  for (let i = 0; i < dims.length; i++) {
    const d = dims[i];
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new ShapeError(`${arg}[${i}]`, 'a non-negative integer', d);
    }
  }
  return dims.slice() as number[];
}

export const sizeOf = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

export class Tensor<T extends DataType = DataType> {
  readonly type: T;
  readonly dims: readonly number[];
  /** Number of elements. */
  readonly size: number;
  /** @internal */ readonly block: Block;
  /** @internal */ readonly owner: Owner;
  private isDisposed = false;

  /** @internal Use `lw.tensor(...)`. */
  constructor(owner: Owner, type: T, dims: readonly number[], block: Block) {
    this.owner = owner;
    this.type = type;
    this.dims = Object.freeze(dims.slice());
    this.size = sizeOf(dims);
    this.block = block;
    owner.registry.register(this, { device: owner.device, block }, this);
  }

  get disposed(): boolean { return this.isDisposed || this.owner.disposed; }

  /** A copy of the elements. */
  get data(): TensorDataOf[T] { return this.read(); }

  /** Copies the elements into `out` (allocated when omitted) and returns it. */
  read(out?: TensorDataOf[T]): TensorDataOf[T] {
    this.check('tensor');
    const info = dtypes[this.type];
    if (out === undefined) out = new info.array(this.size) as TensorDataOf[T];
    else if (!(out instanceof info.array)) throw new DTypeError('out', info.array.name, out);
    else if (out.length !== this.size) throw new ShapeError('out.length', String(this.size), out.length);
    return this.owner.device.read(this.block, out);
  }

  /**
   * A new float32 tensor with this tensor's values: exact from float16 (the same as
   * `lw.cast(t, 'float32')`), a copy from float32. Other types: DTypeError.
   */
  toFloat32(): Tensor<'float32'> {
    this.check('tensor');
    return cast(this.owner, this, 'float32');
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    this.owner.registry.unregister(this);
    if (!this.owner.disposed) this.owner.device.free(this.block);
  }

  [disposeSymbol](): void { this.dispose(); }

  /** @internal Throws a DisposedError when this tensor may not be used. */
  check(arg: string): void {
    if (this.isDisposed) throw new DisposedError(arg, 'a live tensor', 'a disposed tensor');
    if (this.owner.disposed) throw new DisposedError(arg, 'a tensor of a live instance', 'a tensor of a disposed instance');
  }

  toString(): string { return `Tensor(${this.type}, [${this.dims.join(', ')}])`; }
}

export function checkTensor(t: unknown, arg: string, owner: Owner): Tensor {
  if (!(t instanceof Tensor)) throw new ValueError(arg, 'a Tensor', t);
  t.check(arg);
  if (t.owner !== owner) throw new ValueError(arg, 'a tensor made by this Lanewise instance', 'a tensor of another instance');
  return t;
}

/**
 * Returns `result` once `fill` has written it. When `fill` throws (a worker lost mid-call),
 * `result` is disposed first, so the failed call keeps none of its memory.
 */
export function filling<T extends { dispose(): void }>(result: T, fill: () => void): T {
  try {
    fill();
  } catch (e) {
    result.dispose();
    throw e;
  }
  return result;
}
