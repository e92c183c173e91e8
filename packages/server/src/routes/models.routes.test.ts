import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../storage/blob-store.ts';
import { createTestApp } from '../test/test-app.ts';
import type { TestApp } from '../test/test-app.ts';
import { DIALECTS } from '../test/test-database.ts';
import { bearer } from '../test/test-tokens.ts';
import { demoParts, formParts, withCard, withVersion } from '../test/model-fixtures.ts';
import { multipartBody } from '../test/multipart.ts';
import type { FormPart } from '../test/multipart.ts';
import { fitSmallPatchCoreDetector } from '../test/patchcore-detector.ts';
import type { PatchCoreDetector } from '../test/patchcore-detector.ts';

const API = '/api/xai-qc';

function countBlobFiles(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .reduce((n, d) => n + readdirSync(join(dir, d.name)).filter((f) => !f.startsWith('.')).length, 0);
}

// The shipped surface-anomaly detector is trained on simulated defects; PatchCore's artifacts (features.onnx, bank.npy) come from a small detector fitted here.
let patchcore: PatchCoreDetector;
beforeAll(async () => {
  patchcore = await fitSmallPatchCoreDetector('surface-patchcore');
}, 120_000);
afterAll(async () => patchcore?.remove());

describe.each(DIALECTS)('model registry routes on %s', (dialect) => {
  let t: TestApp;
  let engineer: { authorization: string };
  let viewer: { authorization: string };
  const classifier = demoParts('surface-classifier');

  const upload = async (parts: FormPart[], headers: Record<string, string> = engineer) => {
    const body = multipartBody(parts);
    return t.app.inject({ method: 'POST', url: `${API}/models`, payload: body.payload, headers: { ...headers, ...body.headers } });
  };

  const stored = async () => {
    const blobs = await t.app.db.selectFrom('blobs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const versions = await t.app.db.selectFrom('model_versions').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return { blobRows: Number(blobs.n), versions: Number(versions.n), blobFiles: countBlobFiles(join(t.config.dataDir, 'blobs')) };
  };

  beforeAll(async () => {
    t = await createTestApp(dialect);
    engineer = await bearer('engineer');
    viewer = await bearer('viewer');
  });
  afterAll(async () => t?.close());

  it('needs a token, and the engineer role to upload', async () => {
    expect((await t.app.inject({ method: 'GET', url: `${API}/models` })).statusCode).toBe(401);
    const res = await upload(formParts(classifier), viewer);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('XQC_FORBIDDEN');
    expect((await stored()).versions).toBe(0);
  });

  it('registers a first version and activates it', async () => {
    const res = await upload(formParts(classifier));
    expect(res.statusCode).toBe(201);
    const v = res.json();
    expect(v).toMatchObject({ modelName: 'surface-classifier', version: '1.0.0', task: 'classify', active: true, createdBy: 'user-engineer', input: { name: 'input' } });
    expect(v.card.labels).toEqual(['defect', 'good']);
    expect(v.files.map((f: { name: string }) => f.name).sort()).toEqual(['model.onnx', 'model_card.yaml']);
    expect(v.files.find((f: { name: string }) => f.name === 'model.onnx').sha256).toBe(sha256Hex(classifier.get('model') as Uint8Array));
  });

  it('lists models with their active version for a viewer', async () => {
    const res = await t.app.inject({ method: 'GET', url: `${API}/models`, headers: viewer });
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toEqual([expect.objectContaining({ name: 'surface-classifier', activeVersion: '1.0.0', versionCount: 1, task: 'classify' })]);
  });

  it('refuses a version that exists, storing nothing', async () => {
    const before = await stored();
    const res = await upload(formParts(classifier));
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('XQC_VERSION_EXISTS');
    expect(await stored()).toEqual(before);
  });

  it('adds a second version inactive, then activates it: exactly one active', async () => {
    const v2 = withCard(withVersion(classifier, '1.1.0'), (y) => y.replace('accuracy: 0.98', 'accuracy: 0.99'));
    const res = await upload(formParts(v2, { description: 'ignored for an existing model' }));
    expect(res.statusCode).toBe(201);
    expect(res.json().active).toBe(false);
    const act = await t.app.inject({ method: 'POST', url: `${API}/models/surface-classifier/versions/1.1.0/activate`, headers: engineer });
    expect(act.statusCode).toBe(200);
    expect(act.json().active).toBe(true);
    const detail = (await t.app.inject({ method: 'GET', url: `${API}/models/surface-classifier`, headers: viewer })).json();
    expect(detail.model.activeVersion).toBe('1.1.0');
    expect(detail.versions.filter((v: { active: boolean }) => v.active).map((v: { version: string }) => v.version)).toEqual(['1.1.0']);
    const byId = await t.app.inject({ method: 'GET', url: `${API}/models/${detail.model.id}/versions/${detail.versions[0].id}`, headers: viewer });
    expect(byId.statusCode).toBe(200);
  });

  it('a viewer cannot activate', async () => {
    const res = await t.app.inject({ method: 'POST', url: `${API}/models/surface-classifier/versions/1.0.0/activate`, headers: viewer });
    expect(res.statusCode).toBe(403);
  });

  it('compares the card figures of two versions', async () => {
    const res = await t.app.inject({ method: 'GET', url: `${API}/models/surface-classifier/compare?a=1.0.0&b=1.1.0`, headers: viewer });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ model: 'surface-classifier', a: { version: '1.0.0', active: false }, b: { version: '1.1.0', active: true } });
    const acc = body.rows.find((r: { field: string }) => r.field === 'metrics.accuracy');
    expect(acc).toMatchObject({ a: 0.98, b: 0.99, changed: true });
    expect(acc.delta).toBeCloseTo(0.01, 10);
    expect(body.rows.find((r: { field: string }) => r.field === 'version')).toBeUndefined();
    expect(body.rows.find((r: { field: string }) => r.field === 'input.height')).toMatchObject({ a: 64, b: 64, delta: 0, changed: false });
  });

  it('downloads the files of a version', async () => {
    const res = await t.app.inject({ method: 'GET', url: `${API}/models/surface-classifier/versions/1.0.0/download`, headers: viewer });
    expect(res.statusCode).toBe(200);
    expect(sha256Hex(res.rawPayload)).toBe(sha256Hex(classifier.get('model') as Uint8Array));
    expect(res.headers['content-disposition']).toBe('attachment; filename="surface-classifier-1.0.0-model.onnx"');
    const card = await t.app.inject({ method: 'GET', url: `${API}/models/surface-classifier/versions/1.0.0/download?file=model_card.yaml`, headers: viewer });
    expect(card.body).toContain('name: surface-classifier');
    const none = await t.app.inject({ method: 'GET', url: `${API}/models/surface-classifier/versions/1.0.0/download?file=bank.npy`, headers: viewer });
    expect(none.statusCode).toBe(404);
    const bad = await t.app.inject({ method: 'GET', url: `${API}/models/surface-classifier/versions/1.0.0/download?file=../../etc/passwd`, headers: viewer });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('querystring.file');
  });

  it('never deletes the active version, nor one an inspection refers to', async () => {
    const active = await t.app.inject({ method: 'DELETE', url: `${API}/models/surface-classifier/versions/1.1.0`, headers: engineer });
    expect(active.statusCode).toBe(409);
    expect(active.json().code).toBe('XQC_MODEL_VERSION_ACTIVE');
    const v1 = (await t.app.inject({ method: 'GET', url: `${API}/models/surface-classifier/versions/1.0.0`, headers: viewer })).json();
    await sql`create table test_version_refs (version_id text not null references model_versions(id))`.execute(t.app.db);
    await sql`insert into test_version_refs (version_id) values (${v1.id})`.execute(t.app.db);
    const inUse = await t.app.inject({ method: 'DELETE', url: `${API}/models/surface-classifier/versions/1.0.0`, headers: engineer });
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json().code).toBe('XQC_MODEL_VERSION_IN_USE');
    await sql`drop table test_version_refs`.execute(t.app.db);
    expect((await t.app.inject({ method: 'DELETE', url: `${API}/models/surface-classifier/versions/1.0.0`, headers: viewer })).statusCode).toBe(403);
    const ok = await t.app.inject({ method: 'DELETE', url: `${API}/models/surface-classifier/versions/1.0.0`, headers: engineer });
    expect(ok.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: `${API}/models/surface-classifier/versions/1.0.0`, headers: viewer })).statusCode).toBe(404);
  });

  it('records upload, activate and delete in the audit log, and no refused action', async () => {
    const res = await t.app.inject({ method: 'GET', url: `${API}/audit-log?limit=500`, headers: await bearer('admin') });
    expect(res.statusCode).toBe(200);
    const entries = (res.json().items as { action: string; actor: { id: string }; targetType: string; details: Record<string, unknown> }[]).filter((e) => e.action.startsWith('model.'));
    const seen = entries.map((e) => `${e.action} ${String(e.details.version)}`).sort();
    expect(seen).toEqual(['model.activate 1.1.0', 'model.delete 1.0.0', 'model.upload 1.0.0', 'model.upload 1.1.0']);
    for (const e of entries) {
      expect(e).toMatchObject({ actor: { id: 'user-engineer' }, targetType: 'model-version', details: { model: 'surface-classifier' } });
    }
  });

  it('sweeps the blobs of a deleted version but keeps those still referenced', async () => {
    const { removed } = await t.app.blobs.sweep({ graceMs: 0 });
    const v1Onnx = sha256Hex(classifier.get('model') as Uint8Array);
    expect(removed).not.toContain(v1Onnx);
    expect(removed).toContain(sha256Hex(classifier.get('card') as Uint8Array));
    const d = await t.app.inject({ method: 'GET', url: `${API}/models/surface-classifier/versions/1.1.0/download`, headers: viewer });
    expect(sha256Hex(d.rawPayload)).toBe(v1Onnx);
  });

  describe('bad uploads: a clear 4xx and nothing stored', () => {
    const cases: [string, () => FormPart[], number, string][] = [
      ['random bytes as ONNX', () => formParts(new Map([...classifier, ['model', Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)]])), 422, 'XQC_MODEL_INVALID'],
      ['a truncated ONNX', () => formParts(new Map([...classifier, ['model', (classifier.get('model') as Uint8Array).slice(0, 5000)]])), 422, 'XQC_MODEL_INVALID'],
      ['an empty ONNX', () => formParts(new Map([...classifier, ['model', new Uint8Array(0)]])), 422, 'XQC_MODEL_INVALID'],
      ['no card', () => formParts(new Map([['model', classifier.get('model') as Uint8Array]])), 422, 'XQC_CARD_INVALID'],
      ['a card of the wrong input size', () => formParts(withVersion(withCard(classifier, (y) => y.replace(/height: 64/, 'height: 96')), '9.0.0')), 422, 'XQC_CARD_MISMATCH'],
      ['a card naming a missing input', () => formParts(withVersion(withCard(classifier, (y) => y.replace(/name: input/, 'name: pixels')), '9.0.1')), 422, 'XQC_CARD_MISMATCH'],
      ['a gray card for an RGB graph', () => formParts(withVersion(withCard(classifier, (y) => y.replace(/color: rgb/, 'color: gray').replace(/mean:\n(\s+- [0-9.]+\n)+/, 'mean: [0.5]\n').replace(/std:\n(\s+- [0-9.]+\n)+/, 'std: [0.25]\n')), '9.0.2')), 422, 'XQC_CARD_MISMATCH'],
      ['a card with an unknown task', () => formParts(withCard(classifier, (y) => y.replace('task: classify', 'task: paint'))), 422, 'XQC_CARD_INVALID'],
      ['a card that is not YAML', () => formParts(withCard(classifier, () => 'name: [unclosed')), 422, 'XQC_CARD_INVALID'],
      ['an unknown part', () => [...formParts(withVersion(classifier, '9.1.0')), { name: 'weights', filename: 'w.bin', data: new Uint8Array([1]) }], 400, 'XQC_UPLOAD_PART'],
      ['a bad activate field', () => formParts(withVersion(classifier, '9.2.0'), { activate: 'yes' }), 400, 'XQC_UPLOAD_PART'],
      ['an anomaly card without its artifacts', () => formParts(new Map([['model', demoParts('surface-anomaly').get('model') as Uint8Array], ['card', demoParts('surface-anomaly').get('card') as Uint8Array]])), 422, 'XQC_MODEL_INVALID'],
      [
        'an anomaly bank that does not match anomaly.json',
        () => {
          const p = patchcore.parts;
          const bank = Uint8Array.from(p.get('bank') as Uint8Array);
          bank[bank.length - 1] ^= 0xff;
          return formParts(new Map([...p, ['bank', bank]]));
        },
        422,
        'XQC_ANOMALY',
      ],
    ];
    it.each(cases)('%s', async (_name, parts, status, code) => {
      const before = await stored();
      const res = await upload(parts());
      expect(res.statusCode).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().code).toBe(code);
      expect(res.json().detail.length).toBeGreaterThan(10);
      expect(await stored()).toEqual(before);
    });

    it('a JSON body instead of multipart', async () => {
      const res = await t.app.inject({ method: 'POST', url: `${API}/models`, headers: engineer, payload: { model: 'x' } });
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('XQC_MULTIPART_REQUIRED');
    });
  });

  it('registers an anomaly model with its PatchCore artifacts', async () => {
    const res = await upload(formParts(patchcore.parts, { activate: 'true' }));
    expect(res.statusCode).toBe(201);
    const v = res.json();
    expect(v).toMatchObject({ modelName: 'surface-patchcore', task: 'anomaly', active: true });
    expect(v.files.map((f: { name: string }) => f.name).sort()).toEqual(['anomaly.json', 'bank.npy', 'features.onnx', 'model.onnx', 'model_card.yaml']);
    const bank = await t.app.inject({ method: 'GET', url: `${API}/models/surface-patchcore/versions/${v.id}/download?file=bank.npy`, headers: viewer });
    expect(sha256Hex(bank.rawPayload)).toBe(sha256Hex(patchcore.parts.get('bank') as Uint8Array));
  });

  it('answers 404 for unknown models and versions', async () => {
    for (const url of [`${API}/models/nope`, `${API}/models/surface-classifier/versions/7.7.7`, `${API}/models/00000000-0000-4000-8000-000000000000`]) {
      const res = await t.app.inject({ method: 'GET', url, headers: viewer });
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('XQC_NOT_FOUND');
    }
    const cmp = await t.app.inject({ method: 'GET', url: `${API}/models/surface-classifier/compare?a=1.1.0&b=0.0.1`, headers: viewer });
    expect(cmp.statusCode).toBe(404);
  });
});

describe('model upload limits', () => {
  it('refuses a file over the upload limit with 413 and stores nothing', async () => {
    const t = await createTestApp('sqlite', { bodyLimitBytes: 64 * 1024 });
    try {
      const body = multipartBody(formParts(demoParts('surface-classifier')));
      const res = await t.app.inject({ method: 'POST', url: `${API}/models`, payload: body.payload, headers: { ...(await bearer('engineer')), ...body.headers } });
      expect(res.statusCode).toBe(413);
      expect(res.json().code).toBe('XQC_PAYLOAD_TOO_LARGE');
      const rows = await t.app.db.selectFrom('blobs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(rows.n)).toBe(0);
      expect(countBlobFiles(join(t.config.dataDir, 'blobs'))).toBe(0);
    } finally {
      await t.close();
    }
  });
});
