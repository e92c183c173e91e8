/**
 * Decision thresholds for anomaly scores and their normalisation to [0, 1].
 *
 * Threshold: with labelled defect images, the F1-optimal cut over good and defect
 * validation scores (placed halfway between the lowest flagged score and the next lower
 * one); otherwise, or when the F1-optimal cut would flag every validation image, the
 * `quantile` (default 0.99) of the good validation scores, with numpy's default linear
 * interpolation. Each choice records its source and, in `warnings`, anything a user must
 * know to trust it (too few good images for the quantile to mean what it says, a
 * fallback). The threshold is never silently the minimum score.
 *
 * Normalisation: piecewise linear, `low` (the lowest good validation score) -> 0,
 * `threshold` -> 0.5, `high` = threshold + (threshold - low) -> 1, clipped to [0, 1]; a
 * normalised score >= 0.5 means anomalous.
 */
import { XqcError } from '../../errors.ts';
import { rankScores } from '../../metrics/ranking.ts';

/** A chosen threshold and where it came from. */
export interface ThresholdChoice {
  value: number;
  source: 'good-quantile' | 'f1-optimal';
  /** The quantile used (for `good-quantile`), or that the fallback would have used. */
  quantile: number;
  /** The good-quantile value, recorded even when the F1-optimal threshold is chosen. */
  goodQuantileValue: number;
  /** F1 of the validation set at `value` (only with defect samples). */
  f1?: number;
  counts: { good: number; defect: number };
  warnings: string[];
}

/** The q-quantile of `values` with linear interpolation between order statistics (numpy's default). */
export function quantile(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) throw new XqcError('XQC_INVALID_ARGUMENT', 'quantile of no values');
  if (!(q >= 0 && q <= 1)) throw new XqcError('XQC_INVALID_ARGUMENT', `quantile must lie in [0, 1], got ${q}`);
  const s = Float64Array.from(values).sort();
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/**
 * The F1-optimal cut of `scores` (label 1 = defect): the threshold t (flag when score >= t)
 * maximising F1 = 2 TP / (2 TP + FP + FN), placed halfway between the lowest flagged score
 * and the next lower one (or at the lowest score when every sample is flagged). Ties in F1
 * go to the higher threshold.
 * @returns the threshold, its F1 and whether it flags every sample
 */
export function f1OptimalThreshold(scores: ArrayLike<number>, labels: ArrayLike<number>): { value: number; f1: number; flagsAll: boolean } {
  const r = rankScores(labels, scores);
  if (r.totalPositives === 0) throw new XqcError('XQC_INVALID_ARGUMENT', 'F1-optimal threshold needs at least one defect sample');
  const groups = r.thresholds.length;
  let tp = 0;
  let fp = 0;
  let bestF1 = -1;
  let bestAt = 0;
  for (let g = 0; g < groups; g++) {
    tp += r.positives[g];
    fp += r.negatives[g];
    const f1 = (2 * tp) / (2 * tp + fp + (r.totalPositives - tp));
    if (f1 > bestF1) {
      bestF1 = f1;
      bestAt = g;
    }
  }
  const flagsAll = bestAt === groups - 1;
  const lowest = r.thresholds[bestAt];
  return { value: flagsAll ? lowest : (lowest + r.thresholds[bestAt + 1]) / 2, f1: bestF1, flagsAll };
}

/** Options of {@link chooseThreshold}. */
export interface ThresholdOptions {
  /** Quantile of the good scores (default 0.99). */
  quantile?: number;
  /** What is thresholded, for messages (default 'image'). */
  what?: string;
  /**
   * Further negative samples for the F1 cut only, not for the quantile: the defect-free
   * pixels of defect images, which sit beside defects and are not good-image evidence.
   */
  extraNegatives?: ArrayLike<number>;
}

/**
 * Chooses the threshold of `good` validation scores and, when given, `defect` ones (see
 * the module comment).
 * @throws XQC_ANOMALY when there is no good validation score
 */
export function chooseThreshold(good: ArrayLike<number>, defect: ArrayLike<number> = [], options: ThresholdOptions = {}): ThresholdChoice {
  const q = options.quantile ?? 0.99;
  const what = options.what ?? 'image';
  if (good.length === 0) throw new XqcError('XQC_ANOMALY', `the ${what} threshold needs at least one good validation sample`);
  const goodQuantileValue = quantile(good, q);
  const warnings: string[] = [];
  const counts = { good: good.length, defect: defect.length };
  if (q > 0 && q < 1 && good.length < Math.ceil(1 / (1 - q))) {
    warnings.push(`only ${good.length} good validation ${what} samples: the ${q} quantile is close to their maximum; add good images for a threshold that generalises`);
  }
  if (defect.length > 0) {
    const extra = options.extraNegatives ?? [];
    const negatives = good.length + extra.length;
    const scores = new Float64Array(negatives + defect.length);
    const labels = new Uint8Array(scores.length);
    scores.set(Float64Array.from(good), 0);
    scores.set(Float64Array.from(extra), good.length);
    scores.set(Float64Array.from(defect), negatives);
    labels.fill(1, negatives);
    const best = f1OptimalThreshold(scores, labels);
    if (!best.flagsAll) return { value: best.value, source: 'f1-optimal', quantile: q, goodQuantileValue, f1: best.f1, counts, warnings };
    warnings.push(`the F1-optimal ${what} threshold would flag every validation sample; fell back to the ${q} quantile of the good scores`);
  }
  return { value: goodQuantileValue, source: 'good-quantile', quantile: q, goodQuantileValue, counts, warnings };
}

/** The piecewise-linear map of raw scores to [0, 1]. */
export interface ScoreNormalisation {
  /** Maps to 0: the lowest good validation score (0 when that is not below the threshold). */
  low: number;
  /** Maps to 0.5. */
  threshold: number;
  /** Maps to 1: threshold + (threshold - low). */
  high: number;
}

/**
 * The normalisation for `threshold` given the good validation scores.
 * @throws XQC_ANOMALY when the threshold is not positive (all good scores are zero)
 */
export function normalisationFor(threshold: number, good: ArrayLike<number>): ScoreNormalisation {
  if (!(threshold > 0)) throw new XqcError('XQC_ANOMALY', `the anomaly threshold must be positive, got ${threshold}: the good validation scores are all zero`);
  let low = Infinity;
  for (let i = 0; i < good.length; i++) low = Math.min(low, good[i]);
  if (!(low < threshold)) low = 0;
  return { low, threshold, high: 2 * threshold - low };
}

/** Normalised score in [0, 1]: linear from low (0) to threshold (0.5) and from threshold to high (1), clipped. */
export function normaliseScore(s: number, n: ScoreNormalisation): number {
  const v = s < n.threshold ? (0.5 * (s - n.low)) / (n.threshold - n.low) : 0.5 + (0.5 * (s - n.threshold)) / (n.high - n.threshold);
  return v <= 0 ? 0 : v >= 1 ? 1 : v;
}

/** {@link normaliseScore} over a map (new array). */
export function normaliseMap(map: Float32Array, n: ScoreNormalisation): Float32Array {
  const out = new Float32Array(map.length);
  for (let i = 0; i < map.length; i++) out[i] = normaliseScore(map[i], n);
  return out;
}
