/**
 * Test helper: asserts a call throws `XQC_METRIC_INPUT` whose message names an argument.
 */
import { expect } from 'vitest';
import { isXqcError } from '../errors.ts';

/** Expects `fn` to throw `XQC_METRIC_INPUT` with `name` in the message. */
export function expectInputError(fn: () => unknown, name: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(isXqcError(caught, 'XQC_METRIC_INPUT'), String(caught)).toBe(true);
  expect((caught as Error).message).toContain(name);
}
