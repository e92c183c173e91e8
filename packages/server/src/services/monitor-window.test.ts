/**
 * The pure part of a monitor run: signal names, window scalars (a signal missing in a row is
 * left out with a note) and the performance block on a hand-checked window.
 */
import { describe, expect, it } from 'vitest';
import type { WindowRow } from '../repositories/signal.repository.ts';
import { isMonitorSignal, MONITOR_SIGNALS, performanceOf, rowScalars, scalarWindow } from './monitor-window.ts';

function row(i: number, o: { score: number; defect: number; verdict: 'pass' | 'reject'; predicted: number; review?: { verdict: 'pass' | 'reject'; classIndex: number }; uncertainty?: number | null }): WindowRow {
  return {
    inspection_id: `i${i}`,
    account_id: 'a',
    model_version_id: 'v',
    model_name: 'm',
    model_version: '1',
    created_at: `2026-12-05T12:00:0${i}.000Z`,
    brightness: 100 + i,
    contrast: 20,
    sharpness: 300,
    saturation: 0.1,
    width: 64,
    height: 48,
    mean_r: 100,
    mean_g: 101,
    mean_b: 102,
    score: o.score,
    defect_score: o.defect,
    predicted_class: o.predicted,
    uncertainty: o.uncertainty ?? null,
    latency_ms: 5,
    verdict: o.verdict,
    image_sha256: 'x',
    review_verdict: o.review?.verdict ?? null,
    review_class_index: o.review?.classIndex ?? null,
  };
}

// Labels [defect, good]: class 0 defect, class 1 good.
const rows = [
  row(0, { score: 0.9, defect: 0.9, verdict: 'reject', predicted: 0, review: { verdict: 'reject', classIndex: 0 } }),
  row(1, { score: 0.6, defect: 0.6, verdict: 'reject', predicted: 0, review: { verdict: 'pass', classIndex: 1 } }),
  row(2, { score: 0.8, defect: 0.2, verdict: 'pass', predicted: 1, review: { verdict: 'reject', classIndex: 0 }, uncertainty: 0.3 }),
  row(3, { score: 0.7, defect: 0.3, verdict: 'pass', predicted: 1 }),
];

describe('monitor windows', () => {
  it('names the signals and refuses others', () => {
    expect(MONITOR_SIGNALS).toContain('brightness');
    expect(MONITOR_SIGNALS).toContain('embedding');
    expect(isMonitorSignal('predictedClass')).toBe(true);
    expect(isMonitorSignal('glare')).toBe(false);
  });

  it('takes each asked scalar present in every row and notes the others', () => {
    const notes: string[] = [];
    const scalars = scalarWindow(rows.map(rowScalars), ['brightness', 'uncertainty', 'meanB', 'predictedClass'], 'current', notes);
    expect(Object.keys(scalars)).toEqual(['brightness', 'meanB']);
    expect(Array.from(scalars.brightness as Float64Array)).toEqual([100, 101, 102, 103]);
    expect(Array.from(scalars.meanB as Float64Array)).toEqual([102, 102, 102, 102]);
    expect(notes).toEqual(['uncertainty: missing in some inspections of the current window, not tested']);
  });

  it('estimates before reviews, measures the reviewed and compares like with like', () => {
    const p = performanceOf(rows);
    expect(p).toMatchObject({ inspections: 4, reviewed: 3 });
    expect(p.estimated?.accuracy).toBeCloseTo(3 / 4, 12);
    // E[TP] = 1.5, E[FN] = 0.5, E[FP] = 0.5, E[TN] = 1.5.
    expect(p.estimated?.escapeRate).toBeCloseTo(0.25, 12);
    expect(p.estimated?.falseRejectRate).toBeCloseTo(0.25, 12);
    expect(p.estimated?.passedDefectRate).toBeCloseTo(0.25, 12);
    // Reviewed: TP 1 (row 0), FP 1 (row 1), FN 1 (row 2); classes right: row 0 only.
    expect(p.realised).toEqual({ count: 3, accuracy: 1 / 3, escapeRate: 0.5, falseRejectRate: 1, passedDefectRate: 1 });
    expect(p.estimatedOnReviewed?.count).toBe(3);
    expect(p.estimatedOnReviewed?.accuracy).toBeCloseTo(2.3 / 3, 12);
    expect(p.difference?.accuracy).toBeCloseTo(1 / 3 - 2.3 / 3, 12);
    // E[FN] / (E[TP] + E[FN]) on the reviewed: 0.2 / 1.7.
    expect(p.difference?.escapeRate).toBeCloseTo(0.5 - 0.2 / 1.7, 12);
  });

  it('has no realised figures and no difference without reviews', () => {
    const p = performanceOf(rows.map((r) => ({ ...r, review_verdict: null, review_class_index: null })));
    expect(p).toMatchObject({ reviewed: 0, realised: null, estimatedOnReviewed: null, difference: null });
    expect(performanceOf([])).toMatchObject({ inspections: 0, estimated: null });
  });
});
