/**
 * Split conformal classification. Scores of n held-out calibration items give a threshold
 * q; the prediction set of a new item holds every label whose score is at most q. With
 * `k = ceil((n + 1)(1 - alpha))` and q the k-th smallest calibration score (the empirical
 * quantile at level k/n, i.e. the `(n+1)(1-alpha)/n` finite-sample correction), the set
 * contains the true label with probability at least 1 - alpha whenever calibration and
 * test items are exchangeable, and at most `1 - alpha + 1/(n + 1)` when scores have no ties
 * (Vovk et al. 2005; Angelopoulos and Bates 2021). If k > n, q is +Infinity and every set
 * holds every label: too few calibration items for that alpha.
 */
import {
  metricInputError,
  requireFinite,
  requireNonEmpty,
  requireOpenUnit,
  requireProbabilityRows,
  type NumberArray,
} from '../../metrics/metric-input.ts';
import { checkProbabilities } from '../calibration/calibration-error.ts';
import { apsScoresOfRow, lacScore, type ConformalScore } from './scores.ts';
import { uniformRng } from '../../util/random.ts';

/** Options of {@link calibrateConformal}. */
export interface ConformalOptions {
  /** Target miscoverage, e.g. 0.1 for 90 % coverage. */
  alpha: number;
  /** Non-conformity score. Default 'aps'. */
  score?: ConformalScore;
  /** APS only: draw u ~ U(0, 1) per item (coverage exact up to 1/(n+1)); otherwise conservative. Default true. */
  randomized?: boolean;
  /** Seed of the calibration draws. Default 1. */
  seed?: number;
}

/** A calibrated conformal classifier: everything needed to build prediction sets. */
export interface ConformalPredictor {
  score: ConformalScore;
  randomized: boolean;
  alpha: number;
  numClasses: number;
  calibrationSize: number;
  /** The threshold q on the score; +Infinity when n is too small for alpha. */
  quantile: number;
}

/**
 * Non-conformity score of the true label of each item.
 * @param probs [N*K] row-major probabilities
 * @param labels [N] true classes
 * @returns [N] float64
 */
export function conformalScores(
  probs: NumberArray,
  labels: NumberArray,
  options: Omit<ConformalOptions, 'alpha'> = {},
): Float64Array {
  const k = checkProbabilities(probs, labels);
  const n = labels.length;
  const out = new Float64Array(n);
  if ((options.score ?? 'aps') === 'lac') {
    for (let i = 0; i < n; i++) out[i] = lacScore(probs, i, k, labels[i]);
    return out;
  }
  const uniform = uniformRng(options.seed ?? 1);
  const randomized = options.randomized ?? true;
  const order = new Int32Array(k);
  const row = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    apsScoresOfRow(probs, i, k, randomized ? uniform() : 0, order, row);
    out[i] = row[labels[i]];
  }
  return out;
}

/**
 * The conformal threshold: the k-th smallest score with `k = ceil((n + 1)(1 - alpha))`,
 * or +Infinity when k > n. The ceiling ignores a relative excess below 1e-9 so that, say,
 * n = 499 and alpha = 0.18 give k = 410 although 500 * (1 - 0.18) evaluates to
 * 410.00000000000006 in floating point.
 * @param scores [n] calibration scores
 */
export function conformalQuantile(scores: NumberArray, alpha: number): number {
  requireNonEmpty('scores', scores);
  requireFinite('scores', scores);
  requireOpenUnit('alpha', alpha);
  const n = scores.length;
  const target = (n + 1) * (1 - alpha);
  const k = Math.ceil(target - 1e-9 * target);
  if (k > n) return Number.POSITIVE_INFINITY;
  const sorted = Float64Array.from(scores).sort();
  return sorted[Math.max(1, k) - 1];
}

/**
 * Calibrates a split conformal classifier on held-out data (not the training data).
 * @param probs [n*K] row-major calibration probabilities
 * @param labels [n] calibration classes
 */
export function calibrateConformal(probs: NumberArray, labels: NumberArray, options: ConformalOptions): ConformalPredictor {
  requireOpenUnit('alpha', options.alpha);
  const k = checkProbabilities(probs, labels);
  const score = options.score ?? 'aps';
  if (score !== 'lac' && score !== 'aps') throw metricInputError(`unknown conformal score '${String(score)}'; use 'lac' or 'aps'`);
  const scores = conformalScores(probs, labels, options);
  return {
    score,
    randomized: score === 'aps' && (options.randomized ?? true),
    alpha: options.alpha,
    numClasses: k,
    calibrationSize: labels.length,
    quantile: conformalQuantile(scores, options.alpha),
  };
}

/**
 * Prediction sets `{y : score(x, y) <= q}` of new items. Sets may be empty with LAC or
 * randomised APS (no label plausible enough), never with non-randomised APS, and may hold
 * every label.
 * @param probs [N*K] row-major probabilities with the predictor's K
 * @param options.seed seed of the APS draws of these items. Default 2, distinct from the
 * calibration default so calibration and test draws are independent.
 * @returns N arrays of class indices, by decreasing probability for APS and by index for LAC
 */
export function predictionSets(predictor: ConformalPredictor, probs: NumberArray, options: { seed?: number } = {}): number[][] {
  const k = predictor.numClasses;
  if (probs.length % k !== 0 || probs.length === 0) {
    throw metricInputError(`probs has ${probs.length} values, not a non-empty multiple of ${k} classes`);
  }
  const n = probs.length / k;
  requireProbabilityRows('probs', probs, n, k);
  const q = predictor.quantile;
  const sets: number[][] = [];
  if (predictor.score === 'lac') {
    for (let i = 0; i < n; i++) {
      const set: number[] = [];
      for (let c = 0; c < k; c++) if (lacScore(probs, i, k, c) <= q) set.push(c);
      sets.push(set);
    }
    return sets;
  }
  const uniform = uniformRng(options.seed ?? 2);
  const order = new Int32Array(k);
  const scores = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    apsScoresOfRow(probs, i, k, predictor.randomized ? uniform() : 0, order, scores);
    // Scores grow with rank, so the set is a prefix of the ranking.
    const set: number[] = [];
    for (let r = 0; r < k && scores[order[r]] <= q; r++) set.push(order[r]);
    sets.push(set);
  }
  return sets;
}

/**
 * Fraction of items whose set contains the true label.
 * @param labels [N] true classes
 */
export function empiricalCoverage(sets: readonly (readonly number[])[], labels: NumberArray): number {
  if (sets.length !== labels.length) throw metricInputError(`sets and labels differ in length (${sets.length} vs ${labels.length})`);
  requireNonEmpty('labels', labels);
  let covered = 0;
  for (let i = 0; i < sets.length; i++) if (sets[i].includes(labels[i])) covered++;
  return covered / sets.length;
}

/** Mean number of labels per set. */
export function averageSetSize(sets: readonly (readonly number[])[]): number {
  if (sets.length === 0) throw metricInputError('sets is empty; at least one item is needed');
  return sets.reduce((s, set) => s + set.length, 0) / sets.length;
}
