/**
 * Prediction against ground truth for History: how an inspection's current review judges the
 * model (false positive, false negative, wrong class, correct), the uncertainty used for
 * sorting, and the in-page filters and sort over the loaded inspections.
 */
import type { HistorySearch, OutcomeFilter, Sort } from './history-search.ts';

/** What an inspection's row needs of the inspection. */
export interface PredictionLike {
  id: string;
  createdAt: string;
  verdict: 'pass' | 'reject';
  label: string;
  defectScore: number;
  probabilities: number[];
  uncertainty?: { mutualInformation: number; predictiveEntropy: number } | undefined;
}

/** What a row needs of the current review. */
export interface TruthLike {
  verdict: 'pass' | 'reject';
  label: string;
  reviewer: { subject: string; name: string | null };
}

/** How the review judged the prediction. */
export type Outcome = Exclude<OutcomeFilter, 'unreviewed'> | 'unreviewed';

/**
 * The outcome of a prediction against its ground truth. A reject is the positive class: a
 * reject the reviewer calls a pass is a false positive (a false reject), a pass the reviewer
 * calls a reject is a false negative (an escape), both rejecting with different classes is a
 * wrong class; anything else is correct. No review: `unreviewed`.
 */
export function outcomeOf(p: Pick<PredictionLike, 'verdict' | 'label'>, truth: Pick<TruthLike, 'verdict' | 'label'> | null | undefined): Outcome {
  if (!truth) return 'unreviewed';
  if (p.verdict === 'reject' && truth.verdict === 'pass') return 'false-positive';
  if (p.verdict === 'pass' && truth.verdict === 'reject') return 'false-negative';
  if (p.verdict === 'reject' && p.label !== truth.label) return 'wrong-class';
  return 'correct';
}

/** Words for an outcome. */
export const OUTCOME_LABEL: Record<Outcome, string> = {
  'false-positive': 'False positive',
  'false-negative': 'False negative',
  'wrong-class': 'Wrong class',
  correct: 'Correct',
  unreviewed: 'Not reviewed',
};

/**
 * The uncertainty of a prediction in [0, 1]: the normalised entropy of its class
 * probabilities (H(p) / ln K, the review queue's default score), or when MC-Dropout figures
 * exist, the predictive entropy normalised the same way.
 */
export function uncertaintyOf(p: Pick<PredictionLike, 'probabilities' | 'uncertainty'>): number {
  const k = p.probabilities.length;
  if (k < 2) return 0;
  const lnK = Math.log(k);
  if (p.uncertainty) return Math.min(1, Math.max(0, p.uncertainty.predictiveEntropy / lnK));
  let h = 0;
  for (const q of p.probabilities) if (q > 0) h -= q * Math.log(q);
  return Math.min(1, Math.max(0, h / lnK));
}

/** True when the row passes the in-page filters (reviewed, reviewer, outcome). */
export function matchesTruthFilters(p: PredictionLike, truth: TruthLike | null | undefined, s: Pick<HistorySearch, 'reviewed' | 'reviewer' | 'outcome'>): boolean {
  if (s.reviewed !== undefined && !!truth !== s.reviewed) return false;
  if (s.reviewer) {
    if (!truth) return false;
    const needle = s.reviewer.toLowerCase();
    if (!(truth.reviewer.name ?? '').toLowerCase().includes(needle) && !truth.reviewer.subject.toLowerCase().includes(needle)) return false;
  }
  if (s.outcome && outcomeOf(p, truth) !== s.outcome) return false;
  return true;
}

/** Sorts rows (a new array): newest first, by defect score, or most uncertain first; ties newest first. */
export function sortRows<T extends PredictionLike>(rows: readonly T[], sort: Sort | undefined): T[] {
  const newest = (a: T, b: T) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : -1);
  const by: Record<Sort, (a: T, b: T) => number> = {
    newest,
    'score-desc': (a, b) => b.defectScore - a.defectScore || newest(a, b),
    'score-asc': (a, b) => a.defectScore - b.defectScore || newest(a, b),
    'uncertainty-desc': (a, b) => uncertaintyOf(b) - uncertaintyOf(a) || newest(a, b),
  };
  return [...rows].sort(by[sort ?? 'newest']);
}
