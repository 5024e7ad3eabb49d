// QuantizedTensor: integer data in wasm memory plus its quantization (scale and zero point per
// tensor or per channel along one axis). Storage is row-major; 4- and 2-bit values are packed
// 2 or 4 per byte, two's complement, low bits first (ONNX INT4 order), so a weight tensor takes
// 1/2 or 1/4 of the bytes of int8 and is never expanded in memory.
import type { Block } from '../../bindings/device.js';
import { DisposedError } from '../errors.js';
import type { Owner } from '../tensor.js';

export type QuantizedType = 'int8' | 'uint8' | 'int4' | 'int2';
export type Bits = 8 | 4 | 2;

export const bitsOf: Record<QuantizedType, Bits> = { int8: 8, uint8: 8, int4: 4, int2: 2 };

/** The integer range of a storage type. */
export function rangeOf(type: QuantizedType): [number, number] {
  switch (type) {
    case 'int8': return [-128, 127];
    case 'uint8': return [0, 255];
    case 'int4': return [-8, 7];
    case 'int2': return [-2, 1];
  }
}

/** Bytes of `count` values of `type`, packed. */
export const storageBytes = (type: QuantizedType, count: number) => Math.ceil((count * bitsOf[type]) / 8);

const disposeSymbol: symbol = (Symbol as { dispose?: symbol }).dispose ?? Symbol.for('Symbol.dispose');

/** @internal What a GEMM needs from a weight, made once per tensor and layout. */
export interface PackedWeights {
  block: Block;
  k: number;
  n: number;
  /** Σ_k (w − zp) per column (folded with the input zero point into the bias). */
  colSum: Int32Array;
  /** max_k |w − zp| per column (the int32 overflow bound). */
  colMaxAbs: Int32Array;
  /** Weight scale per column. */
  scale: Float32Array;
  /** int2 weights only: the mask-GEMV layout (qs8-qc2w-gemv), for m = 1. */
  gemv: Block | null;
  /** Requantization plans (bias, scales, params in wasm memory) by quantization key, most recent last. */
  plans: Map<string, { block: Block; bias: Float64Array | null; plan: unknown }>;
}

/** The blocks of one packed form: the packing, the int2 GEMV layout, the plans. */
function packedBlocks(p: PackedWeights): Block[] {
  return [p.block, ...(p.gemv ? [p.gemv] : []), ...Array.from(p.plans.values(), (x) => x.block)];
}

/**
 * For the FinalizationRegistry: the blocks of every packed form in `packed` when the tensor is
 * collected. Made here, outside the class, so that the closure holds the map and not the tensor.
 */
function blocksOf(packed: Map<string, PackedWeights>): () => Block[] {
  return () => Array.from(packed.values()).flatMap(packedBlocks);
}

export class QuantizedTensor {
  readonly type: QuantizedType;
  readonly bits: Bits;
  readonly dims: readonly number[];
  readonly size: number;
  /** One scale per tensor (axis null) or per index along `axis`. */
  readonly scale: Float32Array;
  /** One zero point per tensor or per channel, in the range of `type`. */
  readonly zeroPoint: Int32Array;
  /** The per-channel axis, or null for per-tensor quantization. */
  readonly axis: number | null;
  /** @internal */ readonly block: Block;
  /** @internal */ readonly owner: Owner;
  /** @internal Packed GEMM weights by layout key, made on first use. */
  readonly packed = new Map<string, PackedWeights>();
  private isDisposed = false;

  /** @internal Use `lw.quantize(...)`. */
  constructor(owner: Owner, type: QuantizedType, dims: readonly number[], block: Block, scale: Float32Array,
    zeroPoint: Int32Array, axis: number | null) {
    this.owner = owner;
    this.type = type;
    this.bits = bitsOf[type];
    this.dims = Object.freeze(dims.slice());
    this.size = dims.reduce((a, b) => a * b, 1);
    this.block = block;
    this.scale = scale;
    this.zeroPoint = zeroPoint;
    this.axis = axis;
    owner.registry.register(this, { device: owner.device, block, extra: blocksOf(this.packed) }, this);
  }

  get disposed(): boolean { return this.isDisposed || this.owner.disposed; }

  /** Bytes of wasm memory the values take (packed for int4/int2), not counting packed GEMM copies. */
  get byteLength(): number { return storageBytes(this.type, this.size); }

  /** The integer values, one per element (int4/int2 unpacked and sign-extended into an Int8Array). */
  get data(): Int8Array | Uint8Array {
    this.check('tensor');
    const raw = this.bytes;
    if (this.type === 'uint8') return raw;
    if (this.type === 'int8') return new Int8Array(raw.buffer, raw.byteOffset, raw.length);
    return unpackBits(raw, this.bits, this.size);
  }

  /** A copy of the stored bytes (packed for int4/int2). */
  get bytes(): Uint8Array {
    this.check('tensor');
    return this.owner.device.read(this.block, new Uint8Array(this.byteLength));
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    this.owner.registry.unregister(this);
    if (!this.owner.disposed) {
      this.owner.device.free(this.block);
      for (const key of [...this.packed.keys()]) this.dropPacked(key);
    }
    this.packed.clear();
  }

  /** @internal Frees one packed form (and its plans); a call that packed it and then failed drops it. */
  dropPacked(key: string): void {
    const p = this.packed.get(key);
    if (!p) return;
    this.packed.delete(key);
    for (const b of packedBlocks(p)) this.owner.device.free(b);
  }

  [disposeSymbol](): void { this.dispose(); }

  /** @internal */
  check(arg: string): void {
    if (this.isDisposed) throw new DisposedError(arg, 'a live quantized tensor', 'a disposed quantized tensor');
    if (this.owner.disposed) throw new DisposedError(arg, 'a quantized tensor of a live instance', 'a quantized tensor of a disposed instance');
  }

  toString(): string {
    return `QuantizedTensor(${this.type}, [${this.dims.join(', ')}], ${this.axis === null ? 'per tensor' : `per channel on axis ${this.axis}`})`;
  }
}

/** Packs integers (in range) 8/bits per byte, two's complement, low bits first. */
export function packBits(values: ArrayLike<number>, bits: Bits): Uint8Array {
  if (bits === 8) {
    // A plain loop: Uint8Array.from with a mapping function took ~100 ns per element in V8.
    const out = new Uint8Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = values[i] & 255;
    return out;
  }
  const per = 8 / bits, mask = (1 << bits) - 1;
  const out = new Uint8Array(Math.ceil(values.length / per));
  for (let i = 0; i < values.length; i++) out[(i / per) | 0] |= (values[i] & mask) << ((i % per) * bits);
  return out;
}

/** Inverse of packBits for 4 and 2 bits: sign-extended values. */
export function unpackBits(bytes: Uint8Array, bits: Bits, count: number): Int8Array {
  const out = new Int8Array(count);
  const per = 8 / bits, shift = 32 - bits;
  for (let i = 0; i < count; i++) out[i] = ((bytes[(i / per) | 0] >> ((i % per) * bits)) << shift) >> shift;
  return out;
}
