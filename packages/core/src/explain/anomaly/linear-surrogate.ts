/**
 * A small surrogate of the anomaly score on human-readable features: ridge regression on
 * standardised features, solved in closed form, with its fit quality measured on
 * held-out validation rows. Linear, so its Shapley values are exact and cheap and its
 * weights read as "score per unit of feature". The surrogate explains the score only as
 * far as its held-out R^2 says; reports show that figure beside the explanation.
 */
import { XqcError } from '../../errors.ts';
import { uniformRng } from '../../util/random.ts';
import { weightedRidge } from '../least-squares.ts';

/** Options of {@link fitLinearSurrogate}. */
export interface SurrogateOptions {
  /** Ridge penalty alpha on the standardised coefficients, >= 0 (default 1). */
  alpha?: number;
  /** Share of the rows held out to measure R^2, in (0, 1) (default 0.25; at least 2 rows). */
  holdoutFraction?: number;
  /** Seed of the train/held-out split (default 0). */
  seed?: number;
}

/** How well the surrogate follows the score. */
export interface SurrogateFit {
  /** R^2 on the training rows. */
  r2Train: number;
  /** R^2 on the held-out rows, 1 - SS_res / SS_tot around their own mean (NaN when their scores are all equal). */
  r2Holdout: number;
  /** Root mean squared error on the held-out rows, in score units. */
  rmseHoldout: number;
  nTrain: number;
  nHoldout: number;
}

/**
 * f(x) = intercept + sum_j coef_j (x_j - center_j) / scale_j. Plain arrays, so the model
 * is stored as JSON as it is.
 */
export interface LinearSurrogate {
  kind: 'ridge';
  featureNames: string[];
  /** [d] training means of the features. */
  center: number[];
  /** [d] training standard deviations (1 for a feature constant in training). */
  scale: number[];
  /** [d] coefficients of the standardised features. */
  coef: number[];
  intercept: number;
  alpha: number;
  fit: SurrogateFit;
}

/** The smallest number of rows that leaves d + 1 training rows after the hold-out. */
export function minSurrogateSamples(d: number, holdoutFraction = 0.25): number {
  let n = d + 3;
  while (n - holdoutCount(n, holdoutFraction) < d + 1) n++;
  return n;
}

function holdoutCount(n: number, fraction: number): number {
  return Math.max(2, Math.round(n * fraction));
}

/**
 * The train/held-out split of {@link fitLinearSurrogate}: a Fisher-Yates shuffle of 0..n-1
 * driven by the seed; the first max(2, round(n * fraction)) indices are held out.
 */
export function surrogateSplit(n: number, fraction: number, seed: number): { train: number[]; held: number[] } {
  const order = Array.from({ length: n }, (_, i) => i);
  const u = uniformRng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(u() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const nHoldout = holdoutCount(n, fraction);
  return { train: order.slice(nHoldout), held: order.slice(0, nHoldout) };
}

function r2(y: ArrayLike<number>, pred: ArrayLike<number>): { r2: number; rmse: number } {
  let mean = 0;
  for (let i = 0; i < y.length; i++) mean += y[i];
  mean /= y.length;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < y.length; i++) {
    ssRes += (y[i] - pred[i]) ** 2;
    ssTot += (y[i] - mean) ** 2;
  }
  return { r2: ssTot > 0 ? 1 - ssRes / ssTot : NaN, rmse: Math.sqrt(ssRes / y.length) };
}

/**
 * Fits the ridge surrogate. The rows are shuffled with the seed and split into training
 * and held-out rows; the features are standardised with the training means and population
 * standard deviations; then, with Z the standardised training rows and y their scores,
 *   coef = (Zc^T Zc + alpha I)^{-1} Zc^T yc,  intercept = mean(y) - <mean(Z), coef>
 * (Zc, yc centred; the intercept is not penalised), and R^2 is reported on both parts.
 * @param rows [n, d] row-major validation features (d = featureNames.length)
 * @param scores [n] the model's anomaly scores of the same rows
 * @throws XQC_SHAPE_MISMATCH when the lengths disagree; XQC_EXPLAIN when there are fewer
 *   than {@link minSurrogateSamples} rows or the system is singular (alpha = 0)
 */
export function fitLinearSurrogate(rows: ArrayLike<number>, scores: ArrayLike<number>, featureNames: readonly string[], options: SurrogateOptions = {}): LinearSurrogate {
  const d = featureNames.length;
  const alpha = options.alpha ?? 1;
  const fraction = options.holdoutFraction ?? 0.25;
  if (d === 0) throw new XqcError('XQC_INVALID_ARGUMENT', 'the surrogate needs at least one feature');
  if (!(alpha >= 0 && Number.isFinite(alpha))) throw new XqcError('XQC_INVALID_ARGUMENT', `ridge alpha must be finite and >= 0, got ${alpha}`);
  if (!(fraction > 0 && fraction < 1)) throw new XqcError('XQC_INVALID_ARGUMENT', `holdoutFraction must lie in (0, 1), got ${fraction}`);
  const n = scores.length;
  if (rows.length !== n * d) {
    throw new XqcError('XQC_SHAPE_MISMATCH', `surrogate: ${rows.length} feature values for ${n} scores of ${d} features`, { details: { values: rows.length, scores: n, features: d } });
  }
  const needed = minSurrogateSamples(d, fraction);
  if (n < needed) {
    throw new XqcError('XQC_EXPLAIN', `fitting the surrogate on ${d} features needs at least ${needed} validation samples (${d + 1} to fit, the rest held out), got ${n}`, { details: { samples: n, needed } });
  }
  for (let i = 0; i < rows.length; i++) if (!Number.isFinite(rows[i])) throw new XqcError('XQC_INVALID_ARGUMENT', `feature value ${i} is ${rows[i]}`);
  for (let i = 0; i < n; i++) if (!Number.isFinite(scores[i])) throw new XqcError('XQC_INVALID_ARGUMENT', `score ${i} is ${scores[i]}`);

  const { train, held } = surrogateSplit(n, fraction, options.seed ?? 0);

  const center = new Array<number>(d).fill(0);
  const scale = new Array<number>(d).fill(0);
  for (const i of train) for (let j = 0; j < d; j++) center[j] += rows[i * d + j];
  for (let j = 0; j < d; j++) center[j] /= train.length;
  for (const i of train) for (let j = 0; j < d; j++) scale[j] += (rows[i * d + j] - center[j]) ** 2;
  for (let j = 0; j < d; j++) {
    const s = Math.sqrt(scale[j] / train.length);
    // A feature constant in training carries no information: its standardised column is zero and so is its coefficient.
    scale[j] = s > 0 ? s : 1;
  }
  const z = new Float64Array(train.length * d);
  train.forEach((i, r) => {
    for (let j = 0; j < d; j++) z[r * d + j] = (rows[i * d + j] - center[j]) / scale[j];
  });
  const yTrain = Float64Array.from(train, (i) => scores[i]);
  const solved = weightedRidge(z, yTrain, new Float64Array(train.length).fill(1), alpha);
  if (!solved) throw new XqcError('XQC_EXPLAIN', 'the surrogate normal equations are singular; use a positive ridge alpha');
  const coef = Array.from(solved.coef);
  const predict = (i: number) => {
    let f = solved.intercept;
    for (let j = 0; j < d; j++) f += (coef[j] * (rows[i * d + j] - center[j])) / scale[j];
    return f;
  };
  const fitTrain = r2(yTrain, train.map(predict));
  const fitHeld = r2(held.map((i) => scores[i]), held.map(predict));
  return {
    kind: 'ridge',
    featureNames: [...featureNames],
    center,
    scale,
    coef,
    intercept: solved.intercept,
    alpha,
    fit: { r2Train: fitTrain.r2, r2Holdout: fitHeld.r2, rmseHoldout: fitHeld.rmse, nTrain: train.length, nHoldout: held.length },
  };
}

/**
 * The surrogate's value at x: intercept + sum_j coef_j (x_j - center_j) / scale_j.
 * @param x [d] features in {@link LinearSurrogate.featureNames} order
 */
export function predictLinearSurrogate(s: LinearSurrogate, x: ArrayLike<number>): number {
  const d = s.featureNames.length;
  if (x.length !== d) throw new XqcError('XQC_SHAPE_MISMATCH', `the surrogate takes ${d} features, got ${x.length}`);
  let f = s.intercept;
  for (let j = 0; j < d; j++) f += (s.coef[j] * (x[j] - s.center[j])) / s.scale[j];
  return f;
}

/** Weights per raw feature unit: w_j = coef_j / scale_j, so f(x) = const + <w, x>. */
export function surrogateWeights(s: LinearSurrogate): number[] {
  return s.coef.map((c, j) => c / s.scale[j]);
}
