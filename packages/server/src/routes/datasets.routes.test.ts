import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DialectName } from '../db/connect.ts';
import { tarOf, zipOf } from '../test/archive-fixtures.ts';
import { createTestApp } from '../test/test-app.ts';
import type { TestApp } from '../test/test-app.ts';
import { DIALECTS } from '../test/test-database.ts';
import { bearer } from '../test/test-tokens.ts';
import { classificationFiles, pngOf, storedCounts, tempFolders, uploadDataset } from './datasets.test-helpers.ts';

describe.each(DIALECTS)('dataset routes on %s', (dialect: DialectName) => {
  let t: TestApp;
  let engineer: Record<string, string>;
  let viewer: Record<string, string>;
  let stranger: Record<string, string>;

  beforeAll(async () => {
    t = await createTestApp(dialect, { jobConcurrency: 0 });
    engineer = await bearer('engineer');
    viewer = await bearer('viewer');
    stranger = await bearer('admin', 'acct-other', 'user-other');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('stores a zip content-addressed with its manifest hash and statistics, and answers an identical tar.gz with the same dataset', async () => {
    const files = await classificationFiles(3, 12);
    files.push({ path: 'good/big.png', data: await pngOf(20, 9, false) });
    files.push({ path: 'scratch/broken.png', data: Buffer.from('\x89PNG\r\n\x1a\nthis is not a png body') });
    files.push({ path: 'scratch/notes.txt', data: Buffer.from('operator notes') });
    const zip = await zipOf(files.map((f) => ({ path: `line-3/${f.path}`, data: f.data })));
    const before = await storedCounts(t.app, t.config.dataDir);
    const res = await uploadDataset(t.app, engineer, zip, { name: 'line 3' });
    expect(res.statusCode, res.body).toBe(201);
    const { dataset, deduplicated } = res.json();
    expect(deduplicated).toBe(false);
    expect(dataset).toMatchObject({ name: 'line 3', format: 'classification', archiveKind: 'zip', fileCount: 7 });
    expect(dataset.manifestHash).toMatch(/^[0-9a-f]{64}$/);
    expect(dataset.stats).toMatchObject({
      classes: ['good', 'scratch'],
      images: 7,
      masks: 0,
      countsPerClass: { good: 4, scratch: 3 },
      width: { min: 12, max: 20, median: 12 },
      height: { min: 12, max: 20, median: 12 },
      formats: { png: 7 },
    });
    expect(dataset.stats.corrupt.map((c: { path: string }) => c.path)).toEqual(['scratch/broken.png']);
    expect(dataset.stats.skipped.map((c: { path: string }) => c.path)).toEqual(['scratch/notes.txt']);
    const after = await storedCounts(t.app, t.config.dataDir);
    // 7 images and the manifest, each its own blob; identical images would share one.
    expect(after.blobs - before.blobs).toBe(8);
    expect(after.blobFiles - before.blobFiles).toBe(8);
    expect(after.files - before.files).toBe(7);

    const detail = await t.app.inject({ method: 'GET', url: `/api/xai-qc/datasets/${dataset.id}`, headers: viewer });
    expect(detail.statusCode).toBe(200);
    const stored = detail.json().files as { path: string; sha256: string; size: number; role: string; label: string }[];
    expect(stored.map((f) => f.path)).toEqual([...stored.map((f) => f.path)].sort());
    expect(stored.find((f) => f.path === 'good/big.png')).toMatchObject({ role: 'image', label: 'good' });
    const manifest = await t.app.blobs.get(dataset.manifestSha256);
    expect(JSON.parse(manifest.bytes.toString('utf8'))).toMatchObject({ id: dataset.manifestHash, format: 'classification', classes: ['good', 'scratch'] });

    const tgz = gzipSync(await tarOf(files.map((f) => ({ name: f.path, data: f.data }))));
    const again = await uploadDataset(t.app, engineer, tgz, { name: 'line 3 again' }, 'set.tar.gz');
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({ deduplicated: true, dataset: { id: dataset.id, manifestHash: dataset.manifestHash } });
    expect(await storedCounts(t.app, t.config.dataDir)).toEqual(after);

    // Another account stores its own copy (dedupe is per account) and never sees this one.
    const theirs = await uploadDataset(t.app, stranger, tgz, {}, 'theirs.tar.gz');
    expect(theirs.statusCode).toBe(201);
    expect(theirs.json().dataset.manifestHash).toBe(dataset.manifestHash);
    expect(theirs.json().dataset.id).not.toBe(dataset.id);
    for (const [method, url] of [['GET', `/api/xai-qc/datasets/${dataset.id}`], ['DELETE', `/api/xai-qc/datasets/${dataset.id}`]] as const) {
      const r = await t.app.inject({ method, url, headers: stranger });
      expect(r.statusCode, `${method} ${url}`).toBe(404);
      expect(r.json().code).toBe('XQC_NOT_FOUND');
    }
    const list = await t.app.inject({ method: 'GET', url: '/api/xai-qc/datasets', headers: stranger });
    expect(list.json().items.map((d: { id: string }) => d.id)).toEqual([theirs.json().dataset.id]);
  });

  it('reads a segmentation tar (images + masks) and lists datasets newest first with cursor pages', async () => {
    const mask = async (seed: number): Promise<Buffer> => {
      const { createImage, encodePng } = await import('@xai-qc/core');
      const m = createImage(8, 8, 1);
      m.data[seed % 64] = 1;
      return Buffer.from(await encodePng(m));
    };
    const entries = [];
    for (let i = 0; i < 3; i++) {
      entries.push({ name: `images/p${i}.png`, data: await pngOf(8, 40 + i, i > 0) });
      entries.push({ name: `masks/p${i}.png`, data: await mask(i) });
    }
    const res = await uploadDataset(t.app, engineer, await tarOf(entries), {}, 'parts.tar');
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().dataset).toMatchObject({ name: 'parts', format: 'segmentation', archiveKind: 'tar', stats: { images: 3, masks: 3 } });
    const page1 = await t.app.inject({ method: 'GET', url: '/api/xai-qc/datasets?limit=1', headers: viewer });
    expect(page1.json().items[0].id).toBe(res.json().dataset.id);
    expect(page1.json().nextCursor).toEqual(expect.any(String));
    const page2 = await t.app.inject({ method: 'GET', url: `/api/xai-qc/datasets?limit=1&cursor=${page1.json().nextCursor}`, headers: viewer });
    expect(page2.json().items).toHaveLength(1);
    expect(page2.json().items[0].id).not.toBe(res.json().dataset.id);
    const bad = await t.app.inject({ method: 'GET', url: '/api/xai-qc/datasets?cursor=nonsense', headers: viewer });
    expect(bad.statusCode).toBe(400);
  });

  it('refuses bad archives with a clear 4xx and stores nothing: no rows, no blobs, no temporary folders', async () => {
    const good = await classificationFiles(1, 8);
    const traversal = Buffer.from(await zipOf([...good, { path: 'xx/evil.png', data: good[0].data }].map((f) => ({ path: f.path, data: f.data }))));
    let at = traversal.indexOf('xx/evil.png');
    while (at >= 0) {
      traversal.write('../evil.png', at, 'latin1');
      at = traversal.indexOf('xx/evil.png');
    }
    const zip = await zipOf(good.map((f) => ({ path: f.path, data: f.data })));
    const cases: [string, Buffer, number, string, Record<string, string>?][] = [
      ['path traversal (zip)', traversal, 400, 'XQC_ARCHIVE_UNSAFE_PATH'],
      ['path traversal (tar)', await tarOf([{ name: 'good/../../etc/x.png', data: good[0].data }]), 400, 'XQC_ARCHIVE_UNSAFE_PATH'],
      ['symlink (tar)', await tarOf([{ name: 'good/a.png', data: good[0].data }, { name: 'good/l.png', type: 'symlink', linkname: '/etc/passwd' }]), 400, 'XQC_ARCHIVE_LINK'],
      ['zip bomb', await zipOf([{ path: 'good/a.bmp', data: Buffer.alloc(16 * 1024 * 1024) }]), 413, 'XQC_ARCHIVE_RATIO'],
      ['empty zip', await zipOf([]), 400, 'XQC_ARCHIVE_EMPTY'],
      ['corrupt zip', zip.subarray(0, zip.length - 25), 422, 'XQC_ARCHIVE_CORRUPT'],
      ['not an archive', Buffer.from('just some text, no archive'), 415, 'XQC_ARCHIVE_UNSUPPORTED'],
      ['no image', await zipOf([{ path: 'good/readme.txt', data: 'hello' }]), 422, 'XQC_DATASET_INVALID'],
      ['unknown format', zip, 400, 'XQC_INVALID_ARGUMENT', { format: 'video' }],
    ];
    const before = await storedCounts(t.app, t.config.dataDir);
    for (const [what, archive, status, code, fields] of cases) {
      const res = await uploadDataset(t.app, engineer, archive, fields ?? {});
      expect(res.statusCode, `${what}: ${res.body}`).toBe(status);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.json().code, what).toBe(code);
    }
    expect(await storedCounts(t.app, t.config.dataDir)).toEqual(before);
    expect(tempFolders(t.config.dataDir)).toEqual([]);
  });

  it('lets only engineers upload and delete, keeps dataset blobs from the sweeper, and deletes a dataset with the blobs no other row names', async () => {
    const zip = await zipOf((await classificationFiles(2, 10)).map((f) => ({ path: f.path, data: f.data })));
    expect((await uploadDataset(t.app, viewer, zip)).statusCode).toBe(403);
    const before = await storedCounts(t.app, t.config.dataDir);
    const res = await uploadDataset(t.app, engineer, zip, { name: 'short-lived' });
    expect(res.statusCode).toBe(201);
    const id = res.json().dataset.id as string;
    // The sweeper keeps every blob a dataset names, however old.
    const stored = await storedCounts(t.app, t.config.dataDir);
    await t.app.blobs.sweep({ graceMs: 0 });
    expect(await storedCounts(t.app, t.config.dataDir)).toEqual(stored);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/xai-qc/datasets/${id}`, headers: viewer })).statusCode).toBe(403);
    const del = await t.app.inject({ method: 'DELETE', url: `/api/xai-qc/datasets/${id}`, headers: engineer });
    expect(del.statusCode, del.body).toBe(200);
    expect(del.json()).toMatchObject({ id, name: 'short-lived' });
    expect(await storedCounts(t.app, t.config.dataDir)).toEqual(before);
    expect((await t.app.inject({ method: 'GET', url: `/api/xai-qc/datasets/${id}`, headers: engineer })).statusCode).toBe(404);
  });

  it('refuses to delete a dataset while a queued run uses it, and allows it once the run ended', async () => {
    const zip = await zipOf((await classificationFiles(4, 10)).map((f) => ({ path: f.path, data: f.data })));
    const id = (await uploadDataset(t.app, engineer, zip, { name: 'in use' })).json().dataset.id as string;
    // No worker runs in this app (jobConcurrency 0), so the run's job stays queued.
    const run = await t.app.inject({ method: 'POST', url: '/api/xai-qc/runs', headers: engineer, payload: { kind: 'train', task: 'classify', datasetId: id, modelName: 'held', params: { epochs: 1 } } });
    expect(run.statusCode, run.body).toBe(202);
    expect(run.json()).toMatchObject({ status: 'queued', datasetId: id });
    const refused = await t.app.inject({ method: 'DELETE', url: `/api/xai-qc/datasets/${id}`, headers: engineer });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('XQC_DATASET_IN_USE');
    const cancel = await t.app.inject({ method: 'POST', url: `/api/xai-qc/jobs/${run.json().jobId}/cancel`, headers: engineer });
    expect(cancel.json().status).toBe('cancelled');
    const del = await t.app.inject({ method: 'DELETE', url: `/api/xai-qc/datasets/${id}`, headers: engineer });
    expect(del.statusCode, del.body).toBe(200);
    const after = await t.app.inject({ method: 'GET', url: `/api/xai-qc/runs/${run.json().id}`, headers: engineer });
    expect(after.json()).toMatchObject({ status: 'cancelled', datasetId: null, datasetHash: run.json().datasetHash });
  });
});
