import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../auth/principal.ts';
import { DatasetQualityRepository } from '../repositories/dataset-quality.repository.ts';
import { DatasetRepository } from '../repositories/dataset.repository.ts';
import { classificationFiles, uploadDataset } from '../routes/datasets.test-helpers.ts';
import { zipOf } from '../test/archive-fixtures.ts';
import { createTestApp } from '../test/test-app.ts';
import type { TestApp } from '../test/test-app.ts';
import { bearer } from '../test/test-tokens.ts';
import { QualityMeasurer } from './dataset-quality-compute.ts';
import type { QualityFile } from './dataset-quality-compute.ts';
import { DatasetQualityService } from './dataset-quality.service.ts';

describe('DatasetQualityService on sqlite', () => {
  let t: TestApp;
  let id: string;
  const principal: Principal = { kind: 'token', subject: 'user-engineer', accountId: 'acct-test', role: 'engineer' };

  beforeAll(async () => {
    t = await createTestApp('sqlite', { jobConcurrency: 0 });
    const zip = await zipOf((await classificationFiles(6, 12)).map((f) => ({ path: f.path, data: f.data })));
    const res = await uploadDataset(t.app, await bearer('engineer'), zip);
    expect(res.statusCode, res.body).toBe(201);
    id = res.json().dataset.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('measures once for concurrent requests of one report, reports a stored file that no longer decodes as corrupt, and answers later requests from the store', async () => {
    let starts = 0;
    let measured = 0;
    const service = new DatasetQualityService({
      datasets: new DatasetRepository(t.app.db),
      reports: new DatasetQualityRepository(t.app.db),
      blob: async (sha256) => (await t.app.blobs.get(sha256)).bytes,
      measurer: async () => {
        starts++;
        const m = await QualityMeasurer.start();
        return {
          measure: async (files: QualityFile[]) => {
            measured += files.length;
            return (await m.measure(files)).map((r) => (r.path === 'good/g2.png' ? { path: r.path, ok: false as const, reason: 'simulated decode failure' } : r));
          },
          close: () => m.close(),
        };
      },
    });
    const [a, b] = await Promise.all([service.get(principal, id, { seed: 3 }), service.get(principal, id, { seed: 3 })]);
    expect(starts).toBe(1);
    expect(measured).toBe(12);
    expect(b).toEqual(a);
    expect(a.cached).toBe(false);
    expect(a.report.images).toBe(11);
    expect(a.report.corrupt).toEqual([{ path: 'good/g2.png', reason: 'simulated decode failure' }]);
    expect(a.report.split).toMatchObject({ source: 'drawn', seed: 3 });
    const later = await service.get(principal, id, { seed: 3 });
    expect(later).toEqual({ ...a, cached: true });
    expect(starts).toBe(1);
    await expect(service.get({ ...principal, accountId: 'acct-other' }, id, { seed: 3 })).rejects.toMatchObject({ status: 404, code: 'XQC_NOT_FOUND' });
  });
});
