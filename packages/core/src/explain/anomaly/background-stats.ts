/**
 * Background statistics of a feature table: the reference population an explanation is
 * measured against. The interventional Shapley values of the surrogate use the mean as
 * the baseline of features that are "absent" from a coalition.
 */
import { XqcError } from '../../errors.ts';

/** Mean and standard deviation of each feature over a reference set (plain arrays: it is stored as JSON). */
export interface BackgroundStats {
  /** [d] */
  mean: number[];
  /** [d], population standard deviation (divide by n) */
  std: number[];
  /** Rows the statistics come from. */
  count: number;
}

/**
 * Column means and population standard deviations of `rows`:
 *   mean_j = (1/n) sum_i x_ij,  std_j = sqrt((1/n) sum_i (x_ij - mean_j)^2).
 * @param rows [n, d] row-major, finite
 * @throws XQC_EXPLAIN when there is no row; XQC_SHAPE_MISMATCH when the length is not a multiple of d
 */
export function backgroundStats(rows: ArrayLike<number>, d: number): BackgroundStats {
  if (!(Number.isInteger(d) && d > 0) || rows.length % d !== 0) {
    throw new XqcError('XQC_SHAPE_MISMATCH', `background: ${rows.length} values do not form rows of ${d} features`);
  }
  const n = rows.length / d;
  if (n === 0) throw new XqcError('XQC_EXPLAIN', 'background statistics need at least one row');
  const mean = new Float64Array(d);
  for (let i = 0; i < rows.length; i++) {
    if (!Number.isFinite(rows[i])) throw new XqcError('XQC_INVALID_ARGUMENT', `background row ${Math.floor(i / d)} feature ${i % d} is ${rows[i]}`);
    mean[i % d] += rows[i];
  }
  for (let j = 0; j < d; j++) mean[j] /= n;
  const std = new Float64Array(d);
  for (let i = 0; i < rows.length; i++) std[i % d] += (rows[i] - mean[i % d]) ** 2;
  for (let j = 0; j < d; j++) std[j] = Math.sqrt(std[j] / n);
  return { mean: Array.from(mean), std: Array.from(std), count: n };
}
