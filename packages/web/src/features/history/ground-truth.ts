/**
 * Prediction against ground truth for History: how an inspection's current review judges the
 * model (false positive, false negative, wrong class, correct), with the definitions the
 * API's `outcome` filter uses, and the uncertainty figure the API's `uncertainty` sort orders by.
 */
import type { OutcomeFilter } from './history-search.ts';

/** What an inspection's row needs of the inspection. */
export interface PredictionLike {
  verdict: 'pass' | 'reject';
  label: string;
  defectScore: number;
}

/** What a row needs of the current review. */
export interface TruthLike {
  verdict: 'pass' | 'reject';
  label: string;
  reviewer: { subject: string; name: string | null };
}

/**
 * How the review judged the prediction: one of the outcome filters, or `pass-other-class`
 * (both pass, with different labels), which no outcome filter of the API matches.
 */
export type Outcome = OutcomeFilter | 'pass-other-class';

/**
 * The outcome of a prediction against its ground truth, as the API's `outcome` filter
 * defines it. A reject is the positive class: a reject the reviewer calls a pass is a false
 * positive (a false reject), a pass the reviewer calls a reject is a false negative (an
 * escape), both rejecting with different classes is a wrong class, the same verdict and class
 * is correct; both passing with different classes is `pass-other-class`. No review: `unreviewed`.
 */
export function outcomeOf(p: Pick<PredictionLike, 'verdict' | 'label'>, truth: Pick<TruthLike, 'verdict' | 'label'> | null | undefined): Outcome {
  if (!truth) return 'unreviewed';
  if (p.verdict === 'reject' && truth.verdict === 'pass') return 'false-positive';
  if (p.verdict === 'pass' && truth.verdict === 'reject') return 'false-negative';
  if (p.label === truth.label) return 'correct';
  return p.verdict === 'reject' ? 'wrong-class' : 'pass-other-class';
}

/** Words for an outcome. */
export const OUTCOME_LABEL: Record<Outcome, string> = {
  'false-positive': 'False positive',
  'false-negative': 'False negative',
  'wrong-class': 'Wrong class',
  correct: 'Correct',
  unreviewed: 'Not reviewed',
  'pass-other-class': 'Pass, other class',
};

/**
 * The uncertainty of a prediction in [0, 1]: 1 - 2 |defectScore - 0.5|, 1 when the defect score
 * sits on 0.5 and 0 at 0 or 1. The API's `uncertainty` sort orders by the same distance, so the
 * column falls down the list under that sort.
 */
export function uncertaintyOf(p: Pick<PredictionLike, 'defectScore'>): number {
  return Math.min(1, Math.max(0, 1 - 2 * Math.abs(p.defectScore - 0.5)));
}
