import { describe, expect, it } from 'vitest';
import { buildRunBody, EMPTY_RUN_FORM } from './run-form.ts';

const id = '6f1c2a70-0000-4000-8000-000000000001';

describe('start training form', () => {
  it('leaves empty fields out so the server defaults apply', () => {
    const { body, errors } = buildRunBody({ ...EMPTY_RUN_FORM, datasetId: id, modelName: 'plates', epochs: '' });
    expect(errors).toEqual({});
    expect(body).toEqual({ kind: 'train', datasetId: id, task: 'classify', modelName: 'plates', params: {} });
  });

  it('sends typed numbers, the optimizer, augment off, the model name and version', () => {
    const { body } = buildRunBody({ ...EMPTY_RUN_FORM, datasetId: id, task: 'segment', modelName: 'welds', version: '2.0.0', epochs: '5', lr: '0.001', optimizer: 'sgd', augment: false });
    expect(body).toEqual({ kind: 'train', datasetId: id, task: 'segment', modelName: 'welds', version: '2.0.0', params: { epochs: 5, lr: 0.001, optimizer: 'sgd', augment: false } });
  });

  it('names the fields out of the schema limits as the server does', () => {
    const { body, errors } = buildRunBody({ ...EMPTY_RUN_FORM, epochs: '0', lr: '0', depth: '2.5', modelName: '-bad', version: 'v 1' });
    expect(body).toBeUndefined();
    expect(Object.keys(errors).sort()).toEqual(['datasetId', 'modelName', 'params.depth', 'params.epochs', 'params.lr', 'version']);
    expect(buildRunBody({ ...EMPTY_RUN_FORM, datasetId: id }).errors).toEqual({ modelName: 'Name the model the new version joins (a new name creates it).' });
    expect(errors['params.epochs']).toBe('A whole number from 1 to 1000.');
    expect(errors['params.lr']).toBe('A number above 0 up to 10.');
  });

  it('sends the anomaly method and its time budget, and checks them as the server does', () => {
    const base = { ...EMPTY_RUN_FORM, datasetId: id, task: 'anomaly' as const, modelName: 'plates', epochs: '' };
    expect(buildRunBody({ ...base, method: 'simulated', timeBudgetSeconds: '120' }).body?.params).toEqual({ method: 'simulated', timeBudgetSeconds: 120 });
    expect(buildRunBody({ ...base, method: 'auto', timeBudgetSeconds: '' }).body?.params).toEqual({ method: 'auto' });
    expect(buildRunBody(base).body?.params).toEqual({});
    expect(buildRunBody({ ...base, timeBudgetSeconds: '60' }).errors['params.timeBudgetSeconds']).toMatch(/PatchCore takes no time budget/);
    expect(buildRunBody({ ...base, method: 'patchcore', timeBudgetSeconds: '60' }).body).toBeUndefined();
    for (const bad of ['0', '-1', '86401', 'soon']) expect(buildRunBody({ ...base, method: 'simulated', timeBudgetSeconds: bad }).errors['params.timeBudgetSeconds'], bad).toBe('A number of seconds above 0 up to 86400.');
    expect(buildRunBody({ ...base, method: 'simulated', batchSize: '1' }).errors['params.batchSize']).toMatch(/at least 2 crops/);
    // Hidden for other tasks: a method left over from an anomaly choice is not sent.
    expect(buildRunBody({ ...base, task: 'classify', method: 'simulated', timeBudgetSeconds: '60' }).body?.params).toEqual({});
  });
});
