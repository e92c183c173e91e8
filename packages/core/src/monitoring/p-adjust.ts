/**
 * Multiple-test correction when many signals are checked at once.
 */
import { metricInputError, type NumberArray } from '../metrics/metric-input.ts';

/** `holm`: Holm-Bonferroni step-down (family-wise error); `bh`: Benjamini-Hochberg step-up (false discovery rate). */
export type PValueAdjustment = 'holm' | 'bh';

/**
 * Adjusted p-values in the input order, as statsmodels' `multipletests(p, method='holm')`
 * and `method='fdr_bh'`. With p sorted ascending, p_(1) <= ... <= p_(m):
 * Holm: `q_(i) = min(1, max_{j <= i} (m - j + 1) p_(j))`;
 * BH: `q_(i) = min(1, min_{j >= i} m p_(j) / j)`.
 * Compare each adjusted value to the level's threshold as a raw p-value would be. Values
 * outside [0, 1] throw `XQC_METRIC_INPUT`; an empty list gives an empty result.
 */
export function adjustPValues(pvalues: NumberArray, method: PValueAdjustment): Float64Array {
  const m = pvalues.length;
  for (let i = 0; i < m; i++) {
    const p = pvalues[i];
    if (!(p >= 0 && p <= 1)) throw metricInputError(`pvalues[${i}] = ${p} is not a probability in [0, 1]`);
  }
  if (method !== 'holm' && method !== 'bh') throw metricInputError(`method must be 'holm' or 'bh', got ${String(method)}`);
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => pvalues[a] - pvalues[b]);
  const out = new Float64Array(m);
  if (method === 'holm') {
    let running = 0;
    for (let r = 0; r < m; r++) {
      running = Math.max(running, (m - r) * pvalues[order[r]]);
      out[order[r]] = Math.min(1, running);
    }
  } else {
    let running = Infinity;
    for (let r = m - 1; r >= 0; r--) {
      running = Math.min(running, pvalues[order[r]] / ((r + 1) / m));
      out[order[r]] = Math.min(1, running);
    }
  }
  return out;
}
