import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImageWithFormat, explainImage, loadModel, parseModelCardYaml, Predictor } from '@xai-qc/core';
import type { XqcEvent } from '../events/event-bus.ts';
import { mapNpy } from '../inference/explain-compute.ts';
import type { ExplainResultDto, ExplanationListDto } from '../schemas/explanation.schema.ts';
import type { Inspection } from '../schemas/inspection.schema.ts';
import { EXPLAIN_MAX_SIDE } from '../services/explanation.service.ts';
import { createTestApp } from '../test/test-app.ts';
import type { TestApp } from '../test/test-app.ts';
import { bearer } from '../test/test-tokens.ts';
import { multipartBody, registerModelFolder } from './inspections.test-helpers.ts';

const API = '/api/xai-qc';
const CLASSIFIER = fileURLToPath(new URL('../../../../models/surface-classifier/', import.meta.url));
const SEGMENTER = fileURLToPath(new URL('../../../../models/surface-segmenter/', import.meta.url));

/** Deterministic textured RGB pixels with a dark spot. */
async function partPng(width: number, height: number, seed: number): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 3);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = 100 + ((s >>> 16) % 40);
  }
  for (let y = 20; y < 34; y++) for (let x = 24; x < 40; x++) data.fill(15, (y * width + x) * 3, (y * width + x) * 3 + 3);
  return sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

type Headers = Record<string, string>;

/** Polls the job until it ends (the embedded worker of the app runs it). */
async function waitForJob(t: TestApp, url: string, headers: Headers): Promise<{ status: string; result: unknown; error: string | null }> {
  for (let i = 0; i < 2400; i++) {
    const job = (await t.app.inject({ method: 'GET', url, headers })).json<{ status: string; result: unknown; error: string | null }>();
    if (['succeeded', 'failed', 'cancelled'].includes(job.status)) return job;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`job ${url} did not end`);
}

async function inspect(t: TestApp, headers: Headers, bytes: Uint8Array, model = 'surface-classifier'): Promise<Inspection> {
  const body = multipartBody([{ filename: 'part.png', bytes }]);
  const res = await t.app.inject({ method: 'POST', url: `${API}/detect?model=${model}`, payload: body.payload, headers: { ...body.headers, ...headers } });
  expect(res.statusCode).toBe(201);
  return res.json<Inspection>();
}

async function counts(t: TestApp): Promise<{ explanations: number; aggregates: number; jobs: number }> {
  const n = async (table: 'explanations' | 'explanation_aggregates' | 'jobs'): Promise<number> =>
    Number((await t.app.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return { explanations: await n('explanations'), aggregates: await n('explanation_aggregates'), jobs: await n('jobs') };
}

/** Each method with parameters that keep the suite fast; the four fast ones answer inline. */
const METHODS: [string, Record<string, number>, 'inline' | 'job'][] = [
  ['saliency', {}, 'inline'],
  ['gradxinput', {}, 'inline'],
  ['gradcam', {}, 'inline'],
  ['gradcampp', {}, 'inline'],
  ['smoothgrad', { samples: 3 }, 'job'],
  ['ig', { steps: 6 }, 'job'],
  ['gradshap', { samples: 3 }, 'job'],
  ['occlusion', { window: 16, stride: 16 }, 'job'],
  ['rise', { masks: 24 }, 'job'],
  ['lime', { samples: 24 }, 'job'],
  ['kernelshap', { samples: 24, nSegments: 8, exactMaxFeatures: 0 }, 'job'],
];

describe('explanation routes on sqlite', () => {
  let t: TestApp;
  let operator: Headers;
  let viewer: Headers;
  let stranger: Headers;
  let image: Buffer;
  let inspection: Inspection;
  let predictor: Predictor;
  const events: XqcEvent[] = [];

  beforeAll(async () => {
    t = await createTestApp('sqlite', { jobConcurrency: 1 });
    await registerModelFolder(t.app, CLASSIFIER, 'surface-classifier');
    await registerModelFolder(t.app, SEGMENTER, 'surface-segmenter');
    operator = await bearer('operator', 'acct-explain');
    viewer = await bearer('viewer', 'acct-explain');
    stranger = await bearer('admin', 'acct-other');
    image = await partPng(80, 64, 7);
    inspection = await inspect(t, operator, image);
    t.app.events.subscribe('acct-explain', (e) => events.push(e));
    predictor = new Predictor(loadModel(await readFile(`${CLASSIFIER}model.onnx`)), parseModelCardYaml(await readFile(`${CLASSIFIER}model_card.yaml`, 'utf8')));
  });
  afterAll(async () => t?.close());

  /** The core's map of `method` for the stored image, as .npy bytes. */
  async function coreNpy(method: string, params: Record<string, number>, seed: number, target?: number): Promise<Buffer> {
    const { image: decoded } = await decodeImageWithFormat(image, { maxSide: EXPLAIN_MAX_SIDE });
    const r = await explainImage(predictor, decoded, { methods: [method], params: { [method]: params }, seed, target });
    return Buffer.from(mapNpy(r.maps[method]));
  }

  for (const [method, params, path] of METHODS) {
    it(`${method}: stores the heatmap the core computes for the same inputs and seed (${path})`, async () => {
      const seed = 3;
      const res = await t.app.inject({ method: 'POST', url: `${API}/explain`, headers: operator, payload: { inspectionId: inspection.id, methods: [method], params: { [method]: params }, seed } });
      let result: ExplainResultDto;
      if (path === 'inline') {
        expect(res.statusCode).toBe(200);
        result = res.json<ExplainResultDto>();
      } else {
        expect(res.statusCode).toBe(202);
        const accepted = res.json<{ job: { id: string; name: string }; location: string; events: string[]; pending: string[] }>();
        expect(accepted.job.name).toBe('explain');
        expect(res.headers.location).toBe(`${API}/jobs/${accepted.job.id}`);
        expect(accepted.events).toEqual(['job.progress', 'job.finished', 'explanation.ready']);
        expect(accepted.pending).toEqual([method]);
        const job = await waitForJob(t, accepted.location, viewer);
        expect(job).toMatchObject({ status: 'succeeded', error: null });
        const again = await t.app.inject({ method: 'POST', url: `${API}/explain`, headers: operator, payload: { inspectionId: inspection.id, methods: [method], params: { [method]: params }, seed } });
        expect(again.statusCode).toBe(200);
        result = again.json<ExplainResultDto>();
        expect(job.result).toEqual({ explanationIds: [result.methods[0].id], aggregateId: null });
      }
      expect(result.methods).toHaveLength(1);
      const stored = result.methods[0];
      expect(stored).toMatchObject({ method, inspectionId: inspection.id, seed, width: 80, height: 64, colormap: 'jet', opacity: 0.5, jobId: path === 'inline' ? null : expect.any(String) });
      expect(stored.params).toMatchObject(params);
      if (['ig', 'kernelshap', 'gradshap'].includes(method)) expect(stored.completenessError).toEqual(expect.any(Number));
      const npy = await t.app.inject({ method: 'GET', url: stored.links.heatmapNpy, headers: viewer });
      expect(npy.statusCode).toBe(200);
      expect(npy.rawPayload.equals(await coreNpy(method, params, seed))).toBe(true);
      for (const link of [stored.links.heatmapPng, stored.links.overlay]) {
        const png = await t.app.inject({ method: 'GET', url: link, headers: viewer });
        expect(png.headers['content-type']).toBe('image/png');
        expect(await sharp(png.rawPayload).metadata()).toMatchObject({ format: 'png', width: 80, height: 64 });
      }
      expect(events.filter((e) => e.type === 'explanation.ready' && e.data.explanationId === stored.id)).toHaveLength(1);
    });
  }

  it('stores the aggregate and consensus of two usable maps, and asking again recomputes nothing', async () => {
    const body = { inspectionId: inspection.id, methods: ['gradcam', 'saliency'], target: 0, colormap: 'viridis', opacity: 0.3 };
    const first = await t.app.inject({ method: 'POST', url: `${API}/explain`, headers: operator, payload: body });
    expect(first.statusCode).toBe(200);
    const a = first.json<ExplainResultDto>();
    expect(a.methods.map((m) => [m.method, m.target.key, m.target.index])).toEqual([
      ['gradcam', 'class:0', 0],
      ['saliency', 'class:0', 0],
    ]);
    expect(a.aggregate?.members.map((m) => m.method)).toEqual(['gradcam', 'saliency']);
    expect(a.aggregate?.score).toBeGreaterThanOrEqual(0);
    for (const m of a.methods) expect(m.agreement).toEqual(expect.any(Number));
    const map = await t.app.inject({ method: 'GET', url: a.aggregate?.links.heatmapNpy as string, headers: viewer });
    expect(map.statusCode).toBe(200);
    const before = await counts(t);
    const readyBefore = events.filter((e) => e.type === 'explanation.ready').length;
    const second = await t.app.inject({ method: 'POST', url: `${API}/explain`, headers: operator, payload: body });
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual(a);
    expect(await counts(t)).toEqual(before);
    expect(events.filter((e) => e.type === 'explanation.ready')).toHaveLength(readyBefore);

    const list = (await t.app.inject({ method: 'GET', url: `${API}/inspections/${inspection.id}/explanations`, headers: viewer })).json<ExplanationListDto>();
    expect(list.items.map((i) => i.id)).toEqual(expect.arrayContaining(a.methods.map((m) => m.id)));
    expect(list.aggregates.map((g) => g.id)).toContain(a.aggregate?.id);
    expect((await t.app.inject({ method: 'GET', url: `${API}/inspections/${inspection.id}/explanations`, headers: stranger })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: a.methods[0].links.overlay, headers: stranger })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `${API}/explanations/${a.methods[0].id}`, headers: viewer })).json()).toMatchObject({ id: a.methods[0].id });
  });

  it("explains a segmenter's finding as its class: the region target the core computes", async () => {
    const bytes = await partPng(64, 64, 3);
    const seg = await inspect(t, operator, bytes, 'surface-segmenter');
    expect(seg.findings.length).toBeGreaterThan(0);
    const classIndex = seg.findings[0].classIndex;
    const res = await t.app.inject({ method: 'POST', url: `${API}/explain`, headers: operator, payload: { inspectionId: seg.id, methods: ['gradcam'], target: { finding: 0 } } });
    expect(res.statusCode).toBe(200);
    const stored = res.json<ExplainResultDto>().methods[0];
    expect(stored.target).toMatchObject({ key: `class:${classIndex}`, index: classIndex, reason: 'given' });
    const segmenter = new Predictor(loadModel(await readFile(`${SEGMENTER}model.onnx`)), parseModelCardYaml(await readFile(`${SEGMENTER}model_card.yaml`, 'utf8')));
    const { image: decoded } = await decodeImageWithFormat(bytes, { maxSide: EXPLAIN_MAX_SIDE });
    const core = await explainImage(segmenter, decoded, { methods: ['gradcam'], target: classIndex });
    const npy = await t.app.inject({ method: 'GET', url: stored.links.heatmapNpy, headers: viewer });
    expect(npy.rawPayload.equals(Buffer.from(mapNpy(core.maps.gradcam)))).toBe(true);
  });

  it('deletes the explanations with their inspection; the sweeper then removes their blobs', async () => {
    const other = await inspect(t, operator, await partPng(64, 64, 21));
    const res = await t.app.inject({ method: 'POST', url: `${API}/explain`, headers: operator, payload: { inspectionId: other.id, methods: ['saliency'], seed: 77 } });
    expect(res.statusCode).toBe(200);
    const sha = (await t.app.db.selectFrom('explanations').select('heatmap_sha256').where('inspection_id', '=', other.id).executeTakeFirstOrThrow()).heatmap_sha256;
    const del = await t.app.inject({ method: 'DELETE', url: `${API}/inspections/${other.id}`, headers: await bearer('admin', 'acct-explain') });
    expect(del.statusCode).toBe(204);
    expect(await t.app.db.selectFrom('explanations').select('id').where('inspection_id', '=', other.id).execute()).toEqual([]);
    expect((await t.app.blobs.sweep({ graceMs: 0 })).removed).toContain(sha);
  });

  describe('bad input: a clear 4xx and nothing stored', () => {
    const cases: [string, () => Record<string, unknown>, 'operator' | 'stranger', number, string, string][] = [
      ['an unknown method', () => ({ inspectionId: inspection.id, methods: ['gradcam', 'magic'] }), 'operator', 400, 'XQC_EXPLAIN_METHOD', 'saliency'],
      ['the anomaly map of a classifier', () => ({ inspectionId: inspection.id, methods: ['anomalymap'] }), 'operator', 400, 'XQC_EXPLAIN_METHOD', 'anomaly detectors'],
      ['an unknown parameter', () => ({ inspectionId: inspection.id, methods: ['lime'], params: { lime: { sample: 10 } } }), 'operator', 400, 'XQC_EXPLAIN_PARAM', 'samples'],
      ['a parameter out of range', () => ({ inspectionId: inspection.id, methods: ['rise'], params: { rise: { masks: 0 } } }), 'operator', 400, 'XQC_EXPLAIN_PARAM', 'masks'],
      ['parameters of a method not requested', () => ({ inspectionId: inspection.id, methods: ['gradcam'], params: { lime: { samples: 10 } } }), 'operator', 400, 'XQC_EXPLAIN_PARAM', 'lime'],
      ['a class target out of range', () => ({ inspectionId: inspection.id, methods: ['gradcam'], target: 2 }), 'operator', 400, 'XQC_EXPLAIN_TARGET', '1 (good)'],
      ['a finding target out of range', () => ({ inspectionId: inspection.id, methods: ['gradcam'], target: { finding: 9 } }), 'operator', 400, 'XQC_EXPLAIN_TARGET', 'finding'],
      ["another account's inspection", () => ({ inspectionId: inspection.id, methods: ['gradcam'] }), 'stranger', 404, 'XQC_NOT_FOUND', 'inspection'],
    ];
    for (const [name, body, who, status, code, mentions] of cases) {
      it(`refuses ${name}`, async () => {
        const before = await counts(t);
        const res = await t.app.inject({ method: 'POST', url: `${API}/explain`, headers: who === 'stranger' ? stranger : operator, payload: body() });
        expect(res.statusCode).toBe(status);
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(res.json()).toMatchObject({ status, code });
        expect(res.json().detail).toContain(mentions);
        expect(await counts(t)).toEqual(before);
      });
    }

    it('refuses a viewer and an anonymous caller', async () => {
      const payload = { inspectionId: inspection.id, methods: ['gradcam'] };
      expect((await t.app.inject({ method: 'POST', url: `${API}/explain`, headers: viewer, payload })).statusCode).toBe(403);
      expect((await t.app.inject({ method: 'POST', url: `${API}/explain`, payload })).statusCode).toBe(401);
    });
  });
});
