/**
 * Special functions for the drift tests: log-gamma, the regularized incomplete gamma
 * functions (Numerical Recipes 3rd ed., section 6.2: series for x < a + 1, Lentz's continued
 * fraction otherwise), the chi-squared survival function and the Kolmogorov limiting
 * distribution's survival function.
 */

const EPS = 1e-16;
const FPMIN = 1e-300;
const MAX_ITER = 10_000;

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** `ln Gamma(x)` for x > 0 (Lanczos, g = 7, 9 terms; relative error near 1e-15). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let s = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) s += LANCZOS[i] / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}

/** `exp(-x + a ln x - ln Gamma(a))`, the common prefactor of both expansions. */
function prefactor(a: number, x: number): number {
  return Math.exp(-x + a * Math.log(x) - logGamma(a));
}

/** Series for P(a, x), converging fast for x < a + 1. */
function gammaPSeries(a: number, x: number): number {
  let ap = a;
  let term = 1 / a;
  let sum = term;
  for (let i = 0; i < MAX_ITER; i++) {
    ap += 1;
    term *= x / ap;
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * EPS) break;
  }
  return sum * prefactor(a, x);
}

/** Continued fraction for Q(a, x) by the modified Lentz method, for x >= a + 1. */
function gammaQContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / FPMIN;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITER; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = b + an / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return prefactor(a, x) * h;
}

/** Regularized lower incomplete gamma `P(a, x) = gamma(a, x) / Gamma(a)`, a > 0, x >= 0. */
export function gammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  return x < a + 1 ? gammaPSeries(a, x) : 1 - gammaQContinuedFraction(a, x);
}

/** Regularized upper incomplete gamma `Q(a, x) = 1 - P(a, x)`, a > 0, x >= 0. */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  return x < a + 1 ? 1 - gammaPSeries(a, x) : gammaQContinuedFraction(a, x);
}

/** Survival function of the chi-squared distribution with `dof` degrees of freedom: `Q(dof/2, x/2)`. */
export function chiSquaredSf(x: number, dof: number): number {
  if (dof <= 0) return x > 0 ? 0 : 1;
  return gammaQ(dof / 2, x / 2);
}

/**
 * Survival function of Kolmogorov's limiting distribution (SciPy's `kstwobign.sf`):
 * `Q(z) = 2 sum_k (-1)^(k-1) exp(-2 k^2 z^2)` for z >= 1, and one minus the Jacobi theta form
 * `sqrt(2 pi)/z sum_k exp(-(2k-1)^2 pi^2 / (8 z^2))` below.
 */
export function kolmogorovSf(z: number): number {
  if (z <= 0) return 1;
  if (z < 1) {
    const w = (Math.PI * Math.PI) / (8 * z * z);
    let cdf = 0;
    for (let k = 1; k < 100; k++) {
      const term = Math.exp(-(2 * k - 1) * (2 * k - 1) * w);
      cdf += term;
      if (term < 1e-17 * cdf) break;
    }
    return 1 - (Math.sqrt(2 * Math.PI) / z) * cdf;
  }
  let sum = 0;
  for (let k = 1; k < 100; k++) {
    const term = Math.exp(-2 * k * k * z * z);
    sum += k % 2 === 1 ? term : -term;
    if (term < 1e-17) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}
