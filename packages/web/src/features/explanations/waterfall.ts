/**
 * Chart data of the "why" answer of an anomaly inspection: the SHAP waterfall of the score
 * surrogate (`GET /inspections/{id}/anomaly`, `why.steps`) mapped to SVG geometry. Read top
 * down as a running sum: the first row is the typical part (`base`), each feature row moves
 * the score by its contribution (from `start` to `end`), the last row is this part (`fx`).
 * Pure: the component only draws what this returns.
 */

/** A step of the answer (the API's `why.steps[i]`). */
export interface WaterfallStep {
  name: string;
  label: string;
  value: number;
  valueText: string;
  contribution: number;
  start: number;
  end: number;
}

/** The inputs of {@link waterfallLayout}: the ready `why` answer. */
export interface WaterfallInput {
  base: number;
  fx: number;
  steps: readonly WaterfallStep[];
}

/** Sizes of the chart in SVG units. */
export interface WaterfallOptions {
  /** Total width (default 640). */
  width?: number;
  /** Width of the label column on the left (default 220). */
  labelWidth?: number;
  /** Width kept on the right for the value text (default 64). */
  valueWidth?: number;
  /** Height of one row (default 28). */
  rowHeight?: number;
  /** Height of the axis under the rows (default 28). */
  axisHeight?: number;
  /** Feature rows at most; the rest are summed into one row "N other features" (default 8). */
  maxSteps?: number;
}

/** One drawn row. */
export interface WaterfallRow {
  key: string;
  /** Left column text. */
  label: string;
  /** The feature's value as the server wrote it (empty for the base and total rows). */
  valueText: string;
  kind: 'base' | 'step' | 'total';
  /** Contribution (steps), or the value (base, total). */
  amount: number;
  /** 'up' raises the anomaly score, 'down' lowers it; base and total are 'none'. */
  direction: 'up' | 'down' | 'none';
  /** Bar geometry: a step spans start..end; base and total are a 3-unit marker at their value. */
  x: number;
  width: number;
  y: number;
  height: number;
  /** Running value before and after this row. */
  from: number;
  to: number;
  /** Text drawn beside the bar ("+0.123", "0.456"). */
  text: string;
  /** x of that text and its anchor. */
  textX: number;
  textAnchor: 'start' | 'end';
}

/** The whole chart. */
export interface WaterfallLayout {
  width: number;
  height: number;
  /** Left and right of the plot area. */
  plotLeft: number;
  plotRight: number;
  /** The value range drawn. */
  domain: [number, number];
  rows: WaterfallRow[];
  ticks: { value: number; x: number; text: string }[];
  /** x of base and fx, for the dashed guides. */
  baseX: number;
  fxX: number;
  /** The axis line's y. */
  axisY: number;
}

/** "Nice" tick values (1, 2, 2.5, 5 x 10^k steps) covering [min, max], about `count` of them. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max < min) [min, max] = [max, min];
  if (max === min) return [min];
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const first = Math.ceil(min / step - 1e-9) * step;
  const out: number[] = [];
  for (let v = first; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

const signed = (x: number) => `${x >= 0 ? '+' : '\u2212'}${Math.abs(x).toFixed(3)}`;

/** Maps the answer to rows, bars and ticks (see the module comment). */
export function waterfallLayout(input: WaterfallInput, options: WaterfallOptions = {}): WaterfallLayout {
  const width = options.width ?? 640;
  const labelWidth = options.labelWidth ?? 220;
  const valueWidth = options.valueWidth ?? 64;
  const rowHeight = options.rowHeight ?? 28;
  const axisHeight = options.axisHeight ?? 28;
  const maxSteps = Math.max(1, options.maxSteps ?? 8);

  // Keep the largest steps; fold the rest into one step that keeps the running sum exact.
  const kept = input.steps.slice(0, maxSteps).map((s) => ({ ...s }));
  const rest = input.steps.slice(maxSteps);
  if (rest.length) {
    const contribution = rest.reduce((a, s) => a + s.contribution, 0);
    kept.push({ name: '__other', label: `${rest.length} other feature${rest.length === 1 ? '' : 's'}`, value: Number.NaN, valueText: '', contribution, start: rest[0]!.start, end: rest[0]!.start + contribution });
  }
  // Running sum from the base, in the order given (the server's start/end follow the same sum).
  let at = input.base;
  const steps = kept.map((s) => {
    const from = at;
    const to = from + s.contribution;
    at = to;
    return { ...s, from, to };
  });

  const values = [input.base, input.fx, ...steps.flatMap((s) => [s.from, s.to])].filter(Number.isFinite);
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (hi - lo < 1e-9) {
    lo -= 0.5;
    hi += 0.5;
  }
  const pad = (hi - lo) * 0.05;
  lo -= pad;
  hi += pad;
  const plotLeft = labelWidth;
  const plotRight = width - valueWidth;
  const sx = (v: number) => plotLeft + ((v - lo) / (hi - lo)) * (plotRight - plotLeft);
  const barH = Math.round(rowHeight * 0.64);
  const inset = (rowHeight - barH) / 2;

  const rows: WaterfallRow[] = [];
  const push = (r: Omit<WaterfallRow, 'y' | 'height' | 'textX' | 'textAnchor'>) => {
    const y = rows.length * rowHeight + inset;
    const right = r.x + r.width;
    const roomRight = plotRight + valueWidth - right;
    const textAnchor: 'start' | 'end' = roomRight >= 56 || r.x - plotLeft < 56 ? 'start' : 'end';
    rows.push({ ...r, y, height: barH, textX: textAnchor === 'start' ? right + 4 : r.x - 4, textAnchor });
  };
  const barOf = (a: number, b: number) => {
    const x0 = sx(Math.min(a, b));
    return { x: x0, width: Math.max(1, sx(Math.max(a, b)) - x0) };
  };
  // Base and total are markers on the scale (the domain need not hold 0, so a bar would mislead).
  const marker = (v: number) => ({ x: sx(v) - 1.5, width: 3 });
  push({ key: '__base', label: 'Typical part (average)', valueText: '', kind: 'base', amount: input.base, direction: 'none', ...marker(input.base), from: input.base, to: input.base, text: input.base.toFixed(3) });
  for (const s of steps) {
    push({ key: s.name, label: s.label, valueText: s.valueText, kind: 'step', amount: s.contribution, direction: s.contribution > 0 ? 'up' : s.contribution < 0 ? 'down' : 'none', ...barOf(s.from, s.to), from: s.from, to: s.to, text: signed(s.contribution) });
  }
  push({ key: '__total', label: 'This part', valueText: '', kind: 'total', amount: input.fx, direction: 'none', ...marker(input.fx), from: input.fx, to: input.fx, text: input.fx.toFixed(3) });

  const axisY = rows.length * rowHeight + 4;
  const ticks = niceTicks(lo, hi, 5).map((value) => ({ value, x: sx(value), text: String(Number(value.toPrecision(3))) }));
  return { width, height: axisY + axisHeight, plotLeft, plotRight, domain: [lo, hi], rows, ticks, baseX: sx(input.base), fxX: sx(input.fx), axisY };
}
