/**
 * Chi-squared test of class mixes: is the current window's distribution over classes the
 * reference's? As `scipy.stats.chi2_contingency` on the 2 x K table of counts.
 */
import { metricInputError, requireNonEmpty, requireSameLength, type NumberArray } from '../metrics/metric-input.ts';
import { DEFAULT_P_VALUE_BANDS, levelFromPValue, type DriftLevel, type PValueBands } from './drift-level.ts';
import { chiSquaredSf } from './special.ts';

/** Result of {@link chiSquaredClasses}. */
export interface ChiSquaredResult {
  /** Pearson's statistic (with Yates' continuity correction when dof is 1, as SciPy's default). */
  statistic: number;
  /** Degrees of freedom: the number of classes present in either window, minus one. */
  dof: number;
  /** `P(chi2_dof >= statistic)`; 1 when dof is 0. */
  pValue: number;
  /** Indices of the classes kept (those with a count in either window). */
  classes: number[];
  /** Level of the p-value (default drift p < 0.05, possible p < 0.1). */
  level: DriftLevel;
}

function requireCounts(name: string, counts: NumberArray): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (!(Number.isFinite(c) && c >= 0)) throw metricInputError(`${name}[${i}] = ${c} is not a non-negative count`);
    total += c;
  }
  if (total === 0) throw metricInputError(`${name} has no counts; at least one item is needed`);
  return total;
}

/**
 * Chi-squared test of independence on the table [referenceCounts; currentCounts] (counts
 * per class, same class order). Classes with no count in either window are dropped (SciPy
 * refuses a zero expected frequency; a class seen nowhere says nothing about the mix).
 * Expected counts are row total x column total / N; with one degree of freedom Yates'
 * correction moves each observed count up to 0.5 towards its expectation, as
 * `chi2_contingency(..., correction=True)` does; with more, the plain Pearson statistic. The
 * p-value is the chi-squared survival function through the regularized incomplete gamma
 * Q(dof/2, x/2). Default level: drift p < 0.05, possible p < 0.1. Empty windows, unequal
 * lengths, negative or non-finite counts throw `XQC_METRIC_INPUT` naming the argument.
 */
export function chiSquaredClasses(
  referenceCounts: NumberArray,
  currentCounts: NumberArray,
  bands: PValueBands = DEFAULT_P_VALUE_BANDS,
): ChiSquaredResult {
  requireNonEmpty('referenceCounts', referenceCounts);
  requireNonEmpty('currentCounts', currentCounts);
  requireSameLength('referenceCounts', referenceCounts, 'currentCounts', currentCounts);
  const rowTotals = [requireCounts('referenceCounts', referenceCounts), requireCounts('currentCounts', currentCounts)];
  const classes: number[] = [];
  for (let k = 0; k < referenceCounts.length; k++) {
    if (referenceCounts[k] + currentCounts[k] > 0) classes.push(k);
  }
  const dof = classes.length - 1;
  if (dof === 0) return { statistic: 0, dof, pValue: 1, classes, level: 'none' };
  const total = rowTotals[0] + rowTotals[1];
  const rows = [referenceCounts, currentCounts];
  let statistic = 0;
  for (let r = 0; r < 2; r++) {
    for (const k of classes) {
      const expected = (rowTotals[r] * (referenceCounts[k] + currentCounts[k])) / total;
      let observed = rows[r][k];
      if (dof === 1) {
        const diff = expected - observed;
        observed += Math.sign(diff) * Math.min(0.5, Math.abs(diff));
      }
      statistic += (observed - expected) ** 2 / expected;
    }
  }
  const pValue = chiSquaredSf(statistic, dof);
  return { statistic, dof, pValue, classes, level: levelFromPValue(pValue, bands) };
}
