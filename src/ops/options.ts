// The options object every op takes: a plain object whose names the op knows, so a misspelt
// option (`tranposeB`) is an error instead of a silently different computation.
import { DTypeError, ValueError } from '../errors.js';

/** `required`: what a mandatory options object must hold (the error's expectation); optional ones may be undefined. */
export function checkOptions(opts: unknown, allowed: readonly string[], required?: string): Record<string, unknown> {
  if (opts === undefined && required === undefined) return {};
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) throw new ValueError('options', required ?? 'an object', opts);
  for (const k of Object.keys(opts)) {
    if (!allowed.includes(k)) throw new ValueError(`options.${k}`, `one of the options ${allowed.join(', ')}`, k, 'unknown option');
  }
  return opts as Record<string, unknown>;
}

/** Every element of an array is a number (DTypeError naming the first that is not, holes included). */
export function checkNumbers(a: readonly unknown[], arg: string): void {
  // An index loop, not forEach: forEach skips the holes of a sparse array ([1, , 3]).
  for (let i = 0; i < a.length; i++) if (typeof a[i] !== 'number') throw new DTypeError(`${arg}[${i}]`, 'a number', a[i]);
}
