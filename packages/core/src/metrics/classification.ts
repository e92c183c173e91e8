/**
 * Precision, recall and F-beta from a confusion matrix, with scikit-learn 1.2's averaging
 * and zero-division rules, plus the QC rates (escape rate, false-reject rate) and
 * cost-weighted error.
 *
 * Zero division follows `precision_recall_fscore_support(..., zero_division=z)`: a ratio
 * whose denominator is 0 (precision of a class never predicted, recall of a class never
 * present) takes the value z, 0 by default as with scikit-learn's "warn"; F-beta is then
 * computed from those values, with F = 0 when precision and recall are both 0. Averages run
 * over all K classes of the matrix, as scikit-learn does when given `labels=range(K)`, so a
 * class absent from both truth and prediction still counts in a macro average.
 */
import { binaryCounts, totalCount, type BinaryCounts, type ConfusionMatrix } from './confusion-matrix.ts';
import { metricInputError, type NumberArray } from './metric-input.ts';

/** Value given to a ratio whose denominator is zero. */
export type ZeroDivision = 0 | 1;

/** How per-class scores are combined (scikit-learn's `average`). */
export type Average = 'binary' | 'macro' | 'micro' | 'weighted';

/** Per-class precision, recall, F-beta and support (true count). */
export interface PerClassScores {
  /** [K] */ precision: Float64Array;
  /** [K] */ recall: Float64Array;
  /** [K] */ fscore: Float64Array;
  /** [K] number of items whose true class is k. */ support: Float64Array;
}

/** Averaged precision, recall and F-beta. */
export interface AveragedScores {
  precision: number;
  recall: number;
  fscore: number;
}

/** Options shared by the precision/recall/F functions. */
export interface ScoreOptions {
  /** Weight of recall in F-beta. Default 1 (F1). */
  beta?: number;
  /** Value of a 0/0 ratio. Default 0. */
  zeroDivision?: ZeroDivision;
}

function ratio(num: number, den: number, zeroDivision: ZeroDivision): number {
  return den === 0 ? zeroDivision : num / den;
}

function fbeta(precision: number, recall: number, beta2: number): number {
  const den = beta2 * precision + recall;
  return den === 0 ? 0 : ((1 + beta2) * precision * recall) / den;
}

function sums(cm: ConfusionMatrix): { tp: Float64Array; predicted: Float64Array; actual: Float64Array } {
  const k = cm.numClasses;
  const tp = new Float64Array(k);
  const predicted = new Float64Array(k);
  const actual = new Float64Array(k);
  for (let t = 0; t < k; t++) {
    for (let p = 0; p < k; p++) {
      const c = cm.counts[t * k + p];
      actual[t] += c;
      predicted[p] += c;
    }
    tp[t] = cm.counts[t * k + t];
  }
  return { tp, predicted, actual };
}

/**
 * Precision `TP/(TP+FP)`, recall `TP/(TP+FN)` and F-beta
 * `(1+b^2) P R / (b^2 P + R)` of every class, one-vs-rest.
 */
export function perClassScores(cm: ConfusionMatrix, options: ScoreOptions = {}): PerClassScores {
  const zd = options.zeroDivision ?? 0;
  const beta2 = (options.beta ?? 1) ** 2;
  const { tp, predicted, actual } = sums(cm);
  const k = cm.numClasses;
  const out: PerClassScores = {
    precision: new Float64Array(k),
    recall: new Float64Array(k),
    fscore: new Float64Array(k),
    support: actual,
  };
  for (let c = 0; c < k; c++) {
    out.precision[c] = ratio(tp[c], predicted[c], zd);
    out.recall[c] = ratio(tp[c], actual[c], zd);
    out.fscore[c] = fbeta(out.precision[c], out.recall[c], beta2);
  }
  return out;
}

/**
 * Precision, recall and F-beta averaged as scikit-learn does:
 * - `binary`: the scores of `positiveClass` only (K must be 2);
 * - `macro`: unweighted mean over the K classes;
 * - `micro`: from TP, FP, FN summed over classes (equals accuracy for single-label data);
 * - `weighted`: mean weighted by support (the zero-division value for an empty matrix).
 */
export function averageScores(
  cm: ConfusionMatrix,
  average: Average,
  options: ScoreOptions & { positiveClass?: number } = {},
): AveragedScores {
  const zd = options.zeroDivision ?? 0;
  const beta2 = (options.beta ?? 1) ** 2;
  if (average === 'binary') {
    if (cm.numClasses !== 2) {
      throw metricInputError(`average 'binary' needs exactly 2 classes, got ${cm.numClasses}; use macro, micro or weighted`);
    }
    const c = binaryCounts(cm, options.positiveClass ?? 1);
    const precision = ratio(c.tp, c.tp + c.fp, zd);
    const recall = ratio(c.tp, c.tp + c.fn, zd);
    return { precision, recall, fscore: fbeta(precision, recall, beta2) };
  }
  if (average === 'micro') {
    const { tp, predicted, actual } = sums(cm);
    const total = (a: Float64Array) => a.reduce((s, x) => s + x, 0);
    const precision = ratio(total(tp), total(predicted), zd);
    const recall = ratio(total(tp), total(actual), zd);
    return { precision, recall, fscore: fbeta(precision, recall, beta2) };
  }
  const per = perClassScores(cm, options);
  const k = cm.numClasses;
  if (average === 'macro') {
    return { precision: mean(per.precision), recall: mean(per.recall), fscore: mean(per.fscore) };
  }
  const weightSum = per.support.reduce((s, x) => s + x, 0);
  // Only an empty matrix has no support; scikit-learn then returns the zero-division value.
  if (weightSum === 0) return { precision: zd, recall: zd, fscore: zd };
  const weighted = (v: Float64Array) => {
    let s = 0;
    for (let c = 0; c < k; c++) s += v[c] * per.support[c];
    return s / weightSum;
  };
  return { precision: weighted(per.precision), recall: weighted(per.recall), fscore: weighted(per.fscore) };
}

function mean(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  return s / v.length;
}

/** Options of the QC rates. */
export interface RateOptions {
  /** Value returned when the denominator is zero. Default 0. */
  zeroDivision?: number;
}

/**
 * Escape rate: defective parts passed as good over all defective parts, `FN / (TP + FN)`
 * with "defective" the positive class. Equals 1 - recall when there are defective parts;
 * `zeroDivision` (default 0: no defect, no escape) otherwise.
 */
export function escapeRate(counts: BinaryCounts, options: RateOptions = {}): number {
  const den = counts.tp + counts.fn;
  return den === 0 ? (options.zeroDivision ?? 0) : counts.fn / den;
}

/**
 * False-reject rate: good parts rejected over all good parts, `FP / (FP + TN)`;
 * `zeroDivision` (default 0) when there are no good parts.
 */
export function falseRejectRate(counts: BinaryCounts, options: RateOptions = {}): number {
  const den = counts.fp + counts.tn;
  return den === 0 ? (options.zeroDivision ?? 0) : counts.fp / den;
}

/**
 * Mean misclassification cost `sum_{t,p} C[t,p] * M[t,p] / N`.
 * @param costs [K*K] row-major cost of predicting p when the truth is t (diagonal usually 0)
 */
export function costWeightedError(cm: ConfusionMatrix, costs: NumberArray): number {
  const k = cm.numClasses;
  if (costs.length !== k * k) throw metricInputError(`costs has ${costs.length} entries; a ${k}x${k} matrix needs ${k * k}`);
  const n = totalCount(cm);
  if (n === 0) throw metricInputError('cost-weighted error is undefined for an empty confusion matrix');
  let s = 0;
  for (let i = 0; i < k * k; i++) {
    if (!Number.isFinite(costs[i])) throw metricInputError(`costs[${i}] is ${costs[i]}; only finite numbers are accepted`);
    s += costs[i] * cm.counts[i];
  }
  return s / n;
}

/**
 * Binary cost-weighted error `(escapeCost * FN + falseRejectCost * FP) / N`: what an
 * escape (a defect shipped) and a false reject (a good part scrapped) cost on average.
 */
export function binaryCostWeightedError(counts: BinaryCounts, costs: { escapeCost: number; falseRejectCost: number }): number {
  const n = counts.tp + counts.fp + counts.tn + counts.fn;
  if (n === 0) throw metricInputError('cost-weighted error is undefined without items');
  return (costs.escapeCost * counts.fn + costs.falseRejectCost * counts.fp) / n;
}
