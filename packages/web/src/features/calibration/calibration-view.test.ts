import { describe, expect, it } from 'vitest';
import { eceChange, recalibrateBlocker, statusView } from './calibration-view.ts';

describe('calibration status in words', () => {
  it('says how many reviews are missing', () => {
    const v = statusView({ status: 'not enough reviews', reviewed: 3, minReviews: 50, driftThreshold: null });
    expect(v.label).toBe('Not enough reviews');
    expect(v.sentence).toContain('there are 3');
    expect(v.sentence).toContain('Review 47 more');
    expect(statusView({ status: 'not enough reviews', reviewed: 1, minReviews: 50, driftThreshold: null }).sentence).toContain('there is 1');
  });

  it('names the drift figures and tones the badge', () => {
    const v = statusView({ status: 'drifting', reviewed: 80, minReviews: 50, driftThreshold: 0.05, served: { ece: 0.123 } });
    expect(v.tone).toBe('bad');
    expect(v.sentence).toContain('12.3 %');
    expect(v.sentence).toContain('5.0 %');
    expect(statusView({ status: 'ok', reviewed: 80, minReviews: 50, driftThreshold: 0.05 }).tone).toBe('good');
    expect(statusView({ status: 'uncalibrated', reviewed: 80, minReviews: 50, driftThreshold: null }).tone).toBe('warn');
  });
});

describe('recalibrateBlocker', () => {
  const status = { status: 'ok' as const, reviewed: 60, minReviews: 50 };
  it('refuses lower roles first, then missing reviews, then a running fit', () => {
    expect(recalibrateBlocker({ isEngineer: false, status, running: false })).toMatch(/engineers/);
    expect(recalibrateBlocker({ isEngineer: true, status: undefined, running: false })).toMatch(/Choose/);
    expect(recalibrateBlocker({ isEngineer: true, status: { ...status, reviewed: 12 }, running: false })).toBe('Needs at least 50 reviewed inspections (12 so far).');
    expect(recalibrateBlocker({ isEngineer: true, status, running: true })).toMatch(/running/);
    expect(recalibrateBlocker({ isEngineer: true, status, running: false })).toBeUndefined();
  });
});

describe('eceChange', () => {
  it('reads the change and its direction', () => {
    expect(eceChange(0.12, 0.031)).toEqual({ text: '12.0 % to 3.1 %', better: true });
    expect(eceChange(0.02, 0.05).better).toBe(false);
    expect(eceChange(null, 0.05)).toEqual({ text: '\u2013', better: null });
  });
});
