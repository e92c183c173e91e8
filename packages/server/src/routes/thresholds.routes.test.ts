import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { averageScores, binaryCounts, confusionMatrix, encodePng } from '@xai-qc/core';
import type { Role } from '../auth/principal.ts';
import type { Inspection } from '../schemas/inspection.schema.ts';
import { thresholdCurve } from '../services/threshold.service.ts';
import { createTestApp } from '../test/test-app.ts';
import type { TestApp } from '../test/test-app.ts';
import { bearer } from '../test/test-tokens.ts';
import { multipartBody } from './inspections.test-helpers.ts';

const MODELS = fileURLToPath(new URL('../../../../models/', import.meta.url));
const API = '/api/xai-qc';

describe('threshold curve', () => {
  it('equals the core confusion figures at every threshold', () => {
    const scores = [0.9, 0.8, 0.8, 0.6, 0.4, 0.3, 0.3, 0.1];
    const defects = [1, 1, 0, 1, 0, 1, 0, 0];
    const points = thresholdCurve(scores, defects, { escapeCost: 5, falseRejectCost: 1 });
    expect(points.map((p) => p.threshold)).toEqual([Number.POSITIVE_INFINITY, 0.9, 0.8, 0.6, 0.4, 0.3, 0.1]);
    for (const p of points) {
      const predicted = scores.map((s) => (s >= p.threshold ? 1 : 0));
      const cm = confusionMatrix(defects, predicted, 2);
      const c = binaryCounts(cm, 1);
      const s = averageScores(cm, 'binary', { positiveClass: 1 });
      expect(p).toMatchObject({ ...c, precision: s.precision, recall: s.recall });
      expect(p.f1).toBeCloseTo(s.fscore, 12);
      expect(p.cost).toBeCloseTo((5 * c.fn + c.fp) / 8, 12);
    }
  });
});

describe('threshold routes (SQLite)', () => {
  let t: TestApp;
  const auth = (role: Role, account = 'acct-t1') => bearer(role, account);
  const inspections: Inspection[] = [];

  async function png(seed: number): Promise<Uint8Array> {
    const data = new Uint8Array(64 * 64 * 3);
    let s = seed + 11;
    for (let i = 0; i < data.length; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      data[i] = 100 + ((s >>> 16) % 60);
    }
    if (seed % 2 === 0) for (let y = 10 + (seed % 20); y < 30 + (seed % 20); y++) for (let x = 20; x < 20 + seed; x++) data.fill(12, (y * 64 + x) * 3, (y * 64 + x) * 3 + 3);
    return encodePng({ width: 64, height: 64, channels: 3, data });
  }

  beforeAll(async () => {
    t = await createTestApp('sqlite');
    // Through the registry, as an upload stores it (every file recorded).
    await t.app.modelRegistry.upload(
      new Map([
        ['model', await readFile(`${MODELS}surface-classifier/model.onnx`)],
        ['card', await readFile(`${MODELS}surface-classifier/model_card.yaml`)],
      ]),
      { activate: true },
    );
    for (let seed = 0; seed < 24; seed++) {
      const account = seed < 20 ? 'acct-t1' : 'acct-t2';
      const body = multipartBody([{ filename: `p${seed}.png`, bytes: await png(seed) }]);
      const res = await t.app.inject({ method: 'POST', url: `${API}/detect?model=surface-classifier`, payload: body.payload, headers: { ...body.headers, ...(await auth('operator', account)) } });
      const insp = res.json<Inspection>();
      inspections.push(insp);
      const verdict = seed % 2 === 0 && seed > 2 ? 'reject' : 'pass';
      const label = verdict === 'reject' ? 'defect' : 'good';
      expect((await t.app.inject({ method: 'POST', url: `${API}/inspections/${insp.id}/reviews`, payload: { verdict, label }, headers: await auth('operator', account) })).statusCode).toBe(201);
    }
  }, 60_000);
  afterAll(async () => t?.close());

  it('reports histograms and figures at every threshold from the account reviews, the optimal ones marked', async () => {
    const res = await t.app.inject({ method: 'GET', url: `${API}/models/surface-classifier/versions/1.0.0/thresholds?escapeCost=10`, headers: await auth('engineer') });
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json<{ reviewed: number; defects: number; histogram: { good: number[]; defect: number[] }; points: { threshold: number | null; f1: number; cost: number; tp: number; fp: number }[]; f1Optimal: { threshold: number; f1: number }; costOptimal: { threshold: number; cost: number }; current: { threshold: number; tp: number; fp: number } }>();
    const mine = inspections.slice(0, 20);
    expect(r.reviewed).toBe(20);
    expect(r.histogram.good.reduce((a, b) => a + b, 0) + r.histogram.defect.reduce((a, b) => a + b, 0)).toBe(20);
    expect(r.points[0].threshold).toBeNull();
    expect(r.points).toHaveLength(new Set(mine.map((i) => i.defectScore)).size + 1);
    expect(r.f1Optimal.f1).toBe(Math.max(...r.points.filter((p) => p.threshold !== null).map((p) => p.f1)));
    expect(r.costOptimal.cost).toBe(Math.min(...r.points.filter((p) => p.threshold !== null).map((p) => p.cost)));
    expect(r.current.threshold).toBe(0.5);
    const truth = mine.map((_, seed) => (seed % 2 === 0 && seed > 2 ? 1 : 0));
    expect(r.current.tp).toBe(mine.filter((i, k) => i.defectScore >= 0.5 && truth[k] === 1).length);
    expect(r.current.fp).toBe(mine.filter((i, k) => i.defectScore >= 0.5 && truth[k] === 0).length);

    const save = await t.app.inject({ method: 'POST', url: `${API}/models/surface-classifier/versions/1.0.0/thresholds`, payload: { threshold: r.f1Optimal.threshold }, headers: await auth('engineer') });
    expect(save.statusCode, save.body).toBe(201);
    const saved = save.json<{ version: string; active: boolean; card: { thresholds: { reject: number } } }>();
    expect(saved.active).toBe(false);
    expect(saved.card.thresholds.reject).toBe(r.f1Optimal.threshold);
    const detail = (await t.app.inject({ method: 'GET', url: `${API}/models/surface-classifier`, headers: await auth('viewer') })).json<{ model: { activeVersion: string }; versions: { version: string }[] }>();
    expect(detail.model.activeVersion).toBe('1.0.0');
    expect(detail.versions.map((v) => v.version)).toContain(saved.version);
  });

  it('refuses bad input', async () => {
    expect((await t.app.inject({ method: 'GET', url: `${API}/models/nope/versions/1.0.0/thresholds`, headers: await auth('engineer') })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `${API}/models/surface-classifier/versions/1.0.0/thresholds`, headers: await auth('operator') })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: `${API}/models/surface-classifier/versions/1.0.0/thresholds?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z`, headers: await auth('engineer') })).statusCode).toBe(400);
    const versions = await t.app.db.selectFrom('model_versions').select('id').execute();
    expect((await t.app.inject({ method: 'POST', url: `${API}/models/surface-classifier/versions/1.0.0/thresholds`, payload: { threshold: 1.5 }, headers: await auth('engineer') })).statusCode).toBe(400);
    expect(await t.app.db.selectFrom('model_versions').select('id').execute()).toHaveLength(versions.length);
  });
});
