// Picks the build for this runtime and instantiates it. Builds are embedded as base64 (see
// scripts/build-wasm.mjs), so no path, fetch or bundler setting is needed; where code
// generation from bytes is forbidden (Cloudflare workerd, Vercel edge) the caller passes a
// precompiled WebAssembly.Module instead.
import { wasmBase64 } from './wasm-bytes.generated.js';
import { OutOfMemoryError, UnsupportedError, ValueError } from './errors.js';

export type BuildName = 'simd' | 'simd-mt';
export const buildNames: readonly BuildName[] = ['simd', 'simd-mt'];

/** The raw kernel exports. Pointers and sizes are plain numbers (wasm32). */
export type KernelExports = Record<string, (...args: number[]) => number | void> & { heap_base(): number };

export interface KernelModule {
  build: BuildName;
  exports: KernelExports;
  memory: WebAssembly.Memory;
  shared: boolean;
  module: WebAssembly.Module;
}

// Smallest modules that use one feature each: (func (result v128) v128.const 0) and a shared
// memory import. WebAssembly.validate answers in every runtime, workerd included.
const probes = {
  simd: new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11]),
  threads: new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 2, 9, 1, 1, 101, 1, 109, 2, 3, 1, 1]),
};

export interface Features { simd: boolean; threads: boolean; sharedArrayBuffer: boolean; }

export function detectFeatures(): Features {
  const validate = (b: Uint8Array) => { try { return WebAssembly.validate(b as BufferSource); } catch { return false; } };
  return {
    simd: validate(probes.simd),
    threads: validate(probes.threads),
    sharedArrayBuffer: typeof SharedArrayBuffer !== 'undefined',
  };
}

function decodeBase64(s: string): Uint8Array {
  const atobFn = (globalThis as { atob?: (s: string) => string }).atob;
  if (!atobFn) throw new UnsupportedError('runtime', 'a global atob()', 'none');
  const bin = atobFn(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function buildBytes(build: BuildName): Uint8Array {
  return decodeBase64(wasmBase64[build]);
}

// edge-runtime runs user code in another realm, where `instanceof WebAssembly.Module` fails.
export function isWasmModule(x: unknown): x is WebAssembly.Module {
  return Object.prototype.toString.call(x) === '[object WebAssembly.Module]';
}

/** Which build a precompiled module is: the threaded one imports its memory. */
export function buildOfModule(module: WebAssembly.Module): BuildName {
  const imports = WebAssembly.Module.imports(module);
  const exports = WebAssembly.Module.exports(module);
  if (!exports.some((e) => e.name === 'heap_base' && e.kind === 'function')) {
    throw new ValueError('options.module', 'a lanewise .wasm module (exports heap_base)', module,
      `exports: ${exports.map((e) => e.name).slice(0, 5).join(', ')}`);
  }
  return imports.some((i) => i.kind === 'memory') ? 'simd-mt' : 'simd';
}

export async function compileBuild(build: BuildName): Promise<WebAssembly.Module> {
  return WebAssembly.compile(buildBytes(build) as BufferSource);
}

/**
 * A shared memory for the threads build, growable to `maxPages` (engines reserve the maximum up
 * front, and small address spaces, such as 32-bit browsers, refuse 4 GiB); when the runtime
 * refuses, its reason.
 */
export function reserveSharedMemory(maxPages: number): WebAssembly.Memory | { refused: string } {
  try {
    return new WebAssembly.Memory({ initial: 2, maximum: maxPages, shared: true });
  } catch (e) {
    return { refused: (e as Error).message };
  }
}

/**
 * `memory`: the threaded build's shared memory (ignored by the single-thread build, which has its
 * own); when not given, one growable to `maxPages` is reserved here.
 */
export async function instantiate(module: WebAssembly.Module, memory?: WebAssembly.Memory, maxPages = 65536): Promise<KernelModule> {
  const build = buildOfModule(module);
  let imports: WebAssembly.Imports = {};
  if (build === 'simd-mt') {
    if (!memory) {
      const reserved = reserveSharedMemory(maxPages);
      if ('refused' in reserved) {
        throw new OutOfMemoryError('options.maxMemory', 'a size this runtime can reserve for a shared WebAssembly.Memory',
          `${maxPages * 65536} bytes`, `${reserved.refused}; pass a smaller maxMemory`);
      }
      memory = reserved;
    }
    imports = { env: { memory } };
  }
  const instance = await WebAssembly.instantiate(module, imports);
  const exports = instance.exports as unknown as KernelExports;
  return {
    build,
    exports,
    memory: build === 'simd-mt' ? memory! : (instance.exports.memory as WebAssembly.Memory),
    shared: build === 'simd-mt',
    module,
  };
}
