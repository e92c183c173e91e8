import { describe, expect, it } from 'vitest';
import { matchesTruthFilters, outcomeOf, sortRows, uncertaintyOf } from './ground-truth.ts';
import type { PredictionLike, TruthLike } from './ground-truth.ts';

const p = (over: Partial<PredictionLike>): PredictionLike => ({ id: 'a', createdAt: '2026-01-01T00:00:00Z', verdict: 'reject', label: 'scratch', defectScore: 0.9, probabilities: [0.1, 0.9], ...over });
const t = (verdict: 'pass' | 'reject', label: string, name = 'ann'): TruthLike => ({ verdict, label, reviewer: { subject: `sub-${name}`, name } });

describe('outcomeOf', () => {
  it('classifies prediction against ground truth', () => {
    expect(outcomeOf(p({}), null)).toBe('unreviewed');
    expect(outcomeOf(p({}), t('pass', 'good'))).toBe('false-positive');
    expect(outcomeOf(p({ verdict: 'pass', label: 'good' }), t('reject', 'crack'))).toBe('false-negative');
    expect(outcomeOf(p({}), t('reject', 'crack'))).toBe('wrong-class');
    expect(outcomeOf(p({}), t('reject', 'scratch'))).toBe('correct');
    expect(outcomeOf(p({ verdict: 'pass', label: 'good' }), t('pass', 'good'))).toBe('correct');
  });
});

describe('uncertaintyOf', () => {
  it('is the normalised entropy: 0 when sure, 1 when uniform', () => {
    expect(uncertaintyOf({ probabilities: [1, 0] })).toBe(0);
    expect(uncertaintyOf({ probabilities: [0.25, 0.25, 0.25, 0.25] })).toBeCloseTo(1, 10);
    const a = uncertaintyOf({ probabilities: [0.6, 0.4] });
    const b = uncertaintyOf({ probabilities: [0.9, 0.1] });
    expect(a).toBeGreaterThan(b);
  });

  it('uses MC-Dropout predictive entropy when present', () => {
    expect(uncertaintyOf({ probabilities: [1, 0], uncertainty: { predictiveEntropy: Math.log(2) / 2, mutualInformation: 0.1 } })).toBeCloseTo(0.5, 10);
  });
});

describe('in-page filters and sort', () => {
  it('filters by reviewed, reviewer and outcome', () => {
    const row = p({});
    expect(matchesTruthFilters(row, null, { reviewed: false })).toBe(true);
    expect(matchesTruthFilters(row, null, { reviewed: true })).toBe(false);
    expect(matchesTruthFilters(row, t('pass', 'good', 'Ann Lee'), { reviewer: 'ann' })).toBe(true);
    expect(matchesTruthFilters(row, t('pass', 'good', 'Bob'), { reviewer: 'ann' })).toBe(false);
    expect(matchesTruthFilters(row, null, { reviewer: 'ann' })).toBe(false);
    expect(matchesTruthFilters(row, t('pass', 'good'), { outcome: 'false-positive' })).toBe(true);
    expect(matchesTruthFilters(row, t('pass', 'good'), { outcome: 'correct' })).toBe(false);
    expect(matchesTruthFilters(row, null, { outcome: 'unreviewed' })).toBe(true);
  });

  it('sorts by score both ways, by uncertainty, and newest first on ties', () => {
    const rows = [
      p({ id: 'a', defectScore: 0.2, createdAt: '2026-01-01T00:00:00Z', probabilities: [0.5, 0.5] }),
      p({ id: 'b', defectScore: 0.9, createdAt: '2026-01-02T00:00:00Z', probabilities: [0.99, 0.01] }),
      p({ id: 'c', defectScore: 0.2, createdAt: '2026-01-03T00:00:00Z', probabilities: [0.7, 0.3] }),
    ];
    expect(sortRows(rows, undefined).map((r) => r.id)).toEqual(['c', 'b', 'a']);
    expect(sortRows(rows, 'score-desc').map((r) => r.id)).toEqual(['b', 'c', 'a']);
    expect(sortRows(rows, 'score-asc').map((r) => r.id)).toEqual(['c', 'a', 'b']);
    expect(sortRows(rows, 'uncertainty-desc').map((r) => r.id)).toEqual(['a', 'c', 'b']);
    expect(rows.map((r) => r.id)).toEqual(['a', 'b', 'c']);
  });
});
