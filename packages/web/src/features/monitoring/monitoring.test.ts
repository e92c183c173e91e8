import { describe, expect, it } from 'vitest';
import { buildMonitorBody, buildRuleBody, describeCurrent, describeReference, EMPTY_MONITOR_FORM, EMPTY_RULE_FORM, levelValue, minutesText, sortAlerts } from './monitoring.ts';

const monitorForm = { ...EMPTY_MONITOR_FORM, name: ' line 3 ', modelName: 'surface-classifier', version: '1.0.0' };

describe('monitor form', () => {
  it('builds the body with a first-N reference and a count window', () => {
    const { body, errors } = buildMonitorBody(monitorForm);
    expect(errors).toEqual({});
    expect(body).toEqual({
      name: 'line 3',
      model: { name: 'surface-classifier', version: '1.0.0' },
      reference: { kind: 'first', count: 200 },
      current: { kind: 'count', count: 200 },
      intervalMinutes: 60,
      signals: EMPTY_MONITOR_FORM.signals,
      enabled: true,
    });
  });

  it('builds range, dataset and minutes windows', () => {
    const range = buildMonitorBody({ ...monitorForm, referenceKind: 'range', referenceFrom: '2026-01-01T00:00Z', referenceTo: '2026-01-02T00:00Z', currentKind: 'minutes', currentMinutes: '90' }).body!;
    expect(range.reference).toEqual({ kind: 'range', from: '2026-01-01T00:00:00.000Z', to: '2026-01-02T00:00:00.000Z' });
    expect(range.current).toEqual({ kind: 'minutes', minutes: 90 });
    const ds = buildMonitorBody({ ...monitorForm, referenceKind: 'dataset', datasetId: 'abc' }).body!;
    expect(ds.reference).toEqual({ kind: 'dataset', datasetId: 'abc' });
  });

  it('names each problem with the server field name', () => {
    const { body, errors } = buildMonitorBody({ ...EMPTY_MONITOR_FORM, referenceCount: '4', currentCount: '5001', intervalMinutes: '0', signals: [] });
    expect(body).toBeUndefined();
    expect(Object.keys(errors).sort()).toEqual(['current.count', 'intervalMinutes', 'model.name', 'model.version', 'name', 'reference.count', 'signals']);
    const range = buildMonitorBody({ ...monitorForm, referenceKind: 'range', referenceFrom: '2026-01-02T00:00Z', referenceTo: '2026-01-01T00:00Z' });
    expect(range.errors).toEqual({ 'reference.to': 'The end must come after the start.' });
    expect(buildMonitorBody({ ...monitorForm, referenceKind: 'dataset' }).errors).toHaveProperty('reference.datasetId');
  });
});

describe('alert rule form', () => {
  it('builds the body with the model only when chosen', () => {
    const { body } = buildRuleBody({ ...EMPTY_RULE_FORM, name: 'escapes' });
    expect(body).toEqual({ name: 'escapes', metric: 'escapeRate', comparator: '>', threshold: 0.02, windowMinutes: 1440, forMinutes: 0, cooldownMinutes: 60, enabled: true });
    expect(buildRuleBody({ ...EMPTY_RULE_FORM, name: 'x', modelName: 'm' }).body!.model).toEqual({ name: 'm' });
    expect(buildRuleBody({ ...EMPTY_RULE_FORM, name: 'x', modelName: 'm', version: '2' }).body!.model).toEqual({ name: 'm', version: '2' });
  });

  it('asks for a model where the metric needs one and checks numbers', () => {
    const { errors } = buildRuleBody({ ...EMPTY_RULE_FORM, name: '', metric: 'driftLevel', threshold: '', windowMinutes: '0', cooldownMinutes: '-1' });
    expect(Object.keys(errors).sort()).toEqual(['cooldownMinutes', 'model.name', 'name', 'threshold', 'windowMinutes']);
    expect(errors['model.name']).toBe('Drift level is computed per model: choose one.');
    expect(buildRuleBody({ ...EMPTY_RULE_FORM, name: 'x', metric: 'nope' }).errors).toEqual({ metric: 'Choose the figure to watch.' });
  });
});

describe('monitoring words', () => {
  it('describes windows and durations', () => {
    expect(minutesText(2880)).toBe('2 d');
    expect(minutesText(120)).toBe('2 h');
    expect(minutesText(45)).toBe('45 min');
    expect(minutesText(0)).toBe('0 min');
    expect(describeReference({ kind: 'first', count: 100 })).toBe('first 100 inspections');
    expect(describeReference({ kind: 'range', from: '2026-01-01T00:00:00Z', to: '2026-01-08T00:00:00Z' })).toBe('2026-01-01 to 2026-01-08');
    expect(describeReference({ kind: 'dataset', datasetId: 'x' }, 'plates')).toBe('validation split of plates');
    expect(describeCurrent({ kind: 'minutes', minutes: 1440 })).toBe('last 1 d');
    expect(describeCurrent({ kind: 'count', count: 50 })).toBe('last 50 inspections');
  });

  it('maps levels to numbers and puts open alerts first, newest first', () => {
    expect(['none', 'possible', 'drift'].map((l) => levelValue(l as 'none'))).toEqual([0, 1, 2]);
    const sorted = sortAlerts([
      { id: 'a', status: 'resolved', firedAt: '2026-01-05' },
      { id: 'b', status: 'open', firedAt: '2026-01-01' },
      { id: 'c', status: 'acknowledged', firedAt: '2026-01-04' },
      { id: 'd', status: 'open', firedAt: '2026-01-03' },
    ]);
    expect(sorted.map((a) => a.id)).toEqual(['d', 'b', 'c', 'a']);
  });
});
