import { describe, expect, it } from 'vitest';
import { reportScope } from './report-scope.ts';

const none = { from: null, to: null, model: null, version: null, inspectionIds: null };

describe('reportScope', () => {
  it('names the model and the days covered, the exclusive end read as the day before', () => {
    expect(reportScope({ ...none, model: 'surface-classifier', version: '1.0.0', from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' })).toBe('surface-classifier@1.0.0, 1 Nov 2026 to 30 Nov 2026');
  });

  it('says all models and all time when nothing was filtered', () => {
    expect(reportScope(none)).toBe('all models, all time');
    expect(reportScope({ ...none, from: '2026-11-01T00:00:00.000Z' })).toBe('all models, from 1 Nov 2026');
    expect(reportScope({ ...none, to: '2026-11-02T00:00:00.000Z' })).toBe('all models, until 1 Nov 2026');
  });

  it('counts chosen inspections', () => {
    expect(reportScope({ ...none, inspectionIds: ['a', 'b'] })).toBe('all models, all time, 2 chosen inspections');
  });
});
