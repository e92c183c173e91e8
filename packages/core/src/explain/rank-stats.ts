/**
 * Order statistics for comparing heatmaps: average ranks, Spearman's rank correlation,
 * percentiles, top-fraction regions and their intersection over union.
 */
import { XqcError } from '../errors.ts';

/** 1-based ranks of `v` in increasing order; tied values share the mean of their ranks. */
export function ranks(v: ArrayLike<number>): Float64Array {
  const n = v.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => v[a] - v[b]);
  const r = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && v[order[j + 1]] === v[order[i]]) j++;
    const mean = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[order[k]] = mean;
    i = j + 1;
  }
  return r;
}

/**
 * Spearman's rho: the Pearson correlation of the average ranks of `a` and `b` (tie-aware).
 * Returns 0 when either input is constant, where the correlation is undefined.
 * @throws XQC_SHAPE_MISMATCH when the lengths differ.
 */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new XqcError('XQC_SHAPE_MISMATCH', `spearman: ${a.length} vs ${b.length} values`);
  const ra = ranks(a);
  const rb = ranks(b);
  const mean = (a.length + 1) / 2;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < ra.length; i++) {
    const da = ra[i] - mean;
    const db = rb[i] - mean;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa === 0 || sbb === 0 ? 0 : sab / Math.sqrt(saa * sbb);
}

/** The p-th percentile (0..100) of `v` with linear interpolation between order statistics (NumPy's default). */
export function percentile(v: ArrayLike<number>, p: number): number {
  return percentiles(v, [p])[0];
}

/** Several percentiles of `v` as {@link percentile} computes each, from one sort. */
export function percentiles(v: ArrayLike<number>, ps: readonly number[]): number[] {
  if (v.length === 0) throw new XqcError('XQC_INVALID_ARGUMENT', 'percentile of no values');
  const s = Float64Array.from(v).sort();
  return ps.map((p) => {
    const pos = (Math.min(Math.max(p, 0), 100) / 100) * (s.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(lo + 1, s.length - 1);
    return s[lo] + (s[hi] - s[lo]) * (pos - lo);
  });
}

/**
 * The top-`fraction` region of `v`: 1 where v >= t, t the ceil(fraction * n)-th largest
 * value (ties at t are all included, so a constant map selects everything).
 */
export function topFraction(v: ArrayLike<number>, fraction: number): Uint8Array {
  if (!(fraction > 0 && fraction <= 1)) throw new XqcError('XQC_INVALID_ARGUMENT', `top fraction must be in (0, 1], got ${fraction}`);
  const s = Float64Array.from(v).sort();
  const k = Math.max(1, Math.ceil(fraction * s.length));
  const t = s[s.length - k];
  return Uint8Array.from(v as ArrayLike<number>, (x) => (x >= t ? 1 : 0));
}

/** |A and B| / |A or B| of two 0/1 masks; 1 when both are empty. */
export function iou(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new XqcError('XQC_SHAPE_MISMATCH', `iou: ${a.length} vs ${b.length} values`);
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] !== 0;
    const y = b[i] !== 0;
    if (x && y) inter++;
    if (x || y) union++;
  }
  return union === 0 ? 1 : inter / union;
}
