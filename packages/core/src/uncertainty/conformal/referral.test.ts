import { describe, expect, it } from 'vitest';
import { fitReferralRule, referralReason } from './referral.ts';

describe('fitReferralRule', () => {
  // Sorted by uncertainty: errors at 0.35 and 0.6; ties at 0.3.
  const uncertainty = [0.1, 0.2, 0.3, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8];
  const correct = [1, 1, 1, 1, 0, 1, 1, 0, 0, 1];

  it('accepts the most items whose error rate stays within the target', () => {
    const rule = fitReferralRule({ uncertainty, correct, targetErrorRate: 0.15 });
    // Up to 0.5: 7 accepted, 1 error (14.3 %); adding 0.6 makes 2 of 8 (25 %).
    expect(rule.uncertaintyThreshold).toBe(0.5);
    expect(rule.acceptedFraction).toBe(0.7);
    expect(rule.acceptedErrorRate).toBeCloseTo(1 / 7, 15);
  });

  it('never splits tied uncertainties', () => {
    const rule = fitReferralRule({ uncertainty, correct: [1, 1, 1, 0, 1, 1, 1, 1, 1, 1], targetErrorRate: 0 });
    // The error sits in the 0.3 tie, so only the two items below it can be accepted.
    expect(rule.uncertaintyThreshold).toBe(0.2);
    expect(rule.acceptedFraction).toBe(0.2);
  });

  it('leaves items with ambiguous or empty sets out of the accepted pool', () => {
    const setSizes = [1, 1, 1, 1, 2, 1, 1, 0, 1, 1];
    const rule = fitReferralRule({ uncertainty, correct, setSizes, targetErrorRate: 0.15 });
    // Without the two set-referred items (both errors) the only error left is at 0.7.
    expect(rule.uncertaintyThreshold).toBe(0.8);
    expect(rule.acceptedFraction).toBe(0.8);
    expect(rule.acceptedErrorRate).toBe(1 / 8);
  });

  it('refers everything by uncertainty when no threshold meets the target', () => {
    const rule = fitReferralRule({ uncertainty: [0.1, 0.2], correct: [0, 1], targetErrorRate: 0.1 });
    expect(rule.uncertaintyThreshold).toBe(Number.NEGATIVE_INFINITY);
    expect(rule.acceptedFraction).toBe(0);
    expect(rule.acceptedErrorRate).toBeNaN();
  });

  it('rejects a target outside [0, 1) and malformed inputs', () => {
    expect(() => fitReferralRule({ uncertainty, correct, targetErrorRate: 1 })).toThrow(/targetErrorRate/);
    expect(() => fitReferralRule({ uncertainty, correct: [1], targetErrorRate: 0.1 })).toThrow(/length/);
    expect(() => fitReferralRule({ uncertainty: [Number.NaN], correct: [1], targetErrorRate: 0.1 })).toThrow(/NaN/);
  });
});

describe('referralReason', () => {
  const rule = fitReferralRule({ uncertainty: [0.1, 0.2, 0.9], correct: [1, 1, 0], targetErrorRate: 0 });

  it('refers ambiguous and empty sets before looking at uncertainty', () => {
    expect(referralReason(rule, 2, 0.05)).toBe('ambiguous-set');
    expect(referralReason(rule, 0, 0.05)).toBe('empty-set');
    expect(referralReason(rule, 1, 0.5)).toBe('uncertain');
    expect(referralReason(rule, 1, 0.2)).toBeNull();
  });
});
