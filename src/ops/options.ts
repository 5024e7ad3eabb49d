// The options object every op takes: a plain object whose names the op knows, so a misspelt
// option (`tranposeB`) is an error instead of a silently different computation.
import { ValueError } from '../errors.js';

export function checkOptions(opts: unknown, allowed: readonly string[], expected = 'an object'): Record<string, unknown> {
  if (opts === undefined) return {};
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) throw new ValueError('options', expected, opts);
  for (const k of Object.keys(opts)) {
    if (!allowed.includes(k)) throw new ValueError(`options.${k}`, `one of the options ${allowed.join(', ')}`, k, 'unknown option');
  }
  return opts as Record<string, unknown>;
}
