/**
 * Proper scoring rules (Brier score, negative log-likelihood) and the softmax they are
 * computed from when a model gives logits.
 */
import {
  inferClassCount,
  metricInputError,
  requireFinite,
  requireLabels,
  requireNonEmpty,
  requireProbabilities,
  requireSameLength,
  type NumberArray,
} from '../../metrics/metric-input.ts';
import { checkProbabilities } from './calibration-error.ts';

/**
 * Multiclass Brier score `(1/N) sum_i sum_k (p_ik - [y_i = k])^2`, in [0, 2].
 * @param probs [N*K] row-major probabilities
 * @param labels [N] classes
 */
export function brierScore(probs: NumberArray, labels: NumberArray): number {
  const k = checkProbabilities(probs, labels);
  let s = 0;
  for (let i = 0; i < labels.length; i++) {
    for (let j = 0; j < k; j++) {
      const d = probs[i * k + j] - (labels[i] === j ? 1 : 0);
      s += d * d;
    }
  }
  return s / labels.length;
}

/**
 * Binary Brier score `(1/N) sum_i (p_i - y_i)^2` (scikit-learn's `brier_score_loss`), in [0, 1].
 * @param probPositive [N] probability of class 1
 * @param labels [N] 0/1
 */
export function binaryBrierScore(probPositive: NumberArray, labels: NumberArray): number {
  requireNonEmpty('labels', labels);
  requireSameLength('probPositive', probPositive, 'labels', labels);
  requireProbabilities('probPositive', probPositive);
  requireLabels('labels', labels, 2);
  let s = 0;
  for (let i = 0; i < labels.length; i++) {
    const d = probPositive[i] - labels[i];
    s += d * d;
  }
  return s / labels.length;
}

/**
 * Mean negative log-likelihood `-(1/N) sum_i log p_{i,y_i}` from probabilities, as
 * scikit-learn 1.2's `log_loss`: each row is clipped to `[eps, 1 - eps]` and renormalised
 * first, so a zero probability on the true class costs `-log(eps)` instead of infinity.
 * @param probs [N*K] row-major probabilities
 * @param labels [N] classes
 * @param options.eps clipping, default float64 epsilon 2.22e-16 (scikit-learn's 'auto')
 */
export function negativeLogLikelihood(probs: NumberArray, labels: NumberArray, options: { eps?: number } = {}): number {
  const k = checkProbabilities(probs, labels);
  const eps = options.eps ?? Number.EPSILON;
  let s = 0;
  for (let i = 0; i < labels.length; i++) {
    let rowSum = 0;
    for (let j = 0; j < k; j++) rowSum += clip(probs[i * k + j], eps);
    s -= Math.log(clip(probs[i * k + labels[i]], eps) / rowSum);
  }
  return s / labels.length;
}

function clip(p: number, eps: number): number {
  return p < eps ? eps : p > 1 - eps ? 1 - eps : p;
}

/**
 * Mean negative log-likelihood of logits, `(1/N) sum_i (logsumexp(z_i / T) - z_{i,y_i} / T)`,
 * computed stably (max subtracted), as `torch.nn.functional.cross_entropy(z / T, y)`.
 * @param logits [N*K] row-major
 * @param labels [N] classes
 * @param temperature T > 0, default 1
 */
export function logitsNegativeLogLikelihood(logits: NumberArray, labels: NumberArray, temperature = 1): number {
  const k = checkLogits(logits, labels);
  if (!(temperature > 0 && Number.isFinite(temperature))) {
    throw metricInputError(`temperature must be a finite positive number, got ${temperature}`);
  }
  const beta = 1 / temperature;
  let s = 0;
  for (let i = 0; i < labels.length; i++) {
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, logits[i * k + j] * beta);
    let sum = 0;
    for (let j = 0; j < k; j++) sum += Math.exp(logits[i * k + j] * beta - max);
    s += max + Math.log(sum) - logits[i * k + labels[i]] * beta;
  }
  return s / labels.length;
}

/** Validates `[N,K]` logits (finite) and labels, returns K. */
export function checkLogits(logits: NumberArray, labels: NumberArray): number {
  const k = inferClassCount('logits', logits, labels.length);
  requireFinite('logits', logits);
  requireLabels('labels', labels, k);
  return k;
}

/**
 * Row-wise softmax `p_ik = exp(z_ik / T) / sum_j exp(z_ij / T)`, stable.
 * @param logits [N*K] row-major, finite
 * @param numClasses K
 * @param temperature T > 0, default 1
 * @returns [N*K] float64
 */
export function softmax(logits: NumberArray, numClasses: number, temperature = 1): Float64Array {
  const k = numClasses;
  if (!Number.isInteger(k) || k < 1 || logits.length % k !== 0) {
    throw metricInputError(`logits has ${logits.length} values, not a multiple of ${k} classes`);
  }
  if (!(temperature > 0 && Number.isFinite(temperature))) {
    throw metricInputError(`temperature must be a finite positive number, got ${temperature}`);
  }
  requireFinite('logits', logits);
  const beta = 1 / temperature;
  const out = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i += k) {
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, logits[i + j] * beta);
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const e = Math.exp(logits[i + j] * beta - max);
      out[i + j] = e;
      sum += e;
    }
    for (let j = 0; j < k; j++) out[i + j] /= sum;
  }
  return out;
}
