import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import type { App } from '../app.ts';
import type { Role } from '../auth/principal.ts';
import { signHs256, supabaseClaims, TEST_ISSUER } from '../auth/testing/token-fixtures.ts';
import { loadConfig } from '../config/load-config.ts';
import type { Inspection } from '../schemas/inspection.schema.ts';
import { multipartBody, registerModelFolder } from './inspections.test-helpers.ts';

const MODELS = fileURLToPath(new URL('../../../../models/', import.meta.url));
const API = '/api/xai-qc';
const SECRET = 'inspection-route-tests-secret-0123456789abcdef';

/** Deterministic textured RGB pixels, with a dark spot when asked. */
function pixels(width: number, height: number, seed: number, spot = false): Buffer {
  const data = Buffer.alloc(width * height * 3);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = 100 + ((s >>> 16) % 40);
  }
  if (spot) for (let y = 20; y < 34; y++) for (let x = 24; x < 40; x++) data.fill(15, (y * width + x) * 3, (y * width + x) * 3 + 3);
  return data;
}

const png = (w: number, h: number, seed = 1, spot = false): Promise<Buffer> => sharp(pixels(w, h, seed, spot), { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();

/** CRC-32 of PNG chunks (ISO 3309). */
function crc32(b: Buffer): number {
  let c = ~0;
  for (const byte of b) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/** A well-formed PNG signature and IHDR claiming width x height, followed by no pixel data. */
function pngClaiming(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const body = Buffer.concat([Buffer.from('IHDR'), ihdr]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body), 0);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from([0, 0, 0, 13]), body, crc]);
}

describe('inspection routes', () => {
  let app: App;
  let dataDir: string;
  const tokens = new Map<string, string>();
  /** A Supabase-style bearer token of `role` in `accountId`, signed with the test secret. */
  const headers = (role: Role = 'operator', accountId = 'acct-1'): Record<string, string> => ({ authorization: `Bearer ${tokens.get(`${role}|${accountId}`)}` });

  async function detect(bytes: Uint8Array, query = 'model=surface-classifier', filename = 'part.png', role: Role = 'operator', accountId = 'acct-1') {
    const body = multipartBody([{ filename, bytes }]);
    return app.inject({ method: 'POST', url: `${API}/detect?${query}`, payload: body.payload, headers: { ...body.headers, ...headers(role, accountId) } });
  }

  async function counts(): Promise<{ inspections: number; blobs: number }> {
    const i = await app.db.selectFrom('inspections').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const b = await app.db.selectFrom('blobs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return { inspections: Number(i.n), blobs: Number(b.n) };
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'xqc-inspections-'));
    for (const role of ['viewer', 'operator', 'admin'] as const) {
      for (const account of ['acct-1', 'acct-2']) {
        tokens.set(`${role}|${account}`, await signHs256(SECRET, supabaseClaims({ sub: `${role}-${account}`, app_metadata: { role, account_id: account } })));
      }
    }
    const env = { XQC_DATA_DIR: dataDir, XQC_DEMO_MODELS: 'false', XQC_LOG_LEVEL: 'silent', XQC_JWT_SECRET: SECRET, XQC_JWT_ISSUER: TEST_ISSUER, XQC_RATE_LIMIT_MAX: '0' };
    app = await buildApp(loadConfig(env), { logger: false });
    await app.ready();
    await registerModelFolder(app, `${MODELS}surface-classifier`, 'surface-classifier');
    await registerModelFolder(app, `${MODELS}surface-segmenter`, 'surface-segmenter');
    await registerModelFolder(app, `${MODELS}surface-anomaly`, 'surface-anomaly');
  });

  afterAll(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('detects with a classifier: verdict, calibrated probabilities, stage latencies, stored image', async () => {
    const res = await detect(await png(96, 80, 1));
    expect(res.statusCode).toBe(201);
    const body = res.json<Inspection>();
    expect(body.model.name).toBe('surface-classifier');
    expect(body.labels).toEqual(['defect', 'good']);
    expect(body.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(['pass', 'reject']).toContain(body.verdict);
    expect(body.image).toMatchObject({ width: 96, height: 80, mediaType: 'image/png', name: 'part.png' });
    for (const k of ['decodeMs', 'preprocessMs', 'queueMs', 'computeMs', 'postprocessMs', 'storeMs', 'totalMs'] as const) expect(body.latency[k]).toBeGreaterThanOrEqual(0);
    const image = await app.inject({ method: 'GET', url: body.links.image, headers: headers('viewer') });
    expect(image.statusCode).toBe(200);
    expect(image.headers['content-type']).toBe('image/png');
    expect(image.rawPayload.equals(await png(96, 80, 1))).toBe(true);
  });

  it('applies the card temperature to the probabilities', async () => {
    const res = await detect(await png(64, 64, 4));
    const body = res.json<Inspection>();
    const again = await app.inject({ method: 'GET', url: `${API}/inspections/${body.id}`, headers: headers('viewer') });
    expect(again.json<Inspection>().probabilities).toEqual(body.probabilities);
    // The demo card has T < 1, which sharpens: the top class is more probable than at T = 1.
    expect(Math.max(...body.probabilities)).toBeGreaterThan(0.5);
  });

  it('returns segmenter findings with box, mask PNG, RLE and polygon, and renders an overlay', async () => {
    const res = await detect(await png(64, 64, 3, true), 'model=surface-segmenter');
    expect(res.statusCode).toBe(201);
    const body = res.json<Inspection>();
    expect(body.findings.length).toBeGreaterThan(0);
    const f = body.findings[0];
    expect(f.box).toHaveLength(4);
    expect(f.rle?.size).toEqual([64, 64]);
    expect(f.polygon?.length).toBeGreaterThanOrEqual(8);
    expect(Buffer.from(f.maskPng as string, 'base64').subarray(1, 4).toString()).toBe('PNG');
    const one = (await app.inject({ method: 'GET', url: `${API}/inspections/${body.id}`, headers: headers('viewer') })).json<Inspection>();
    expect(one.findings[0].maskPng).toBe(f.maskPng);
    expect(one).toEqual(body);
    const overlay = await app.inject({ method: 'GET', url: `${body.links.overlay}?opacity=0.8`, headers: headers('viewer') });
    expect(overlay.statusCode).toBe(200);
    const meta = await sharp(overlay.rawPayload).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 64, 64]);
    const plain = await app.inject({ method: 'GET', url: `${body.links.overlay}?opacity=0`, headers: headers('viewer') });
    expect(plain.rawPayload.equals(overlay.rawPayload)).toBe(false);
    expect((await app.inject({ method: 'GET', url: `${body.links.overlay}?opacity=2`, headers: headers('viewer') })).statusCode).toBe(400);
  });

  it('returns the anomaly score and map of an anomaly model', async () => {
    const res = await detect(await png(64, 64, 5, true), 'model=surface-anomaly');
    const body = res.json<Inspection>();
    expect(body.model.task).toBe('anomaly');
    expect(body.anomaly?.score).toBe(body.defectScore);
    expect(Buffer.from(body.anomaly?.mapPng as string, 'base64').subarray(1, 4).toString()).toBe('PNG');
    const one = await app.inject({ method: 'GET', url: `${API}/inspections/${body.id}`, headers: headers('viewer') });
    expect(one.json<Inspection>()).toEqual(body);
  });

  it('adds MC-Dropout uncertainty on request', async () => {
    const res = await detect(await png(64, 64, 6), 'model=surface-classifier&uncertainty=mc-dropout&samples=5&seed=2');
    expect(res.statusCode).toBe(201);
    const u = res.json<Inspection>().uncertainty;
    expect(u?.samples).toBe(5);
    expect(u?.predictiveEntropy).toBeGreaterThanOrEqual(u?.mutualInformation ?? Infinity);
    const one = await app.inject({ method: 'GET', url: `${API}/inspections/${res.json<Inspection>().id}`, headers: headers('viewer') });
    expect(one.json<Inspection>()).toEqual(res.json<Inspection>());
  });

  it('runs a version chosen by id, active or not, and refuses a version of another model', async () => {
    const active = await app.db.selectFrom('model_versions as v').innerJoin('models as m', 'm.id', 'v.model_id').select(['v.id']).where('m.name', '=', 'surface-classifier').executeTakeFirstOrThrow();
    const res = await detect(await png(64, 64, 14), `version=${active.id}`);
    expect(res.statusCode).toBe(201);
    expect(res.json<Inspection>().model.versionId).toBe(active.id);
    const mismatch = await detect(await png(64, 64, 14), `version=${active.id}&model=surface-segmenter`);
    expect(mismatch.json()).toMatchObject({ status: 400, code: 'XQC_MODEL_MISMATCH' });
    expect((await detect(await png(64, 64, 14), 'version=00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    expect((await detect(await png(64, 64, 14), 'model=surface-classifier&samples=1&uncertainty=mc-dropout')).json()).toMatchObject({ status: 400, code: 'XQC_VALIDATION' });
  });

  it('refuses an inverted score range and a form without an image field', async () => {
    const bad = await app.inject({ method: 'GET', url: `${API}/inspections?minScore=0.9&maxScore=0.1`, headers: headers('viewer') });
    expect(bad.json()).toMatchObject({ status: 400, code: 'XQC_INVALID_RANGE' });
    const wrongField = multipartBody([{ field: 'file', filename: 'a.png', bytes: await png(16, 16) }]);
    const res = await app.inject({ method: 'POST', url: `${API}/detect?model=surface-classifier`, payload: wrongField.payload, headers: { ...wrongField.headers, ...headers() } });
    expect(res.json()).toMatchObject({ status: 400, code: 'XQC_UPLOAD_FIELD' });
    const json = await app.inject({ method: 'POST', url: `${API}/detect?model=surface-classifier`, payload: { image: 'x' }, headers: headers() });
    expect(json.statusCode).toBe(415);
  });

  it('names the active models when none is chosen, and 404s an unknown one', async () => {
    const res = await detect(await png(32, 32), '');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'XQC_MODEL_REQUIRED' });
    expect(res.json().detail).toContain('surface-classifier');
    expect((await detect(await png(32, 32), 'model=nope')).statusCode).toBe(404);
  });

  describe('bad uploads: a clear 4xx and nothing stored', () => {
    const cases: [string, () => Promise<Buffer>, number, string][] = [
      ['0 bytes', async () => Buffer.alloc(0), 400, 'XQC_UPLOAD_EMPTY'],
      ['a renamed text file', async () => Buffer.from('hello, this is not an image\n'), 415, 'XQC_IMAGE_UNSUPPORTED'],
      ['a truncated PNG', async () => (await png(64, 64, 8)).subarray(0, 200), 422, 'XQC_IMAGE_INVALID'],
      ['a truncated JPEG', async () => (await sharp(pixels(64, 64, 9), { raw: { width: 64, height: 64, channels: 3 } }).jpeg().toBuffer()).subarray(0, 300), 422, 'XQC_IMAGE_INVALID'],
      ['a PNG claiming 60000 x 60000 pixels', async () => pngClaiming(60000, 60000), 413, 'XQC_IMAGE_TOO_LARGE'],
    ];
    for (const [name, make, status, code] of cases) {
      it(`refuses ${name}`, async () => {
        const before = await counts();
        const res = await detect(await make(), 'model=surface-classifier', 'upload.png');
        expect(res.statusCode).toBe(status);
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.json()).toMatchObject({ status, code });
        expect(await counts()).toEqual(before);
      });
    }
  });

  describe('unusual but valid images are accepted and handled', () => {
    it('a 16-bit PNG', async () => {
      const bytes = await sharp(pixels(48, 40, 2), { raw: { width: 48, height: 40, channels: 3 } }).toColourspace('rgb16').png().toBuffer();
      expect((await sharp(bytes).metadata()).depth).toBe('ushort');
      const res = await detect(bytes);
      expect(res.statusCode).toBe(201);
      expect(res.json<Inspection>().image).toMatchObject({ width: 48, height: 40 });
    });

    it('a CMYK JPEG', async () => {
      const bytes = await sharp(pixels(48, 40, 3), { raw: { width: 48, height: 40, channels: 3 } }).toColourspace('cmyk').jpeg().toBuffer();
      expect((await sharp(bytes).metadata()).space).toBe('cmyk');
      const res = await detect(bytes, 'model=surface-classifier', 'cmyk.jpg');
      expect(res.statusCode).toBe(201);
      expect(res.json<Inspection>().image).toMatchObject({ width: 48, height: 40, mediaType: 'image/jpeg' });
    });

    it('an RGBA PNG', async () => {
      const rgba = Buffer.alloc(48 * 40 * 4, 180);
      const bytes = await sharp(rgba, { raw: { width: 48, height: 40, channels: 4 } }).png().toBuffer();
      const res = await detect(bytes);
      expect(res.statusCode).toBe(201);
      expect(res.json<Inspection>().probabilities).toHaveLength(2);
    });

    it('an EXIF-rotated JPEG, seen upright', async () => {
      const bytes = await sharp(pixels(60, 30, 4), { raw: { width: 60, height: 30, channels: 3 } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
      const res = await detect(bytes, 'model=surface-segmenter', 'rotated.jpg');
      expect(res.statusCode).toBe(201);
      expect(res.json<Inspection>().image).toMatchObject({ width: 30, height: 60 });
    });
  });

  it('runs a batch, with per-image errors for images that fail to decode', async () => {
    const good = await png(64, 64, 11);
    const body = multipartBody([
      { filename: 'a.png', bytes: good },
      { filename: 'b.png', bytes: good.subarray(0, 120) },
      { filename: 'c.png', bytes: await png(64, 64, 12) },
    ]);
    const res = await app.inject({ method: 'POST', url: `${API}/detect/batch?model=surface-classifier`, payload: body.payload, headers: { ...body.headers, ...headers() } });
    expect(res.statusCode).toBe(200);
    const items = res.json<{ items: { index: number; inspection?: Inspection; error?: { code: string } }[] }>().items;
    expect(items.map((i) => [i.index, i.inspection ? 'ok' : i.error?.code])).toEqual([[0, 'ok'], [1, 'XQC_IMAGE_INVALID'], [2, 'ok']]);
  });

  it('refuses a whole batch when one upload fails the checks, storing nothing', async () => {
    const before = await counts();
    const body = multipartBody([{ filename: 'a.png', bytes: await png(64, 64, 13) }, { filename: 'b.txt', bytes: Buffer.from('text') }]);
    const res = await app.inject({ method: 'POST', url: `${API}/detect/batch?model=surface-classifier`, payload: body.payload, headers: { ...body.headers, ...headers() } });
    expect(res.statusCode).toBe(415);
    expect(res.json().detail).toContain('image[1] (b.txt)');
    expect(await counts()).toEqual(before);
  });

  it('lists with filters and cursor pages, only the caller account', async () => {
    await detect(await png(64, 64, 20), 'model=surface-classifier', 'x.png', 'operator', 'acct-2');
    const all = (await app.inject({ method: 'GET', url: `${API}/inspections?limit=200`, headers: headers('viewer') })).json<{ items: Inspection[] }>().items;
    expect(all.length).toBeGreaterThan(5);
    const pages: Inspection[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `${API}/inspections?limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await app.inject({ method: 'GET', url, headers: headers('viewer') })).json<{ items: Inspection[]; nextCursor: string | null }>();
      pages.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(pages.map((p) => p.id)).toEqual(all.map((p) => p.id));
    const seg = (await app.inject({ method: 'GET', url: `${API}/inspections?model=surface-segmenter`, headers: headers('viewer') })).json<{ items: Inspection[] }>().items;
    expect(seg.length).toBeGreaterThan(0);
    expect(seg.every((i) => i.model.name === 'surface-segmenter')).toBe(true);
    const rejects = (await app.inject({ method: 'GET', url: `${API}/inspections?verdict=reject&minScore=0.5`, headers: headers('viewer') })).json<{ items: Inspection[] }>().items;
    expect(rejects.every((i) => i.verdict === 'reject' && i.defectScore >= 0.5)).toBe(true);
    const other = (await app.inject({ method: 'GET', url: `${API}/inspections`, headers: headers('viewer', 'acct-2') })).json<{ items: Inspection[] }>().items;
    expect(other).toHaveLength(1);
    expect(all.some((i) => i.id === other[0].id)).toBe(false);
    expect((await app.inject({ method: 'GET', url: `${API}/inspections/${other[0].id}`, headers: headers('viewer') })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: `${API}/inspections?cursor=garbage`, headers: headers('viewer') })).json()).toMatchObject({ code: 'XQC_INVALID_CURSOR' });
  });

  it('checks roles: no principal 401, viewer cannot detect, operator cannot delete', async () => {
    const body = multipartBody([{ filename: 'a.png', bytes: await png(32, 32) }]);
    expect((await app.inject({ method: 'POST', url: `${API}/detect?model=surface-classifier`, payload: body.payload, headers: body.headers })).statusCode).toBe(401);
    expect((await detect(await png(32, 32), 'model=surface-classifier', 'a.png', 'viewer')).statusCode).toBe(403);
    const id = (await detect(await png(32, 32, 30))).json<Inspection>().id;
    expect((await app.inject({ method: 'DELETE', url: `${API}/inspections/${id}`, headers: headers('operator') })).statusCode).toBe(403);
  });

  it('deletes (admin) with its blobs, keeping blobs another inspection shares', async () => {
    const shared = await png(64, 64, 40, true);
    const a = (await detect(shared, 'model=surface-segmenter')).json<Inspection>();
    const b = (await detect(shared, 'model=surface-segmenter')).json<Inspection>();
    const own = (await detect(await png(64, 64, 41), 'model=surface-classifier')).json<Inspection>();
    expect((await app.inject({ method: 'DELETE', url: `${API}/inspections/${a.id}`, headers: headers('admin', 'acct-2') })).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: `${API}/inspections/${a.id}`, headers: headers('admin') })).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: b.links.image, headers: headers('viewer') })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: `${API}/inspections/${b.id}`, headers: headers('viewer') })).statusCode).toBe(200);
    const before = await counts();
    expect((await app.inject({ method: 'DELETE', url: `${API}/inspections/${own.id}`, headers: headers('admin') })).statusCode).toBe(204);
    const after = await counts();
    expect(after.inspections).toBe(before.inspections - 1);
    expect(after.blobs).toBe(before.blobs - 1);
    const row = await app.db.selectFrom('blobs').select('sha256').where('sha256', '=', own.image.sha256).executeTakeFirst();
    expect(row).toBeUndefined();
    expect(await app.blobs.store.has(own.image.sha256)).toBe(false);
    expect((await app.inject({ method: 'GET', url: `${API}/inspections/${own.id}`, headers: headers('viewer') })).statusCode).toBe(404);
    const log = await app.inject({ method: 'GET', url: `${API}/audit-log`, headers: headers('admin') });
    const deletes = (log.json().items as { action: string; targetId: string; actor: { id: string } }[]).filter((e) => e.action === 'inspection.delete');
    expect(deletes.map((e) => e.targetId).sort()).toEqual([a.id, own.id].sort());
    const other = await app.inject({ method: 'GET', url: `${API}/audit-log`, headers: headers('admin', 'acct-2') });
    expect((other.json().items as { action: string }[]).some((e) => e.action === 'inspection.delete')).toBe(false);
  });

  it('reports Triton-style inference metrics and readiness of the loaded models', async () => {
    const ready = await app.inject({ method: 'GET', url: `${API}/ready` });
    expect(ready.json().checks.find((c: { name: string }) => c.name === 'models')).toMatchObject({ ok: true });
    const text = await app.metricsRegistry.metrics();
    for (const name of ['nv_inference_request_success', 'nv_inference_request_failure', 'nv_inference_count', 'nv_inference_exec_count', 'nv_inference_queue_duration_us', 'nv_inference_compute_infer_duration_us', 'nv_inference_request_duration_us', 'xqc_inference_batch_size_bucket', 'xqc_inspections_total']) {
      expect(text).toContain(name);
    }
    expect(text).toMatch(/nv_inference_request_success\{model="surface-classifier",version="1.0.0"\} [1-9]/);
    expect(text).toMatch(/nv_inference_request_failure\{model="surface-classifier",version="1.0.0",code="XQC_IMAGE_INVALID"\} [1-9]/);
    expect(text).toMatch(/xqc_errors_total\{code="XQC_IMAGE_TOO_LARGE",status="413"\} 1/);
  });
});
