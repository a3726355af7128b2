import { expect } from 'vitest';
import { MumicError } from '../src/core/errors.ts';

/** The MumicError that `fn` throws; fails the test if it throws nothing or something else. */
export function errorOf(fn: () => unknown): MumicError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MumicError);
    return error as MumicError;
  }
  throw new Error('expected a MumicError, nothing was thrown');
}
