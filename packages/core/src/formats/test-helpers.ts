import { expect } from 'vitest';
import { FormatError } from './format-error';

/** Runs `fn`, expecting a FormatError with exactly this message; returns it for checks of its fields. */
export function expectFormatError(fn: () => unknown, message: string): FormatError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(FormatError);
  expect((thrown as FormatError).message).toBe(message);
  return thrown as FormatError;
}
