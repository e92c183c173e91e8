/**
 * Non-conformity scores of split conformal classification: how unusual label y is for an
 * item given the model's probabilities. Larger = less conforming.
 * - LAC (least ambiguous set-valued classifier, Sadinle et al. 2019): `s = 1 - p_y`.
 *   Gives the smallest sets on average.
 * - APS (adaptive prediction sets, Romano et al. 2020): the probability mass of the labels
 *   ranked above y plus `u * p_y`, with u ~ U(0, 1) when randomised and u = 0 otherwise.
 *   Sets adapt to how hard the item is. Randomised, scores are continuous and coverage
 *   lies in [1 - alpha, 1 - alpha + 1/(n+1)]. Without randomisation the set is the
 *   smallest prefix of the ranking whose mass exceeds the threshold, so the top label is
 *   always in it; coverage is still at least 1 - alpha, but every item whose true label
 *   is the top one scores exactly 0, and when the threshold lands on that tie (accuracy
 *   above 1 - alpha) coverage can exceed 1 - alpha + 1/(n+1): the method is conservative.
 * Labels are ranked by decreasing probability, ties by class index, both when scoring
 * calibration items and when building sets, so the two always agree.
 */
import type { NumberArray } from '../../metrics/metric-input.ts';

/** Which non-conformity score to use. */
export type ConformalScore = 'lac' | 'aps';

/** LAC score `1 - p_y` of one row. */
export function lacScore(probs: NumberArray, row: number, k: number, label: number): number {
  return 1 - probs[row * k + label];
}

/**
 * Classes of one row ordered by decreasing probability, ties by class index, written into
 * `order` by insertion sort (K is small and this runs once per item and per set).
 * @param order [K] int32 scratch, overwritten
 */
export function rankClasses(probs: NumberArray, row: number, k: number, order: Int32Array): void {
  const base = row * k;
  for (let c = 0; c < k; c++) {
    const p = probs[base + c];
    let j = c - 1;
    while (j >= 0 && probs[base + order[j]] < p) {
      order[j + 1] = order[j];
      j--;
    }
    order[j + 1] = c;
  }
}

/**
 * APS scores of every class of one row, in class order: for the class at rank r,
 * `sum_{j<r} p_(j) + u * p_(r)`.
 * @param u the item's uniform draw, or 0 for the non-randomised score
 * @param order [K] int32 scratch for {@link rankClasses}
 * @param out [K] float64, overwritten with the scores
 */
export function apsScoresOfRow(probs: NumberArray, row: number, k: number, u: number, order: Int32Array, out: Float64Array): void {
  rankClasses(probs, row, k, order);
  let before = 0;
  for (let r = 0; r < k; r++) {
    const c = order[r];
    const p = probs[row * k + c];
    out[c] = before + u * p;
    before += p;
  }
}
