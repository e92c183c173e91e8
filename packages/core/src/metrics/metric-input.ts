/**
 * Input checks shared by every metric, calibration and conformal function. Each check
 * throws `XQC_METRIC_INPUT` with a one-line message naming the argument and the first
 * offending index, so a caller can fix the data without a debugger.
 */
import { XqcError } from '../errors.ts';

/** Any indexable list of numbers: `number[]`, `Float64Array`, `Float32Array`, `Int32Array`, ... */
export type NumberArray = ArrayLike<number>;

/** Tolerance on `|sum(row) - 1|` for rows that must be probability distributions. */
export const PROBABILITY_SUM_TOLERANCE = 1e-4;

/** Builds the error every check throws. */
export function metricInputError(message: string, details?: Record<string, unknown>): XqcError {
  return new XqcError('XQC_METRIC_INPUT', message, details ? { details } : {});
}

/** Throws unless `values` has at least one item. */
export function requireNonEmpty(name: string, values: NumberArray): void {
  if (values.length === 0) throw metricInputError(`${name} is empty; at least one item is needed`);
}

/** Throws unless `a` and `b` have the same length. */
export function requireSameLength(nameA: string, a: NumberArray, nameB: string, b: NumberArray): void {
  if (a.length !== b.length) {
    throw metricInputError(`${nameA} and ${nameB} differ in length (${a.length} vs ${b.length})`);
  }
}

/** Throws at the first NaN or infinite value. */
export function requireFinite(name: string, values: NumberArray): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw metricInputError(`${name}[${i}] is ${values[i]}; only finite numbers are accepted`);
    }
  }
}

/** Throws unless every label is an integer in `0..numClasses-1`. */
export function requireLabels(name: string, labels: NumberArray, numClasses: number): void {
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw metricInputError(`numClasses must be a positive integer, got ${numClasses}`);
  }
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= numClasses) {
      throw metricInputError(`${name}[${i}] = ${y} is not a class index in 0..${numClasses - 1}`);
    }
  }
}

/**
 * Infers the class count K of a row-major `[N,K]` matrix from its length and N, and throws
 * unless the length divides evenly and K >= `minClasses`.
 */
export function inferClassCount(name: string, matrix: NumberArray, rows: number, minClasses = 2): number {
  if (rows === 0) throw metricInputError(`${name} has no rows; at least one item is needed`);
  const k = matrix.length / rows;
  if (!Number.isInteger(k)) {
    throw metricInputError(`${name} has ${matrix.length} values, not a multiple of ${rows} rows`);
  }
  if (k < minClasses) throw metricInputError(`${name} has ${k} column(s); at least ${minClasses} are needed`);
  return k;
}

/**
 * Throws unless every entry of the row-major `[rows, k]` matrix is finite and in `[0, 1]`
 * and every row sums to 1 within `tolerance`.
 */
export function requireProbabilityRows(
  name: string,
  probs: NumberArray,
  rows: number,
  k: number,
  tolerance = PROBABILITY_SUM_TOLERANCE,
): void {
  for (let i = 0; i < rows; i++) {
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const p = probs[i * k + j];
      if (!(p >= 0 && p <= 1)) {
        throw metricInputError(`${name}[${i},${j}] = ${p} is not a probability in [0, 1]`);
      }
      sum += p;
    }
    if (Math.abs(sum - 1) > tolerance) {
      throw metricInputError(`${name} row ${i} sums to ${sum}, not 1 within ${tolerance}`);
    }
  }
}

/** Throws unless every value is a probability in `[0, 1]` (one column of a binary problem). */
export function requireProbabilities(name: string, probs: NumberArray): void {
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i];
    if (!(p >= 0 && p <= 1)) throw metricInputError(`${name}[${i}] = ${p} is not a probability in [0, 1]`);
  }
}

/** Throws unless `value` is a number strictly between 0 and 1. */
export function requireOpenUnit(name: string, value: number): void {
  if (!(value > 0 && value < 1)) throw metricInputError(`${name} must lie strictly between 0 and 1, got ${value}`);
}

/** Throws unless `value` is an integer >= `min`. */
export function requireIntegerAtLeast(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw metricInputError(`${name} must be an integer >= ${min}, got ${value}`);
  }
}
