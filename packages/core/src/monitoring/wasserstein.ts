/**
 * First Wasserstein (earth mover's) distance between two scalar samples, with a level
 * relative to the reference's spread.
 */
import type { NumberArray } from '../metrics/metric-input.ts';
import { levelFromBands, type DriftBands, type DriftLevel } from './drift-level.ts';
import { populationStd, sortedSample } from './scalar-input.ts';

/**
 * Default bands on the Wasserstein distance divided by the reference's standard deviation:
 * 0.1 possible, 0.2 drift. For a location shift the distance equals the shift, so the bands
 * read "the current window moved by a tenth / a fifth of the reference's spread".
 */
export const WASSERSTEIN_BANDS: Readonly<DriftBands> = Object.freeze({ possible: 0.1, drift: 0.2 });

/** Result of {@link wasserstein1d}. */
export interface WassersteinResult {
  /** The distance, in the signal's units (equals `scipy.stats.wasserstein_distance`). */
  statistic: number;
  /** `statistic / std(reference)` (population std); 0 when both are 0, Infinity when only the std is. */
  normalized: number;
  /** Level of `normalized` against the bands. */
  level: DriftLevel;
}

/**
 * `W1(a, b) = integral |F_a(t) - F_b(t)| dt` over the pooled sorted values, transcribing
 * SciPy's `_cdf_distance` with p = 1. The level uses {@link WASSERSTEIN_BANDS} on the
 * distance relative to the reference's (`a`'s) population standard deviation: the distance
 * has no universal scale. Empty or non-finite input throws `XQC_METRIC_INPUT`.
 */
export function wasserstein1d(a: NumberArray, b: NumberArray, bands: DriftBands = WASSERSTEIN_BANDS): WassersteinResult {
  const u = sortedSample('a', a);
  const v = sortedSample('b', b);
  const all = new Float64Array(u.length + v.length);
  all.set(u);
  all.set(v, u.length);
  all.sort();
  let i = 0;
  let j = 0;
  let statistic = 0;
  for (let k = 0; k + 1 < all.length; k++) {
    const x = all[k];
    while (i < u.length && u[i] <= x) i++;
    while (j < v.length && v[j] <= x) j++;
    statistic += Math.abs(i / u.length - j / v.length) * (all[k + 1] - x);
  }
  const std = populationStd(u);
  const normalized = std > 0 ? statistic / std : statistic === 0 ? 0 : Infinity;
  return { statistic, normalized, level: levelFromBands(normalized, bands) };
}
