/**
 * CBPE: known answers on a small window, input checks, and a synthetic stream whose
 * classifier is calibrated by construction (the true class is drawn from the predicted
 * probabilities), where the estimate before reviews must match the realised figures.
 */
import { describe, expect, it } from 'vitest';
import { normalRng, uniformRng } from '../util/random.ts';
import { estimatePerformance } from './cbpe.ts';
import { expectInputError } from './test-helpers.ts';

/** Window size and seeds of the synthetic stream. */
const WINDOW = 1000;
const SEEDS = 200;
/** The stated tolerance: |estimated - realised accuracy| at or below it in at least 95 % of windows. */
const TOLERANCE = 0.03;
/** The same for the escape rate, a ratio over the defective parts only (fewer of them). */
const ESCAPE_TOLERANCE = 0.05;

interface Stream {
  top: Float64Array;
  defect: Float64Array;
  rejected: Int32Array;
  /** Realised: the prediction is the true class; the part is truly defective. */
  correct: Int32Array;
  defective: Int32Array;
}

/**
 * A 3-class line (class 0 good, 1 and 2 defects): logits around a drifting mean, softmax at
 * `temperature`; the true class is drawn from the softmax at temperature 1, so the model's
 * probabilities are calibrated exactly when `temperature` is 1.
 */
function stream(n: number, seed: number, temperature = 1): Stream {
  const z = normalRng(seed);
  const u = uniformRng(seed + 104729);
  const s: Stream = { top: new Float64Array(n), defect: new Float64Array(n), rejected: new Int32Array(n), correct: new Int32Array(n), defective: new Int32Array(n) };
  for (let i = 0; i < n; i++) {
    const logits = [2 + 1.5 * z(), 1.5 * z(), 1.5 * z()];
    const soft = (t: number): number[] => {
      const m = Math.max(...logits);
      const e = logits.map((l) => Math.exp((l - m) / t));
      const sum = e.reduce((a, b) => a + b, 0);
      return e.map((x) => x / sum);
    };
    const truthP = soft(1);
    const p = soft(temperature);
    const predicted = p.indexOf(Math.max(...p));
    const r = u();
    const truth = r < truthP[0] ? 0 : r < truthP[0] + truthP[1] ? 1 : 2;
    s.top[i] = p[predicted];
    s.defect[i] = 1 - p[0];
    s.rejected[i] = predicted === 0 ? 0 : 1;
    s.correct[i] = predicted === truth ? 1 : 0;
    s.defective[i] = truth === 0 ? 0 : 1;
  }
  return s;
}

function realised(s: Stream): { accuracy: number; escapeRate: number; falseRejectRate: number } {
  let correct = 0;
  let tp = 0;
  let fn = 0;
  let fp = 0;
  let tn = 0;
  for (let i = 0; i < s.top.length; i++) {
    correct += s.correct[i];
    if (s.defective[i] && s.rejected[i]) tp++;
    else if (s.defective[i]) fn++;
    else if (s.rejected[i]) fp++;
    else tn++;
  }
  return { accuracy: correct / s.top.length, escapeRate: fn / (tp + fn), falseRejectRate: fp / (fp + tn) };
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

describe('estimatePerformance', () => {
  it('gives the expected confusion counts and figures of a known window', () => {
    // Rejected: p = 0.9, 0.6; passed: p = 0.1, 0.2, 0.3.
    const e = estimatePerformance([0.9, 0.6, 0.9, 0.8, 0.7], [0.9, 0.6, 0.1, 0.2, 0.3], [1, 1, 0, 0, 0]);
    expect(e.count).toBe(5);
    expect(e.accuracy).toBeCloseTo(3.9 / 5, 12);
    expect(e.tp).toBeCloseTo(1.5, 12);
    expect(e.fp).toBeCloseTo(0.5, 12);
    expect(e.fn).toBeCloseTo(0.6, 12);
    expect(e.tn).toBeCloseTo(2.4, 12);
    expect(e.escapeRate).toBeCloseTo(0.6 / 2.1, 12);
    expect(e.falseRejectRate).toBeCloseTo(0.5 / 2.9, 12);
    expect(e.passedDefectRate).toBeCloseTo(0.2, 12);
  });

  it('gives NaN where a denominator is 0: nothing passed, nothing expected defective', () => {
    const e = estimatePerformance([1, 1], [0, 0], [1, 1]);
    expect(e.accuracy).toBe(1);
    expect(e.escapeRate).toBeNaN();
    expect(e.passedDefectRate).toBeNaN();
    expect(e.falseRejectRate).toBe(1);
  });

  it('refuses empty, unequal, non-finite and out-of-range inputs', () => {
    expectInputError(() => estimatePerformance([], [], []), 'predictedProbability');
    expectInputError(() => estimatePerformance([0.5], [0.5, 0.2], [1]), 'defectProbability');
    expectInputError(() => estimatePerformance([0.5], [Number.NaN], [1]), 'defectProbability');
    expectInputError(() => estimatePerformance([1.2], [0.5], [1]), 'predictedProbability[0]');
    expectInputError(() => estimatePerformance([0.5], [-0.1], [1]), 'defectProbability[0]');
    expectInputError(() => estimatePerformance([0.5], [0.5], [2]), 'predictedDefect[0]');
  });

  it(`estimates a calibrated classifier's accuracy within ${TOLERANCE} of the realised one (windows of ${WINDOW}, ${SEEDS} seeds)`, () => {
    const gaps: number[] = [];
    const escapeGaps: number[] = [];
    const frrGaps: number[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) {
      const s = stream(WINDOW, seed);
      const e = estimatePerformance(s.top, s.defect, s.rejected);
      const r = realised(s);
      gaps.push(e.accuracy - r.accuracy);
      escapeGaps.push(Math.abs(e.escapeRate - r.escapeRate));
      frrGaps.push(Math.abs(e.falseRejectRate - r.falseRejectRate));
    }
    const abs = gaps.map(Math.abs);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    // Measured on this stream (2026-12-05): accuracy gap mean (signed) 0.0016, median |gap| 0.0089,
    // 95th percentile 0.026, max 0.036; escape rate |gap| median 0.013, 95th percentile 0.035
    // (a ratio over the defective parts only: a smaller sample); false-reject rate median
    // 0.006, 95th percentile 0.018. The spread is the realised figure's sampling noise.
    expect(Math.abs(mean)).toBeLessThan(0.005);
    expect(quantile(abs, 0.95)).toBeLessThanOrEqual(TOLERANCE);
    expect(quantile(abs, 0.5)).toBeLessThan(0.015);
    expect(quantile(escapeGaps, 0.95)).toBeLessThanOrEqual(ESCAPE_TOLERANCE);
    expect(quantile(frrGaps, 0.95)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('misses the realised accuracy when the probabilities are overconfident (temperature 0.4): calibration is what makes it work', () => {
    const gaps: number[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const s = stream(WINDOW, seed, 0.4);
      gaps.push(estimatePerformance(s.top, s.defect, s.rejected).accuracy - realised(s).accuracy);
    }
    expect(Math.min(...gaps)).toBeGreaterThan(TOLERANCE);
  });
});
