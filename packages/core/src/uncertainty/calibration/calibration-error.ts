/**
 * Calibration errors of a probabilistic classifier. Top-label metrics use the confidence
 * `max_k p_k` and whether the arg-max (first on ties, as `numpy.argmax`) is the true label.
 * Binning is that of scikit-learn's `calibration_curve` (see binning.ts); empty bins never
 * count.
 */
import {
  inferClassCount,
  requireLabels,
  requireProbabilityRows,
  type NumberArray,
} from '../../metrics/metric-input.ts';
import { binTotals, type BinStrategy, type BinTotals } from './binning.ts';

/** Options of the binned calibration metrics. */
export interface BinningOptions {
  /** Number of bins. Default 15. */
  bins?: number;
  /** Equal-width (default) or equal-mass bins. */
  strategy?: BinStrategy;
}

/** Top-label confidence and correctness of each item. */
export interface TopLabel {
  /** [N] max_k p_k */
  confidence: Float64Array;
  /** [N] 1 when the arg-max is the true label */
  correct: Uint8Array;
  /** [N] the arg-max */
  predicted: Int32Array;
}

/**
 * Validates `[N,K]` probabilities and labels and returns K. Rows must sum to 1 within 1e-4.
 * @param probs [N*K] row-major
 * @param labels [N] classes in 0..K-1
 */
export function checkProbabilities(probs: NumberArray, labels: NumberArray): number {
  const k = inferClassCount('probs', probs, labels.length);
  requireProbabilityRows('probs', probs, labels.length, k);
  requireLabels('labels', labels, k);
  return k;
}

/** Confidence, prediction and correctness of every row. */
export function topLabel(probs: NumberArray, labels: NumberArray): TopLabel {
  const k = checkProbabilities(probs, labels);
  const n = labels.length;
  const out: TopLabel = { confidence: new Float64Array(n), correct: new Uint8Array(n), predicted: new Int32Array(n) };
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (probs[i * k + j] > probs[i * k + best]) best = j;
    out.confidence[i] = probs[i * k + best];
    out.predicted[i] = best;
    out.correct[i] = best === labels[i] ? 1 : 0;
  }
  return out;
}

/** `sum_b (n_b / N) |acc_b - conf_b|` and `max_b |acc_b - conf_b|` over non-empty bins. */
function gaps(t: BinTotals): { weighted: number; max: number; mean: number; used: number } {
  let n = 0;
  for (let b = 0; b < t.count.length; b++) n += t.count[b];
  let weighted = 0;
  let max = 0;
  let sum = 0;
  let used = 0;
  for (let b = 0; b < t.count.length; b++) {
    const c = t.count[b];
    if (c === 0) continue;
    const gap = Math.abs(t.outcome[b] / c - t.confidence[b] / c);
    weighted += (c / n) * gap;
    sum += gap;
    used++;
    if (gap > max) max = gap;
  }
  return { weighted, max, mean: sum / used, used };
}

/**
 * Expected calibration error of the top label,
 * `ECE = sum_b (n_b / N) |accuracy_b - mean confidence_b|`, with equal-width (default,
 * Guo et al. 2017) or equal-mass bins.
 * @param probs [N*K] row-major probabilities
 * @param labels [N] true classes
 */
export function expectedCalibrationError(probs: NumberArray, labels: NumberArray, options: BinningOptions = {}): number {
  const top = topLabel(probs, labels);
  return gaps(binTotals(top.confidence, top.correct, options.bins ?? 15, options.strategy ?? 'equal-width')).weighted;
}

/** Maximum calibration error of the top label, `max_b |accuracy_b - confidence_b|` over non-empty bins. */
export function maxCalibrationError(probs: NumberArray, labels: NumberArray, options: BinningOptions = {}): number {
  const top = topLabel(probs, labels);
  return gaps(binTotals(top.confidence, top.correct, options.bins ?? 15, options.strategy ?? 'equal-width')).max;
}

/** Column k of a row-major `[N,K]` matrix and the indicator `labels == k`. */
function classColumn(probs: NumberArray, labels: NumberArray, k: number, c: number): { p: Float64Array; y: Uint8Array } {
  const n = labels.length;
  const p = new Float64Array(n);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    p[i] = probs[i * k + c];
    y[i] = labels[i] === c ? 1 : 0;
  }
  return { p, y };
}

/**
 * Adaptive calibration error (Nixon et al. 2019): for every class k, the probabilities
 * `p_k` of all items are split into equal-mass bins; ACE is the unweighted mean of
 * `|freq(y = k)_b - mean(p_k)_b|` over all classes and non-empty bins.
 */
export function adaptiveCalibrationError(probs: NumberArray, labels: NumberArray, options: { bins?: number } = {}): number {
  const k = checkProbabilities(probs, labels);
  let sum = 0;
  let used = 0;
  for (let c = 0; c < k; c++) {
    const { p, y } = classColumn(probs, labels, k, c);
    const g = gaps(binTotals(p, y, options.bins ?? 15, 'equal-mass'));
    sum += g.mean * g.used;
    used += g.used;
  }
  return sum / used;
}

/**
 * Classwise ECE (Kull et al. 2019): the mean over classes of the equal-width-binned ECE of
 * `p_k` against `y = k`, `(1/K) sum_k sum_b (n_kb / N) |freq_kb - conf_kb|`.
 */
export function classwiseCalibrationError(probs: NumberArray, labels: NumberArray, options: { bins?: number } = {}): number {
  const k = checkProbabilities(probs, labels);
  let sum = 0;
  for (let c = 0; c < k; c++) {
    const { p, y } = classColumn(probs, labels, k, c);
    sum += gaps(binTotals(p, y, options.bins ?? 15, 'equal-width')).weighted;
  }
  return sum / k;
}

/** One bin of a reliability diagram. */
export interface ReliabilityBin {
  lower: number;
  upper: number;
  count: number;
  /** Mean confidence in the bin; NaN when empty. */
  meanConfidence: number;
  /** Fraction correct in the bin; NaN when empty. */
  accuracy: number;
}

/** Data of a reliability diagram. */
export interface ReliabilityDiagram {
  /** [B] every bin, empty ones included. */
  bins: ReliabilityBin[];
  ece: number;
  mce: number;
  /** Items. */
  count: number;
  /** Overall top-label accuracy. */
  accuracy: number;
  /** Overall mean confidence. */
  meanConfidence: number;
}

/**
 * Per-bin count, mean confidence and accuracy of the top label (empty bins included, with
 * NaN means), plus ECE and MCE over the same bins.
 */
export function reliabilityDiagram(probs: NumberArray, labels: NumberArray, options: BinningOptions = {}): ReliabilityDiagram {
  const top = topLabel(probs, labels);
  const t = binTotals(top.confidence, top.correct, options.bins ?? 15, options.strategy ?? 'equal-width');
  const bins: ReliabilityBin[] = [];
  for (let b = 0; b < t.count.length; b++) {
    const c = t.count[b];
    bins.push({
      lower: t.edges[b],
      upper: t.edges[b + 1],
      count: c,
      meanConfidence: c === 0 ? Number.NaN : t.confidence[b] / c,
      accuracy: c === 0 ? Number.NaN : t.outcome[b] / c,
    });
  }
  const g = gaps(t);
  const n = labels.length;
  return {
    bins,
    ece: g.weighted,
    mce: g.max,
    count: n,
    accuracy: top.correct.reduce((s, x) => s + x, 0) / n,
    meanConfidence: top.confidence.reduce((s, x) => s + x, 0) / n,
  };
}
