import { describe, expect, it } from 'vitest';
import { agreementReading, completenessReading, consensusReading, formatParam, isFast, METHOD_CATALOG, methodInfo, methodsForModel, methodsFromOpenApi, paramEntries, parseMethodList, parseSettings, pickAggregate, pickExplanation, qualityReadings } from './explain-methods.ts';

const SERVER = 'anomalymap, gradcam, gradcampp, gradshap, gradxinput, ig, kernelshap, lime, occlusion, rise, saliency, smoothgrad';

describe('the method list from the server', () => {
  it('parses the schema description', () => {
    expect(parseMethodList(`core registry names, each once: ${SERVER}`)).toHaveLength(12);
    expect(parseMethodList('core registry names, each once: a, b-c.')).toEqual(['a', 'b-c']);
    expect(parseMethodList('no list here')).toBeUndefined();
    expect(parseMethodList(undefined)).toBeUndefined();
  });
  it('reads it from the OpenAPI document, through a $ref', () => {
    const schema = { properties: { methods: { description: `core registry names, each once: ${SERVER}` } } };
    const inline = { paths: { '/api/xai-qc/explain': { post: { requestBody: { content: { 'application/json': { schema } } } } } } };
    expect(methodsFromOpenApi(inline)).toContain('kernelshap');
    const viaRef = {
      paths: { '/api/xai-qc/explain': { post: { requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/ExplainBody' } } } } } } },
      components: { schemas: { ExplainBody: { properties: { methods: { description: 'names: saliency, ig' } } } } },
    };
    expect(methodsFromOpenApi(viaRef)).toEqual(['saliency', 'ig']);
    expect(methodsFromOpenApi({})).toBeUndefined();
    expect(methodsFromOpenApi(null)).toBeUndefined();
  });
  it('orders tabs by the catalogue, keeps unknown methods, and shows the anomaly map to anomaly models only', () => {
    const all = parseMethodList(`x: ${SERVER}, newmethod`);
    expect(methodsForModel(all, 'classify')).toEqual(['saliency', 'gradxinput', 'smoothgrad', 'ig', 'gradshap', 'gradcam', 'gradcampp', 'occlusion', 'rise', 'lime', 'kernelshap', 'newmethod']);
    expect(methodsForModel(all, 'anomaly')).toContain('anomalymap');
    expect(methodsForModel(['ig', 'saliency'], 'segment')).toEqual(['saliency', 'ig']);
    expect(methodsForModel(undefined, 'classify')).toHaveLength(METHOD_CATALOG.length - 1);
  });
  it('describes every method and tells fast from slow like the server', () => {
    for (const m of METHOD_CATALOG) expect(m.what.length).toBeGreaterThan(20);
    expect(methodInfo('unknown').label).toBe('unknown');
    expect(['gradcam', 'gradcampp', 'saliency', 'gradxinput'].every(isFast)).toBe(true);
    expect(['ig', 'lime', 'rise', 'anomalymap'].some(isFast)).toBe(false);
  });
});

describe('readings', () => {
  it('grades the relative completeness error of Integrated Gradients', () => {
    expect(completenessReading('ig', 0.01, { relativeCompletenessError: 0.004 })).toMatchObject({ tone: 'good', value: '0.40 %' });
    expect(completenessReading('ig', 0.1, { relativeCompletenessError: 0.1 })).toMatchObject({ tone: 'warn', value: '10.0 %' });
    const bad = completenessReading('ig', 1, { relativeCompletenessError: 0.5 });
    expect(bad?.tone).toBe('bad');
    expect(bad?.hint).toContain('raise the steps');
  });
  it('derives the relative error from the score change when the extras lack it', () => {
    // Kernel SHAP: |score - base value| = 2, error 0.02 -> 1 %
    expect(completenessReading('kernelshap', 0.02, { score: 3, baseValue: 1 })).toMatchObject({ tone: 'good', value: '1.0 %' });
    // Gradient SHAP: gap 0.5 of 2 = 25 %: fair on its looser bar
    expect(completenessReading('gradshap', 0.5, { score: 3, expectedBaselineScore: 1 })).toMatchObject({ label: 'Completeness gap', tone: 'warn' });
    expect(completenessReading('ig', 0.3, {})).toMatchObject({ tone: 'info', value: '0.300' });
    expect(completenessReading('saliency', null, {})).toBeUndefined();
  });
  it('reads consensus and agreement', () => {
    expect(consensusReading(0.7, 4).tone).toBe('good');
    expect(consensusReading(0.4, 4).tone).toBe('warn');
    expect(consensusReading(0.1, 4).hint).toContain('disagree');
    expect(consensusReading(1, 1).tone).toBe('info');
    expect(agreementReading(0.6).tone).toBe('good');
    expect(agreementReading(0.3).tone).toBe('warn');
    expect(agreementReading(0.1).tone).toBe('bad');
  });
  it('reads the quality figures a reviewed mask gives', () => {
    expect(qualityReadings(null)).toEqual([]);
    const q = qualityReadings({ pointingHit: true, pointingDistance: 0, energyInMask: 0.31, deletionAuc: 0.12, insertionAuc: 0.8 });
    expect(q.map((r) => [r.label, r.value, r.tone])).toEqual([
      ['Pointing game', 'hit', 'good'],
      ['Energy in mask', '31.0 %', 'warn'],
      ['Deletion AUC', '0.120', 'info'],
      ['Insertion AUC', '0.800', 'info'],
    ]);
  });
});

describe('parameters', () => {
  it('formats values and lists them by name', () => {
    expect(formatParam(32)).toBe('32');
    expect(formatParam(0.150000001)).toBe('0.15');
    expect(formatParam('gauss-legendre')).toBe('gauss-legendre');
    expect(formatParam({ mean: [0.5, 0.5, 0.5] })).toBe('{"mean":[0.5,0.5,0.5]}');
    expect(formatParam('x'.repeat(10)).length).toBe(10);
    expect(formatParam({ a: 'y'.repeat(100) })).toHaveLength(60);
    expect(paramEntries({ steps: 32, baseline: 'black', gone: undefined })).toEqual([['baseline', 'black'], ['steps', '32']]);
  });
  it('parses the settings form, leaving empty fields to the server', () => {
    expect(parseSettings('ig', { steps: '64', rule: '', baseline: 'blurred' })).toEqual({ params: { steps: 64, baseline: 'blurred' } });
    expect(parseSettings('ig', { steps: '6.5' })).toEqual({ error: 'Steps must be a whole number.' });
    expect(parseSettings('ig', { steps: '0' })).toEqual({ error: 'Steps must be between 1 and 512.' });
    expect(parseSettings('ig', { rule: 'simpson' })).toMatchObject({ error: expect.stringContaining('must be one of') });
    expect(parseSettings('smoothgrad', { sigma: 'abc' })).toEqual({ error: 'Noise level must be a number.' });
    expect(parseSettings('saliency', { anything: '3' })).toEqual({ params: {} });
  });
});

describe('choosing what a tab shows', () => {
  const e = (id: string, method: string, key: string, createdAt: string) => ({ id, method, createdAt, target: { key } });
  const items = [e('1', 'ig', 'default', '2026-01-01T00:00:00Z'), e('2', 'ig', 'default', '2026-01-02T00:00:00Z'), e('3', 'ig', 'class:1', '2026-01-03T00:00:00Z'), e('4', 'lime', 'default', '2026-01-04T00:00:00Z')];
  it('takes the newest result of the method and target, or the one asked for', () => {
    expect(pickExplanation(items, 'ig', 'default')?.id).toBe('2');
    expect(pickExplanation(items, 'ig', 'class:1')?.id).toBe('3');
    expect(pickExplanation(items, 'ig', 'default', '1')?.id).toBe('1');
    expect(pickExplanation(items, 'ig', 'default', '4')?.id).toBe('2');
    expect(pickExplanation(items, 'ig', 'default', '3')?.id).toBe('2');
    expect(pickExplanation(items, 'rise', 'default')).toBeUndefined();
  });
  it('takes the aggregate with the most members, then the newest', () => {
    const a = (id: string, n: number, createdAt: string, targetKey = 'default') => ({ id, targetKey, members: Array.from({ length: n }), createdAt });
    expect(pickAggregate([a('x', 2, '2026-01-03'), a('y', 5, '2026-01-01'), a('z', 5, '2026-01-02'), a('w', 9, '2026-01-09', 'class:0')], 'default')?.id).toBe('z');
    expect(pickAggregate([], 'default')).toBeUndefined();
  });
});
