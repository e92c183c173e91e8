import { describe, expect, it } from 'vitest';
import { uniformRng } from '../../util/random.ts';
import { chooseThreshold, f1OptimalThreshold, normalisationFor, normaliseScore, quantile } from './thresholds.ts';

describe('quantile', () => {
  it('interpolates linearly between order statistics (numpy default)', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBeCloseTo(2.5, 12);
    expect(quantile([4, 1, 3, 2], 0.9)).toBeCloseTo(3.7, 12);
    expect(quantile([7], 0.99)).toBe(7);
    expect(quantile([0, 10], 1)).toBe(10);
  });
});

describe('chooseThreshold', () => {
  const u = uniformRng(3);
  const good = Float64Array.from({ length: 400 }, () => u());

  it('from good scores only: the quantile, so at most 1 - q of them lie above it', () => {
    const t = chooseThreshold(good, [], { quantile: 0.99 });
    expect(t.source).toBe('good-quantile');
    const above = good.filter((s) => s > t.value).length;
    expect(above).toBeLessThanOrEqual(Math.ceil(0.01 * good.length));
    expect(above).toBeGreaterThan(0);
    expect(t.warnings).toEqual([]);
  });

  it('warns when too few good images make the quantile their maximum', () => {
    const t = chooseThreshold([0.2, 0.4, 0.3], [], { quantile: 0.99 });
    expect(t.value).toBeCloseTo(0.398, 12);
    expect(t.warnings[0]).toMatch(/only 3 good validation/);
  });

  it('with labelled defects: the F1-optimal cut between the classes', () => {
    const defects = Float64Array.from({ length: 50 }, () => 1.5 + u());
    const t = chooseThreshold(good, defects);
    expect(t.source).toBe('f1-optimal');
    expect(t.f1).toBe(1);
    expect(t.value).toBeGreaterThan(Math.max(...good));
    expect(t.value).toBeLessThan(Math.min(...defects));
    expect(t.goodQuantileValue).toBeCloseTo(quantile(good, 0.99), 12);
  });

  it('never silently flags everything: an F1 cut at the minimum falls back to the quantile with a warning', () => {
    const f = f1OptimalThreshold([0.1, 0.2, 0.3, 0.4, 0.5], [1, 1, 0, 1, 1]);
    expect(f.flagsAll).toBe(true);
    const t = chooseThreshold([0.3], [0.1, 0.2, 0.4, 0.5]);
    expect(t.source).toBe('good-quantile');
    expect(t.value).toBe(0.3);
    expect(t.warnings.some((w) => /would flag every validation sample/.test(w))).toBe(true);
  });

  it('uses extra negatives for the F1 cut but not for the quantile', () => {
    const t = chooseThreshold([0.1, 0.2], [0.9, 1.0], { extraNegatives: [0.85], what: 'pixel' });
    expect(t.value).toBeCloseTo(0.875, 12);
    expect(t.goodQuantileValue).toBeCloseTo(0.199, 12);
  });

  it('refuses an empty good set', () => {
    expect(() => chooseThreshold([], [1])).toThrow(expect.objectContaining({ code: 'XQC_ANOMALY' }));
  });
});

describe('normalisation', () => {
  it('maps the lowest good score to 0, the threshold to 0.5 and threshold + (threshold - low) to 1, monotone and clipped', () => {
    const n = normalisationFor(2, [1, 1.5, 1.9]);
    expect(n).toEqual({ low: 1, threshold: 2, high: 3 });
    expect(normaliseScore(1, n)).toBe(0);
    expect(normaliseScore(2, n)).toBe(0.5);
    expect(normaliseScore(3, n)).toBe(1);
    expect(normaliseScore(0.2, n)).toBe(0);
    expect(normaliseScore(9, n)).toBe(1);
    let prev = -1;
    for (let s = 0.5; s < 3.5; s += 0.05) {
      const v = normaliseScore(s, n);
      expect(v).toBeGreaterThanOrEqual(prev);
      prev = v;
    }
    expect(normaliseScore(1.999, n) < 0.5 && normaliseScore(2.001, n) > 0.5).toBe(true);
  });

  it('falls back to low 0 when no good score lies below the threshold, and refuses a zero threshold', () => {
    expect(normalisationFor(0.3, [0.3])).toEqual({ low: 0, threshold: 0.3, high: 0.6 });
    expect(() => normalisationFor(0, [0, 0])).toThrow(expect.objectContaining({ code: 'XQC_ANOMALY' }));
  });
});
