/**
 * Confidence binning shared by every calibration metric, identical to scikit-learn 1.2's
 * `calibration_curve`: bin edges from `np.linspace(0, 1, B + 1)` (equal width) or
 * `np.percentile(p, linspace(0, 1, B + 1) * 100)` (equal mass), and each value assigned by
 * `np.searchsorted(edges[1:-1], p)`, i.e. bins are `(lower, upper]` with 0 in the first.
 */
import { linspace } from '../../metrics/linspace.ts';
import { metricInputError } from '../../metrics/metric-input.ts';

/** How bin edges are placed. */
export type BinStrategy = 'equal-width' | 'equal-mass';

/**
 * Bin edges for values in [0, 1].
 * @param values [N] used only by 'equal-mass'
 * @returns [B+1] non-decreasing edges; equal-mass edges may repeat when values tie
 */
export function binEdges(values: ArrayLike<number>, bins: number, strategy: BinStrategy): Float64Array {
  if (!Number.isInteger(bins) || bins < 1) throw metricInputError(`bins must be a positive integer, got ${bins}`);
  const levels = linspace(0, 1, bins + 1);
  if (strategy === 'equal-width') return Float64Array.from(levels);
  if (values.length === 0) throw metricInputError('equal-mass bins need at least one value');
  const sorted = Float64Array.from(values).sort();
  return Float64Array.from(levels, (q) => percentile(sorted, q * 100));
}

/**
 * `np.percentile(sorted, q)` with the default linear method, bit for bit: the virtual
 * index `(n - 1) * (q / 100)` and numpy's two-sided lerp.
 */
function percentile(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  const virtual = (n - 1) * (q / 100);
  if (virtual >= n - 1) return sorted[n - 1];
  const below = Math.floor(virtual);
  const t = virtual - below;
  const a = sorted[below];
  const b = sorted[below + 1];
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/**
 * Index of the bin of `value`: the number of inner edges strictly below it
 * (`searchsorted(edges[1:-1], value, side='left')`), by binary search.
 */
export function binIndex(edges: Float64Array, value: number): number {
  let lo = 1;
  let hi = edges.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Sufficient statistics of binned (confidence, outcome) pairs. */
export interface BinTotals {
  /** [B+1] edges. */
  edges: Float64Array;
  /** [B] items per bin. */
  count: Float64Array;
  /** [B] sum of confidences per bin. */
  confidence: Float64Array;
  /** [B] sum of outcomes (1 = correct / positive) per bin. */
  outcome: Float64Array;
}

/**
 * Bins confidences and sums outcomes per bin.
 * @param confidence [N] values in [0, 1]
 * @param outcome [N] 0/1
 */
export function binTotals(
  confidence: ArrayLike<number>,
  outcome: ArrayLike<number>,
  bins: number,
  strategy: BinStrategy,
): BinTotals {
  const edges = binEdges(confidence, bins, strategy);
  const totals: BinTotals = {
    edges,
    count: new Float64Array(bins),
    confidence: new Float64Array(bins),
    outcome: new Float64Array(bins),
  };
  for (let i = 0; i < confidence.length; i++) {
    const b = binIndex(edges, confidence[i]);
    totals.count[b]++;
    totals.confidence[b] += confidence[i];
    totals.outcome[b] += outcome[i];
  }
  return totals;
}
