/**
 * Exact Shapley values of a surrogate for one image, against a background. A feature
 * left out of a coalition takes its background mean (the interventional value function
 * with the background replaced by its mean):
 *   v(S) = f(x_S, mean_{not S}),  phi_i = sum_{S not containing i} |S|! (d - |S| - 1)! / d! (v(S + i) - v(S)),
 * with base value v({}) = f(mean) and efficiency base + sum_i phi_i = v(all) = f(x).
 * For a linear f = b + <w, x> the value function is the same whether absent features take
 * the background mean or are averaged over the background (interventional SHAP), and
 * the values reduce to phi_i = w_i (x_i - E[x_i]) with base = E[f].
 */
import { XqcError } from '../../errors.ts';
import { shapleyFromTable } from '../shapley-kernel.ts';
import type { LinearSurrogate } from './linear-surrogate.ts';
import { predictLinearSurrogate, surrogateWeights } from './linear-surrogate.ts';

/** Largest number of features {@link enumerateShapley} accepts (2^10 evaluations). */
export const MAX_ENUMERATED_FEATURES = 10;

/** Shapley attribution of one prediction. */
export interface ShapleyResult {
  /** [d] contribution of each feature. */
  phi: Float64Array;
  /** v({}) = f at the background mean = E[f] for a linear f. */
  base: number;
  /** f(x) = base + sum(phi). */
  fx: number;
}

function checkLengths(x: ArrayLike<number>, baseline: ArrayLike<number>, d?: number): number {
  const n = d ?? x.length;
  if (x.length !== n || baseline.length !== n) {
    throw new XqcError('XQC_SHAPE_MISMATCH', `Shapley: ${x.length} features against a baseline of ${baseline.length}${d === undefined ? '' : ` for a model of ${d}`}`, {
      details: { features: x.length, baseline: baseline.length },
    });
  }
  return n;
}

/**
 * Closed form for the linear surrogate: phi_i = w_i (x_i - mean_i), w = coef / scale,
 * base = f(mean), fx = f(x).
 * @param x [d] features of the image
 * @param backgroundMean [d] background means E[x]
 */
export function linearShapley(s: LinearSurrogate, x: ArrayLike<number>, backgroundMean: ArrayLike<number>): ShapleyResult {
  const d = checkLengths(x, backgroundMean, s.featureNames.length);
  const w = surrogateWeights(s);
  const phi = Float64Array.from({ length: d }, (_, i) => w[i] * (x[i] - backgroundMean[i]));
  return { phi, base: predictLinearSurrogate(s, backgroundMean), fx: predictLinearSurrogate(s, x) };
}

/**
 * Exact Shapley values of any f by evaluating all 2^d coalitions v(S) = f(x_S, baseline_{not S})
 * (bit j of the coalition index is feature j) and weighting the marginal contributions.
 * @param f model of d features
 * @param x [d] features of the image
 * @param baseline [d] values of absent features (the background mean)
 * @throws XQC_EXPLAIN when d > {@link MAX_ENUMERATED_FEATURES}
 */
export function enumerateShapley(f: (features: Float64Array) => number, x: ArrayLike<number>, baseline: ArrayLike<number>): ShapleyResult {
  const d = checkLengths(x, baseline);
  if (d > MAX_ENUMERATED_FEATURES) {
    throw new XqcError('XQC_EXPLAIN', `exact Shapley enumeration takes at most ${MAX_ENUMERATED_FEATURES} features (2^d model evaluations), got ${d}`, { details: { features: d } });
  }
  const values = new Float64Array(2 ** d);
  const point = new Float64Array(d);
  for (let mask = 0; mask < values.length; mask++) {
    for (let j = 0; j < d; j++) point[j] = mask & (1 << j) ? x[j] : baseline[j];
    values[mask] = f(point);
  }
  return { phi: shapleyFromTable(values, d), base: values[0], fx: values[values.length - 1] };
}
