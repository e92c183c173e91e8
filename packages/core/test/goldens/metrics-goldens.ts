/**
 * Loads the reference values written by scripts/goldens/metrics_goldens.py (scikit-learn
 * 1.2, torch 1.13, scipy) and compares numbers to them. The JSON writes NaN as null and a
 * metric the reference refuses to compute as the string "error".
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

/** A golden number: a value, null for NaN, or "error". */
export type GoldenNumber = number | null | 'error';

/** The parsed goldens file; sections are typed where the tests read them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Goldens = Record<string, any>;

let cache: Goldens | undefined;

/** The goldens, parsed once per test file. */
export function metricsGoldens(): Goldens {
  cache ??= JSON.parse(readFileSync(new URL('./metrics.json', import.meta.url), 'utf8')) as Goldens;
  return cache;
}

/**
 * Asserts `|actual - expected| <= rel * |expected| + abs` element-wise (default 1e-9
 * relative, 1e-12 absolute for values that are zero up to rounding); null expects NaN.
 */
export function expectClose(
  actual: number | ArrayLike<number>,
  expected: GoldenNumber | readonly (number | null)[],
  label: string,
  rel = 1e-9,
  abs = 1e-12,
): void {
  const a = typeof actual === 'number' ? [actual] : Array.from(actual);
  const e = expected === null || typeof expected === 'number' || expected === 'error' ? [expected] : [...expected];
  expect(a.length, `${label}: length`).toBe(e.length);
  for (let i = 0; i < e.length; i++) {
    const want = e[i];
    if (want === null) {
      expect(Number.isNaN(a[i]), `${label}[${i}] should be NaN, got ${a[i]}`).toBe(true);
      continue;
    }
    if (typeof want !== 'number') throw new Error(`${label}[${i}]: expected value is not a number`);
    const tol = rel * Math.abs(want) + abs;
    expect(Math.abs(a[i] - want) <= tol, `${label}[${i}]: got ${a[i]}, expected ${want}`).toBe(true);
  }
}
