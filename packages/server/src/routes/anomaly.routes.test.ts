import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../app.ts';
import type { AnomalyAnswers } from '../schemas/anomaly.schema.ts';
import type { Inspection } from '../schemas/inspection.schema.ts';
import { createTestApp } from '../test/test-app.ts';
import type { TestApp } from '../test/test-app.ts';
import { bearer } from '../test/test-tokens.ts';
import { multipartBody, registerModelFolder } from './inspections.test-helpers.ts';

const MODELS = fileURLToPath(new URL('../../../../models/', import.meta.url));
const API = '/api/xai-qc';
const SIZE = 64;

/** A seeded generator of floats in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Distinct synthetic textures (RGB, SIZE x SIZE): stripes, checks, rings, gradients, noise. */
const TEXTURES: ((x: number, y: number, r: () => number) => [number, number, number])[] = [
  (x, y) => (Math.floor(y / 4) % 2 ? [200, 200, 200] : [40, 40, 40]),
  (x) => (Math.floor(x / 2) % 2 ? [230, 120, 30] : [30, 60, 160]),
  (x, y) => ((Math.floor(x / 8) + Math.floor(y / 8)) % 2 ? [250, 250, 250] : [0, 0, 0]),
  (x, y) => [Math.round((x / SIZE) * 255), Math.round((y / SIZE) * 255), 128],
  (x, y, r) => { const v = Math.round(r() * 255); return [v, v, v]; },
  (x, y) => { const d = Math.hypot(x - SIZE / 2, y - SIZE / 2); return Math.floor(d / 5) % 2 ? [20, 160, 60] : [220, 220, 90]; },
];

/** The texture as raw RGB, with uniform noise of +-`noise` gray levels when asked. */
function pixels(kind: number, noise = 0, seed = 1): Buffer {
  const r = rng(1000 + kind);
  const n = rng(seed);
  const data = Buffer.alloc(SIZE * SIZE * 3);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const px = TEXTURES[kind](x, y, r);
      for (let c = 0; c < 3; c++) data[(y * SIZE + x) * 3 + c] = Math.max(0, Math.min(255, px[c] + Math.round((n() * 2 - 1) * noise)));
    }
  }
  return data;
}

const png = (raw: Buffer): Promise<Buffer> => sharp(raw, { raw: { width: SIZE, height: SIZE, channels: 3 } }).png().toBuffer();

describe('anomaly answers (SQLite)', () => {
  let t: TestApp;
  let app: App;
  const auth = new Map<string, { authorization: string }>();
  /** Inspection ids of account A: originals[i] and its noisy copy copies[i]. */
  const originals: string[] = [];
  const copies: string[] = [];
  const ofB: string[] = [];
  let classifierInspection: string;

  async function detect(bytes: Uint8Array, account: string, model = 'surface-anomaly'): Promise<Inspection> {
    const body = multipartBody([{ filename: 'part.png', bytes }]);
    const res = await app.inject({ method: 'POST', url: `${API}/detect?model=${model}`, payload: body.payload, headers: { ...body.headers, ...auth.get(`operator|${account}`) } });
    expect(res.statusCode).toBe(201);
    return res.json<Inspection>();
  }

  const get = (url: string, account = 'acct-a', role = 'viewer') => app.inject({ method: 'GET', url, headers: auth.get(`${role}|${account}`) });

  /** Polls job `id` of account A until it ends; returns its final status. */
  async function jobEnd(id: string): Promise<string> {
    for (;;) {
      const job = await app.jobQueue.get('acct-a', id);
      if (!job || !['queued', 'running'].includes(job.status)) return job?.status ?? 'missing';
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    t = await createTestApp('sqlite');
    app = t.app;
    for (const role of ['viewer', 'operator'] as const) for (const account of ['acct-a', 'acct-b']) auth.set(`${role}|${account}`, await bearer(role, account));
    await registerModelFolder(app, `${MODELS}surface-anomaly`, 'surface-anomaly');
    await registerModelFolder(app, `${MODELS}surface-classifier`, 'surface-classifier');
    for (let k = 0; k < TEXTURES.length; k++) originals.push((await detect(await png(pixels(k)), 'acct-a')).id);
    for (let k = 0; k < TEXTURES.length; k++) copies.push((await detect(await png(pixels(k, 6, 77 + k)), 'acct-a')).id);
    // Account B inspects exact copies of A's first two images: the closest possible matches, which A must never see.
    for (let k = 0; k < 2; k++) ofB.push((await detect(await png(pixels(k)), 'acct-b')).id);
    classifierInspection = (await detect(await png(pixels(0)), 'acct-a', 'surface-classifier')).id;
  });

  afterAll(async () => {
    await t?.close();
  });

  it('the embedding.index job embeds the account backlog of the version and nothing of another account', async () => {
    const version = (await app.db.selectFrom('inspections').select('model_version_id').where('id', '=', originals[0]).executeTakeFirstOrThrow()).model_version_id;
    const job = await app.jobQueue.enqueue('embedding.index', { versionId: version, batch: 5 }, { accountId: 'acct-a', dedupeKey: version });
    const status = await jobEnd(job.id);
    const result = (await app.jobQueue.get('acct-a', job.id))?.result;
    expect(status).toBe('succeeded');
    expect(result).toEqual({ embedded: 2 * TEXTURES.length, pending: 0 });
    const rows = await app.db.selectFrom('inspection_embeddings').select(['inspection_id', 'account_id', 'dim']).execute();
    expect(rows.map((r) => r.inspection_id).sort()).toEqual([...originals, ...copies].sort());
    expect(new Set(rows.map((r) => r.account_id))).toEqual(new Set(['acct-a']));
  });

  it('what: the most similar past inspection of each image is its noisy copy, and of each copy its original', async () => {
    for (let k = 0; k < TEXTURES.length; k++) {
      const a = (await get(`${API}/inspections/${originals[k]}/anomaly?include=what&k=3`)).json<AnomalyAnswers>();
      expect(a.what?.items[0].id, `texture ${k}`).toBe(copies[k]);
      expect(a.what?.items[0].similarity).toBeGreaterThan(a.what?.items[1].similarity as number);
      const b = (await get(`${API}/inspections/${copies[k]}/anomaly?include=what&k=3`)).json<AnomalyAnswers>();
      expect(b.what?.items[0].id, `noisy texture ${k}`).toBe(originals[k]);
      expect(b.what?.items.map((i) => i.id)).not.toContain(copies[k]);
    }
  });

  it('what: never returns another account, and lists verdict, score, date and links', async () => {
    const res = await get(`${API}/inspections/${originals[0]}/anomaly?include=what&k=50`);
    expect(res.statusCode).toBe(200);
    const what = res.json<AnomalyAnswers>().what;
    expect(what?.indexed).toBe(2 * TEXTURES.length);
    expect(what?.pending).toBe(0);
    const ids = what?.items.map((i) => i.id) ?? [];
    expect(ids).toHaveLength(2 * TEXTURES.length - 1);
    for (const b of ofB) expect(ids).not.toContain(b);
    for (const item of what?.items ?? []) {
      expect(['pass', 'reject']).toContain(item.verdict);
      expect(item.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(item.similarity).toBeLessThanOrEqual(1.0001);
    }
    const similarities = what?.items.map((i) => i.similarity) ?? [];
    expect(similarities).toEqual([...similarities].sort((x, y) => y - x));
    const thumb = await get(what?.items[0].links.thumbnail as string);
    expect(thumb.statusCode).toBe(200);
    expect((await sharp(thumb.rawPayload).metadata()).width).toBe(SIZE);
    // Account B's answers hold only account B's inspections, embedded lazily on the first ask.
    const fromB = (await get(`${API}/inspections/${ofB[0]}/anomaly?include=what`, 'acct-b')).json<AnomalyAnswers>();
    expect(fromB.what?.items.map((i) => i.id)).toEqual([ofB[1]]);
    expect(fromB.what?.indexed).toBe(2);
  });

  it('what: shows the current review of a similar inspection, null for unreviewed ones', async () => {
    const post = (body: object) =>
      app.inject({ method: 'POST', url: `${API}/inspections/${copies[4]}/reviews`, payload: body, headers: auth.get('operator|acct-a') });
    expect((await post({ verdict: 'pass', label: 'good' })).statusCode).toBe(201);
    expect((await post({ verdict: 'reject', label: 'anomaly' })).statusCode).toBe(201);
    const what = (await get(`${API}/inspections/${originals[4]}/anomaly?include=what&k=3`)).json<AnomalyAnswers>().what;
    expect(what?.items[0].id).toBe(copies[4]);
    expect(what?.items[0].review).toMatchObject({ verdict: 'reject', label: 'anomaly' });
    expect(what?.items.slice(1).map((i) => i.review)).toEqual([null, null]);
  });

  it('why: the waterfall contributions sum from the base value to f(x), and the chart is a PNG', async () => {
    const res = await get(`${API}/inspections/${originals[2]}/anomaly?include=why`);
    expect(res.statusCode).toBe(200);
    const why = res.json<AnomalyAnswers>().why;
    if (why?.status !== 'ready') throw new Error(`why is ${JSON.stringify(why)}`);
    const sum = why.steps.reduce((s, x) => s + x.contribution, 0);
    expect(why.base + sum).toBeCloseTo(why.fx, 9);
    expect(why.steps[why.steps.length - 1].end).toBeCloseTo(why.fx, 9);
    expect(why.steps.map((s) => s.name).sort()).toEqual(Object.keys(why.features).sort());
    expect(why.surrogate.samples).toBe(2 * TEXTURES.length);
    const chart = await get(why.links.png);
    expect(chart.headers['content-type']).toBe('image/png');
    const meta = await sharp(chart.rawPayload).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width).toBe(760);
  });

  it('where and which: statistics, the stored map and the overlays decode as PNG of the image size; Grad-CAM++ is stored once', async () => {
    let first = (await get(`${API}/inspections/${originals[1]}/anomaly`)).json<AnomalyAnswers>();
    expect(first.where?.width).toBe(SIZE);
    expect(first.where?.defectArea).toBeGreaterThanOrEqual(0);
    expect(first.where?.max).toBeLessThanOrEqual(1);
    if (first.which?.status === 'pending') {
      // Over the inline budget (a busy machine): the explain job stores it; the next ask reads it.
      expect(await jobEnd(first.which.jobId)).toBe('succeeded');
      first = (await get(`${API}/inspections/${originals[1]}/anomaly`)).json<AnomalyAnswers>();
    }
    const which = first.which;
    if (which?.status !== 'ready') throw new Error(`which is ${JSON.stringify(which)}`);
    expect(which.target).toBe('anomaly score');
    for (const url of [first.where?.links.map, first.where?.links.overlay, which.links.overlay, which.links.heatmap] as string[]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(200);
      const meta = await sharp(res.rawPayload).metadata();
      expect([meta.format, meta.width, meta.height], url).toEqual(['png', SIZE, SIZE]);
    }
    for (const url of [first.where?.links.data, which.links.data] as string[]) {
      const npy = await get(url);
      expect(npy.rawPayload.subarray(1, 6).toString(), url).toBe('NUMPY');
      expect(npy.rawPayload.length, url).toBeGreaterThan(SIZE * SIZE * 4);
    }
    const again = (await get(`${API}/inspections/${originals[1]}/anomaly?include=which`)).json<AnomalyAnswers>();
    expect(again.which).toEqual(which);
    const listed = (await get(`${API}/inspections/${originals[1]}/explanations`)).json<{ items: { id: string; method: string }[] }>();
    expect(listed.items.map((e) => [e.id, e.method])).toEqual([[which.explanationId, 'gradcampp']]);
  });

  it('refuses bad input with stable codes: another task, another account, unknown or malformed ids, unknown answers', async () => {
    const notAnomaly = await get(`${API}/inspections/${classifierInspection}/anomaly`);
    expect([notAnomaly.statusCode, notAnomaly.json<{ code: string }>().code]).toEqual([409, 'XQC_NOT_ANOMALY']);
    const png409 = await get(`${API}/inspections/${classifierInspection}/anomaly/waterfall.png`);
    expect(png409.statusCode).toBe(409);
    const other = await get(`${API}/inspections/${ofB[0]}/anomaly`);
    expect([other.statusCode, other.json<{ code: string }>().code]).toEqual([404, 'XQC_NOT_FOUND']);
    const otherPng = await get(`${API}/inspections/${ofB[0]}/anomaly/where.png`);
    expect(otherPng.statusCode).toBe(404);
    expect((await get(`${API}/inspections/00000000-0000-4000-8000-000000000000/anomaly`)).statusCode).toBe(404);
    expect((await get(`${API}/inspections/not-a-uuid/anomaly`)).statusCode).toBe(400);
    expect((await get(`${API}/inspections/${originals[0]}/anomaly?include=how`)).statusCode).toBe(400);
    expect((await get(`${API}/inspections/${originals[0]}/anomaly?k=0`)).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: `${API}/inspections/${originals[0]}/anomaly` })).statusCode).toBe(401);
  });

  it('a deleted inspection leaves the index and the answers', async () => {
    const admin = await bearer('admin', 'acct-a');
    const del = await app.inject({ method: 'DELETE', url: `${API}/inspections/${copies[3]}`, headers: admin });
    expect(del.statusCode).toBe(204);
    const a = (await get(`${API}/inspections/${originals[3]}/anomaly?include=what&k=50`)).json<AnomalyAnswers>();
    expect(a.what?.items.map((i) => i.id)).not.toContain(copies[3]);
    expect(a.what?.indexed).toBe(2 * TEXTURES.length - 1);
  });
});
