import { describe, expect, it } from 'vitest';
import { runMethod } from './run-method.ts';

describe('anomaly method of a run', () => {
  it('reads the method asked for, the one fitted and why auto chose it', () => {
    expect(runMethod({ kind: 'train', task: 'anomaly', params: { params: {} }, metrics: null })).toEqual({ requested: 'patchcore', fitted: undefined, reason: undefined, budgetSeconds: undefined });
    expect(runMethod({ kind: 'train', task: 'anomaly', params: { params: { method: 'simulated', timeBudgetSeconds: 120 } }, metrics: { method: 'simulated', choice: null } })).toEqual({ requested: 'simulated', fitted: 'simulated', reason: undefined, budgetSeconds: 120 });
    const auto = runMethod({ kind: 'train', task: 'anomaly', params: { params: { method: 'auto' } }, metrics: { method: 'patchcore', choice: { chosen: 'patchcore', reason: 'simulated not fitted (5 s left); PatchCore kept' } } });
    expect(auto).toMatchObject({ requested: 'auto', fitted: 'patchcore', reason: 'simulated not fitted (5 s left); PatchCore kept' });
  });

  it('is undefined for other runs, and ignores values of the wrong type', () => {
    expect(runMethod({ kind: 'train', task: 'classify', params: {}, metrics: null })).toBeUndefined();
    expect(runMethod({ kind: 'evaluate', task: 'anomaly', params: {}, metrics: null })).toBeUndefined();
    expect(runMethod({ kind: 'train', task: 'anomaly', params: null, metrics: { method: 3, choice: { reason: {} } } })).toEqual({ requested: 'patchcore', fitted: undefined, reason: undefined, budgetSeconds: undefined });
  });
});
