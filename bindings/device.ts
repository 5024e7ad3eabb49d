// The device: one instantiated build plus its arena. This is the boundary src/ talks to; it
// hands out opaque Blocks and takes byte offsets, so no pointer ever reaches the public API.
import { instantiate, compileBuild, detectFeatures, isWasmModule, buildOfModule,
  type BuildName, type Features, type KernelModule } from './module.js';
import { Arena } from './memory.js';
import { batchedGemmPlan, batchedPlanThreads, batchedScratchBytes, chooseGemmKernel, gemm, gemmScratchBytes, packWeights, packedABytes, packedBytes,
  regroupScratchBytes, regroupWeights, setPackedBias, type WeightLayout } from './gemm.js';
import type { GemmKernelInfo } from './kernels.js';
import { maxThreads, runPlan } from './exec.js';
import { OutOfMemoryError, UnsupportedError, ValueError } from './errors.js';

/** A region of wasm memory. Only bindings/ reads `ptr`. */
export class Block {
  constructor(readonly ptr: number, readonly bytes: number, readonly generation: number) {}
}

export interface DeviceOptions {
  module?: WebAssembly.Module;
  build?: BuildName;
  /** Bytes of wasm memory the device may use at most (checked by the caller: a multiple of 64 KiB, ≤ 4 GiB). */
  maxMemory?: number;
  /** The threads build's shared memory, when the caller reserved it (reserveSharedMemory). */
  memory?: WebAssembly.Memory;
}

/** What allocAll gives for one request: a Block, or null for a null request (distributes over unions). */
type Allocated<T> = T extends null ? null : Block;

export class Device {
  readonly kmod: KernelModule;
  readonly arena: Arena;
  readonly features: Features;
  /** Bumped by reset(): Blocks of an older generation are stale and never freed twice. */
  generation = 0;

  private constructor(kmod: KernelModule, features: Features, maxMemory?: number) {
    this.kmod = kmod;
    this.features = features;
    this.arena = new Arena(kmod.memory, kmod.exports.heap_base(), maxMemory);
  }

  static async create(opts: DeviceOptions = {}): Promise<Device> {
    const features = detectFeatures();
    if (!features.simd) {
      throw new UnsupportedError('runtime', 'WebAssembly SIMD128 support', 'no SIMD',
        'every lanewise build uses SIMD128; update the browser or runtime');
    }
    let module: WebAssembly.Module;
    if (opts.module !== undefined) {
      if (!isWasmModule(opts.module)) throw new ValueError('options.module', 'a WebAssembly.Module', opts.module);
      module = opts.module;
      if (opts.build !== undefined && opts.build !== buildOfModule(module)) {
        throw new ValueError('options.build', `'${buildOfModule(module)}' (the build of options.module)`, opts.build);
      }
    } else {
      const build = opts.build ?? 'simd';
      if (build !== 'simd' && build !== 'simd-mt') throw new ValueError('options.build', "'simd' or 'simd-mt'", build);
      if (build === 'simd-mt' && !features.threads) {
        throw new UnsupportedError('options.build', 'a runtime with shared WebAssembly memory', 'none');
      }
      module = await compileBuild(build);
    }
    const kmod = await instantiate(module, opts.memory, opts.maxMemory === undefined ? undefined : opts.maxMemory / 65536);
    return new Device(kmod, features, opts.maxMemory);
  }

  get build(): BuildName { return this.kmod.build; }

  /** Bytes of wasm memory this device may grow to. */
  get memoryLimit(): number { return this.arena.limit; }

  alloc(bytes: number, what: string): Block {
    return new Block(this.arena.alloc(bytes, what), bytes, this.generation);
  }

  free(b: Block): void {
    if (b.generation === this.generation) this.arena.free(b.ptr);
  }

  /**
   * One block per request ([bytes, what]; null gives null), all or none: when one does not fit,
   * the blocks already allocated are freed before the OutOfMemoryError goes on, so a call that
   * fails for memory leaves the arena as it found it.
   */
  allocAll<const R extends readonly (readonly [number, string] | null)[]>(...reqs: R): { -readonly [I in keyof R]: Allocated<R[I]> } {
    const got: (Block | null)[] = [];
    try {
      for (const r of reqs) got.push(r ? this.alloc(r[0], r[1]) : null);
    } catch (e) {
      for (const b of got) if (b) this.free(b);
      throw e;
    }
    return got as { -readonly [I in keyof R]: Allocated<R[I]> };
  }

  /**
   * allocAll, or null (nothing held) when a block does not fit: for drivers whose faster route
   * needs more scratch and that then take the route that needs less.
   */
  allocAllOrNull<const R extends readonly (readonly [number, string] | null)[]>(...reqs: R): { -readonly [I in keyof R]: Allocated<R[I]> } | null {
    try {
      return this.allocAll(...reqs);
    } catch (e) {
      if (e instanceof OutOfMemoryError) return null;
      throw e;
    }
  }

  /** Frees the given blocks (nulls skipped), last first. */
  freeAll(...blocks: (Block | null)[]): void {
    for (let i = blocks.length - 1; i >= 0; i--) if (blocks[i]) this.free(blocks[i]!);
  }

  /** Frees every block at once. */
  reset(): void {
    this.generation++;
    this.arena.reset();
  }

  write(b: Block, src: ArrayBufferView, byteOffset = 0): void {
    this.arena.u8.set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength), b.ptr + byteOffset);
  }

  read<T extends ArrayBufferView>(b: Block, out: T, byteOffset = 0): T {
    const dst = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    dst.set(this.arena.u8.subarray(b.ptr + byteOffset, b.ptr + byteOffset + out.byteLength));
    return out;
  }

  /** Sets every byte of a block. */
  fill(b: Block, byte: number): void {
    this.arena.u8.fill(byte, b.ptr, b.ptr + b.bytes);
  }

  /** A live f32 view of a block (valid until the next allocation). */
  viewF32(b: Block, byteOffset = 0, length = (b.bytes - byteOffset) >> 2): Float32Array {
    return this.arena.f32At(b.ptr + byteOffset, length);
  }

  /** A live byte view of a block (valid until the next allocation). */
  viewU8(b: Block): Uint8Array {
    return this.arena.u8At(b.ptr, b.bytes);
  }

  packedGemmBytes(n: number, k: number): number { return packedBytes(n, k); }

  /**
   * Packs B (k×n, or n×k when transposed) from `b` at byte offset `off` into `out` (a block of
   * packedGemmBytes(n, k)), with zero bias slots.
   */
  packGemm(b: Block, off: number, k: number, n: number, transposed: boolean, out: Block): void {
    packWeights(this.kmod, n, k, b.ptr + off, transposed, 0, out.ptr);
  }

  /** Rewrites the bias slots of packed weights (zeros when `bias` is null). */
  setPackedBias(w: Block, n: number, k: number, bias: Float32Array | null, layout: WeightLayout = 'panels'): void {
    setPackedBias(this.arena, n, k, w.ptr, bias, layout);
  }

  /**
   * Runs every GEMM kernel on small problems so the engine's optimizing tier has compiled
   * them before the first user call (V8 starts wasm in its baseline compiler at ~30% speed).
   */
  warmUp(rounds = 24): void {
    const m = 8, n = 40, k = 64;
    const [a, w, c, s] = this.allocAll([m * k * 4, 'warm-up'], [packedBytes(n, k), 'warm-up'], [m * n * 4, 'warm-up'],
      [Math.max(packedABytes(m, k, 4), regroupScratchBytes(k)), 'warm-up']);
    try {
      this.arena.u8.fill(0, a.ptr, a.ptr + a.bytes);
      this.arena.u8.fill(0, w.ptr, w.ptr + w.bytes);
      for (let i = 0; i < rounds; i++) {
        for (const rows of [m, 1]) {
          for (const transposeA of [false, true]) {
            gemm(this.kmod, { m: rows, n, k, a: a.ptr, aStride: (transposeA ? rows : k) * 4, transposeA, w: w.ptr,
              c: c.ptr, cStride: n * 4, min: -Infinity, max: Infinity, scratch: s.ptr });
          }
        }
        // The rows GEMV and the layout conversion (zero weights read the same in both layouts).
        gemm(this.kmod, { m: 1, n, k, a: a.ptr, aStride: k * 4, transposeA: false, w: w.ptr, c: c.ptr, cStride: n * 4,
          min: -Infinity, max: Infinity, scratch: s.ptr }, chooseGemmKernel(1, 'rows'));
        regroupWeights(this.kmod, n, k, w.ptr, s.ptr, i & 1 ? 'panels' : 'rows');
      }
    } finally {
      this.freeAll(a, w, c, s);
    }
  }

  /** Converts packed weights (n columns, k rows) in place to `to` (see WeightLayout). */
  regroup(w: Block, n: number, k: number, to: WeightLayout): void {
    const scratch = this.alloc(regroupScratchBytes(k), 'scratch (regroup)');
    try {
      regroupWeights(this.kmod, n, k, w.ptr, scratch.ptr, to);
    } finally {
      this.free(scratch);
    }
  }

  /**
   * The `batches` GEMMs of a batched matMul that does not fold into one (batchedGemmPlan) as one
   * plan of whole batches, when batchedPlanThreads takes them. Batch i reads A at aOff(i) in a,
   * B at bOff(i) in b (packed per batch, with `bias`) or the packed `w` when b is null, and
   * writes its m×n result at i·m·n floats in c. False: nothing ran, the caller runs the batches
   * one GEMM at a time (the same bits).
   */
  gemmBatched(p: { batches: number; m: number; n: number; k: number; a: Block; aOff: (i: number) => number; transposeA: boolean;
    b: Block | null; bOff: (i: number) => number; transposeB: boolean; bias: Float32Array | null; w: Block | null;
    c: Block; min: number; max: number }): boolean {
    const { batches, m, n, k } = p;
    const ops = 2 * batches * m * n * k;
    const threads = batchedPlanThreads(this.kmod, batches, m, n, k, ops);
    if (threads === 0) return false;
    const [s, bias] = this.allocAll([batchedScratchBytes(m, n, k, p.b !== null) * maxThreads(this.kmod), 'scratch (batched gemm)'],
      p.b && p.bias ? [n * 4, 'scratch (bias)'] : null);
    try {
      if (bias) this.write(bias, p.bias!);
      const each = (f: (i: number) => number) => Array.from({ length: batches }, (_, i) => f(i));
      const plan = batchedGemmPlan(this.kmod, {
        batches, m, n, k,
        a: each((i) => p.a.ptr + p.aOff(i)), aStride: (p.transposeA ? m : k) * 4, transposeA: p.transposeA,
        b: p.b ? each((i) => p.b!.ptr + p.bOff(i)) : null, bTransposed: p.transposeB, bias: bias ? bias.ptr : 0,
        w: p.w ? p.w.ptr : 0, c: each((i) => p.c.ptr + i * m * n * 4), cStride: n * 4, min: p.min, max: p.max,
      }, threads, s.ptr);
      runPlan(this.kmod, plan, ops);
    } finally {
      this.freeAll(s, bias);
    }
    return true;
  }

  /**
   * The scratch of gemm() for m×k by k×n under `kern`, and whether K runs in slices: the sliced
   * GEMM's scratch when it fits, else (the slices' ~1 MiB of copied weights refused) the
   * unsliced one, which gives the same bits. Null when the kernel needs none. Free it after.
   */
  gemmScratch(m: number, n: number, k: number, transposeA: boolean, kern: GemmKernelInfo): { scratch: Block | null; sliceK: boolean } {
    const sliced = gemmScratchBytes(m, n, k, transposeA, kern), whole = gemmScratchBytes(m, n, k, transposeA, kern, false);
    if (sliced > whole) {
      const got = this.allocAllOrNull([sliced, 'scratch (a, K slices)']);
      if (got) return { scratch: got[0], sliceK: true };
    }
    return { scratch: whole > 0 ? this.alloc(whole, 'scratch (a)') : null, sliceK: false };
  }

  /**
   * C[m×n] (at cOff in c) = clamp(A·W + bias). A is m×k at aOff in a, or k×m when transposeA
   * (the A packing reads either layout, so a transpose costs no extra pass).
   */
  gemm(p: { m: number; n: number; k: number; a: Block; aOff: number; transposeA: boolean;
    w: Block; c: Block; cOff: number; min: number; max: number; layout?: WeightLayout }): void {
    if (p.m === 0 || p.n === 0) return;
    const kern = chooseGemmKernel(p.m, p.layout);
    const { scratch, sliceK } = this.gemmScratch(p.m, p.n, p.k, p.transposeA, kern);
    try {
      gemm(this.kmod, { m: p.m, n: p.n, k: p.k, a: p.a.ptr + p.aOff, aStride: (p.transposeA ? p.m : p.k) * 4,
        transposeA: p.transposeA, w: p.w.ptr, c: p.c.ptr + p.cOff, cStride: p.n * 4, min: p.min, max: p.max,
        scratch: scratch ? scratch.ptr : 0, sliceK }, kern);
    } finally {
      if (scratch) this.free(scratch);
    }
  }
}
