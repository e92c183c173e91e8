/**
 * Population stability index of a scalar signal, on bins cut at the reference's quantiles.
 */
import { metricInputError, requireIntegerAtLeast, type NumberArray } from '../metrics/metric-input.ts';
import { levelFromBands, type DriftBands, type DriftLevel } from './drift-level.ts';
import { sortedSample } from './scalar-input.ts';

/** Default PSI bands: below 0.1 none, 0.1 to 0.25 possible, 0.25 and above drift (the usual credit-scoring bands). */
export const PSI_BANDS: Readonly<DriftBands> = Object.freeze({ possible: 0.1, drift: 0.25 });

/** Default fraction substituted for an empty bin so the logarithm stays finite (as Evidently does). */
export const PSI_EPSILON = 1e-4;

/** Options of {@link psi}. */
export interface PsiOptions {
  /** Number of quantile bins before duplicate edges are merged (default 10). */
  bins?: number;
  /** Fraction used in place of 0 for an empty bin, in both windows (default {@link PSI_EPSILON}). */
  epsilon?: number;
  /** Level bands (default {@link PSI_BANDS}). */
  bands?: DriftBands;
}

/** Result of {@link psi}. */
export interface PsiResult {
  /** `sum_i (c_i - r_i) ln(c_i / r_i)` over the bins. */
  statistic: number;
  /** Level from the bands. */
  level: DriftLevel;
  /** The distinct inner bin edges (bin i is `[edges[i-1], edges[i])`, outer bins open-ended). */
  edges: Float64Array;
  /** Reference fraction per bin, before the epsilon substitution. */
  referenceFractions: Float64Array;
  /** Current fraction per bin, before the epsilon substitution. */
  currentFractions: Float64Array;
}

/**
 * NumPy's linear quantile (`np.quantile(..., method='linear')`) of a sorted sample,
 * including its lerp, which interpolates from the upper neighbour when the weight is >= 0.5.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const index = q * (sorted.length - 1);
  const lo = Math.floor(index);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const t = index - lo;
  const a = sorted[lo];
  const b = sorted[hi];
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** Number of values in `edges` that are <= x (NumPy's `searchsorted(edges, x, side='right')`). */
function binOf(edges: Float64Array, x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function fractions(edges: Float64Array, values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(edges.length + 1);
  for (let i = 0; i < values.length; i++) out[binOf(edges, values[i])] += 1;
  for (let i = 0; i < out.length; i++) out[i] /= values.length;
  return out;
}

/**
 * Population stability index of `current` against `reference`. The inner bin edges are the
 * reference's linear quantiles at k/bins (k = 1..bins-1), duplicates merged (ties and
 * constant samples give fewer bins); a value x falls in bin `#{edges <= x}`, so the outer
 * bins take everything below the first and from the last edge up. A bin empty in either
 * window counts as `epsilon` in that window. Thresholds: {@link PSI_BANDS}.
 * Empty or non-finite input throws `XQC_METRIC_INPUT` naming the argument.
 */
export function psi(reference: NumberArray, current: NumberArray, options: PsiOptions = {}): PsiResult {
  const bins = options.bins ?? 10;
  requireIntegerAtLeast('bins', bins, 1);
  const epsilon = options.epsilon ?? PSI_EPSILON;
  if (!(epsilon > 0 && epsilon < 1)) throw metricInputError(`epsilon must lie strictly between 0 and 1, got ${epsilon}`);
  const ref = sortedSample('reference', reference);
  const cur = sortedSample('current', current);
  const edgeList: number[] = [];
  for (let k = 1; k < bins; k++) {
    const e = quantileSorted(ref, k / bins);
    if (edgeList.length === 0 || e > edgeList[edgeList.length - 1]) edgeList.push(e);
  }
  const edges = Float64Array.from(edgeList);
  const referenceFractions = fractions(edges, ref);
  const currentFractions = fractions(edges, cur);
  let statistic = 0;
  for (let i = 0; i < referenceFractions.length; i++) {
    const r = referenceFractions[i] === 0 ? epsilon : referenceFractions[i];
    const c = currentFractions[i] === 0 ? epsilon : currentFractions[i];
    statistic += (c - r) * Math.log(c / r);
  }
  return {
    statistic,
    level: levelFromBands(statistic, options.bands ?? PSI_BANDS),
    edges,
    referenceFractions,
    currentFractions,
  };
}
