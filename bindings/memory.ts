// The arena: every tensor, packed weight and scratch buffer lives in wasm linear memory,
// 64-byte aligned (a cache line, and what SIMD loads like best). Kernels allocate nothing;
// all allocation happens here, on the calling thread.
import { OutOfMemoryError, ValueError } from './errors.js';

export const ALIGN = 64;
const PAGE = 65536;
/** wasm32 addresses 4 GiB at most (65 536 pages). */
export const MAX_BYTES = 65536 * PAGE;

const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;

interface Block { ptr: number; size: number; }

export class Arena {
  readonly memory: WebAssembly.Memory;
  private readonly base: number;
  private top: number;
  private readonly live = new Map<number, number>();
  /** Free blocks below `top`, sorted by address, never adjacent (always coalesced). */
  private readonly freeList: Block[] = [];
  private cachedBuffer: ArrayBufferLike | null = null;
  private f32View = new Float32Array(0);
  private u8View = new Uint8Array(0);
  /** The most bytes of wasm memory this arena may grow to (a multiple of 64 KiB). */
  readonly limit: number;

  constructor(memory: WebAssembly.Memory, heapBase: number, limit = MAX_BYTES) {
    this.memory = memory;
    this.base = alignUp(Math.max(heapBase, ALIGN), ALIGN);
    this.top = this.base;
    this.limit = Math.min(Math.floor(limit / PAGE) * PAGE, MAX_BYTES);
  }

  /** Bytes handed out and not yet freed. */
  get bytesInUse(): number {
    let n = 0;
    for (const s of this.live.values()) n += s;
    return n;
  }

  get blockCount(): number { return this.live.size; }

  private outOfMemory(what: string, ptr: number, bytes: number): OutOfMemoryError {
    const why = this.limit === MAX_BYTES ? 'wasm32 memory is 4 GiB at most' : `the instance's maxMemory is ${this.limit} bytes`;
    return new OutOfMemoryError(what, `at most ${Math.max(0, this.limit - ptr)} more bytes (${why})`, `${bytes} bytes`);
  }

  alloc(bytes: number, what: string): number {
    // A size past the limit (even past 2^53: dims whose product no float holds exactly) is out
    // of memory; a negative or fractional count is a driver's bug.
    if (bytes > this.limit) throw this.outOfMemory(what, this.top, bytes);
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw new ValueError(what, 'a byte count ≥ 0', bytes);
    const size = alignUp(Math.max(bytes, 1), ALIGN);
    let best = -1;
    for (let i = 0; i < this.freeList.length; i++) {
      const b = this.freeList[i];
      if (b.size >= size && (best < 0 || b.size < this.freeList[best].size)) best = i;
    }
    if (best >= 0) {
      const b = this.freeList[best];
      const ptr = b.ptr;
      if (b.size === size) this.freeList.splice(best, 1);
      else { b.ptr += size; b.size -= size; }
      this.live.set(ptr, size);
      return ptr;
    }
    const ptr = this.top;
    const end = ptr + size;
    if (end > this.limit) throw this.outOfMemory(what, ptr, bytes);
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      // Grow by at least 1/8 of the current size so repeated small growths stay amortized.
      const need = Math.ceil((end - have) / PAGE);
      const want = Math.min(Math.max(need, Math.ceil(have / PAGE / 8)), this.limit / PAGE - have / PAGE);
      try {
        this.memory.grow(want);
      } catch {
        try { this.memory.grow(need); } catch (e) {
          throw new OutOfMemoryError(what, `memory to grow by ${need * PAGE} bytes`, `${bytes} bytes`, (e as Error).message);
        }
      }
    }
    this.top = end;
    this.live.set(ptr, size);
    return ptr;
  }

  free(ptr: number): void {
    const size = this.live.get(ptr);
    if (size === undefined) return;
    this.live.delete(ptr);
    const list = this.freeList;
    if (ptr + size === this.top) {
      this.top = ptr;
      const last = list[list.length - 1];
      if (last && last.ptr + last.size === this.top) { this.top = last.ptr; list.pop(); }
      return;
    }
    let lo = 0, hi = list.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (list[mid].ptr < ptr) lo = mid + 1; else hi = mid; }
    const prev = list[lo - 1], next = list[lo];
    if (prev && prev.ptr + prev.size === ptr) {
      prev.size += size;
      if (next && prev.ptr + prev.size === next.ptr) { prev.size += next.size; list.splice(lo, 1); }
    } else if (next && ptr + size === next.ptr) {
      next.ptr = ptr; next.size += size;
    } else {
      list.splice(lo, 0, { ptr, size });
    }
  }

  /** Frees everything at once (instance dispose). */
  reset(): void {
    this.live.clear();
    this.freeList.length = 0;
    this.top = this.base;
  }

  private refresh(): void {
    const buf = this.memory.buffer;
    if (buf !== this.cachedBuffer) {
      this.cachedBuffer = buf;
      this.f32View = new Float32Array(buf);
      this.u8View = new Uint8Array(buf);
    }
  }

  /** A Float32Array over the whole memory, current after any growth. */
  get f32(): Float32Array { this.refresh(); return this.f32View; }
  get u8(): Uint8Array { this.refresh(); return this.u8View; }
  /** A view of `length` floats at `ptr`: valid until the next allocation. */
  f32At(ptr: number, length: number): Float32Array { return new Float32Array(this.memory.buffer, ptr, length); }
  u8At(ptr: number, length: number): Uint8Array { return new Uint8Array(this.memory.buffer, ptr, length); }
}
