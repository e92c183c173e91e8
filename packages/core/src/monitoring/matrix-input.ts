/**
 * Checks for the row-major sample matrices of the multivariate drift tests.
 */
import { metricInputError, requireFinite, requireIntegerAtLeast, type NumberArray } from '../metrics/metric-input.ts';

/** Throws `XQC_METRIC_INPUT` naming `name` unless it is a non-empty finite `[rows, d]` matrix; returns the row count. */
export function requireRows(name: string, values: NumberArray, d: number): number {
  requireIntegerAtLeast('d', d, 1);
  if (values.length === 0) throw metricInputError(`${name} is empty; at least one row is needed`);
  if (values.length % d !== 0) throw metricInputError(`${name} has ${values.length} values, not a multiple of d = ${d}`);
  requireFinite(name, values);
  return values.length / d;
}
