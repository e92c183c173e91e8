/**
 * The pure part of a monitor run: which signals a monitor may check, how the rows of a
 * window become the core's DriftWindow, and the performance block of a result (the core's
 * CBPE estimate before reviews, the realised figures from the reviews, their difference).
 */
import { estimatePerformance } from '@xai-qc/core';
import type { DriftWindow, PerformanceEstimate } from '@xai-qc/core';
import type { WindowRow } from '../repositories/signal.repository.ts';
import type { MonitorPerformance, PerformanceFigures } from '../schemas/monitor.schema.ts';

/** Scalar signals of the window rows (repositories/signal.repository.ts), by monitor signal name. */
export const SCALAR_SIGNALS = {
  brightness: 'brightness',
  contrast: 'contrast',
  sharpness: 'sharpness',
  saturation: 'saturation',
  width: 'width',
  height: 'height',
  meanR: 'mean_r',
  meanG: 'mean_g',
  meanB: 'mean_b',
  score: 'score',
  defectScore: 'defect_score',
  uncertainty: 'uncertainty',
  latencyMs: 'latency_ms',
} as const satisfies Record<string, keyof WindowRow>;

/** Image statistics only: what a dataset reference (images without inspections) has. */
export const IMAGE_SIGNALS = ['brightness', 'contrast', 'sharpness', 'saturation', 'width', 'height', 'meanR', 'meanG', 'meanB'] as const;

/** Every signal a monitor may check: the scalars, the predicted-class mix and the pooled embedding. */
export const MONITOR_SIGNALS = [...(Object.keys(SCALAR_SIGNALS) as (keyof typeof SCALAR_SIGNALS)[]), 'predictedClass', 'embedding'] as const;

/** A signal name. */
export type MonitorSignal = (typeof MONITOR_SIGNALS)[number];

/** True when `s` is a {@link MonitorSignal}. */
export function isMonitorSignal(s: string): s is MonitorSignal {
  return (MONITOR_SIGNALS as readonly string[]).includes(s);
}

/** The image statistics of one image, as a dataset reference row holds them. */
export type ImageSignalRow = Record<(typeof IMAGE_SIGNALS)[number], number>;

/**
 * The scalar part of a DriftWindow: each asked scalar signal present in every row. A signal
 * missing in some row (uncertainty, computed only when a request asked for MC-Dropout) is
 * left out with a note.
 */
export function scalarWindow(rows: readonly Partial<Record<keyof typeof SCALAR_SIGNALS, number | null>>[], signals: readonly MonitorSignal[], label: string, notes: string[]): DriftWindow['scalars'] {
  const scalars: DriftWindow['scalars'] = {};
  for (const name of signals) {
    if (!(name in SCALAR_SIGNALS)) continue;
    const key = name as keyof typeof SCALAR_SIGNALS;
    const values = new Float64Array(rows.length);
    let complete = true;
    for (let i = 0; i < rows.length && complete; i++) {
      const v = rows[i][key];
      if (v === null || v === undefined || !Number.isFinite(Number(v))) complete = false;
      else values[i] = Number(v);
    }
    if (complete) scalars[name] = values;
    else notes.push(`${name}: missing in some inspections of the ${label} window, not tested`);
  }
  return scalars;
}

/** A window row's scalars by signal name. */
export function rowScalars(r: WindowRow): Record<keyof typeof SCALAR_SIGNALS, number | null> {
  const out = {} as Record<keyof typeof SCALAR_SIGNALS, number | null>;
  for (const [name, column] of Object.entries(SCALAR_SIGNALS)) {
    const v = r[column];
    out[name as keyof typeof SCALAR_SIGNALS] = v === null ? null : Number(v);
  }
  return out;
}

const orNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

function figuresOf(e: PerformanceEstimate): PerformanceFigures {
  return { count: e.count, accuracy: e.accuracy, escapeRate: orNull(e.escapeRate), falseRejectRate: orNull(e.falseRejectRate), passedDefectRate: orNull(e.passedDefectRate) };
}

function estimateOf(rows: readonly WindowRow[]): PerformanceFigures | null {
  if (rows.length === 0) return null;
  return figuresOf(
    estimatePerformance(
      rows.map((r) => Number(r.score)),
      rows.map((r) => Number(r.defect_score)),
      rows.map((r) => (r.verdict === 'reject' ? 1 : 0)),
    ),
  );
}

/**
 * The performance block of the current window. `estimated`: CBPE over every inspection of
 * the window. `realised`, over the reviewed ones (their current review is the truth, positive
 * class defect as in GET /metrics): accuracy = share whose predicted class is the reviewed
 * class, escape rate FN / (TP + FN), false-reject rate FP / (FP + TN), passedDefectRate
 * FN / passed. `estimatedOnReviewed`: CBPE over the same reviewed inspections, so
 * `difference` = realised - estimatedOnReviewed compares like with like; null without reviews.
 */
export function performanceOf(rows: readonly WindowRow[]): MonitorPerformance {
  const reviewed = rows.filter((r) => r.review_verdict !== null);
  let realised: PerformanceFigures | null = null;
  if (reviewed.length > 0) {
    let correct = 0;
    let tp = 0;
    let fn = 0;
    let fp = 0;
    let tn = 0;
    for (const r of reviewed) {
      if (r.review_class_index === r.predicted_class) correct++;
      const truth = r.review_verdict === 'reject';
      const predicted = r.verdict === 'reject';
      if (truth && predicted) tp++;
      else if (truth) fn++;
      else if (predicted) fp++;
      else tn++;
    }
    const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);
    realised = { count: reviewed.length, accuracy: correct / reviewed.length, escapeRate: ratio(fn, tp + fn), falseRejectRate: ratio(fp, fp + tn), passedDefectRate: ratio(fn, fn + tn) };
  }
  const estimatedOnReviewed = realised ? estimateOf(reviewed) : null;
  const diff = (a: number | null | undefined, b: number | null | undefined): number | null => (a === null || a === undefined || b === null || b === undefined ? null : a - b);
  return {
    inspections: rows.length,
    reviewed: reviewed.length,
    estimated: estimateOf(rows),
    realised,
    estimatedOnReviewed,
    difference:
      realised && estimatedOnReviewed
        ? {
            accuracy: diff(realised.accuracy, estimatedOnReviewed.accuracy),
            escapeRate: diff(realised.escapeRate, estimatedOnReviewed.escapeRate),
            falseRejectRate: diff(realised.falseRejectRate, estimatedOnReviewed.falseRejectRate),
          }
        : null,
  };
}
