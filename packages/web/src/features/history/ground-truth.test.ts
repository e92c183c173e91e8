import { describe, expect, it } from 'vitest';
import { outcomeOf, uncertaintyOf } from './ground-truth.ts';
import type { PredictionLike, TruthLike } from './ground-truth.ts';

const p = (over: Partial<PredictionLike>): PredictionLike => ({ verdict: 'reject', label: 'scratch', defectScore: 0.9, ...over });
const t = (verdict: 'pass' | 'reject', label: string, name = 'ann'): TruthLike => ({ verdict, label, reviewer: { subject: `sub-${name}`, name } });

describe('outcomeOf', () => {
  it('classifies prediction against ground truth as the API outcome filter does', () => {
    expect(outcomeOf(p({}), null)).toBe('unreviewed');
    expect(outcomeOf(p({}), t('pass', 'good'))).toBe('false-positive');
    expect(outcomeOf(p({ verdict: 'pass', label: 'good' }), t('reject', 'crack'))).toBe('false-negative');
    expect(outcomeOf(p({}), t('reject', 'crack'))).toBe('wrong-class');
    expect(outcomeOf(p({}), t('reject', 'scratch'))).toBe('correct');
    expect(outcomeOf(p({ verdict: 'pass', label: 'good' }), t('pass', 'good'))).toBe('correct');
  });

  it('keeps both passing with different classes apart from correct', () => {
    expect(outcomeOf(p({ verdict: 'pass', label: 'scratch' }), t('pass', 'good'))).toBe('pass-other-class');
  });
});

describe('uncertaintyOf', () => {
  it('is 1 at a defect score of 0.5 and 0 at either end, falling with the distance from 0.5', () => {
    expect(uncertaintyOf({ defectScore: 0.5 })).toBe(1);
    expect(uncertaintyOf({ defectScore: 0 })).toBe(0);
    expect(uncertaintyOf({ defectScore: 1 })).toBe(0);
    expect(uncertaintyOf({ defectScore: 0.4 })).toBeCloseTo(0.8, 10);
    expect(uncertaintyOf({ defectScore: 0.6 })).toBeCloseTo(0.8, 10);
    expect(uncertaintyOf({ defectScore: 0.45 })).toBeGreaterThan(uncertaintyOf({ defectScore: 0.7 }));
  });
});
