/**
 * The small dense linear solves of the surrogate-model methods (LIME, Kernel SHAP), in
 * float64: Cholesky factorisation of symmetric positive definite normal equations and a
 * weighted ridge regression with an unpenalised intercept.
 */

/**
 * Solves A v = b for a symmetric positive definite A [n, n] (row-major) by Cholesky,
 * A = L L^T, then L y = b and L^T v = y.
 * @returns v [n], or null when A is not (numerically) positive definite: a pivot is at
 *   most 1e-12 times its diagonal entry.
 */
export function choleskySolve(a: Float64Array, b: Float64Array, n: number): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      if (i === j) {
        if (!(s > 1e-12 * Math.abs(a[i * n + i]))) return null;
        l[i * n + i] = Math.sqrt(s);
      } else l[i * n + j] = s / l[j * n + j];
    }
  }
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * v[k];
    v[i] = s / l[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = v[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * v[k];
    v[i] = s / l[i * n + i];
  }
  return v;
}

/** A fitted linear model y = intercept + <coef, x>. */
export interface LinearFit {
  coef: Float64Array;
  intercept: number;
  /** Weighted R^2 = 1 - sum w (y - yhat)^2 / sum w (y - ybar)^2 (NaN when y is constant). */
  r2: number;
}

/**
 * Weighted ridge regression with an unpenalised intercept (scikit-learn's
 * `Ridge(alpha).fit(X, y, sample_weight=w)`): centre X and y at their weighted means,
 * solve (Xc^T W Xc + alpha I) coef = Xc^T W yc exactly, intercept = ybar - <xbar, coef>.
 * @param x [n, m] row-major
 * @param y [n]
 * @param w [n] non-negative sample weights with a positive sum
 * @returns the fit, or null when alpha = 0 and the weighted design is rank-deficient
 */
export function weightedRidge(x: ArrayLike<number>, y: ArrayLike<number>, w: ArrayLike<number>, alpha: number): LinearFit | null {
  const n = y.length;
  const m = x.length / n;
  let sw = 0;
  let ybar = 0;
  const xbar = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    sw += w[i];
    ybar += w[i] * y[i];
    for (let j = 0; j < m; j++) xbar[j] += w[i] * x[i * m + j];
  }
  ybar /= sw;
  for (let j = 0; j < m; j++) xbar[j] /= sw;
  const g = new Float64Array(m * m);
  const r = new Float64Array(m);
  const xc = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    const wi = w[i];
    if (wi === 0) continue;
    for (let j = 0; j < m; j++) xc[j] = x[i * m + j] - xbar[j];
    const yc = y[i] - ybar;
    for (let j = 0; j < m; j++) {
      const wx = wi * xc[j];
      r[j] += wx * yc;
      for (let k = 0; k <= j; k++) g[j * m + k] += wx * xc[k];
    }
  }
  for (let j = 0; j < m; j++) {
    g[j * m + j] += alpha;
    for (let k = 0; k < j; k++) g[k * m + j] = g[j * m + k];
  }
  const coef = choleskySolve(g, r, m);
  if (!coef) return null;
  let intercept = ybar;
  for (let j = 0; j < m; j++) intercept -= xbar[j] * coef[j];
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < n; i++) {
    let pred = intercept;
    for (let j = 0; j < m; j++) pred += coef[j] * x[i * m + j];
    ssRes += w[i] * (y[i] - pred) ** 2;
    ssTot += w[i] * (y[i] - ybar) ** 2;
  }
  return { coef, intercept, r2: ssTot > 0 ? 1 - ssRes / ssTot : NaN };
}
