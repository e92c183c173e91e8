/**
 * Uncertainty measures from S stochastic predictions per item (MC-Dropout passes or
 * ensemble members), all in nats:
 * - predictive entropy `H[mean_s p_s]`: total uncertainty;
 * - expected entropy `mean_s H[p_s]`: aleatoric part (noise the model expects);
 * - mutual information `H[mean_s p_s] - mean_s H[p_s]` (BALD, Houlsby et al. 2011):
 *   epistemic part, the disagreement between samples;
 * - per-class variance over samples.
 * `0 log 0` is taken as 0.
 */
import {
  metricInputError,
  requireIntegerAtLeast,
  requireProbabilityRows,
  type NumberArray,
} from '../metrics/metric-input.ts';

/** Shape of a sample array: S samples of N items over K classes. */
export interface SampleShape {
  samples: number;
  items: number;
  classes: number;
}

/** All measures of {@link uncertaintyMeasures}. */
export interface UncertaintyMeasures {
  /** [N*K] mean probability over samples. */
  mean: Float64Array;
  /** [N*K] variance over samples of each class probability. */
  variance: Float64Array;
  /** [N] entropy of the mean probability. */
  predictiveEntropy: Float64Array;
  /** [N] mean over samples of the entropy of each sample. */
  expectedEntropy: Float64Array;
  /** [N] predictive minus expected entropy, clamped at 0 against rounding. */
  mutualInformation: Float64Array;
}

/**
 * Shannon entropy `-sum_k p_k log p_k` of each row.
 * @param probs [N*K] row-major probabilities (rows sum to 1 within 1e-4)
 * @returns [N] float64, nats
 */
export function entropy(probs: NumberArray, numClasses: number): Float64Array {
  requireIntegerAtLeast('numClasses', numClasses, 1);
  const n = probs.length / numClasses;
  if (!Number.isInteger(n) || n === 0) {
    throw metricInputError(`probs has ${probs.length} values, not a non-empty multiple of ${numClasses} classes`);
  }
  requireProbabilityRows('probs', probs, n, numClasses);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = rowEntropy(probs, i * numClasses, numClasses);
  return out;
}

function rowEntropy(p: NumberArray, offset: number, k: number): number {
  let h = 0;
  for (let j = 0; j < k; j++) {
    const x = p[offset + j];
    if (x > 0) h -= x * Math.log(x);
  }
  return h;
}

/**
 * Mean, variance, predictive entropy, expected entropy and mutual information.
 * @param samples [S*N*K] row-major: sample s, item i, class k at `(s * N + i) * K + k`;
 * every `[K]` row is a probability vector
 * @param options.ddof delta degrees of freedom of the variance: 0 (default) divides by S,
 * 1 by S - 1 (unbiased, needs S >= 2)
 */
export function uncertaintyMeasures(
  samples: NumberArray,
  shape: SampleShape,
  options: { ddof?: 0 | 1 } = {},
): UncertaintyMeasures {
  const { samples: s0, items: n, classes: k } = shape;
  requireIntegerAtLeast('samples', s0, 1);
  requireIntegerAtLeast('items', n, 1);
  requireIntegerAtLeast('classes', k, 1);
  if (samples.length !== s0 * n * k) {
    throw metricInputError(`samples has ${samples.length} values; shape [${s0}, ${n}, ${k}] needs ${s0 * n * k}`);
  }
  const ddof = options.ddof ?? 0;
  if (s0 - ddof < 1) throw metricInputError(`variance with ddof = ${ddof} needs more than ${ddof} sample(s)`);
  requireProbabilityRows('samples', samples, s0 * n, k);
  const mean = new Float64Array(n * k);
  const expectedEntropy = new Float64Array(n);
  for (let s = 0; s < s0; s++) {
    for (let i = 0; i < n; i++) {
      const row = (s * n + i) * k;
      for (let j = 0; j < k; j++) mean[i * k + j] += samples[row + j];
      expectedEntropy[i] += rowEntropy(samples, row, k);
    }
  }
  for (let x = 0; x < n * k; x++) mean[x] /= s0;
  for (let i = 0; i < n; i++) expectedEntropy[i] /= s0;
  // Two-pass variance about the mean: the one-pass formula cancels badly near p = 0 or 1.
  const variance = new Float64Array(n * k);
  for (let s = 0; s < s0; s++) {
    for (let x = 0; x < n * k; x++) {
      const d = samples[s * n * k + x] - mean[x];
      variance[x] += d * d;
    }
  }
  for (let x = 0; x < n * k; x++) variance[x] /= s0 - ddof;
  const predictiveEntropy = new Float64Array(n);
  const mutualInformation = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    predictiveEntropy[i] = rowEntropy(mean, i * k, k);
    mutualInformation[i] = Math.max(0, predictiveEntropy[i] - expectedEntropy[i]);
  }
  return { mean, variance, predictiveEntropy, expectedEntropy, mutualInformation };
}
