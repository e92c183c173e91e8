/**
 * Input checks and sorting shared by the scalar drift tests (PSI, KS, Wasserstein).
 */
import { requireFinite, requireNonEmpty, type NumberArray } from '../metrics/metric-input.ts';

/** Throws `XQC_METRIC_INPUT` naming `name` unless `values` is non-empty and finite; returns a sorted copy. */
export function sortedSample(name: string, values: NumberArray): Float64Array {
  requireNonEmpty(name, values);
  requireFinite(name, values);
  return Float64Array.from(values).sort();
}

/** Population standard deviation (ddof 0) of a sample. */
export function populationStd(values: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i];
  mean /= values.length;
  let ss = 0;
  for (let i = 0; i < values.length; i++) ss += (values[i] - mean) ** 2;
  return Math.sqrt(ss / values.length);
}
