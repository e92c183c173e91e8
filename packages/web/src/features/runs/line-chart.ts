/**
 * The geometry of a small line chart: scales with "nice" ticks, and SVG paths of series
 * (a gap where a value is missing). Plain functions, tested without a browser.
 */

/** A point of a series; `y` null is a gap. */
export interface ChartPoint {
  x: number;
  y: number | null;
}

/** A linear map from a domain to a pixel range. */
export interface LinearScale {
  (v: number): number;
  domain: [number, number];
  range: [number, number];
}

/** A linear scale; a zero-width domain maps to the middle of the range. */
export function linearScale(domain: [number, number], range: [number, number]): LinearScale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const f = ((v: number) => (d1 === d0 ? (r0 + r1) / 2 : r0 + ((v - d0) / (d1 - d0)) * (r1 - r0))) as LinearScale;
  f.domain = domain;
  f.range = range;
  return f;
}

/** A step of 1, 2 or 5 times a power of ten that cuts [min, max] into about `count` parts. */
export function niceStep(min: number, max: number, count = 5): number {
  const span = Math.abs(max - min);
  if (span === 0 || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, count);
  const pow = 10 ** Math.floor(Math.log10(raw));
  const f = raw / pow;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * pow;
}

/** Ticks from the first multiple of the step at or below `min` to the first at or above `max`. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (min === max) return [min];
  const step = niceStep(min, max, count);
  const start = Math.floor(min / step + 1e-9) * step;
  const end = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = start; v <= end + step * 1e-6; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** The extent of the non-null values of the series; `fallback` when there are none. */
export function extent(series: ChartPoint[][], key: 'x' | 'y', fallback: [number, number] = [0, 1]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series)
    for (const p of s) {
      const v = p[key];
      if (v === null || !Number.isFinite(v)) continue;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  return lo === Infinity ? fallback : [lo, hi];
}

/** The SVG path of a series; a null value ends the line and the next value starts a new one. */
export function linePath(points: ChartPoint[], x: (v: number) => number, y: (v: number) => number): string {
  let d = '';
  let pen = false;
  for (const p of points) {
    if (p.y === null || !Number.isFinite(p.y)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${round(x(p.x))},${round(y(p.y))}`;
    pen = true;
  }
  return d;
}

/**
 * At most `max` ticks, evenly thinned, and no two neighbours with the same label (time axes
 * whose ticks fall within one formatted minute or day).
 */
export function thinTicks(ticks: number[], max: number, label: (v: number) => string = String): number[] {
  const stride = Math.max(1, Math.ceil(ticks.length / Math.max(1, max)));
  const out: number[] = [];
  let last: string | undefined;
  ticks.forEach((t, i) => {
    if (i % stride !== 0) return;
    const l = label(t);
    if (l === last) return;
    out.push(t);
    last = l;
  });
  return out;
}

const round = (v: number) => Math.round(v * 100) / 100;
