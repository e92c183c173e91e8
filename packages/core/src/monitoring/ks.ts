/**
 * Two-sample Kolmogorov-Smirnov test, two-sided, as `scipy.stats.ks_2samp(a, b)` (SciPy 1.10,
 * method 'auto').
 */
import type { NumberArray } from '../metrics/metric-input.ts';
import { DEFAULT_P_VALUE_BANDS, levelFromPValue, type DriftLevel, type PValueBands } from './drift-level.ts';
import { sortedSample } from './scalar-input.ts';
import { kolmogorovSf } from './special.ts';

/** Largest sample size for which the exact p-value is computed (SciPy's `MAX_AUTO_N`). */
export const KS_MAX_EXACT_N = 10_000;

/** Result of {@link ksTwoSample}. */
export interface KsResult {
  /** `D = sup_t |F_a(t) - F_b(t)|` (in exact mode rounded to a multiple of 1/lcm(n_a, n_b), as SciPy). */
  statistic: number;
  /** Two-sided p-value. */
  pValue: number;
  /** How the p-value was computed. */
  method: 'exact' | 'asymp';
  /** Level of the p-value (default drift p < 0.05, possible p < 0.1). */
  level: DriftLevel;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * P(D >= h / lcm) under the null for sample sizes m, n with gcd g: the share of monotone
 * lattice paths from (0,0) to (m,n) that touch a point with |x n/g - y m/g| >= h. Column by
 * column, O(x, y) = (x O(x-1, y) + y O(x, y-1)) / (x + y) is the probability that a uniform
 * path to (x, y) has touched the boundary (1 on and outside it), so every value stays in
 * [0, 1] and small p-values are computed directly rather than as 1 - (1 - p). Only the
 * strip inside the boundary is visited (SciPy's Hodges recursion, normalised).
 */
function exactOutsideProbability(m: number, n: number, g: number, h: number): number {
  const mg = m / g;
  const ng = n / g;
  const col = new Float64Array(n + 1).fill(1);
  let prevLo = 0;
  for (let x = 0; x <= m; x++) {
    // Inside: |x ng - y mg| < h  <=>  (x ng - h) / mg < y < (x ng + h) / mg.
    const lo = Math.max(0, Math.floor((x * ng - h) / mg) + 1);
    const hi = Math.min(n, Math.ceil((x * ng + h) / mg) - 1);
    for (let y = prevLo; y < Math.min(lo, n + 1); y++) col[y] = 1;
    let below = 1;
    for (let y = lo; y <= hi; y++) {
      if (x === 0 && y === 0) col[0] = 0;
      else col[y] = (x * col[y] + y * below) / (x + y);
      below = col[y];
    }
    prevLo = lo;
  }
  return col[n];
}

/**
 * Two-sided two-sample KS test. D is the largest gap between the empirical CDFs. The
 * p-value follows SciPy 1.10's 'auto': exact (the lattice-path count, ties ignored as SciPy
 * ignores them) when both samples have at most {@link KS_MAX_EXACT_N} values; otherwise the
 * asymptotic Kolmogorov distribution `Q(sqrt(en) D)` with `en = n_a n_b / (n_a + n_b)`.
 * SciPy's 'asymp' uses the finite-n distribution `kstwo.sf(D, round(en))` instead; the two
 * differ by O(1/sqrt(en)), under 1e-2 at en > 5000 (the golden records both). Default level:
 * drift p < 0.05, possible p < 0.1. Empty or non-finite input throws `XQC_METRIC_INPUT`.
 */
export function ksTwoSample(a: NumberArray, b: NumberArray, bands: PValueBands = DEFAULT_P_VALUE_BANDS): KsResult {
  const u = sortedSample('a', a);
  const v = sortedSample('b', b);
  const n1 = u.length;
  const n2 = v.length;
  let maxDiff = -Infinity;
  let minDiff = Infinity;
  let i = 0;
  let j = 0;
  while (i < n1 || j < n2) {
    const x = j >= n2 || (i < n1 && u[i] <= v[j]) ? u[i] : v[j];
    while (i < n1 && u[i] <= x) i++;
    while (j < n2 && v[j] <= x) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxDiff) maxDiff = diff;
    if (diff < minDiff) minDiff = diff;
  }
  const minS = Math.min(1, Math.max(0, -minDiff));
  let d = minS > maxDiff ? minS : maxDiff;
  let pValue: number;
  let method: 'exact' | 'asymp';
  if (Math.max(n1, n2) <= KS_MAX_EXACT_N) {
    method = 'exact';
    const g = gcd(n1, n2);
    const lcm = (n1 / g) * n2;
    const h = Math.round(d * lcm);
    d = h / lcm;
    pValue = h === 0 ? 1 : exactOutsideProbability(Math.max(n1, n2), Math.min(n1, n2), g, h);
  } else {
    method = 'asymp';
    const en = (n1 * n2) / (n1 + n2);
    pValue = kolmogorovSf(Math.sqrt(en) * d);
  }
  pValue = Math.min(1, Math.max(0, pValue));
  return { statistic: d, pValue, method, level: levelFromPValue(pValue, bands) };
}
