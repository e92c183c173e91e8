import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../auth/principal.ts';
import { ExplainRunner } from '../inference/explain-runner.ts';
import { ExplanationRepository } from '../repositories/explanation.repository.ts';
import { InspectionRepository } from '../repositories/inspection.repository.ts';
import { multipartBody, registerModelFolder } from '../routes/inspections.test-helpers.ts';
import type { Inspection } from '../schemas/inspection.schema.ts';
import { createTestApp } from '../test/test-app.ts';
import type { TestApp } from '../test/test-app.ts';
import { DIALECTS } from '../test/test-database.ts';
import { bearer } from '../test/test-tokens.ts';
import { explanationBlobs, ExplanationService } from './explanation.service.ts';
import type { ExplanationServiceDeps } from './explanation.service.ts';

const CLASSIFIER = fileURLToPath(new URL('../../../../models/surface-classifier/', import.meta.url));
const ACCOUNT = 'acct-svc';
const principal: Principal = { kind: 'token', subject: 'user-operator', accountId: ACCOUNT, role: 'operator' };

async function partPng(seed: number): Promise<Buffer> {
  const width = 64;
  const height = 64;
  const data = Buffer.alloc(width * height * 3);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = 90 + ((s >>> 16) % 50);
  }
  for (let y = 18; y < 36; y++) for (let x = 20; x < 40; x++) data.fill(10, (y * width + x) * 3, (y * width + x) * 3 + 3);
  return sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

describe.each(DIALECTS)('ExplanationService store and dedupe on %s', (dialect) => {
  let t: TestApp;
  let runner: ExplainRunner;
  /** Methods of every computation that reached the worker thread. */
  const runs: string[][] = [];
  let inspection: Inspection;

  beforeAll(async () => {
    // No job worker: the tests see jobs as the API left them.
    t = await createTestApp(dialect, { jobConcurrency: 0 });
    await registerModelFolder(t.app, CLASSIFIER, 'surface-classifier');
    const body = multipartBody([{ filename: 'part.png', bytes: await partPng(11) }]);
    const res = await t.app.inject({ method: 'POST', url: '/api/xai-qc/detect?model=surface-classifier', payload: body.payload, headers: { ...body.headers, ...(await bearer('operator', ACCOUNT)) } });
    expect(res.statusCode).toBe(201);
    inspection = res.json<Inspection>();
    runner = new ExplainRunner();
  });
  afterAll(async () => {
    await runner?.close();
    await t?.close();
  });

  function service(extra: Partial<ExplanationServiceDeps> = {}): ExplanationService {
    return new ExplanationService({
      repo: new ExplanationRepository(t.app.db),
      inspections: new InspectionRepository(t.app.db),
      blobs: explanationBlobs(t.app.blobs),
      runner: {
        run: (task, model, onProgress) => {
          runs.push([...task.methods]);
          return runner.run(task, model, onProgress);
        },
      },
      events: t.app.events,
      queue: t.app.jobQueue,
      inlineBudgetMs: 600_000,
      ...extra,
    });
  }

  const count = async (table: 'explanations' | 'explanation_aggregates' | 'jobs'): Promise<number> =>
    Number((await t.app.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  it('computes once, stores blobs and rows, and answers a repeated request from the store', async () => {
    const svc = service();
    runs.length = 0;
    const request = { inspectionId: inspection.id, methods: ['gradcam', 'gradxinput'], seed: 5 };
    const first = await svc.explain(principal, request);
    expect(first.kind).toBe('stored');
    expect(runs).toEqual([['gradcam', 'gradxinput']]);
    const again = await svc.explain(principal, { ...request, methods: ['gradxinput', 'gradcam'] });
    expect(runs).toHaveLength(1);
    if (first.kind !== 'stored' || again.kind !== 'stored') throw new Error('expected stored answers');
    expect(again.result.methods.map((m) => m.id)).toEqual([...first.result.methods].reverse().map((m) => m.id));
    expect(again.result.aggregate?.id).toBe(first.result.aggregate?.id);
    expect(await count('explanations')).toBe(2);
    expect(await count('explanation_aggregates')).toBe(1);
    // Every blob the rows name is stored and kept by the sweeper.
    const row = await t.app.db.selectFrom('explanations').selectAll().where('method', '=', 'gradcam').executeTakeFirstOrThrow();
    for (const sha of [row.heatmap_sha256, row.model_map_sha256, row.heatmap_png_sha256, row.overlay_sha256]) expect((await t.app.blobs.get(sha)).info.sha256).toBe(sha);
    const swept = await t.app.blobs.sweep({ graceMs: 0 });
    expect(swept.removed).not.toContain(row.heatmap_sha256);
    // Defaults given explicitly name the same stored result.
    await svc.explain(principal, { ...request, methods: ['gradxinput'], params: { gradxinput: { abs: false } } });
    expect(runs).toHaveLength(1);
  });

  it('shares one computation between concurrent identical inline asks', async () => {
    const svc = service();
    runs.length = 0;
    const request = { inspectionId: inspection.id, methods: ['saliency'], seed: 9 };
    const [a, b] = await Promise.all([svc.explain(principal, request), svc.explain(principal, request)]);
    expect(runs).toEqual([['saliency']]);
    if (a.kind !== 'stored' || b.kind !== 'stored') throw new Error('expected stored answers');
    expect(a.result.methods[0].id).toBe(b.result.methods[0].id);
  });

  it('gives concurrent identical slow asks one job (dedupe key) and computes nothing in the request', async () => {
    const svc = service();
    runs.length = 0;
    const jobsBefore = await count('jobs');
    const request = { inspectionId: inspection.id, methods: ['rise'], params: { rise: { masks: 16 } }, seed: 2 };
    const [a, b] = await Promise.all([svc.explain(principal, request), svc.explain(principal, request)]);
    if (a.kind !== 'job' || b.kind !== 'job') throw new Error('expected jobs');
    expect(a.job.id).toBe(b.job.id);
    expect(a.job).toMatchObject({ name: 'explain', status: 'queued', accountId: ACCOUNT });
    expect(a.pending).toEqual(['rise']);
    expect(await count('jobs')).toBe(jobsBefore + 1);
    expect(runs).toEqual([]);
    // What the job handler runs: computes, stores, and a second compute reads the store.
    const done = await svc.compute(ACCOUNT, a.job.payload as typeof request, { jobId: a.job.id });
    expect(done.methods[0]).toMatchObject({ method: 'rise', jobId: a.job.id });
    await svc.compute(ACCOUNT, a.job.payload as typeof request, { jobId: a.job.id });
    expect(runs).toEqual([['rise']]);
    await t.app.jobQueue.cancel(ACCOUNT, a.job.id);
  });

  it('turns an inline request that overruns its budget into a job, whose handler takes over the computation instead of repeating it', async () => {
    const svc = service({ inlineBudgetMs: 0 });
    runs.length = 0;
    const before = await count('explanations');
    const answer = await svc.explain(principal, { inspectionId: inspection.id, methods: ['gradcampp'], seed: 1 });
    if (answer.kind !== 'job') throw new Error('expected a job');
    expect(answer.pending).toEqual(['gradcampp']);
    // The job handler's own service instance, as jobs/handlers/explain.job.ts builds it.
    const done = await service().compute(ACCOUNT, answer.job.payload as { inspectionId: string; methods: string[] }, { jobId: answer.job.id });
    expect(runs).toEqual([['gradcampp']]);
    expect(done.methods[0].method).toBe('gradcampp');
    expect(await count('explanations')).toBe(before + 1);
    await t.app.jobQueue.cancel(ACCOUNT, answer.job.id);
  });

  it('stores quality figures when the reviewed-mask seam returns a mask, and none without', async () => {
    const mask = await sharp(Buffer.from(Array.from({ length: 64 * 64 }, (_, i) => (Math.floor(i / 64) >= 18 && Math.floor(i / 64) < 36 && i % 64 >= 20 && i % 64 < 40 ? 255 : 0))), { raw: { width: 64, height: 64, channels: 1 } })
      .png()
      .toBuffer();
    const seen: string[] = [];
    const svc = service({
      groundTruthMask: async (accountId, inspectionId) => {
        seen.push(`${accountId}/${inspectionId}`);
        return mask;
      },
    });
    const answer = await svc.explain(principal, { inspectionId: inspection.id, methods: ['gradcam'], seed: 42 });
    if (answer.kind !== 'stored') throw new Error('expected a stored answer');
    expect(seen).toEqual([`${ACCOUNT}/${inspection.id}`]);
    expect(answer.result.methods[0].quality).toMatchObject({ pointingHit: expect.any(Boolean), energyInMask: expect.any(Number) });
    const plain = await service().explain(principal, { inspectionId: inspection.id, methods: ['gradcam'], seed: 43 });
    if (plain.kind !== 'stored') throw new Error('expected a stored answer');
    expect(plain.result.methods[0].quality).toBeNull();
  });
});
