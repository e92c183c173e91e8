/**
 * Threshold tuning maths, client-side and exact: the server sends one point per distinct
 * reviewed defect score (reject when score >= threshold; highest first, plus "reject
 * nothing" with a null threshold). At any threshold t the rejected parts are those scoring at
 * least the smallest distinct score >= t, so the counts at t are that point's counts: moving
 * the handle needs no request and no approximation from histogram bins.
 */

/** Confusion counts, defect (reject) positive. */
export interface Counts {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** A point of the server's curve (only the fields used here). */
export interface CurvePoint extends Counts {
  threshold: number | null;
}

/** The figures at a threshold; null where the denominator is zero (nothing to measure). */
export interface ThresholdFigures extends Counts {
  threshold: number;
  /** Rejected parts that were defects: TP / (TP + FP). */
  precision: number | null;
  /** Defects rejected: TP / (TP + FN). */
  recall: number | null;
  f1: number | null;
  /** Defects passed: FN / (TP + FN). */
  escapeRate: number | null;
  /** Good parts rejected: FP / (FP + TN). */
  falseRejectRate: number | null;
  /** Share of parts rejected. */
  rejectRate: number | null;
}

const ratio = (a: number, b: number) => (b === 0 ? null : a / b);

/** The figures of a set of counts at `threshold`. */
export function figures(c: Counts, threshold: number): ThresholdFigures {
  const precision = ratio(c.tp, c.tp + c.fp);
  const recall = ratio(c.tp, c.tp + c.fn);
  const f1 = precision === null || recall === null ? null : precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return {
    ...c,
    threshold,
    precision,
    recall,
    f1,
    escapeRate: ratio(c.fn, c.tp + c.fn),
    falseRejectRate: ratio(c.fp, c.fp + c.tn),
    rejectRate: ratio(c.tp + c.fp, c.tp + c.fp + c.tn + c.fn),
  };
}

/** The finite points sorted by ascending threshold, and the "reject nothing" counts. */
export interface Curve {
  ascending: (Counts & { threshold: number })[];
  nothing: Counts;
}

/** Prepares the server's points for {@link countsAt}. */
export function prepareCurve(points: readonly CurvePoint[]): Curve {
  const finite = points.filter((p): p is CurvePoint & { threshold: number } => p.threshold !== null).sort((a, b) => a.threshold - b.threshold);
  const none = points.find((p) => p.threshold === null);
  const total = finite[0] ?? none;
  // reject nothing: every defect escapes, every good part passes
  const nothing: Counts = none ?? (total ? { tp: 0, fp: 0, tn: total.fp + total.tn, fn: total.tp + total.fn } : { tp: 0, fp: 0, tn: 0, fn: 0 });
  return { ascending: finite.map(({ threshold, tp, fp, tn, fn }) => ({ threshold, tp, fp, tn, fn })), nothing: { tp: nothing.tp, fp: nothing.fp, tn: nothing.tn, fn: nothing.fn } };
}

/** The counts when rejecting parts that score at least `t` (binary search: the first point >= t). */
export function countsAt(curve: Curve, t: number): Counts {
  const a = curve.ascending;
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]!.threshold >= t) hi = mid;
    else lo = mid + 1;
  }
  const p = a[lo];
  return p ? { tp: p.tp, fp: p.fp, tn: p.tn, fn: p.fn } : curve.nothing;
}

/** The figures at threshold `t`. */
export function figuresAt(curve: Curve, t: number): ThresholdFigures {
  return figures(countsAt(curve, t), t);
}

/**
 * The F1-optimal threshold: the distinct score with the highest F1 (ties: the highest
 * threshold, as the server picks it, so fewer good parts are rejected for the same F1);
 * null when no defect was reviewed.
 */
export function f1Optimal(curve: Curve): ThresholdFigures | null {
  let best: ThresholdFigures | null = null;
  for (let i = curve.ascending.length - 1; i >= 0; i--) {
    const p = curve.ascending[i]!;
    const f = figures(p, p.threshold);
    if (f.f1 === null) continue;
    if (best === null || f.f1 > best.f1!) best = f;
  }
  return best && best.tp + best.fn > 0 ? best : null;
}
