import { describe, expect, it } from 'vitest';
import { anomalyWhereReadings, surrogateFitReading } from './anomaly-hints.ts';

describe('anomalyWhereReadings', () => {
  it('flags a peak and an area beyond the limit', () => {
    const r = anomalyWhereReadings({ max: 0.93, mean: 0.12, defectArea: 0.072 });
    expect(r.map((x) => [x.label, x.value, x.tone])).toEqual([
      ['Strongest spot', '0.93', 'bad'],
      ['Area beyond the limit', '7.2 %', 'bad'],
      ['Average level', '0.12', 'info'],
    ]);
  });
  it('calls a clean map clean, and a near miss a near miss', () => {
    expect(anomalyWhereReadings({ max: 0.2, mean: 0.05, defectArea: 0 }).map((x) => x.tone)).toEqual(['good', 'good', 'info']);
    expect(anomalyWhereReadings({ max: 0.45, mean: 0.05, defectArea: 0 })[0]!.tone).toBe('warn');
  });
  it('asks to check a tiny area and an image that is unusual all over', () => {
    const r = anomalyWhereReadings({ max: 0.6, mean: 0.4, defectArea: 0.0004 });
    expect(r[1]).toMatchObject({ value: '0.04 %', tone: 'warn' });
    expect(r[1]!.hint).toContain('dust');
    expect(r[2]!.hint).toContain('lighting');
  });
});

describe('surrogateFitReading', () => {
  it('grades the held-out R^2', () => {
    expect(surrogateFitReading({ r2Holdout: 0.91, nHoldout: 20, nTrain: 80 })).toMatchObject({ tone: 'good', value: 'R\u00b2 0.91' });
    expect(surrogateFitReading({ r2Holdout: 0.6, nHoldout: 20, nTrain: 80 }).tone).toBe('warn');
    expect(surrogateFitReading({ r2Holdout: 0.1, nHoldout: 20, nTrain: 80 }).hint).toContain('use the maps instead');
  });
  it('says unknown when the fit could not be checked', () => {
    expect(surrogateFitReading({ r2Holdout: null, nHoldout: 1, nTrain: 8 })).toMatchObject({ tone: 'warn', value: 'unknown' });
  });
});
