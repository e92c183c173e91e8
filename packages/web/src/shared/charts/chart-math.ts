/**
 * Pure data mapping for the app's small SVG charts: linear and band scales, nice ticks,
 * SVG paths with gaps for missing values, histogram bars, and the threshold handle's
 * pointer and keyboard maths. No DOM, no React: tested in chart-math.test.ts.
 */

/** A linear map from a data domain to a pixel range, with its inverse. */
export interface LinearScale {
  (value: number): number;
  invert(px: number): number;
  domain: readonly [number, number];
  range: readonly [number, number];
}

/**
 * A linear scale. A zero-width domain maps every value to the middle of the range (a flat
 * series stays visible instead of dividing by zero).
 */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): LinearScale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  const f = ((v: number) => (span === 0 ? (r0 + r1) / 2 : r0 + ((v - d0) / span) * (r1 - r0))) as LinearScale;
  f.invert = (px: number) => (r1 === r0 ? d0 : d0 + ((px - r0) / (r1 - r0)) * span);
  f.domain = domain;
  f.range = range;
  return f;
}

/** A step of 1, 2 or 5 times a power of ten, close to `span / count`. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !(count > 0)) return 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const m = raw / power;
  const nice = m >= 7.5 ? 10 : m >= 3.5 ? 5 : m >= 1.5 ? 2 : 1;
  return nice * power;
}

/**
 * About `count` round tick values covering [min, max] (both included when they are round).
 * Values are rounded to the step's decimals so 0.1 + 0.2 shows as 0.3.
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) return [min];
  const lo = Math.min(min, max);
  const hi = Math.max(min, max);
  const step = niceStep(hi - lo, count);
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toFixed(decimals)));
  return out;
}

/** The upper end of a count axis: at least 1, rounded up to a nice step. */
export function niceMax(max: number, count = 4): number {
  if (!(max > 0)) return 1;
  const step = niceStep(max, count);
  return Math.ceil(max / step) * step;
}

/** A band scale: evenly spaced slots for categorical keys (days, versions). */
export interface BandScale {
  /** Left edge of the key's band; NaN for an unknown key. */
  x(key: string): number;
  /** Centre of the key's band. */
  center(key: string): number;
  bandwidth: number;
  keys: readonly string[];
  /** The key whose slot holds pixel `px` (clamped to the first and last). */
  keyAt(px: number): string | undefined;
}

/** Band scale over `keys` across [r0, r1] with `padding` (0..1) of each slot left empty. */
export function bandScale(keys: readonly string[], range: readonly [number, number], padding = 0.2): BandScale {
  const [r0, r1] = range;
  const n = keys.length;
  const slot = n === 0 ? 0 : (r1 - r0) / n;
  const bandwidth = slot * (1 - padding);
  const index = new Map(keys.map((k, i) => [k, i]));
  const x = (key: string) => {
    const i = index.get(key);
    return i === undefined ? Number.NaN : r0 + i * slot + (slot - bandwidth) / 2;
  };
  return {
    x,
    center: (key) => x(key) + bandwidth / 2,
    bandwidth,
    keys,
    keyAt: (px) => (n === 0 ? undefined : keys[Math.min(n - 1, Math.max(0, Math.floor((px - r0) / slot)))]),
  };
}

/** A point of a line; `y: null` is a gap (no data: the line breaks instead of inventing a value). */
export interface LinePoint {
  x: number;
  y: number | null;
}

const r = (v: number) => Math.round(v * 100) / 100;

/** An SVG path through the points, broken at gaps (`M` starts each run). Empty string when no point has a value. */
export function linePath(points: readonly LinePoint[]): string {
  let d = '';
  let pen = false;
  for (const p of points) {
    if (p.y === null || !Number.isFinite(p.y)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${r(p.x)},${r(p.y)}`;
    pen = true;
  }
  return d;
}

/** The runs of consecutive defined points (a run of one point is drawn as a dot). */
export function definedRuns(points: readonly LinePoint[]): { x: number; y: number }[][] {
  const runs: { x: number; y: number }[][] = [];
  let cur: { x: number; y: number }[] = [];
  for (const p of points) {
    if (p.y === null || !Number.isFinite(p.y)) {
      if (cur.length) runs.push(cur);
      cur = [];
    } else cur.push({ x: p.x, y: p.y });
  }
  if (cur.length) runs.push(cur);
  return runs;
}

/** A closed area under each run of the line down to `baseline` (pixels). */
export function areaPath(points: readonly LinePoint[], baseline: number): string {
  return definedRuns(points)
    .map((run) => `M${r(run[0]!.x)},${r(baseline)}` + run.map((p) => `L${r(p.x)},${r(p.y)}`).join('') + `L${r(run[run.length - 1]!.x)},${r(baseline)}Z`)
    .join('');
}

/** One drawn histogram bar. */
export interface HistogramBar {
  x: number;
  y: number;
  width: number;
  height: number;
  lower: number;
  upper: number;
  count: number;
}

/**
 * The bars of a histogram given its bin `edges` (n + 1 ascending values) and `counts` (n):
 * each bar spans its bin on the x scale and rises to its count on the y scale.
 * @throws when the lengths do not match.
 */
export function histogramBars(edges: readonly number[], counts: readonly number[], x: LinearScale, y: LinearScale): HistogramBar[] {
  if (edges.length !== counts.length + 1) throw new Error(`histogram: ${edges.length} edges for ${counts.length} counts`);
  return counts.map((count, i) => {
    const x0 = x(edges[i]!);
    const x1 = x(edges[i + 1]!);
    const top = y(count);
    return { x: x0, y: top, width: Math.max(0, x1 - x0), height: Math.max(0, y(0) - top), lower: edges[i]!, upper: edges[i + 1]!, count };
  });
}

/** Clamps `v` into [min, max]. */
export function clamp(v: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, v));
}

/** Rounds `v` to the nearest multiple of `step` (float noise removed). */
export function snap(v: number, step: number): number {
  if (!(step > 0)) return v;
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number((Math.round(v / step) * step).toFixed(decimals));
}

/** The threshold under a pointer at `px` on the x scale: inverted, clamped to the domain, snapped to `step`. */
export function thresholdAtPointer(px: number, x: LinearScale, step: number): number {
  const [d0, d1] = x.domain;
  return clamp(snap(x.invert(px), step), Math.min(d0, d1), Math.max(d0, d1));
}

/**
 * The threshold after a key press on the handle (`role="slider"`): arrows move one `step`,
 * Page Up/Down ten, Home/End jump to the ends; undefined for other keys (let them through).
 */
export function thresholdAfterKey(value: number, key: string, opts: { min: number; max: number; step: number; shift?: boolean }): number | undefined {
  const { min, max, step } = opts;
  const small = opts.shift ? step * 10 : step;
  let next: number;
  switch (key) {
    case 'ArrowRight':
    case 'ArrowUp':
      next = value + small;
      break;
    case 'ArrowLeft':
    case 'ArrowDown':
      next = value - small;
      break;
    case 'PageUp':
      next = value + step * 10;
      break;
    case 'PageDown':
      next = value - step * 10;
      break;
    case 'Home':
      return min;
    case 'End':
      return max;
    default:
      return undefined;
  }
  return clamp(snap(next, step), min, max);
}

/** One cell of a 2x2 confusion matrix, with its share of its row (the true class). */
export interface ConfusionCell {
  key: 'tp' | 'fn' | 'fp' | 'tn';
  count: number;
  /** count / row total; null for an empty row. */
  rowShare: number | null;
  /** Whether the model was right here. */
  correct: boolean;
}

/**
 * The 2x2 matrix with defect (reject) positive: rows are the truth (defect, good), columns
 * the prediction (reject, pass). Shares are per row, so each row reads as a rate: recall and
 * escape rate in the defect row, false-reject rate and specificity in the good row.
 */
export function confusionRows(c: { tp: number; fp: number; tn: number; fn: number }): [ConfusionCell[], ConfusionCell[]] {
  const defect = c.tp + c.fn;
  const good = c.fp + c.tn;
  const share = (n: number, total: number) => (total === 0 ? null : n / total);
  return [
    [
      { key: 'tp', count: c.tp, rowShare: share(c.tp, defect), correct: true },
      { key: 'fn', count: c.fn, rowShare: share(c.fn, defect), correct: false },
    ],
    [
      { key: 'fp', count: c.fp, rowShare: share(c.fp, good), correct: false },
      { key: 'tn', count: c.tn, rowShare: share(c.tn, good), correct: true },
    ],
  ];
}
