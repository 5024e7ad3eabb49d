// Typed errors. Every error names the argument at fault, what was expected and what was given,
// and is thrown before any kernel runs, so a failed call writes nothing.

function show(v: unknown): string {
  // A string that reads as another value (a number, a boolean, null, nothing) is quoted:
  // maxMemory: '1048576' must not look like the number it failed to be.
  if (typeof v === 'string') return /^\s*$|^(true|false|null|undefined)$/.test(v) || !Number.isNaN(Number(v)) ? JSON.stringify(v) : v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' || v == null) return String(v);
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as unknown as ArrayLike<unknown>).length})`;
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}

export class LanewiseError extends Error {
  readonly argument: string;
  readonly expected: string;
  readonly actual: string;
  constructor(argument: string, expected: string, actual: unknown, detail?: string) {
    super(`${argument}: expected ${expected}, got ${show(actual)}${detail ? ` (${detail})` : ''}`);
    this.name = new.target.name;
    this.argument = argument;
    this.expected = expected;
    this.actual = show(actual);
  }
}

/** Rank, dimension or length mismatch. */
export class ShapeError extends LanewiseError {}
/** Wrong element type (a float16 tensor where float32 is needed, an Int32Array as float32 data). */
export class DTypeError extends LanewiseError {}
/** A value outside what the operation accepts (unknown option, NaN bound, negative size). */
export class ValueError extends LanewiseError {}
/** Use of a tensor, packed weight or instance after dispose(). */
export class DisposedError extends LanewiseError {}
/** wasm memory cannot hold the request (4 GiB at most, or the instance's maxMemory) or cannot grow. */
export class OutOfMemoryError extends LanewiseError {}
/** The runtime lacks something a build needs (WebAssembly SIMD, shared memory). */
export class UnsupportedError extends LanewiseError {}
