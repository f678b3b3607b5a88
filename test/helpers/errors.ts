import { expect } from 'vitest';
import { GtError } from '../../src/core/errors.js';

/** Run `fn`, expect it to throw a GtError, and return that error for further assertions. */
export function thrown(fn: () => unknown): GtError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(GtError);
    return e as GtError;
  }
  throw new Error('expected a GtError');
}
