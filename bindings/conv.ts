// The convolution and pooling drivers: indirection buffers, weight packing and the generic loops
// around the f32-igemm, f32-dwconv, f32-maxpool and f32-avgpool microkernels (and the f32 GEMM
// for 1×1 convolutions). Pointers in, nothing validated here: src/ops has checked every shape.
//
// One reduction order for every f32 convolution route: acc = bias; for each tap (kh, kw)
// ascending, for each input channel of the group ascending: acc = acc + x·w (separate mul and
// add); padding taps read a zero row, i.e. add 0·w; then clamp. GEMM (1×1), IGEMM and the
// depthwise kernels all follow it, so the route the driver picks never changes a bit.
import type { Block, Device } from './device.js';
import { OutOfMemoryError } from './errors.js';
import { kernelsOf, type AvgpoolKernelInfo, type DwconvKernelInfo, type MaxpoolKernelInfo } from './kernels.js';
import { chooseGemmKernel, gemm, IGEMM_ENTRY_ROWS, IGEMM_PARAMS_BYTES, igemmCalls, kSlices, packedBytes, PANEL, writeIgemmParams, writePackedBias } from './gemm.js';
import { Calls, nBlockColumns } from './exec.js';

/** Everything about one 2-D convolution or pooling window, NHWC. */
export interface ConvGeometry {
  n: number; ih: number; iw: number; ci: number;
  oh: number; ow: number; co: number;
  kh: number; kw: number;
  sh: number; sw: number;
  dh: number; dw: number;
  /** Padding: top, bottom, left, right. */
  pt: number; pb: number; pl: number; pr: number;
  groups: number;
}

/**
 * Which driver runs a convolution: GEMM (1×1, stride 1, unpadded), IGEMM, the depthwise kernels,
 * or, for a depthwise convolution with a channel multiplier above 1, the depthwise kernels on
 * the input's channels repeated ('dwconv-rep'). The f32 driver runs 'gemm' through the IGEMM,
 * which reads the input in place: the GEMM's pass packing it cost 4–10% of a 1×1 convolution
 * on one thread and up to half on two, where it ran on the calling thread alone (2026-11-24,
 * docs/conv.md). With 256 pixels or more and above 768 input channels (one group) it runs the
 * GEMM driver, which reads the rows in place too and runs K in slices (convGemmRows). The
 * binary16 driver runs 'gemm' as its binary16 GEMM (bindings/f16.ts).
 */
export type ConvRoute = 'gemm' | 'igemm' | 'dwconv' | 'dwconv-rep';

/** 'dwconv' packing: depthwise with multiplier 1. Everything else packs as GEMM panels per group. */
export function packingOf(ci: number, co: number, groups: number): 'panels' | 'dwconv' {
  return groups === ci && co === ci ? 'dwconv' : 'panels';
}

/**
 * The route of one call: a 1×1, stride 1, unpadded convolution is a GEMM. A depthwise one with
 * multiplier M > 1 (one group per input channel, M outputs each: 'panels' packing) repeats its
 * input's channels and runs the depthwise kernels: with K = kh·kw the IGEMM's tiles do little
 * work per store, and below M = 8 they fill only M of 8 panel columns. The repeated route ran
 * 1.3–6.0× faster than the IGEMM from M = 2 to 64 (2026-11-24; docs/conv.md).
 */
export function routeOf(g: ConvGeometry): ConvRoute {
  if (packingOf(g.ci, g.co, g.groups) === 'dwconv') return 'dwconv';
  if (g.groups === g.ci && g.co > g.ci) return 'dwconv-rep';
  if (g.kh === 1 && g.kw === 1 && g.sh === 1 && g.sw === 1 && g.pt + g.pb + g.pl + g.pr === 0) return 'gemm';
  return 'igemm';
}

const PAD_ENTRY = 0xffffffff;
const DW_TILE = 8;

const igemmKernels = kernelsOf('f32-igemm');
const dwKernels = kernelsOf('f32-dwconv');
const repKernel = kernelsOf('x32-rep')[0];
const packW = kernelsOf('f32-packw').find((p) => p.layout === 'goi')!;
const maxpoolKernels = kernelsOf('f32-maxpool');
const avgpoolKernels = kernelsOf('f32-avgpool');

/**
 * The depthwise kernel for a kh×kw window: the first registered unrolled one for its taps ('direct'
 * kernels only for 3×3), else the generic one.
 */
export function chooseDwKernel(kh: number, kw: number) {
  const ks = kh * kw;
  return dwKernels.find((k) => k.taps === ks && (k.pointers !== 'direct' || (kh === 3 && kw === 3)))
    ?? dwKernels.find((k) => k.taps === null)!;
}

// ---------------------------------------------------------------------------------------------
// Weights

/** Bytes of packed weights for a filter with `co` outputs, kh·kw taps and ci/groups inputs per group. */
export function packedConvBytes(co: number, kh: number, kw: number, cig: number, groups: number, packing: 'panels' | 'dwconv'): number {
  const ks = kh * kw;
  if (packing === 'dwconv') return Math.ceil(co / DW_TILE) * (DW_TILE + DW_TILE * ks) * 4;
  return groups * packedBytes(co / groups, ks * cig);
}

/**
 * Packs an OHWI filter (o = group·co/groups + j, then kh, kw, ci of the group) and an optional
 * bias into `out` (packedConvBytes). 'panels': each group's O×K rows go through the f32-packw
 * 'goi' kernel; 'dwconv': [ceil(C/8)][bias 8][ks][8], built here.
 */
export function packConv(dev: Device, ohwi: Float32Array, bias: Float32Array | null, co: number, kh: number, kw: number,
  cig: number, groups: number, packing: 'panels' | 'dwconv', out: Block): void {
  const ks = kh * kw;
  if (packing === 'dwconv') {
    const tileFloats = DW_TILE + DW_TILE * ks;
    const p = new Float32Array(Math.ceil(co / DW_TILE) * tileFloats);
    for (let c = 0; c < co; c++) {
      const t = Math.floor(c / DW_TILE) * tileFloats, lane = c % DW_TILE;
      p[t + lane] = bias ? bias[c] : 0;
      for (let s = 0; s < ks; s++) p[t + DW_TILE + s * DW_TILE + lane] = ohwi[c * ks + s];
    }
    dev.write(out, p);
    return;
  }
  const og = co / groups, k = ks * cig;
  const [src, b] = dev.allocAll([ohwi.byteLength, 'filter (scratch)'], bias ? [bias.byteLength, 'bias (scratch)'] : null);
  try {
    dev.write(src, ohwi);
    if (b && bias) dev.write(b, bias);
    const groupBytes = packedBytes(og, k);
    for (let gi = 0; gi < groups; gi++) {
      dev.kmod.exports[packW.name](og, k, src.ptr + gi * og * k * 4, k * 4, b ? b.ptr + gi * og * 4 : 0, out.ptr + gi * groupBytes);
    }
  } finally {
    dev.freeAll(src, b);
  }
}

/** Rewrites the bias slots of packed weights (zeros when `bias` is null). */
export function setConvBias(dev: Device, w: Block, bias: Float32Array | null, co: number, ks: number, cig: number,
  groups: number, packing: 'panels' | 'dwconv'): void {
  writeConvBias(dev.viewF32(w), 0, bias, co, ks, cig, groups, packing);
}

/**
 * setConvBias on any element view (`base`: the filter's first element): the f32 and the
 * binary16 packings have the same layout in elements.
 */
export function writeConvBias(view: Float32Array | Uint16Array, base: number, bias: Float32Array | Uint16Array | null,
  co: number, ks: number, cig: number, groups: number, packing: 'panels' | 'dwconv'): void {
  if (packing === 'dwconv') {
    const tileElems = DW_TILE + DW_TILE * ks;
    for (let c0 = 0, t = base; c0 < co; c0 += DW_TILE, t += tileElems) {
      for (let j = 0; j < DW_TILE; j++) view[t + j] = bias && c0 + j < co ? bias[c0 + j] : 0;
    }
    return;
  }
  const og = co / groups, k = ks * cig, groupElems = packedBytes(og, k) / 4;
  for (let gi = 0; gi < groups; gi++) {
    writePackedBias(view, base + gi * groupElems, og, k, bias ? bias.subarray(gi * og, (gi + 1) * og) : null);
  }
}

// ---------------------------------------------------------------------------------------------
// Indirection

/**
 * Refuses (OutOfMemoryError on `arg`) a window whose indirection buffer for `g` would pass
 * `limit` bytes: a large window on a large output (a 300×300 filter with 'same' padding: 8.1 G
 * entries) would pass what a JS array can hold before the wasm allocation could refuse it.
 */
export function checkIndirection(g: ConvGeometry, tile: 1 | 4, limit: number, arg: string): void {
  const pixels = Math.ceil((g.oh * g.ow) / tile) * tile;
  if (pixels * g.kh * g.kw * 4 > limit) {
    throw new OutOfMemoryError(arg, `at most ${Math.floor(limit / 4 / pixels)} taps for a ${g.oh}×${g.ow} output (4 bytes per tap and output pixel, ${limit} bytes of wasm memory at most)`,
      [g.kh, g.kw]);
  }
}

/**
 * Indirection entries for one image: for output pixel p and tap s, the byte offset of the input
 * pixel the tap reads (channel 0), or PAD_ENTRY for padding. `tile` = 4 lays them out as the
 * IGEMM reads them ([ceil(P/4)][ks][4], rows past P repeat the last pixel); `tile` = 1 as
 * [P][ks] for the depthwise and pooling kernels.
 */
export function indirection(g: ConvGeometry, tile: 1 | 4, limit: number): Uint32Array {
  const ks = g.kh * g.kw, P = g.oh * g.ow, rowBytes = g.ci * 4;
  const tiles = Math.ceil(P / tile);
  checkIndirection(g, tile, limit, 'filter.dims');
  const out = new Uint32Array(Math.max(1, tiles * ks * tile));
  for (let t = 0; t < tiles; t++) {
    for (let r = 0; r < tile; r++) {
      const p = Math.min(t * tile + r, P - 1);
      const oy = Math.floor(p / g.ow), ox = p - oy * g.ow;
      for (let ky = 0; ky < g.kh; ky++) {
        const iy = oy * g.sh - g.pt + ky * g.dh;
        const rowOk = iy >= 0 && iy < g.ih;
        for (let kx = 0; kx < g.kw; kx++) {
          const ix = ox * g.sw - g.pl + kx * g.dw;
          const s = ky * g.kw + kx;
          out[(t * ks + s) * tile + r] = rowOk && ix >= 0 && ix < g.iw ? (iy * g.iw + ix) * rowBytes : PAD_ENTRY;
        }
      }
    }
  }
  return out;
}

/**
 * Whether some window of `g` holds only padding. A window's taps inside the image are its rows
 * inside times its columns inside (validTaps), so one axis at a time suffices: O(oh·kh + ow·kw),
 * not a pass over every output pixel.
 */
export function hasEmptyWindow(g: ConvGeometry): boolean {
  const axis = (out: number, k: number, stride: number, pad: number, dil: number, size: number): boolean => {
    for (let o = 0; o < out; o++) {
      let inside = false;
      for (let t = 0; t < k && !inside; t++) { const i = o * stride - pad + t * dil; inside = i >= 0 && i < size; }
      if (!inside) return true;
    }
    return false;
  };
  return axis(g.oh, g.kh, g.sh, g.pt, g.dh, g.ih) || axis(g.ow, g.kw, g.sw, g.pl, g.dw, g.iw);
}

/** Per output pixel: the number of taps inside the image (avg pooling without the padding). */
export function validTaps(g: ConvGeometry): Float32Array {
  const out = new Float32Array(g.oh * g.ow);
  for (let oy = 0; oy < g.oh; oy++) {
    let rows = 0;
    for (let ky = 0; ky < g.kh; ky++) { const iy = oy * g.sh - g.pt + ky * g.dh; if (iy >= 0 && iy < g.ih) rows++; }
    for (let ox = 0; ox < g.ow; ox++) {
      let cols = 0;
      for (let kx = 0; kx < g.kw; kx++) { const ix = ox * g.sw - g.pl + kx * g.dw; if (ix >= 0 && ix < g.iw) cols++; }
      out[oy * g.ow + ox] = rows * cols;
    }
  }
  return out;
}

const geometryKey = (g: ConvGeometry, tile: number) =>
  [tile, g.ih, g.iw, g.ci, g.oh, g.ow, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl].join(',');

/** What an IndirectionCache holds in wasm memory. */
interface CacheBlocks { dev: Device; entries: Map<string, Block>; zero: Block | null; }

function freeCacheBlocks(s: CacheBlocks): void {
  for (const b of s.entries.values()) s.dev.free(b);
  s.entries.clear();
  if (s.zero) { s.dev.free(s.zero); s.zero = null; }
}

// The backstop for caches dropped without clear() (packed weights left to the garbage collector),
// as the tensors' registry frees their blocks. Blocks of a reset instance are skipped by
// Device.free. workerd has no FinalizationRegistry: there clear() (dispose) is the only way.
const cacheRegistry = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<CacheBlocks>(freeCacheBlocks) : null;

/**
 * Indirection buffers live in wasm memory and depend only on the geometry (entries are offsets
 * from the image), so a packed convolution keeps the last few and reuses them for every input
 * of the same shape, as XNNPACK does at operator setup.
 */
export class IndirectionCache {
  // Held apart from the cache object so that the registry can free it once the cache is gone.
  private readonly blocks: CacheBlocks;
  constructor(private readonly dev: Device, private readonly capacity = 4) {
    this.blocks = { dev, entries: new Map(), zero: null };
    cacheRegistry?.register(this, this.blocks);
  }

  // The last lookup, compared field by field: a layer runs again and again with one shape, and
  // comparing 14 numbers costs less than building the string key and the Map lookup (13% of
  // the profile of a small depthwise call).
  private last: { g: ConvGeometry; tile: number; block: Block } | null = null;

  private memo(g: ConvGeometry, tile: number): Block | null {
    const l = this.last;
    if (l === null || l.tile !== tile) return null;
    const a = l.g;
    return a.ih === g.ih && a.iw === g.iw && a.ci === g.ci && a.oh === g.oh && a.ow === g.ow && a.kh === g.kh && a.kw === g.kw
      && a.sh === g.sh && a.sw === g.sw && a.dh === g.dh && a.dw === g.dw && a.pt === g.pt && a.pl === g.pl ? l.block : null;
  }

  get(g: ConvGeometry, tile: 1 | 4): Block {
    const memo = this.memo(g, tile);
    if (memo) return memo;
    const block = this.getByKey(g, tile);
    this.last = { g, tile, block };
    return block;
  }

  private getByKey(g: ConvGeometry, tile: 1 | 4): Block {
    const key = geometryKey(g, tile);
    const hit = this.lookup(key);
    if (hit) return hit;
    const ind = indirection(g, tile, this.dev.memoryLimit);
    const block = this.dev.alloc(ind.byteLength, 'indirection buffer');
    this.dev.write(block, ind);
    this.insert(key, block);
    return block;
  }

  /** The direct depthwise kernel's geometry block: i32 [ih, iw, ow, sh, sw, dh, dw, pt, pl]. */
  geometry(g: ConvGeometry): Block {
    const memo = this.memo(g, 0);
    if (memo) return memo;
    const key = geometryKey(g, 0);
    let block = this.lookup(key);
    if (!block) {
      block = this.dev.alloc(36, 'convolution geometry');
      this.dev.write(block, new Int32Array([g.ih, g.iw, g.ow, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl]));
      this.insert(key, block);
    }
    this.last = { g, tile: 0, block };
    return block;
  }

  private lookup(key: string): Block | undefined {
    const entries = this.blocks.entries;
    const hit = entries.get(key);
    if (hit) { entries.delete(key); entries.set(key, hit); }
    return hit;
  }

  private insert(key: string, block: Block): void {
    this.last = null;
    const entries = this.blocks.entries;
    entries.set(key, block);
    if (entries.size > this.capacity) {
      const [oldKey, old] = entries.entries().next().value as [string, Block];
      entries.delete(oldKey);
      this.dev.free(old);
    }
  }

  /** A row of at least `floats` zeros (padding taps read it), kept between calls. */
  zeroRow(floats: number): Block {
    const b = this.blocks;
    if (b.zero && b.zero.bytes >= floats * 4 + 64) return b.zero;
    if (b.zero) this.dev.free(b.zero);
    b.zero = padRow(this.dev, floats, 0);
    return b.zero;
  }

  /** Frees every block now (the cache stays usable). */
  clear(): void { this.last = null; freeCacheBlocks(this.blocks); }
}

/** The bytes of a padding row of `floats` values (the kernels may read up to 64 bytes past it). */
const padRowBytes = (floats: number) => floats * 4 + 64;

/** A row of `floats` copies of `value` (zeros for padding taps, -Infinity for max pooling). */
function padRow(dev: Device, floats: number, value: number): Block {
  const b = dev.alloc(padRowBytes(floats), 'padding row');
  dev.viewF32(b).fill(value);
  return b;
}

// ---------------------------------------------------------------------------------------------
// Calls: run directly on one thread, or collected into a plan for the worker pool

/**
 * Parameter blocks of the generic depthwise kernel: { aOffset u32, zero u32, vmin f32, vmax f32 },
 * the first 16 bytes of writeIgemmParams' layout.
 */
function paramBlocks(dev: Device, count: number): { block: Block; set(i: number, aOffset: number, zero: number, min: number, max: number): number } {
  const block = dev.alloc(count * IGEMM_PARAMS_BYTES, 'kernel parameters');
  return {
    block,
    set(i, aOffset, zero, min, max) {
      const at = block.ptr + i * IGEMM_PARAMS_BYTES;
      writeIgemmParams(dev.arena.memory.buffer, at, aOffset, zero, min, max);
      return at;
    },
  };
}

/** Multiply-adds ×2 of a convolution: what decides whether a call is worth threads. */
export const convFlops = (g: ConvGeometry) => 2 * g.n * g.oh * g.ow * g.co * g.kh * g.kw * (g.ci / g.groups);

/**
 * A depthwise convolution's cost in the pool's unit (GEMM flops): its kernels run at ~2/3 of
 * the GEMM's flop rate (9 multiply-adds per output, bound by loads: 28–30 against 42–44
 * GFLOPS), so its flops count 1.5×. Counted as plain flops, a 56×56×64 depthwise (3.6M flops,
 * 130 µs) stayed on one thread; on two it takes 73–76 µs.
 */
export const dwconvOps = (g: ConvGeometry) => 1.5 * convFlops(g);

// ---------------------------------------------------------------------------------------------
// Convolution

export interface ConvCall {
  geometry: ConvGeometry;
  x: Block;
  w: Block;
  out: Block;
  min: number;
  max: number;
  /** Reuses indirection buffers across calls; a temporary one is built and freed when absent. */
  cache?: IndirectionCache;
  /** Tests: force a route ('igemm', or 'gemm', which runs as 'igemm', for any packing 'panels'; 'dwconv' needs packing 'dwconv'; 'dwconv-rep' packing 'panels' with one group per input channel) and a kernel. */
  route?: ConvRoute;
  kernel?: string;
  /**
   * Depthwise only, one image (geometry.n = 1): compute output rows [y0, y1) alone, reading the
   * image at address `x` and writing the output image at `out` instead of c.x / c.out. Both are
   * the addresses of row 0 (below the memory actually held when a band starts further down:
   * only the band's rows are read and written). For the binary16 paths' bands (bindings/f16.ts).
   */
  rows?: { y0: number; y1: number; x: number; out: number };
  /**
   * Depthwise only: the operations that decide whether the call runs on the pool, instead of
   * its own. The binary16 paths pass their whole band's (conversions included), so that its
   * passes all run on one thread or all on the pool.
   */
  ops?: number;
}

/** out[n, oh, ow, co] = clamp(conv(x, w) + bias). Weights packed by packConv for this route's packing. */
export function conv2d(dev: Device, c: ConvCall): void {
  const g = c.geometry;
  if (g.n * g.oh * g.ow * g.co === 0) return;
  const route = c.route ?? routeOf(g);
  if (c.rows && (route !== 'dwconv' || g.n !== 1)) throw new Error('lanewise: ConvCall.rows is for one image of a depthwise call');
  if (route === 'dwconv-rep') return convDwRep(dev, c);
  if (route === 'gemm' && g.groups === 1 && !c.route && kSlices(g.n * g.ih * g.iw, g.ci) > 1) return convGemmRows(dev, c);
  const own = c.cache ? null : new IndirectionCache(dev);
  const cache = c.cache ?? own!;
  try {
    if (route === 'dwconv') {
      const kern = dwKernelFor(g, c.kernel);
      // The direct kernel reads a whole padding row from the zero row, and needs no indirection.
      if (kern.pointers === 'direct') convDwDirect(dev, c, kern.name, cache.geometry(g).ptr, cache.zeroRow(g.iw * g.ci).ptr);
      else convDw(dev, c, kern, cache.get(g, 1).ptr, cache.zeroRow(g.ci).ptr);
    } else {
      convIgemm(dev, c, cache.get(g, IGEMM_ENTRY_ROWS).ptr, cache.zeroRow(g.ci).ptr);
    }
  } finally {
    own?.clear();
  }
}

/**
 * A 1×1 convolution (stride 1, unpadded, one group) with more than 768 input channels and 256
 * pixels or more, as the GEMM of its pixels (row-major, K = ci) by the filter's panels (the
 * layout matMul packs): the GEMM driver reads the rows in place and runs K in slices
 * (bindings/gemm.ts kSlices), which the IGEMM driver does not. `lw.conv2d`, the IGEMM driver against this one in one process (best of 11,
 * relu, 2026-11-25): one thread 1.043× at 14×14×1024→256 and 28×28×1024→128, 1.024× for 4
 * images of 14×14×1024→256, 1.00× on 7×7 images; two threads 1.00–1.05×. Same bits: one
 * reduction order.
 */
function convGemmRows(dev: Device, c: ConvCall): void {
  const g = c.geometry, m = g.n * g.ih * g.iw, kern = chooseGemmKernel(m);
  const { scratch, sliceK } = dev.gemmScratch(m, g.co, g.ci, false, kern);
  try {
    gemm(dev.kmod, { m, n: g.co, k: g.ci, a: c.x.ptr, aStride: g.ci * 4, transposeA: false, w: c.w.ptr, c: c.out.ptr, cStride: g.co * 4,
      min: c.min, max: c.max, scratch: scratch ? scratch.ptr : 0, sliceK }, kern);
  } finally {
    if (scratch) dev.free(scratch);
  }
}

// The shortest task of the per-pixel kernels (depthwise through indirection, pooling): a
// pixel is ~10–50 ns of work there, a task claim ~0.1–0.2 µs.
export const PIXELS_PER_TASK = 32;

function convIgemm(dev: Device, c: ConvCall, ind: number, zero: number): void {
  const g = c.geometry;
  const calls = new Calls(dev.kmod, convFlops(g));
  const params = dev.alloc(g.n * g.groups * IGEMM_PARAMS_BYTES, 'kernel parameters');
  try {
    igemmConvCalls(calls, dev.arena.memory.buffer, g, ind, zero, c.x.ptr, c.w.ptr, c.out.ptr, params.ptr, c.min, c.max, c.kernel);
    calls.run();
  } finally {
    dev.free(params);
  }
}

/**
 * The IGEMM convolution's kernel calls, added to `calls` (one stage): per image and group its
 * parameter block, written at `prm` + (b·groups + gi)·IGEMM_PARAMS_BYTES, then spans of pixel
 * tiles per N block of output channels. `x`: the f32 NHWC input; `w`: the filter's f32 panels
 * (packConv, 'panels'); `out`: the f32 NHWC output; `ind`, `zero`: the indirection
 * (IGEMM_ENTRY_ROWS pixels per group of entries) and the padding row. The f32 driver and the
 * binary16 one on widened operands (bindings/f16.ts) both run this. `kernel` (tests) runs
 * every call on that kernel; by default igemmCalls picks per call.
 */
export function igemmConvCalls(calls: Calls, buf: ArrayBufferLike, g: ConvGeometry, ind: number, zero: number,
  x: number, w: number, out: number, prm: number, min: number, max: number, kernel?: string): void {
  const kern = igemmKernels.find((k) => k.name === kernel) ?? null;
  const ks = g.kh * g.kw, cig = g.ci / g.groups, og = g.co / g.groups;
  const P = g.oh * g.ow, mr = IGEMM_ENTRY_ROWS, tiles = Math.ceil(P / mr);
  const panelBytes = (PANEL + PANEL * ks * cig) * 4;
  const groupBytes = packedBytes(og, ks * cig);
  const nBlock = nBlockColumns(og, PANEL, panelBytes);
  const cStride = g.co * 4;
  const spans = calls.spans(g.n * g.groups * Math.ceil(og / nBlock) * tiles);
  for (let b = 0; b < g.n; b++) {
    const image = x + b * g.ih * g.iw * g.ci * 4;
    const outImage = out + b * P * cStride;
    for (let gi = 0; gi < g.groups; gi++) {
      const params = prm + (b * g.groups + gi) * IGEMM_PARAMS_BYTES;
      writeIgemmParams(buf, params, image + gi * cig * 4, zero, min, max);
      for (let n0 = 0; n0 < og; n0 += nBlock) {
        const nc = Math.min(nBlock, og - n0);
        const wb = w + gi * groupBytes + (n0 / PANEL) * panelBytes;
        const ob = outImage + (gi * og + n0) * 4;
        for (const [t0, count] of spans.of(tiles)) {
          const args = [Math.min(count * mr, P - t0 * mr), nc, cig, ks, ind + t0 * ks * mr * 4, wb, ob + t0 * mr * cStride, cStride, params];
          if (kern) calls.task().call(kern.name, args);
          else igemmCalls(args, calls.task());
        }
      }
    }
  }
}

/**
 * Depthwise with multiplier M = co / ci > 1, weights in 'panels' packing (group c: M columns,
 * one row per tap). The input's channels are repeated M times (x32-rep: channel c·M + m is a
 * copy of channel c) and the filter regrouped into the 'dwconv' packing of co channels, so the
 * multiplier-1 route runs on co channels. Same order (bias, then taps ascending), so the same
 * bits as the IGEMM. The repeated input takes M times the input's bytes: where that does not
 * fit, the call runs through the IGEMM instead.
 */
function convDwRep(dev: Device, c: ConvCall): void {
  const g = c.geometry, m = g.co / g.ci, ks = g.kh * g.kw, xCount = g.n * g.ih * g.iw * g.ci;
  const scratch = dev.allocAllOrNull([xCount * m * 4, 'scratch (channels repeated)'],
    [packedConvBytes(g.co, g.kh, g.kw, 1, g.co, 'dwconv'), 'scratch (depthwise filter)']);
  if (!scratch) { conv2d(dev, { ...c, route: 'igemm' }); return; }
  const [xr, wd] = scratch;
  try {
    const panels = dev.viewF32(c.w), groupFloats = packedBytes(m, ks) / 4, panelFloats = PANEL + PANEL * ks;
    const taps = new Float32Array(g.co * ks), bias = new Float32Array(g.co);
    for (let q = 0; q < g.co; q++) {
      const ch = Math.floor(q / m), j = q % m;
      const at = ch * groupFloats + Math.floor(j / PANEL) * panelFloats + (j % PANEL);
      bias[q] = panels[at];
      for (let s = 0; s < ks; s++) taps[q * ks + s] = panels[at + PANEL + s * PANEL];
    }
    packConv(dev, taps, bias, g.co, g.kh, g.kw, 1, g.co, 'dwconv', wd);
    const geometry = { ...g, ci: g.co, groups: g.co };
    const calls = new Calls(dev.kmod, dwconvOps(geometry));
    for (const [i, n] of calls.ranges(xCount)) calls.task().call(repKernel.name, [n, m, c.x.ptr + i * 4, xr.ptr + i * m * 4]);
    calls.run();
    conv2d(dev, { ...c, geometry, x: xr, w: wd, route: 'dwconv' });
  } finally {
    dev.freeAll(xr, wd);
  }
}

/** The depthwise kernel of a call: the forced one (tests) if it fits the window, else chooseDwKernel's. */
function dwKernelFor(g: ConvGeometry, forced: string | undefined) {
  const kern = dwKernels.find((k) => k.name === forced);
  return kern && (kern.pointers !== 'direct' || (g.kh === 3 && g.kw === 3)) ? kern : chooseDwKernel(g.kh, g.kw);
}

/**
 * Depthwise 3×3 through the direct kernel: one call per image (a band of output rows per task
 * with threads); the kernel handles strides, dilations and padding itself.
 */
function convDwDirect(dev: Device, c: ConvCall, name: string, geometry: number, zero: number): void {
  const g = c.geometry;
  const imageBytes = g.ih * g.iw * g.ci * 4, outImageBytes = g.oh * g.ow * g.co * 4;
  const { y0: first, y1: end, x, out } = c.rows ?? { y0: 0, y1: g.oh, x: c.x.ptr, out: c.out.ptr };
  const calls = new Calls(dev.kmod, c.ops ?? dwconvOps(g) * (end - first) / g.oh);
  const spans = calls.spans(g.n * (end - first));
  for (let b = 0; b < g.n; b++) {
    for (const [y0, rows] of spans.of(end - first)) {
      calls.task().call(name, [g.ci, first + y0, first + y0 + rows, x + b * imageBytes, c.w.ptr,
        out + b * outImageBytes, geometry, zero, c.min, c.max]);
    }
  }
  calls.run();
}

function convDw(dev: Device, c: ConvCall, kern: DwconvKernelInfo, ind: number, zero: number): void {
  const g = c.geometry;
  const ks = g.kh * g.kw, P = g.oh * g.ow;
  const imageBytes = g.ih * g.iw * g.ci * 4, outStride = g.co * 4;
  const { y0, y1, x, out: outBase } = c.rows ?? { y0: 0, y1: g.oh, x: c.x.ptr, out: c.out.ptr };
  const first = y0 * g.ow, pixels = (y1 - y0) * g.ow;
  const calls = new Calls(dev.kmod, c.ops ?? dwconvOps(g) * pixels / P);
  const spans = calls.spans(g.n * pixels, PIXELS_PER_TASK);
  const params = kern.taps === null ? paramBlocks(dev, g.n) : null;
  try {
    for (let b = 0; b < g.n; b++) {
      const image = x + b * imageBytes;
      const out = outBase + b * P * outStride;
      const prm = params ? params.set(b, image, zero, c.min, c.max) : 0;
      for (const [q0, np] of spans.of(pixels)) {
        const p0 = first + q0;
        const pind = ind + p0 * ks * 4, pout = out + p0 * outStride;
        if (kern.taps === null) calls.task().call(kern.name, [g.ci, np, ks, pind, c.w.ptr, pout, outStride, prm]);
        else calls.task().call(kern.name, [g.ci, np, pind, c.w.ptr, pout, outStride, image, zero, c.min, c.max]);
      }
    }
    calls.run();
  } finally {
    if (params) dev.free(params.block);
  }
}

// ---------------------------------------------------------------------------------------------
// Pooling

export interface PoolCall {
  /** co = ci, groups = ci. */
  geometry: ConvGeometry;
  x: Block;
  out: Block;
  kind: 'max' | 'avg';
  /** Average pooling: divide by every window tap (true) or by the taps inside the image (false). */
  countIncludePad?: boolean;
  /** Tests: force a kernel of the kind's family (one written for a window size needs that size). */
  kernel?: string;
}

/** The pooling kernel for a window of `ks` taps: the one written for that size, else the generic one. */
function poolKernelFor(kind: 'max' | 'avg', ks: number, forced?: string): MaxpoolKernelInfo | AvgpoolKernelInfo {
  const family: readonly (MaxpoolKernelInfo | AvgpoolKernelInfo)[] = kind === 'max' ? maxpoolKernels : avgpoolKernels;
  if (forced !== undefined) {
    const k = family.find((f) => f.name === forced);
    if (!k || (k.taps !== null && k.taps !== ks)) throw new Error(`lanewise: no ${kind} pooling kernel ${forced} for ${ks} taps`);
    return k;
  }
  return family.find((f) => f.taps === ks) ?? family.find((f) => f.taps === null)!;
}

/**
 * The pooling ops' indirection entries and divisors, by geometry (the last 8, each up to 1 MiB:
 * a 3×3 window over 170×170 outputs): a network pools with the same few shapes again and again,
 * and building them took ~35% of a 3×3 pooling call. They stay in JS and are copied into a block
 * per call (~5 µs for 64×64 outputs), so that an instance holds no wasm memory between calls.
 */
const poolTables = new Map<string, Uint32Array | Float32Array>();
const POOL_TABLE_BYTES = 1 << 20;

function poolTable<T extends Uint32Array | Float32Array>(key: string, make: () => T): T {
  let t = poolTables.get(key) as T | undefined;
  if (t) {
    poolTables.delete(key);
  } else {
    t = make();
    if (t.byteLength > POOL_TABLE_BYTES) return t;
    if (poolTables.size >= 8) poolTables.delete(poolTables.keys().next().value as string);
  }
  poolTables.set(key, t);
  return t;
}

export function pool(dev: Device, p: PoolCall): void {
  const g = p.geometry;
  const P = g.oh * g.ow, ks = g.kh * g.kw;
  if (g.n * P * g.ci === 0) return;
  const ind = poolTable(geometryKey(g, 1), () => indirection(g, 1, dev.memoryLimit));
  const [indB, padB] = dev.allocAll([ind.byteLength, 'indirection buffer'], [padRowBytes(g.ci), 'padding row']);
  let divB: Block | null = null;
  try {
    dev.write(indB, ind);
    dev.viewF32(padB).fill(p.kind === 'max' ? -Infinity : 0);
    if (p.kind === 'avg') {
      const div = poolTable(geometryKey(g, p.countIncludePad ? -1 : -2),
        () => (p.countIncludePad ? new Float32Array(P).fill(ks) : validTaps(g)));
      divB = dev.alloc(div.byteLength, 'divisors');
      dev.write(divB, div);
    }
    const name = poolKernelFor(p.kind, ks, p.kernel).name;
    const calls = new Calls(dev.kmod, g.n * P * g.ci * ks);
    const spans = calls.spans(g.n * P, PIXELS_PER_TASK);
    for (let b = 0; b < g.n; b++) {
      const image = p.x.ptr + b * g.ih * g.iw * g.ci * 4;
      const out = p.out.ptr + b * P * g.ci * 4;
      for (const [p0, np] of spans.of(P)) {
        const pind = indB.ptr + p0 * ks * 4, pout = out + p0 * g.ci * 4;
        if (p.kind === 'max') calls.task().call(name, [g.ci, np, ks, pind, pout, g.ci * 4, image, padB.ptr]);
        else calls.task().call(name, [g.ci, np, ks, pind, divB!.ptr + p0 * 4, pout, g.ci * 4, image, padB.ptr]);
      }
    }
    calls.run();
  } finally {
    dev.freeAll(indB, padB, divB);
  }
}

// ---------------------------------------------------------------------------------------------
// Elementwise

const vadd = kernelsOf('f32-vadd');
const vaddFull = vadd.find((k) => k.broadcast === 'none')!;
const vaddScalar = vadd.find((k) => k.broadcast === 'scalar')!;
const vaddRows = vadd.find((k) => k.broadcast === 'row')!;
const vclamp = kernelsOf('f32-vclamp')[0];
const transposeKernel = kernelsOf('x32-transpose')[0];
const gavgpoolKernel = kernelsOf('f32-gavgpool')[0];

/**
 * What an elementwise kernel costs per element in GEMM operations (the unit of threadsFor): they
 * stream memory at a few elements per ns, where the f32 GEMM does ~40 operations per ns.
 */
const ELEMENTWISE_OPS = 8;

/**
 * out[i] = clamp(a[i] + b[i]) for n elements, each operand at a byte offset into its block; b
 * read as one broadcast value when `bScalar`. Large calls are split into element ranges on the
 * worker pool (same bits).
 */
export function addRun(dev: Device, n: number, a: Block, aOff: number, b: Block, bOff: number, bScalar: boolean,
  out: Block, outOff: number, min: number, max: number): void {
  const calls = new Calls(dev.kmod, ELEMENTWISE_OPS * n);
  const name = bScalar ? vaddScalar.name : vaddFull.name;
  const ap = a.ptr + aOff, bp = b.ptr + bOff, op = out.ptr + outOff;
  for (const [i, count] of calls.ranges(n)) {
    calls.task().call(name, [count, ap + i * 4, bScalar ? bp : bp + i * 4, op + i * 4, min, max]);
  }
  calls.run();
}

/**
 * out[r·m + j] = clamp(a[r·m + j] + b[j]) for `rows` rows of m elements (a and out at byte
 * offsets into their blocks, b's row at bOff): a bias row added down a tensor. Rows are split
 * over the worker pool (same bits: each row is the one-run kernel's loop).
 */
export function addRowsRun(dev: Device, rows: number, m: number, a: Block, aOff: number, b: Block, bOff: number,
  out: Block, outOff: number, min: number, max: number): void {
  const calls = new Calls(dev.kmod, ELEMENTWISE_OPS * rows * m);
  const ap = a.ptr + aOff, bp = b.ptr + bOff, op = out.ptr + outOff, rowBytes = m * 4;
  for (const [r, count] of calls.ranges(rows, 1)) {
    calls.task().call(vaddRows.name, [count, m, ap + r * rowBytes, bp, op + r * rowBytes, min, max]);
  }
  calls.run();
}

/**
 * dst image b = the transpose of src image b, for `batch` images of rows × cols 32-bit elements
 * (NHWC ⇄ NCHW: rows H·W and cols C, or the other way), ~0.1 ns per element on one thread. On
 * the pool the images are split along their longer side in whole kernel tiles (8 columns or 16
 * rows): a column range writes whole dst rows, a row range reads whole src rows. Bits are
 * copied, so the split cannot change them.
 */
export function transposeRun(dev: Device, batch: number, rows: number, cols: number, src: Block, dst: Block): void {
  const calls = new Calls(dev.kmod, ELEMENTWISE_OPS * batch * rows * cols);
  const byCols = cols >= rows, unit = byCols ? 8 : 16, units = Math.ceil((byCols ? cols : rows) / unit);
  const spans = calls.spans(batch * units), bytes = rows * cols * 4;
  for (let b = 0; b < batch; b++) {
    const s = src.ptr + b * bytes, d = dst.ptr + b * bytes;
    for (const [u0, count] of spans.of(units)) {
      const at = u0 * unit;
      if (byCols) calls.task().call(transposeKernel.name, [rows, Math.min(count * unit, cols - at), s + at * 4, cols * 4, d + at * rows * 4, rows * 4]);
      else calls.task().call(transposeKernel.name, [Math.min(count * unit, rows - at), cols, s + at * cols * 4, cols * 4, d + at * 4, rows * 4]);
    }
  }
  calls.run();
}

/**
 * Global average pooling: out image b (channels floats) = the mean of the `pixels` rows of x
 * image b, pixels in order from +0 then one division (the avgpool kernels' bits over one window
 * of every pixel). Ranges of 16 channels (whole 64-byte lines) per task on the pool; one call
 * per image serially.
 */
export function globalAvgPoolRun(dev: Device, batch: number, pixels: number, channels: number, x: Block, out: Block): void {
  const calls = new Calls(dev.kmod, ELEMENTWISE_OPS * batch * pixels * channels);
  const units = Math.ceil(channels / 16), spans = calls.spans(batch * units);
  for (let b = 0; b < batch; b++) {
    for (const [u0, count] of spans.of(units)) {
      const c0 = u0 * 16;
      calls.task().call(gavgpoolKernel.name, [pixels, Math.min(count * 16, channels - c0), x.ptr + (b * pixels * channels + c0) * 4,
        channels * 4, out.ptr + (b * channels + c0) * 4]);
    }
  }
  calls.run();
}

/** out[i] = clamp(x[i]) for the n elements of x, split like addRun. */
export function clampRun(dev: Device, n: number, x: Block, out: Block, min: number, max: number): void {
  const calls = new Calls(dev.kmod, ELEMENTWISE_OPS * n);
  for (const [i, count] of calls.ranges(n)) calls.task().call(vclamp.name, [count, x.ptr + i * 4, out.ptr + i * 4, min, max]);
  calls.run();
}

// ---------------------------------------------------------------------------------------------
// Warm-up

/**
 * Runs every convolution-family kernel on tiny problems so the engine's optimizing tier has
 * compiled them before the first user call (V8 starts wasm in its baseline compiler at ~30%
 * speed and does not switch a running call over). About 1–2 ms.
 */
export function warmUpConv(dev: Device, rounds = 24): void {
  const geo = (ci: number, co: number, k: number, groups: number): ConvGeometry =>
    ({ n: 1, ih: 6, iw: 6, ci, oh: 6, ow: 6, co, kh: k, kw: k, sh: 1, sw: 1, dh: 1, dw: 1,
      pt: k >> 1, pb: k >> 1, pl: k >> 1, pr: k >> 1, groups });
  const [x, out, w] = dev.allocAll([6 * 6 * 16 * 4, 'warm-up'], [6 * 6 * 16 * 4, 'warm-up'], [packedConvBytes(16, 5, 5, 16, 1, 'panels'), 'warm-up']);
  const cache = new IndirectionCache(dev, 8);
  try {
    dev.fill(x, 0); dev.fill(w, 0);
    for (let r = 0; r < rounds; r++) {
      conv2d(dev, { geometry: geo(16, 16, 3, 1), x, w, out, min: -Infinity, max: Infinity, cache });
      for (const kern of dwKernels) {
        const k = kern.taps === 25 ? 5 : kern.taps === null ? 2 : 3;
        conv2d(dev, { geometry: geo(16, 16, k, 16), x, w, out, min: -Infinity, max: Infinity, cache, kernel: kern.name });
      }
      for (const kind of ['max', 'avg'] as const) pool(dev, { geometry: geo(16, 16, 3, 16), x, out, kind });
      addRun(dev, 64, x, 0, x, 0, false, out, 0, -Infinity, Infinity);
      addRun(dev, 64, x, 0, x, 0, true, out, 0, -Infinity, Infinity);
      clampRun(dev, 64, x, out, 0, 6);
      for (const m of [2, 3, 4]) dev.kmod.exports[repKernel.name](64, m, x.ptr, out.ptr);
    }
  } finally {
    cache.clear();
    dev.freeAll(x, out, w);
  }
}
