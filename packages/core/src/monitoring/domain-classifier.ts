/**
 * Domain-classifier drift test: how well can a classifier tell the current window from
 * the reference? Out-of-fold ROC AUC of an L2 logistic regression on standardized features.
 */
import { auroc } from '../metrics/ranking.ts';
import { metricInputError, requireIntegerAtLeast, type NumberArray } from '../metrics/metric-input.ts';
import { createRng, type Rng } from '../util/random.ts';
import type { DriftLevel } from './drift-level.ts';
import { requireRows } from './matrix-input.ts';

/** Default AUC above which the windows are told apart well enough to call drift. */
export const DOMAIN_AUC_THRESHOLD = 0.55;

/** Options of {@link domainClassifierTest}. */
export interface DomainClassifierOptions {
  /** Number of folds (default 5). */
  folds?: number;
  /** Fold of each pooled row [reference; current], each in 0..folds-1; default a seeded stratified assignment. */
  foldAssignment?: NumberArray;
  /** Inverse L2 strength C, as scikit-learn's (default 1). */
  c?: number;
  /** Bootstrap resamples of the AUC (default 200; 0 skips the interval). */
  bootstrap?: number;
  /** Seed of the fold assignment and the bootstrap (xoshiro128**, default 0). */
  seed?: number;
  /** AUC threshold (default {@link DOMAIN_AUC_THRESHOLD}). */
  threshold?: number;
}

/** Result of {@link domainClassifierTest}. */
export interface DomainClassifierResult {
  /** Out-of-fold ROC AUC, current as the positive class. */
  auc: number;
  /** 2.5% and 97.5% percentiles of the stratified bootstrap AUCs (NaN without bootstrap). */
  ci: [number, number];
  /** `drift` when auc > threshold, `possible` when only the interval's upper end is, else `none`. */
  level: DriftLevel;
  /** Out-of-fold decision values w.x + b per pooled row [reference; current]. */
  scores: Float64Array;
  /** Fold of each pooled row. */
  folds: Int32Array;
}

/** Seeded stratified folds: each class's rows shuffled and dealt round-robin to the folds. */
function stratifiedFolds(m: number, n: number, k: number, rng: Rng): Int32Array {
  const folds = new Int32Array(m + n);
  for (const [start, count] of [
    [0, m],
    [m, n],
  ] as const) {
    const idx = Array.from({ length: count }, (_, i) => start + i);
    for (let i = count - 1; i > 0; i--) {
      const j = rng.int(0, i + 1);
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    idx.forEach((row, pos) => (folds[row] = pos % k));
  }
  return folds;
}

/** Solves the symmetric positive definite system A x = b in place by Cholesky (A row-major p x p). */
function choleskySolve(a: Float64Array, b: Float64Array, p: number): Float64Array {
  for (let j = 0; j < p; j++) {
    let s = a[j * p + j];
    for (let k = 0; k < j; k++) s -= a[j * p + k] * a[j * p + k];
    const diag = Math.sqrt(Math.max(s, 1e-300));
    a[j * p + j] = diag;
    for (let i = j + 1; i < p; i++) {
      let t = a[i * p + j];
      for (let k = 0; k < j; k++) t -= a[i * p + k] * a[j * p + k];
      a[i * p + j] = t / diag;
    }
  }
  const x = Float64Array.from(b);
  for (let i = 0; i < p; i++) {
    for (let k = 0; k < i; k++) x[i] -= a[i * p + k] * x[k];
    x[i] /= a[i * p + i];
  }
  for (let i = p - 1; i >= 0; i--) {
    for (let k = i + 1; k < p; k++) x[i] -= a[k * p + i] * x[k];
    x[i] /= a[i * p + i];
  }
  return x;
}

function log1pExp(t: number): number {
  return t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t));
}

/**
 * L2 logistic regression as scikit-learn's default (`C * sum log-loss + |w|^2 / 2`, intercept
 * unpenalised) by Newton's method with step halving, to a gradient max-norm below 1e-10.
 * Rows of `x` [rows, d] are already standardized; returns [w_0..w_{d-1}, b].
 */
function fitLogistic(x: Float64Array, y: Uint8Array, rows: number, d: number, c: number): Float64Array {
  const p = d + 1;
  let beta = new Float64Array(p);
  const objective = (bt: Float64Array): number => {
    let f = 0;
    for (let j = 0; j < d; j++) f += 0.5 * bt[j] * bt[j];
    for (let i = 0; i < rows; i++) {
      let z = bt[d];
      for (let j = 0; j < d; j++) z += bt[j] * x[i * d + j];
      f += c * log1pExp(y[i] ? -z : z);
    }
    return f;
  };
  let fCur = objective(beta);
  for (let iter = 0; iter < 100; iter++) {
    const grad = new Float64Array(p);
    const hess = new Float64Array(p * p);
    for (let j = 0; j < d; j++) {
      grad[j] = beta[j];
      hess[j * p + j] = 1;
    }
    hess[d * p + d] = 1e-12;
    const row = new Float64Array(p);
    for (let i = 0; i < rows; i++) {
      let z = beta[d];
      for (let j = 0; j < d; j++) {
        row[j] = x[i * d + j];
        z += beta[j] * row[j];
      }
      row[d] = 1;
      const prob = 1 / (1 + Math.exp(-z));
      const r = c * (prob - y[i]);
      const w = c * prob * (1 - prob);
      for (let a = 0; a < p; a++) {
        grad[a] += r * row[a];
        const wa = w * row[a];
        for (let b = 0; b <= a; b++) hess[a * p + b] += wa * row[b];
      }
    }
    let gmax = 0;
    for (let a = 0; a < p; a++) gmax = Math.max(gmax, Math.abs(grad[a]));
    if (gmax < 1e-10) break;
    for (let a = 0; a < p; a++) for (let b = a + 1; b < p; b++) hess[a * p + b] = hess[b * p + a];
    const step = choleskySolve(hess, grad, p);
    let t = 1;
    let next = beta;
    let fNext = fCur;
    for (let halving = 0; halving < 40; halving++) {
      next = beta.map((v, a) => v - t * step[a]);
      fNext = objective(next);
      if (fNext <= fCur) break;
      t /= 2;
    }
    if (!(fNext <= fCur)) break;
    const moved = fCur - fNext;
    beta = next;
    fCur = fNext;
    if (moved === 0) break;
  }
  return beta;
}

/** NumPy's linear percentile of a sorted array. */
function percentile(sorted: Float64Array, q: number): number {
  const index = q * (sorted.length - 1);
  const lo = Math.floor(index);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (index - lo);
}

/**
 * Domain-classifier test between row-major `reference` [m, d] (label 0) and `current`
 * [n, d] (label 1). For each of k folds (default 5, stratified and seeded unless
 * `foldAssignment` is given) the features are standardized with the training rows' mean
 * and population std (a zero std left at 1, as scikit-learn's StandardScaler), an L2
 * logistic regression (C = 1, Newton's method to the exact optimum) is fitted on the
 * training rows, and the held-out rows are scored; the AUC of all out-of-fold scores
 * (core `auroc`) is the statistic. An AUC of 0.5 means the windows cannot be told apart.
 * The interval resamples the reference and current scores with replacement, each within
 * its own window (seeded, default 200 resamples), and takes the 2.5/97.5 percentiles.
 * Level: `drift` when auc > 0.55, `possible` when only the interval's upper end exceeds
 * 0.55, else `none`. Each window needs at least `folds` rows; every training split must
 * hold both windows. Cost: O(folds x Newton steps x (rows d^2 + d^3)); 500 + 500 rows of
 * 128 features take about half a second on one core, so reduce wider embeddings (e.g. by
 * PCA on the reference) first. Bad input throws `XQC_METRIC_INPUT` naming the argument.
 */
export function domainClassifierTest(
  reference: NumberArray,
  current: NumberArray,
  d: number,
  options: DomainClassifierOptions = {},
): DomainClassifierResult {
  const m = requireRows('reference', reference, d);
  const n = requireRows('current', current, d);
  const k = options.folds ?? 5;
  requireIntegerAtLeast('folds', k, 2);
  const c = options.c ?? 1;
  if (!(c > 0 && Number.isFinite(c))) throw metricInputError(`c must be a positive finite number, got ${c}`);
  const bootstrap = options.bootstrap ?? 200;
  requireIntegerAtLeast('bootstrap', bootstrap, 0);
  const threshold = options.threshold ?? DOMAIN_AUC_THRESHOLD;
  const rng = createRng(options.seed ?? 0);
  const total = m + n;
  let folds: Int32Array;
  if (options.foldAssignment) {
    if (options.foldAssignment.length !== total) {
      throw metricInputError(`foldAssignment has ${options.foldAssignment.length} entries, expected ${total}`);
    }
    folds = Int32Array.from(options.foldAssignment);
    folds.forEach((f, i) => {
      if (!(f >= 0 && f < k) || f !== options.foldAssignment![i]) {
        throw metricInputError(`foldAssignment[${i}] = ${options.foldAssignment![i]} is not a fold in 0..${k - 1}`);
      }
    });
  } else {
    if (m < k) throw metricInputError(`reference has ${m} rows; ${k} folds need at least ${k}`);
    if (n < k) throw metricInputError(`current has ${n} rows; ${k} folds need at least ${k}`);
    folds = stratifiedFolds(m, n, k, rng);
  }
  const labels = new Uint8Array(total);
  labels.fill(1, m);
  const value = (i: number, j: number): number => (i < m ? reference[i * d + j] : current[(i - m) * d + j]);
  const scores = new Float64Array(total);
  for (let f = 0; f < k; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < total; i++) (folds[i] === f ? test : train).push(i);
    if (test.length === 0) continue;
    const trainPositives = train.reduce((s, i) => s + labels[i], 0);
    if (trainPositives === 0 || trainPositives === train.length) {
      throw metricInputError(`fold ${f}'s training rows hold only one window; each split needs both`);
    }
    const mean = new Float64Array(d);
    const scale = new Float64Array(d);
    for (const i of train) for (let j = 0; j < d; j++) mean[j] += value(i, j);
    for (let j = 0; j < d; j++) mean[j] /= train.length;
    for (const i of train) for (let j = 0; j < d; j++) scale[j] += (value(i, j) - mean[j]) ** 2;
    for (let j = 0; j < d; j++) {
      const s = Math.sqrt(scale[j] / train.length);
      scale[j] = s > 0 ? s : 1;
    }
    const xs = new Float64Array(train.length * d);
    const ys = new Uint8Array(train.length);
    train.forEach((i, r) => {
      ys[r] = labels[i];
      for (let j = 0; j < d; j++) xs[r * d + j] = (value(i, j) - mean[j]) / scale[j];
    });
    const beta = fitLogistic(xs, ys, train.length, d, c);
    for (const i of test) {
      let z = beta[d];
      for (let j = 0; j < d; j++) z += beta[j] * ((value(i, j) - mean[j]) / scale[j]);
      scores[i] = z;
    }
  }
  const auc = auroc(labels, scores);
  let ci: [number, number] = [Number.NaN, Number.NaN];
  if (bootstrap > 0) {
    const aucs = new Float64Array(bootstrap);
    const sample = new Float64Array(total);
    for (let b = 0; b < bootstrap; b++) {
      for (let i = 0; i < m; i++) sample[i] = scores[rng.int(0, m)];
      for (let i = 0; i < n; i++) sample[m + i] = scores[m + rng.int(0, n)];
      aucs[b] = auroc(labels, sample);
    }
    aucs.sort();
    ci = [percentile(aucs, 0.025), percentile(aucs, 0.975)];
  }
  const level: DriftLevel = auc > threshold ? 'drift' : ci[1] > threshold ? 'possible' : 'none';
  return { auc, ci, level, scores, folds };
}
