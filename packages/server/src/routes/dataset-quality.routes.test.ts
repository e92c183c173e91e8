import { createImage, encodePng, stratifiedSplit } from '@xai-qc/core';
import type { ImageU8 } from '@xai-qc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DialectName } from '../db/connect.ts';
import { zipOf } from '../test/archive-fixtures.ts';
import { createTestApp } from '../test/test-app.ts';
import type { TestApp } from '../test/test-app.ts';
import { DIALECTS } from '../test/test-database.ts';
import { bearer } from '../test/test-tokens.ts';
import { uploadDataset } from './datasets.test-helpers.ts';

/** A 32x32 RGB scene: a gradient and three rectangles placed by `seed`, with +-2 noise. */
function scene(seed: number): ImageU8 {
  let s = (seed * 7919 + 17) >>> 0;
  const r = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const n = 32;
  const plane = new Float64Array(n * n);
  const gx = r() * 2 - 1;
  const gy = r() * 2 - 1;
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) plane[y * n + x] = 110 + (40 * (gx * x + gy * y)) / n;
  for (let k = 0; k < 3; k++) {
    const x0 = Math.floor(r() * n * 0.7);
    const y0 = Math.floor(r() * n * 0.7);
    const w = 4 + Math.floor(r() * n * 0.4);
    const h = 4 + Math.floor(r() * n * 0.4);
    const v = 40 + r() * 180;
    for (let y = y0; y < Math.min(n, y0 + h); y++) for (let x = x0; x < Math.min(n, x0 + w); x++) plane[y * n + x] = v;
  }
  const img = createImage(n, n, 3);
  for (let i = 0; i < n * n; i++) for (let c = 0; c < 3; c++) img.data[i * 3 + c] = Math.max(0, Math.min(255, Math.round(plane[i] + r() * 4 - 2)));
  return img;
}

const png = async (img: ImageU8): Promise<Buffer> => Buffer.from(await encodePng(img));
const scaled = (img: ImageU8, f: (v: number, i: number) => number): ImageU8 => createImage(img.width, img.height, 3, img.data.map((v, i) => Math.max(0, Math.min(255, Math.round(f(v, i))))));

describe.each(DIALECTS)('dataset quality route on %s', (dialect: DialectName) => {
  let t: TestApp;
  let engineer: Record<string, string>;
  let viewer: Record<string, string>;
  let stranger: Record<string, string>;
  let id: string;
  const paths: { path: string; label: string }[] = [];

  beforeAll(async () => {
    t = await createTestApp(dialect, { jobConcurrency: 0 });
    engineer = await bearer('engineer');
    viewer = await bearer('viewer');
    stranger = await bearer('admin', 'acct-other', 'user-other');
    const files: { path: string; data: Buffer }[] = [];
    for (let i = 0; i < 8; i++) {
      files.push({ path: `good/g${i}.png`, data: await png(scene(i)) });
      files.push({ path: `scratch/s${i}.png`, data: await png(scene(100 + i)) });
    }
    files.push({ path: 'scratch/copy-of-g0.png', data: files[0].data });
    files.push({ path: 'good/g1-noisy.png', data: await png(scaled(scene(1), (v, i) => v + (i % 5) - 2)) });
    files.push({ path: 'good/dark.png', data: await png(scaled(scene(50), (v) => v * 0.08)) });
    files.push({ path: 'good/broken.png', data: Buffer.from('\x89PNG\r\n\x1a\nnot a png body') });
    for (const f of files) if (f.path !== 'good/broken.png') paths.push({ path: f.path, label: f.path.split('/')[0] });
    const res = await uploadDataset(t.app, engineer, await zipOf(files), { name: 'quality' });
    expect(res.statusCode, res.body).toBe(201);
    id = res.json().dataset.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  const reportRows = async (): Promise<number> =>
    Number((await t.app.db.selectFrom('dataset_quality_reports').select((eb) => eb.fn.countAll().as('n')).where('dataset_id', '=', id).executeTakeFirstOrThrow()).n);

  it('reports the copy across classes and splits, the near duplicate, the dark outlier and the corrupt file, and stores the report', async () => {
    // A seed that puts the copy and its original in different splits, as a run with that seed would.
    const seed = [...Array(50).keys()].find((s) => {
      const split = stratifiedSplit(paths.map((p) => ({ key: p.path, label: p.label })), s);
      return split.get('good/g0.png') !== split.get('scratch/copy-of-g0.png');
    }) as number;
    expect(seed).toBeDefined();
    const res = await t.app.inject({ method: 'GET', url: `/api/xai-qc/datasets/${id}/quality?seed=${seed}`, headers: viewer });
    expect(res.statusCode, res.body).toBe(200);
    const { report, cached, datasetId, computedAt } = res.json();
    expect({ cached, datasetId }).toEqual({ cached: false, datasetId: id });
    expect(report.images).toBe(19);
    expect(report.countsPerClass).toEqual({ good: 10, scratch: 9 });
    expect(report.formats).toEqual({ png: 19 });
    expect(report.sizes.distinct).toEqual([{ width: 32, height: 32, count: 19 }]);
    expect(report.split).toEqual({ source: 'drawn', seed, ratios: { train: 0.7, val: 0.15, test: 0.15 } });
    expect(report.countsPerSplit.train + report.countsPerSplit.val + report.countsPerSplit.test).toBe(19);

    expect(report.exactDuplicates).toHaveLength(1);
    expect(report.exactDuplicates[0]).toMatchObject({ labels: ['good', 'scratch'] });
    expect(report.exactDuplicates[0].members.map((m: { path: string }) => m.path)).toEqual(['good/g0.png', 'scratch/copy-of-g0.png']);
    const exactLeak = report.leakage.filter((l: { kind: string }) => l.kind === 'exact');
    expect(exactLeak).toHaveLength(1);
    expect(exactLeak[0].splits).toHaveLength(2);
    const near = report.nearDuplicates.map((g: { members: { path: string }[] }) => g.members.map((m) => m.path));
    expect(near).toContainEqual(['good/g1-noisy.png', 'good/g1.png']);
    expect(report.outliers).toContainEqual(expect.objectContaining({ path: 'good/dark.png', metric: 'brightness', direction: 'low', label: 'good' }));
    expect(report.corrupt).toEqual([expect.objectContaining({ path: 'good/broken.png' })]);
    expect(report.summary.checks).toMatchObject({
      exactDuplicates: { level: 'error', count: 1 },
      leakage: { level: 'error' },
      corrupt: { level: 'warning', count: 1 },
      outliers: { level: 'warning' },
      balance: { level: 'warning', count: 1 },
    });
    expect(report.balance).toEqual([expect.objectContaining({ rule: 'minimum', label: 'scratch', count: 9 })]);
    expect(report.summary.level).toBe('error');
    expect(await reportRows()).toBe(1);

    const again = await t.app.inject({ method: 'GET', url: `/api/xai-qc/datasets/${id}/quality?seed=${seed}`, headers: engineer });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ datasetId: id, computedAt, cached: true, report });
    expect(await reportRows()).toBe(1);

    // Another split is another report; in the same split the copy is no leak.
    const sameSeed = [...Array(50).keys()].find((s) => {
      const split = stratifiedSplit(paths.map((p) => ({ key: p.path, label: p.label })), s, { train: 0.5, val: 0.3, test: 0.2 });
      return split.get('good/g0.png') === split.get('scratch/copy-of-g0.png');
    }) as number;
    const other = await t.app.inject({ method: 'GET', url: `/api/xai-qc/datasets/${id}/quality?seed=${sameSeed}&valSplit=0.3&testSplit=0.2`, headers: viewer });
    expect(other.statusCode, other.body).toBe(200);
    expect(other.json().cached).toBe(false);
    expect(other.json().report.split).toEqual({ source: 'drawn', seed: sameSeed, ratios: { train: 0.5, val: 0.3, test: 0.2 } });
    expect(other.json().report.leakage.filter((l: { kind: string }) => l.kind === 'exact')).toEqual([]);
    expect(await reportRows()).toBe(2);
  });

  it("answers 404 for another account's dataset or none, 400 for bad split options, 401 without credentials", async () => {
    for (const [headers, url, status, code] of [
      [stranger, `/api/xai-qc/datasets/${id}/quality`, 404, 'XQC_NOT_FOUND'],
      [viewer, '/api/xai-qc/datasets/00000000-0000-4000-8000-000000000000/quality', 404, 'XQC_NOT_FOUND'],
      [viewer, `/api/xai-qc/datasets/${id}/quality?valSplit=0.6&testSplit=0.5`, 400, 'XQC_INVALID_ARGUMENT'],
      [viewer, `/api/xai-qc/datasets/${id}/quality?seed=-1`, 400, undefined],
      [viewer, `/api/xai-qc/datasets/${id}/quality?hash=md5`, 400, undefined],
      [{}, `/api/xai-qc/datasets/${id}/quality`, 401, 'XQC_UNAUTHENTICATED'],
    ] as const) {
      const res = await t.app.inject({ method: 'GET', url, headers });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(status);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      if (code) expect(res.json().code).toBe(code);
    }
  });

  it('removes the stored reports with their dataset', async () => {
    expect(await reportRows()).toBeGreaterThan(0);
    const del = await t.app.inject({ method: 'DELETE', url: `/api/xai-qc/datasets/${id}`, headers: engineer });
    expect(del.statusCode, del.body).toBe(200);
    expect(await reportRows()).toBe(0);
  });
});
