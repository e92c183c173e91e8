import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auPro, auprc, auroc, averagePrecision, averageScores, binaryCostWeightedError, binaryCounts, confusionMatrix, decodeImage, encodePng, escapeRate, evaluateCoco, falseRejectRate, maskToRle, pixelAuroc, resizeBilinear, segmentationCounts } from '@xai-qc/core';
import type { Role } from '../auth/principal.ts';
import type { Inspection } from '../schemas/inspection.schema.ts';
import type { MetricsReport } from '../schemas/metrics.schema.ts';
import { createTestApp } from '../test/test-app.ts';
import type { TestApp } from '../test/test-app.ts';
import { bearer } from '../test/test-tokens.ts';
import { DIALECTS } from '../test/test-database.ts';
import { multipartBody, registerModelFolder } from './inspections.test-helpers.ts';
import { LatencyHistogram, weekOf } from '../services/metrics.service.ts';

const MODELS = fileURLToPath(new URL('../../../../models/', import.meta.url));
const API = '/api/xai-qc';

/** A 64 x 64 RGB PNG: a texture from `seed`, with a dark blob when `spot`. */
async function png(seed: number, spot: boolean): Promise<Uint8Array> {
  const data = new Uint8Array(64 * 64 * 3);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = 110 + ((s >>> 16) % 50);
  }
  if (spot) for (let y = 20 + (seed % 10); y < 36 + (seed % 10); y++) for (let x = 18; x < 40; x++) data.fill(10, (y * 64 + x) * 3, (y * 64 + x) * 3 + 3);
  return encodePng({ width: 64, height: 64, channels: 3, data });
}

describe('latency histogram and weeks', () => {
  it('gives percentiles within 0.5 % of the exact nearest-rank ones', () => {
    const h = new LatencyHistogram();
    const values: number[] = [];
    let s = 3;
    for (let i = 0; i < 5000; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      const v = 0.5 + ((s >>> 8) % 100000) / 100;
      values.push(v);
      h.add(v);
    }
    values.sort((a, b) => a - b);
    for (const q of [0.5, 0.9, 0.99]) {
      const exact = values[Math.ceil(q * values.length) - 1];
      expect(Math.abs(h.quantile(q) - exact) / exact).toBeLessThan(0.005);
    }
  });
  it('keys weeks by their Monday', () => {
    expect(weekOf('2026-12-05T10:00:00.000Z')).toBe('2026-11-30');
    expect(weekOf('2026-11-30T00:00:00.000Z')).toBe('2026-11-30');
    expect(weekOf('2026-12-06T23:59:59.000Z')).toBe('2026-11-30');
  });
});

describe.each(DIALECTS)('GET /metrics on %s', (dialect) => {
  let t: TestApp;
  const auth = (role: Role, account = 'acct-m1') => bearer(role, account);
  const inspections: Inspection[] = [];
  const truth = new Map<string, 'pass' | 'reject'>();
  const truthMasks = new Map<string, Uint8Array>();
  const truthBoxes = new Map<string, { label: string; box: [number, number, number, number] }[]>();
  const anomalies: Inspection[] = [];

  async function inspect(model: string, seed: number, spot: boolean, account = 'acct-m1'): Promise<Inspection> {
    const body = multipartBody([{ filename: `p${seed}.png`, bytes: await png(seed, spot) }]);
    const res = await t.app.inject({ method: 'POST', url: `${API}/detect?model=${model}`, payload: body.payload, headers: { ...body.headers, ...(await auth('operator', account)) } });
    expect(res.statusCode).toBe(201);
    return res.json<Inspection>();
  }
  async function review(insp: Inspection, verdict: 'pass' | 'reject', mask?: Uint8Array, boxes?: { label: string; box: [number, number, number, number] }[]): Promise<void> {
    const label = insp.verdict === verdict ? insp.label : verdict === 'reject' ? insp.labels.find((l) => l !== 'good') : 'good';
    const payload = { verdict, label, ...(mask ? { mask: { rle: maskToRle(mask, 64, 64) } } : {}), ...(boxes ? { boxes } : {}) };
    if (boxes) truthBoxes.set(insp.id, boxes);
    const res = await t.app.inject({ method: 'POST', url: `${API}/inspections/${insp.id}/reviews`, payload, headers: await auth('operator') });
    expect(res.statusCode, res.body).toBe(201);
    truth.set(insp.id, verdict);
    if (mask) truthMasks.set(insp.id, mask);
  }
  const metrics = async (query: string, account = 'acct-m1') => t.app.inject({ method: 'GET', url: `${API}/metrics?${query}`, headers: await auth('viewer', account) });

  beforeAll(async () => {
    t = await createTestApp(dialect);
    await registerModelFolder(t.app, `${MODELS}surface-classifier`, 'surface-classifier');
    await registerModelFolder(t.app, `${MODELS}surface-segmenter`, 'surface-segmenter');
    for (let i = 0; i < 12; i++) inspections.push(await inspect('surface-classifier', i, i % 3 === 0));
    for (let i = 0; i < 4; i++) inspections.push(await inspect('surface-segmenter', 100 + i, i % 2 === 0));
    // Reviews: the truth is the spot, whatever the model said; the last two classifier inspections stay unreviewed.
    for (let i = 0; i < 10; i++) await review(inspections[i], i % 3 === 0 ? 'reject' : 'pass');
    // An earlier review superseded: only the current one counts.
    await review(inspections[1], 'reject');
    await review(inspections[1], 'pass');
    for (let i = 0; i < 4; i++) {
      const mask = new Uint8Array(64 * 64);
      const top = 20 + ((100 + i) % 10);
      if (i % 2 === 0) for (let y = top; y < top + 16; y++) for (let x = 18; x < 40; x++) mask[y * 64 + x] = 1;
      const boxes = i % 2 === 0 ? [{ label: 'spot', box: [18, top, 40, top + 16] as [number, number, number, number] }] : [];
      const insp = inspections[12 + i];
      await review(insp, i % 2 === 0 ? 'reject' : 'pass', mask, insp.labels.includes('spot') ? boxes : undefined);
    }
    await registerModelFolder(t.app, `${MODELS}surface-anomaly`, 'surface-anomaly');
    for (let i = 0; i < 4; i++) {
      const insp = await inspect('surface-anomaly', 200 + i, i % 2 === 0);
      anomalies.push(insp);
      const mask = new Uint8Array(64 * 64);
      const top = 20 + ((200 + i) % 10);
      if (i % 2 === 0) for (let y = top; y < top + 16; y++) for (let x = 18; x < 40; x++) mask[y * 64 + x] = 1;
      await review(insp, i % 2 === 0 ? 'reject' : 'pass', mask);
    }
    await inspect('surface-classifier', 999, true, 'acct-m2');
  }, 120_000);
  afterAll(async () => t?.close());

  it('equals the core metrics computed directly on the same reviewed inspections', async () => {
    const res = await metrics('model=surface-classifier&escapeCost=5&falseRejectCost=1');
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json<MetricsReport>();
    const classifier = inspections.filter((i) => i.model.name === 'surface-classifier');
    const reviewed = classifier.filter((i) => truth.has(i.id));
    const yTrue = reviewed.map((i) => (truth.get(i.id) === 'reject' ? 1 : 0));
    const yPred = reviewed.map((i) => (i.verdict === 'reject' ? 1 : 0));
    const scores = reviewed.map((i) => i.defectScore);
    const cm = confusionMatrix(yTrue, yPred, 2);
    const c = binaryCounts(cm, 1);
    const s = averageScores(cm, 'binary', { positiveClass: 1 });
    const o = report.overall;
    expect(o).toMatchObject({ volume: classifier.length, reviewed: reviewed.length, reviewCoverage: reviewed.length / classifier.length });
    expect(o.referred).toBe(classifier.filter((i) => i.referred).length);
    expect(o.classification).toEqual({
      ...c,
      accuracy: (c.tp + c.tn) / reviewed.length,
      precision: s.precision,
      recall: s.recall,
      f1: s.fscore,
      escapeRate: escapeRate(c),
      falseRejectRate: falseRejectRate(c),
      costWeightedError: binaryCostWeightedError(c, { escapeCost: 5, falseRejectCost: 1 }),
    });
    expect(o.ranking).toEqual({ auroc: auroc(yTrue, scores), auprc: auprc(yTrue, scores), averagePrecision: averagePrecision(yTrue, scores) });
    expect(o.latencyMs?.p50).toBeGreaterThan(0);
    expect(o.segmentation).toBeNull();
  });

  it('scores reviewed masks against the predicted finding masks', async () => {
    const report = (await metrics('model=surface-segmenter')).json<MetricsReport>();
    const seg = inspections.filter((i) => i.model.name === 'surface-segmenter');
    let inter = 0;
    let union = 0;
    let sumT = 0;
    let sumP = 0;
    for (const insp of seg) {
      const predicted = new Uint8Array(64 * 64);
      for (const f of insp.findings) {
        if (!f.rle) continue;
        const rle = f.rle;
        // Decode the finding's RLE (column-major) into the predicted union.
        let k = 0;
        let v = 0;
        for (const n of rle.counts) {
          for (let j = 0; j < n; j++, k++) if (v) predicted[(k % 64) * 64 + Math.floor(k / 64)] = 1;
          v ^= 1;
        }
      }
      const m = truthMasks.get(insp.id) as Uint8Array;
      const counts = segmentationCounts(m, predicted, 2);
      inter += counts.intersection[1];
      union += counts.target[1] + counts.predicted[1] - counts.intersection[1];
      sumT += counts.target[1];
      sumP += counts.predicted[1];
    }
    expect(report.overall.segmentation?.images).toBe(4);
    expect(report.overall.segmentation?.iou).toBeCloseTo(union === 0 ? Number.NaN : inter / union, 12);
    expect(report.overall.segmentation?.dice).toBeCloseTo((2 * inter) / (sumT + sumP), 12);
  });

  it('scores reviewed boxes against the finding boxes with the core COCO evaluation', async () => {
    const report = (await metrics('model=surface-segmenter')).json<MetricsReport>();
    const reviewed = inspections.filter((i) => truthBoxes.has(i.id));
    expect(reviewed.length).toBeGreaterThan(0);
    const ids = new Map<string, number>();
    const cat = (l: string): number => ids.get(l) ?? (ids.set(l, ids.size + 1), ids.size);
    const coco = (b: readonly number[]): [number, number, number, number] => [b[0], b[1], b[2] - b[0], b[3] - b[1]];
    const gts = reviewed.flatMap((insp, k) => (truthBoxes.get(insp.id) ?? []).map((g) => ({ imageId: k + 1, categoryId: cat(g.label), bbox: coco(g.box) })));
    const dets = reviewed.flatMap((insp, k) => insp.findings.filter((f) => f.box).map((f) => ({ imageId: k + 1, categoryId: cat(f.label), bbox: coco(f.box as number[]), score: f.score })));
    const stats = evaluateCoco(gts, dets, { imageIds: reviewed.map((_, k) => k + 1) }).stats;
    const v = (x: number): number | null => (x < 0 ? null : x);
    expect(report.overall.detection).toEqual({ images: reviewed.length, boxes: gts.length, detections: dets.length, map: v(stats.ap), map50: v(stats.ap50), map75: v(stats.ap75) });
  });

  it('reports pixel AUROC and PRO of anomaly maps against reviewed masks, as the core computes them', async () => {
    const report = (await metrics('model=surface-anomaly')).json<MetricsReport>();
    const maps = [];
    const masks = [];
    for (const insp of anomalies) {
      let img = await decodeImage(Buffer.from(insp.anomaly?.mapPng as string, 'base64'));
      if (img.width !== 64 || img.height !== 64) img = resizeBilinear(img, 64, 64);
      maps.push({ width: 64, height: 64, data: Float32Array.from({ length: 64 * 64 }, (_, i) => img.data[i * img.channels]) });
      masks.push({ width: 64, height: 64, data: truthMasks.get(insp.id) as Uint8Array });
    }
    expect(report.overall.anomalyMaps?.images).toBe(4);
    expect(report.overall.anomalyMaps?.proImages).toBe(4);
    expect(report.overall.anomalyMaps?.pro).toBeCloseTo(auPro(maps, masks), 12);
    const exact = pixelAuroc(maps, masks);
    const binned = report.overall.anomalyMaps?.pixelAuroc;
    expect(binned?.lower).toBeLessThanOrEqual(exact + 1e-12);
    expect(binned?.upper).toBeGreaterThanOrEqual(exact - 1e-12);
  });

  it('groups by version and day, and covers empty, one-class and unreviewed ranges', async () => {
    const byVersion = (await metrics('groupBy=version')).json<MetricsReport>();
    expect(byVersion.groups.map((g) => g.key.split('@')[0]).sort()).toEqual(['surface-anomaly', 'surface-classifier', 'surface-segmenter']);
    expect(byVersion.groups.reduce((a, g) => a + g.volume, 0)).toBe(byVersion.overall.volume);
    const byDay = (await metrics('groupBy=day')).json<MetricsReport>();
    expect(byDay.groups.reduce((a, g) => a + g.reviewed, 0)).toBe(byDay.overall.reviewed);

    const empty = (await metrics('from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z')).json<MetricsReport>();
    expect(empty.overall).toMatchObject({ volume: 0, reviewed: 0, referralRate: null, latencyMs: null, classification: null, ranking: null });

    // Account 2 has one unreviewed inspection: volume, no review figures; never account 1's.
    const other = (await metrics('', 'acct-m2')).json<MetricsReport>();
    expect(other.overall).toMatchObject({ volume: 1, reviewed: 0, classification: null });

    // A range holding reviewed inspections of one class only: counts, no ranking figures.
    const passOnly = inspections.filter((i, k) => k < 10 && truth.get(i.id) === 'pass');
    const version = passOnly[0].model.version;
    const onlyPass = (await metrics(`model=surface-classifier&version=${version}`)).json<MetricsReport>();
    expect(onlyPass.overall.reviewed).toBeGreaterThan(0);
    const rangeOfOne = (await metrics(`from=${encodeURIComponent(passOnly[0].createdAt)}&to=${encodeURIComponent(new Date(Date.parse(passOnly[0].createdAt) + 1).toISOString())}`)).json<MetricsReport>();
    expect(rangeOfOne.overall.reviewed).toBe(1);
    expect(rangeOfOne.overall.ranking).toBeNull();
    expect(rangeOfOne.overall.classification).toMatchObject({ tp: 0, fn: 0 });
  });

  it('refuses a reversed range, an unknown model and an unknown version', async () => {
    const reversed = await metrics('from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z');
    expect(reversed.statusCode).toBe(400);
    expect(reversed.json<{ code: string }>().code).toBe('XQC_INVALID_RANGE');
    expect((await metrics('model=no-such-model')).statusCode).toBe(404);
    expect((await metrics('model=surface-classifier&version=99.0.0')).statusCode).toBe(404);
    expect((await metrics('groupBy=month')).statusCode).toBe(400);
  });
});
