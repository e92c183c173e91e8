/**
 * The referral rule that sends inspections to the human review queue. An item is referred
 * when its conformal prediction set is ambiguous (more than one label), when the set is
 * empty (no label is plausible at the chosen alpha, typical of inputs unlike the
 * calibration data), or when an uncertainty measure (entropy, mutual information, 1 - max
 * probability, ...) exceeds a threshold. The threshold is chosen on validation data as the
 * largest one whose accepted items have an error rate at or below a target. That rate is
 * an empirical figure on the validation set, not a guarantee on future data: use a
 * validation set of several hundred items and a margin below the rate you must meet.
 */
import {
  metricInputError,
  requireFinite,
  requireNonEmpty,
  requireSameLength,
  type NumberArray,
} from '../../metrics/metric-input.ts';
import { sortPairs } from '../../metrics/sort-pairs.ts';

/** Why an item was referred, or null when it was accepted. */
export type ReferralReason = 'ambiguous-set' | 'empty-set' | 'uncertain' | null;

/** A fitted uncertainty threshold and its validation figures. */
export interface ReferralRule {
  /** Accept when uncertainty <= threshold; -Infinity when no threshold met the target. */
  uncertaintyThreshold: number;
  targetErrorRate: number;
  /** Fraction of all validation items accepted by the full rule. */
  acceptedFraction: number;
  /** Error rate among accepted validation items; NaN when none is accepted. */
  acceptedErrorRate: number;
}

/** Inputs of {@link fitReferralRule}, one entry per validation item. */
export interface ReferralValidation {
  /** [N] uncertainty, higher = less sure. */
  uncertainty: NumberArray;
  /** [N] 1 when the model's top-1 prediction was right. */
  correct: NumberArray;
  /** [N] conformal set sizes; items with a size other than 1 are referred whatever their uncertainty. */
  setSizes?: NumberArray;
  /** Largest acceptable error rate among accepted items, in [0, 1). */
  targetErrorRate: number;
}

/**
 * Chooses the uncertainty threshold that accepts the most validation items while keeping
 * the error rate among accepted items at or below the target. Thresholds are the distinct
 * uncertainty values, so tied items are accepted or referred together.
 */
export function fitReferralRule(validation: ReferralValidation): ReferralRule {
  const { uncertainty, correct, setSizes, targetErrorRate } = validation;
  requireNonEmpty('uncertainty', uncertainty);
  requireSameLength('uncertainty', uncertainty, 'correct', correct);
  requireFinite('uncertainty', uncertainty);
  if (setSizes) requireSameLength('uncertainty', uncertainty, 'setSizes', setSizes);
  if (!(targetErrorRate >= 0 && targetErrorRate < 1)) {
    throw metricInputError(`targetErrorRate must lie in [0, 1), got ${targetErrorRate}`);
  }
  const n = uncertainty.length;
  const values: number[] = [];
  const wrong: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = correct[i];
    if (c !== 0 && c !== 1) throw metricInputError(`correct[${i}] = ${c} is not 0 or 1`);
    if (setSizes && setSizes[i] !== 1) continue;
    values.push(uncertainty[i]);
    wrong.push(1 - c);
  }
  const sorted = Float64Array.from(values);
  const flags = Uint32Array.from(wrong);
  sortPairs(sorted, flags);
  let best = { threshold: Number.NEGATIVE_INFINITY, accepted: 0, errors: 0 };
  let accepted = 0;
  let errors = 0;
  for (let i = 0; i < sorted.length; i++) {
    accepted++;
    errors += flags[i];
    const groupEnds = i === sorted.length - 1 || sorted[i + 1] !== sorted[i];
    if (groupEnds && errors <= targetErrorRate * accepted) best = { threshold: sorted[i], accepted, errors };
  }
  return {
    uncertaintyThreshold: best.threshold,
    targetErrorRate,
    acceptedFraction: best.accepted / n,
    acceptedErrorRate: best.accepted === 0 ? Number.NaN : best.errors / best.accepted,
  };
}

/**
 * Applies the rule to one item: the set-size checks first, then the uncertainty threshold.
 * @param setSize size of the item's conformal prediction set
 * @param uncertainty the same measure the rule was fitted on
 */
export function referralReason(rule: ReferralRule, setSize: number, uncertainty: number): ReferralReason {
  if (!Number.isFinite(uncertainty)) throw metricInputError(`uncertainty is ${uncertainty}; only finite numbers are accepted`);
  if (setSize > 1) return 'ambiguous-set';
  if (setSize === 0) return 'empty-set';
  return uncertainty > rule.uncertaintyThreshold ? 'uncertain' : null;
}
