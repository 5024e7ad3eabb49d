import { expect } from 'vitest';
import type { LanewiseError } from '../../src/index.js';

/** Runs `fn`, expects it to throw a `type` naming `argument`, and returns the error. */
export function expectTyped(fn: () => unknown, type: new (...a: never[]) => LanewiseError, argument: string): LanewiseError {
  let err: unknown;
  try { fn(); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(type);
  expect((err as LanewiseError).argument).toBe(argument);
  return err as LanewiseError;
}
