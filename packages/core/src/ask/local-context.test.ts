import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSample } from '../data/synthetic/generate-sample.ts';
import { parseModelCard } from '../models/card.ts';
import { maskToRle } from '../models/components.ts';
import { Predictor } from '../models/predictor.ts';
import type { Prediction } from '../models/result.ts';
import { answerQuestion } from './answer-question.ts';
import { allowedCitations, validateCitations } from './citations.ts';
import { buildLocalAskContext, flattenMetrics } from './local-context.ts';

const REPO = join(import.meta.dirname, '..', '..', '..', '..');

describe('buildLocalAskContext', () => {
  it('turns a segmenter prediction into findings with mask centroids, card facts and no record', () => {
    const card = parseModelCard({ name: 'weld', version: '2.0.0', task: 'segment', labels: ['background', 'porosity', 'crack'], intendedUse: 'test', limitations: ['none known'], metrics: { perClass: { crack: { iou: 0.5 } }, meanIou: 0.7 } });
    const mask = new Uint8Array(20 * 10);
    // An L-shaped crack: its centroid is not its box centre.
    for (let x = 2; x < 12; x++) mask[8 * 20 + x] = 1;
    mask[7 * 20 + 2] = 1;
    const prediction: Prediction = {
      task: 'segment', verdict: 'reject', label: 'crack', classIndex: 2, score: 0.8, defectProbability: 0.8, probabilities: [0.1, 0.1, 0.8],
      findings: [{ label: 'crack', classIndex: 2, score: 0.8, severity: 'minor', box: [2, 7, 12, 9], area: 11, rle: maskToRle(mask, 20, 10) }],
    };
    const ctx = buildLocalAskContext({ card, prediction, image: { width: 20, height: 10, filename: 'a.png' }, id: 'x1', createdAt: '2026-12-01T00:00:00Z' });
    expect(ctx.inspection).toMatchObject({ id: 'x1', task: 'segment', modelName: 'weld', modelVersion: '2.0.0', verdict: 'reject', label: 'crack', defectScore: 0.8, threshold: 0.5, goodLabels: ['background'], referred: false, image: { width: 20, height: 10, filename: 'a.png' } });
    const c = ctx.inspection.findings[0].centroid as [number, number];
    expect(c[0]).toBeCloseTo((2.5 + (2.5 + 11.5) * 5) / 11, 6);
    expect(c[1]).toBeCloseTo((7.5 + 8.5 * 10) / 11, 6);
    expect(ctx.model).toEqual({ name: 'weld', version: '2.0.0', task: 'segment', labels: ['background', 'porosity', 'crack'], intendedUse: 'test', limitations: ['none known'], metrics: { 'perClass.crack.iou': 0.5, meanIou: 0.7 } });
    expect(ctx.similar).toEqual([]);
    expect(ctx.metrics).toBeNull();
    expect(flattenMetrics({ a: [1, { b: true }] })).toEqual({ 'a.0': 1, 'a.1.b': true });
  });

  it("applies the card's conformal calibration and referral rule to a classifier", () => {
    const card = parseModelCard({ task: 'classify', labels: ['good', 'scratch', 'crack'], calibration: { temperature: 1, conformal: { alpha: 0.1, score: 'lac', threshold: 0.75, referralThreshold: 0.3 } } });
    const prediction: Prediction = { task: 'classify', verdict: 'reject', label: 'scratch', classIndex: 1, score: 0.5, defectProbability: 0.7, probabilities: [0.3, 0.5, 0.2], findings: [{ label: 'scratch', classIndex: 1, score: 0.5, severity: 'minor' }] };
    const ctx = buildLocalAskContext({ card, prediction, image: { width: 8, height: 8 } });
    // LAC keeps labels with 1 - p <= 0.75: good (0.3) and scratch (0.5).
    expect(ctx.inspection.conformalSet).toEqual(['good', 'scratch']);
    expect(ctx.inspection.referred).toBe(true);
    expect(ctx.inspection.referralReason).toBe('the conformal prediction set holds more than one label');
    expect(ctx.inspection.calibration).toEqual({ calibrated: true });
    expect(ctx.inspection.findings[0].centroid).toBeUndefined();
  });

  it('summarises explanation maps and makes an anomaly map an explanation', () => {
    const card = parseModelCard({ task: 'anomaly', labels: ['good', 'anomaly'] });
    const data = new Float32Array(16);
    data[15] = 1;
    const prediction = { task: 'anomaly', verdict: 'reject', label: 'anomaly', classIndex: 1, score: 0.9, defectProbability: 0.9, probabilities: [0.1, 0.9], findings: [], rawScore: 3, anomalyMap: { width: 4, height: 4, data } } as Prediction;
    const ctx = buildLocalAskContext({ card, prediction, image: { width: 4, height: 4 }, explanations: [{ method: 'saliency', map: { width: 2, height: 2, data: Float32Array.from([1, 0, 0, 0]) } }], consensus: { score: 0.3, meanIou: 0.1, meanSpearman: 0.2, methods: ['saliency', 'anomalymap'] } });
    expect(ctx.explanations.map((e) => [e.id, Object.entries(e.regionShares).find(([, v]) => v === 1)?.[0]])).toEqual([['saliency', 'upper left'], ['anomalymap', 'lower right']]);
    expect(ctx.aggregate).toEqual({ id: 'consensus', members: ['saliency', 'anomalymap'], meanIou: 0.1, meanSpearman: 0.2, score: 0.3 });
    expect(ctx.inspection.threshold).toBe(0.5);
  });

  it('answers about a real demo model run on a synthetic weld image, citing only what the context holds', async () => {
    const predictor = await Predictor.load(join(REPO, 'models', 'weld-segmenter', 'model.onnx'));
    const sample = generateSample('radiograph', { seed: 11, width: 64, height: 64, label: 'porosity' });
    const { predictions } = await predictor.predict([sample.image]);
    const ctx = buildLocalAskContext({ card: predictor.card, prediction: predictions[0], image: { width: 64, height: 64 } });
    for (const q of ['Is there a defect?', 'Where is it?', 'What kind of defect is it?', 'How sure are you?']) {
      const a = await answerQuestion(q, ctx);
      expect(validateCitations(a, allowedCitations(ctx)).problems).toEqual([]);
      expect(a.short.length).toBeGreaterThan(10);
    }
    // The model sees the porosity: the answer follows its output.
    expect(predictions[0].verdict).toBe('reject');
    expect((await answerQuestion('What kind of defect is it?', ctx)).short).toMatch(/^It is porosity\./);
  });
});
