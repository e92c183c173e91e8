/**
 * Ranking metrics of a binary scorer (higher score = more likely positive): ROC curve and
 * AUROC, precision-recall curve, average precision and AUPRC, all defined as in
 * scikit-learn 1.2 (`roc_curve`, `roc_auc_score`, `precision_recall_curve`,
 * `average_precision_score`, `auc`). Every metric works on the distinct-score groups
 * produced by one {@link rankScores} call, so tied scores act as one threshold, exactly as
 * in scikit-learn, and AUROC and AP over the same data can share one sort.
 */
import {
  metricInputError,
  requireFinite,
  requireNonEmpty,
  requireSameLength,
  type NumberArray,
} from './metric-input.ts';
import { sortPairs } from './sort-pairs.ts';

/** Distinct scores in descending order with how many positives and negatives carry each. */
export interface RankedScores {
  /** [G] float64, distinct scores, strictly descending. */
  readonly thresholds: Float64Array;
  /** [G] positives whose score equals `thresholds[g]`. */
  readonly positives: Float64Array;
  /** [G] negatives whose score equals `thresholds[g]`. */
  readonly negatives: Float64Array;
  readonly totalPositives: number;
  readonly totalNegatives: number;
}

/**
 * Groups labelled scores by distinct score, descending: the one sort every ranking metric
 * needs. Labels must be 0 (negative) or 1 (positive); scores must be finite.
 * @param labels [N] 0/1
 * @param scores [N] any finite numbers
 */
export function rankScores(labels: NumberArray, scores: NumberArray): RankedScores {
  requireNonEmpty('labels', labels);
  requireSameLength('labels', labels, 'scores', scores);
  requireFinite('scores', scores);
  const n = labels.length;
  const values = new Float64Array(n);
  const flags = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (y !== 0 && y !== 1) throw metricInputError(`labels[${i}] = ${y} is not a binary label (0 or 1)`);
    values[i] = scores[i];
    flags[i] = y;
  }
  sortPairs(values, flags);
  return groupDescending(values, flags);
}

/**
 * Builds {@link RankedScores} from per-item scores sorted ascending with 0/1 flags.
 * Also used by the accumulators, which keep their own sorted buffers.
 */
export function groupDescending(sortedAscending: Float64Array, flags: Uint32Array): RankedScores {
  const n = sortedAscending.length;
  let groups = n === 0 ? 0 : 1;
  for (let i = n - 1; i > 0; i--) if (sortedAscending[i - 1] !== sortedAscending[i]) groups++;
  const thresholds = new Float64Array(groups);
  const positives = new Float64Array(groups);
  const negatives = new Float64Array(groups);
  let g = -1;
  let previous = Number.NaN;
  let totalPositives = 0;
  for (let i = n - 1; i >= 0; i--) {
    const s = sortedAscending[i];
    if (s !== previous) {
      g++;
      thresholds[g] = s;
      previous = s;
    }
    if (flags[i] === 1) {
      positives[g]++;
      totalPositives++;
    } else {
      negatives[g]++;
    }
  }
  return { thresholds, positives, negatives, totalPositives, totalNegatives: n - totalPositives };
}

/** Builds {@link RankedScores} from per-group counts already in descending score order. */
export function rankedFromGroups(thresholds: Float64Array, positives: Float64Array, negatives: Float64Array): RankedScores {
  let totalPositives = 0;
  let totalNegatives = 0;
  for (let g = 0; g < thresholds.length; g++) {
    totalPositives += positives[g];
    totalNegatives += negatives[g];
  }
  return { thresholds, positives, negatives, totalPositives, totalNegatives };
}

function requireBothClasses(r: RankedScores, metric: string): void {
  if (r.totalPositives === 0 || r.totalNegatives === 0) {
    throw metricInputError(
      `${metric} is undefined when only one class is present (${r.totalPositives} positives, ${r.totalNegatives} negatives)`,
    );
  }
}

function requirePositives(r: RankedScores, metric: string): void {
  if (r.totalPositives === 0) throw metricInputError(`${metric} is undefined without positive labels`);
}

/**
 * Area under the ROC curve by the trapezoidal rule over the distinct-score points, which
 * counts a tied positive-negative pair as one half:
 * `AUROC = sum_g neg_g * (TP_{g-1} + pos_g / 2) / (P * N)`.
 * Throws when only one class is present (scikit-learn raises too).
 */
export function aurocFromRanked(r: RankedScores): number {
  requireBothClasses(r, 'AUROC');
  // Twice the area in units of (1/P)(1/N): an integer below 2^53 for any N < 9e7, so exact.
  let twiceArea = 0;
  let tpsBefore = 0;
  for (let g = 0; g < r.thresholds.length; g++) {
    const pos = r.positives[g];
    twiceArea += r.negatives[g] * (2 * tpsBefore + pos);
    tpsBefore += pos;
  }
  return twiceArea / (2 * r.totalPositives * r.totalNegatives);
}

/**
 * Average precision, scikit-learn's step definition `AP = sum_n (R_n - R_{n-1}) P_n` over
 * distinct thresholds in descending order (no interpolation). With no negatives AP is 1.
 * Throws without positives (scikit-learn 1.2 warns and returns 0 there; an undefined
 * figure is reported as an error here instead of as a perfect-looking or zero score).
 */
export function averagePrecisionFromRanked(r: RankedScores): number {
  requirePositives(r, 'average precision');
  let tps = 0;
  let fps = 0;
  let sum = 0;
  for (let g = 0; g < r.thresholds.length; g++) {
    const pos = r.positives[g];
    tps += pos;
    fps += r.negatives[g];
    if (pos > 0) sum += pos * (tps / (tps + fps));
  }
  return sum / r.totalPositives;
}

/**
 * Area under the precision-recall curve by the trapezoidal rule, as scikit-learn's
 * `auc(recall, precision)` on `precision_recall_curve`: the curve starts at
 * (recall 0, precision 1) and joins the distinct-threshold points with straight lines,
 * which is optimistic next to {@link averagePrecisionFromRanked}. Throws without positives.
 */
export function auprcFromRanked(r: RankedScores): number {
  requirePositives(r, 'AUPRC');
  let tps = 0;
  let fps = 0;
  let prevRecall = 0;
  let prevPrecision = 1;
  let area = 0;
  for (let g = 0; g < r.thresholds.length; g++) {
    tps += r.positives[g];
    fps += r.negatives[g];
    const recall = tps / r.totalPositives;
    const precision = tps / (tps + fps);
    area += (recall - prevRecall) * (precision + prevPrecision) * 0.5;
    prevRecall = recall;
    prevPrecision = precision;
  }
  return area;
}

/** AUROC of binary labels against scores; see {@link aurocFromRanked}. */
export function auroc(labels: NumberArray, scores: NumberArray): number {
  return aurocFromRanked(rankScores(labels, scores));
}

/** Average precision of binary labels against scores; see {@link averagePrecisionFromRanked}. */
export function averagePrecision(labels: NumberArray, scores: NumberArray): number {
  return averagePrecisionFromRanked(rankScores(labels, scores));
}

/** Trapezoidal area under the precision-recall curve; see {@link auprcFromRanked}. */
export function auprc(labels: NumberArray, scores: NumberArray): number {
  return auprcFromRanked(rankScores(labels, scores));
}

/** Points of a ROC curve, by increasing false-positive rate. */
export interface RocCurve {
  /** [M] false-positive rate, starts at 0. */
  fpr: Float64Array;
  /** [M] true-positive rate, starts at 0. */
  tpr: Float64Array;
  /** [M] score threshold of each point; the first is +Infinity (nothing predicted positive). */
  thresholds: Float64Array;
}

/**
 * ROC curve as scikit-learn's `roc_curve`: one point per distinct score, prefixed by
 * (0, 0). With `dropIntermediate` (the default, as in scikit-learn) a point is dropped when
 * both its FP and TP counts lie on a straight line with its neighbours; the area is the same.
 * The first threshold is +Infinity where scikit-learn 1.2 writes `max(score) + 1`.
 */
export function rocCurve(labels: NumberArray, scores: NumberArray, options: { dropIntermediate?: boolean } = {}): RocCurve {
  const r = rankScores(labels, scores);
  requireBothClasses(r, 'the ROC curve');
  const g = r.thresholds.length;
  const fps = new Float64Array(g);
  const tps = new Float64Array(g);
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < g; i++) {
    tp += r.positives[i];
    fp += r.negatives[i];
    tps[i] = tp;
    fps[i] = fp;
  }
  const keep: number[] = [];
  for (let i = 0; i < g; i++) {
    const interior = i > 0 && i < g - 1;
    const collinear =
      interior && fps[i + 1] - 2 * fps[i] + fps[i - 1] === 0 && tps[i + 1] - 2 * tps[i] + tps[i - 1] === 0;
    if (options.dropIntermediate === false || !collinear) keep.push(i);
  }
  const m = keep.length + 1;
  const curve: RocCurve = { fpr: new Float64Array(m), tpr: new Float64Array(m), thresholds: new Float64Array(m) };
  curve.thresholds[0] = Number.POSITIVE_INFINITY;
  for (let j = 0; j < keep.length; j++) {
    const i = keep[j];
    curve.fpr[j + 1] = fps[i] / r.totalNegatives;
    curve.tpr[j + 1] = tps[i] / r.totalPositives;
    curve.thresholds[j + 1] = r.thresholds[i];
  }
  return curve;
}

/** Points of a precision-recall curve in scikit-learn's order (increasing threshold). */
export interface PrecisionRecallCurve {
  /** [G+1] precision at each threshold, then a final 1. */
  precision: Float64Array;
  /** [G+1] recall at each threshold, then a final 0. */
  recall: Float64Array;
  /** [G] distinct scores, ascending. */
  thresholds: Float64Array;
}

/**
 * Precision-recall curve exactly as scikit-learn 1.2's `precision_recall_curve`: one point
 * per distinct score, ordered by increasing threshold, with the point (recall 0, precision 1)
 * appended. Throws without positives.
 */
export function precisionRecallCurve(labels: NumberArray, scores: NumberArray): PrecisionRecallCurve {
  const r = rankScores(labels, scores);
  requirePositives(r, 'the precision-recall curve');
  const g = r.thresholds.length;
  const curve: PrecisionRecallCurve = {
    precision: new Float64Array(g + 1),
    recall: new Float64Array(g + 1),
    thresholds: new Float64Array(g),
  };
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < g; i++) {
    tp += r.positives[i];
    fp += r.negatives[i];
    const at = g - 1 - i;
    curve.precision[at] = tp / (tp + fp);
    curve.recall[at] = tp / r.totalPositives;
    curve.thresholds[at] = r.thresholds[i];
  }
  curve.precision[g] = 1;
  curve.recall[g] = 0;
  return curve;
}
