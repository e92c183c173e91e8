import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../app.ts';
import { loadConfig } from '../config/load-config.ts';
import type { XqcEvent } from '../events/event-bus.ts';
import { zipOf } from '../test/archive-fixtures.ts';
import { createTestApp } from '../test/test-app.ts';
import type { TestApp } from '../test/test-app.ts';
import { bearer } from '../test/test-tokens.ts';
import { classificationFiles, tempFolders, uploadDataset } from './datasets.test-helpers.ts';

/** The smallest network the core trains: compact ResNet of width 4 and one stage on 16-pixel images, no augmentation. */
const TINY = { batchSize: 4, width: 4, depth: 1, size: 16, valSplit: 0.25, testSplit: 0.25, augment: false, threads: 1 };

const TERMINAL = ['succeeded', 'failed', 'cancelled'];

/** Polls GET /runs/:id until the run's job ended (at most `ms`). */
async function settled(app: App, headers: Record<string, string>, id: string, ms = 60_000): Promise<Record<string, unknown>> {
  const until = Date.now() + ms;
  for (;;) {
    const res = await app.inject({ method: 'GET', url: `/api/xai-qc/runs/${id}`, headers });
    const run = res.json() as Record<string, unknown>;
    if (TERMINAL.includes(run.status as string)) return run;
    if (Date.now() > until) throw new Error(`run ${id} did not end within ${ms} ms: ${res.body.slice(0, 400)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('run routes on sqlite', () => {
  let t: TestApp;
  let engineer: Record<string, string>;
  let stranger: Record<string, string>;
  let datasetId: string;
  let manifestHash: string;
  const events: XqcEvent[] = [];
  const mlflowCalls: { method: string; url: string; body: string }[] = [];
  let mlflow: ReturnType<typeof createServer>;
  let unsubscribe: () => void;

  beforeAll(async () => {
    // A minimal MLflow tracking server that records the REST calls it receives (as core's run-training test).
    mlflow = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('latin1')));
      req.on('end', () => {
        mlflowCalls.push({ method: req.method ?? '', url: req.url ?? '', body });
        res.setHeader('content-type', 'application/json');
        if (req.url?.startsWith('/api/2.0/mlflow/experiments/get-by-name')) {
          res.statusCode = 404;
          res.end('{"error_code":"RESOURCE_DOES_NOT_EXIST"}');
        } else if (req.url === '/api/2.0/mlflow/experiments/create') res.end('{"experiment_id":"7"}');
        else if (req.url === '/api/2.0/mlflow/runs/create') res.end('{"run":{"info":{"run_id":"r1"}}}');
        else res.end('{}');
      });
    });
    await new Promise<void>((r) => mlflow.listen(0, '127.0.0.1', r));
    const uri = `http://127.0.0.1:${(mlflow.address() as AddressInfo).port}`;
    t = await createTestApp('sqlite', { jobConcurrency: 1, mlflow: { trackingUri: uri, experiment: 'xqc-test' } });
    engineer = await bearer('engineer');
    stranger = await bearer('admin', 'acct-other', 'user-other');
    unsubscribe = t.app.events.subscribe('acct-test', (e) => events.push(e));
    const zip = await zipOf((await classificationFiles(8, 16)).map((f) => ({ path: f.path, data: f.data })));
    const up = await uploadDataset(t.app, engineer, zip, { name: 'tiny' });
    expect(up.statusCode, up.body).toBe(201);
    datasetId = up.json().dataset.id;
    manifestHash = up.json().dataset.manifestHash;
  });
  afterAll(async () => {
    unsubscribe?.();
    await t?.close();
    await new Promise((r) => mlflow?.close(r));
  });

  it('reads MLFLOW_TRACKING_URI and MLFLOW_EXPERIMENT_NAME into the config', () => {
    expect(loadConfig({}).mlflow).toBeUndefined();
    expect(loadConfig({ MLFLOW_TRACKING_URI: 'http://mlflow:5000', MLFLOW_EXPERIMENT_NAME: 'line-3' }).mlflow).toEqual({ trackingUri: 'http://mlflow:5000', experiment: 'line-3' });
    expect(() => loadConfig({ MLFLOW_TRACKING_URI: 'ftp://x' })).toThrow(/MLFLOW_TRACKING_URI/);
  });

  it('refuses bad requests: unknown parameters, fields of the other kind, a layout the task cannot read, another account', async () => {
    const post = (payload: unknown, headers = engineer) => t.app.inject({ method: 'POST', url: '/api/xai-qc/runs', headers, payload: payload as Record<string, unknown> });
    const base = { kind: 'train', task: 'classify', datasetId, modelName: 'tiny-classifier' };
    const cases: [string, unknown, number, string][] = [
      ['unknown parameter', { ...base, params: { epochs: 1, momentum: 0.9 } }, 400, 'XQC_VALIDATION'],
      ['epochs out of range', { ...base, params: { epochs: 0 } }, 400, 'XQC_VALIDATION'],
      ['splits leave nothing', { ...base, params: { valSplit: 0.6, testSplit: 0.5 } }, 400, 'XQC_INVALID_ARGUMENT'],
      ['train without task', { kind: 'train', datasetId, modelName: 'x' }, 400, 'XQC_INVALID_ARGUMENT'],
      ['evaluate without version', { kind: 'evaluate', datasetId }, 400, 'XQC_INVALID_ARGUMENT'],
      ['segment on classification folders', { ...base, task: 'segment' }, 422, 'XQC_DATASET_TASK_MISMATCH'],
      ['unknown dataset', { ...base, datasetId: '00000000-0000-4000-8000-000000000000' }, 404, 'XQC_NOT_FOUND'],
    ];
    for (const [what, payload, status, code] of cases) {
      const res = await post(payload);
      expect(res.statusCode, `${what}: ${res.body}`).toBe(status);
      if (code !== 'XQC_VALIDATION') expect(res.json().code, what).toBe(code);
    }
    const theirs = await post(base, stranger);
    expect(theirs.statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/api/xai-qc/runs', headers: engineer })).json().items).toEqual([]);
  });

  it('trains a classifier end to end in a worker thread: epochs as events, an inactive version with card and figures, mirrored to MLflow; then evaluates it', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/xai-qc/runs',
      headers: engineer,
      payload: { kind: 'train', task: 'classify', datasetId, modelName: 'tiny-classifier', version: '0.1.0-tiny', params: { ...TINY, epochs: 2 } },
    });
    expect(res.statusCode, res.body).toBe(202);
    const run = await settled(t.app, engineer, res.json().id);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    expect(run).toMatchObject({ kind: 'train', task: 'classify', datasetHash: manifestHash, modelName: 'tiny-classifier', mlflowRunId: 'r1', progress: 1 });
    expect((run.epochs as { epoch: number }[]).map((e) => e.epoch)).toEqual([1, 2]);
    expect((run.artifacts as { name: string }[]).map((a) => a.name)).toEqual(['dataset_card.yaml', 'metrics.json', 'run.json', 'training-curves.svg']);
    expect(run.metrics).toMatchObject({ bestEpoch: expect.any(Number), history: [{ epoch: 1 }, { epoch: 2 }], test: { count: 4 } });

    const version = await t.app.modelRegistry.resolve(undefined, run.resultVersionId as string);
    expect(version.view).toMatchObject({ modelName: 'tiny-classifier', version: '0.1.0-tiny', active: false, task: 'classify' });
    expect(version.card.dataset?.hash).toBe(manifestHash);
    expect(version.card.labels).toEqual(['good', 'scratch']);
    const svg = await t.app.inject({ method: 'GET', url: `/api/xai-qc/runs/${run.id}/artifacts/training-curves.svg`, headers: engineer });
    expect(svg.headers['content-type']).toMatch(/image\/svg\+xml/);
    expect(svg.body).toContain('<polyline');

    const epochEvents = events.filter((e) => e.type === 'run.epoch');
    expect(epochEvents.map((e) => e.data)).toEqual([
      expect.objectContaining({ runId: run.id, jobId: run.jobId, epoch: 1, epochs: 2 }),
      expect.objectContaining({ runId: run.id, jobId: run.jobId, epoch: 2, epochs: 2 }),
    ]);
    expect(events.some((e) => e.type === 'job.progress' && e.data.jobId === run.jobId)).toBe(true);

    const urls = mlflowCalls.map((c) => `${c.method} ${c.url.split('?')[0]}`);
    expect(urls).toEqual(expect.arrayContaining(['POST /api/2.0/mlflow/runs/create', 'POST /api/2.0/mlflow/runs/log-batch', 'PUT /api/2.0/mlflow-artifacts/artifacts/7/r1/artifacts/model.onnx', 'POST /api/2.0/mlflow/runs/update']));
    const logged = mlflowCalls.filter((c) => c.url === '/api/2.0/mlflow/runs/log-batch').flatMap((c) => (JSON.parse(c.body) as { metrics: { key: string; step: number }[] }).metrics);
    expect(logged.filter((m) => m.key === 'train_loss').map((m) => m.step)).toEqual([1, 2]);

    const evalRes = await t.app.inject({ method: 'POST', url: '/api/xai-qc/runs', headers: engineer, payload: { kind: 'evaluate', datasetId, modelVersionId: run.resultVersionId } });
    expect(evalRes.statusCode, evalRes.body).toBe(202);
    const evaluated = await settled(t.app, engineer, evalRes.json().id);
    expect(evaluated.status, JSON.stringify(evaluated.error)).toBe('succeeded');
    expect(evaluated).toMatchObject({ kind: 'evaluate', task: 'classify', sourceVersionId: run.resultVersionId, modelName: 'tiny-classifier', resultVersionId: null });
    expect(evaluated.metrics).toMatchObject({ task: 'classify', split: 'all', datasetHash: manifestHash, report: { count: 16, accuracy: expect.any(Number) } });
    expect((evaluated.artifacts as { name: string }[]).map((a) => a.name)).toEqual(['metrics.json']);
    expect(tempFolders(t.config.dataDir)).toEqual([]);

    const list = await t.app.inject({ method: 'GET', url: `/api/xai-qc/runs?datasetId=${datasetId}&kind=train`, headers: engineer });
    expect(list.json().items.map((r: { id: string }) => r.id)).toEqual([run.id]);
    expect((await t.app.inject({ method: 'GET', url: `/api/xai-qc/runs/${run.id}`, headers: stranger })).statusCode).toBe(404);
  });

  it('fits an anomaly detector (PatchCore on the demo backbone) on an anomalib folder dataset as an inactive version', async () => {
    const files = await classificationFiles(8, 32);
    const zip = await zipOf(files.map((f) => ({ path: f.path, data: f.data })));
    const up = await uploadDataset(t.app, engineer, zip, { name: 'anomalib', format: 'anomaly' });
    expect(up.statusCode, up.body).toBe(201);
    expect(up.json().dataset).toMatchObject({ format: 'anomaly', stats: { countsPerClass: { good: 8, scratch: 8 } } });
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/xai-qc/runs',
      headers: engineer,
      payload: { kind: 'train', task: 'anomaly', datasetId: up.json().dataset.id, modelName: 'tiny-anomaly', params: { size: 32, valSplit: 0.25, testSplit: 0.25, threads: 1 } },
    });
    expect(res.statusCode, res.body).toBe(202);
    const run = await settled(t.app, engineer, res.json().id);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    expect(run).toMatchObject({ task: 'anomaly', sourceVersionId: null, mlflowRunId: null, metrics: { thresholds: expect.any(Object), bank: { size: expect.any(Number) } } });
    const version = await t.app.modelRegistry.resolve(undefined, run.resultVersionId as string);
    expect(version.view).toMatchObject({ modelName: 'tiny-anomaly', task: 'anomaly', active: false });
    expect(version.view.files.map((f) => f.name).sort()).toEqual(['anomaly.json', 'bank.npy', 'features.onnx', 'model.onnx', 'model_card.yaml']);
  });

  describe('anomaly methods (patchcore, simulated, auto)', () => {
    let anomalyId: string;
    const post = (params: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      t.app.inject({ method: 'POST', url: '/api/xai-qc/runs', headers: engineer, payload: { kind: 'train', task: 'anomaly', datasetId: anomalyId, modelName: 'tiny-simulated-run', params, ...extra } });

    beforeAll(async () => {
      const zip = await zipOf((await classificationFiles(8, 32)).map((f) => ({ path: f.path, data: f.data })));
      const up = await uploadDataset(t.app, engineer, zip, { name: 'anomalib-simulated', format: 'anomaly' });
      // 200 when the PatchCore test above uploaded the same archive first (deduplicated).
      expect([200, 201], up.body).toContain(up.statusCode);
      anomalyId = up.json().dataset.id;
    });

    it('refuses a bad method or budget, and options of the other method, with stable codes', async () => {
      const cases: [string, Record<string, unknown>, Record<string, unknown>, string][] = [
        ['unknown method', { method: 'draem' }, {}, 'XQC_VALIDATION'],
        ['zero budget', { method: 'simulated', timeBudgetSeconds: 0 }, {}, 'XQC_VALIDATION'],
        ['negative budget', { method: 'auto', timeBudgetSeconds: -5 }, {}, 'XQC_VALIDATION'],
        ['budget over a day', { method: 'simulated', timeBudgetSeconds: 86_401 }, {}, 'XQC_VALIDATION'],
        ['budget as text', { method: 'simulated', timeBudgetSeconds: 'soon' }, {}, 'XQC_VALIDATION'],
        ['budget with patchcore', { method: 'patchcore', timeBudgetSeconds: 60 }, {}, 'XQC_INVALID_ARGUMENT'],
        ['budget with the default method', { timeBudgetSeconds: 60 }, {}, 'XQC_INVALID_ARGUMENT'],
        ['a PatchCore option with simulated', { method: 'simulated', coreset: 0.2 }, {}, 'XQC_INVALID_ARGUMENT'],
        ['a backbone with simulated', { method: 'simulated' }, { modelVersionId: '00000000-0000-4000-8000-000000000000' }, 'XQC_INVALID_ARGUMENT'],
        ['one crop per step with simulated', { method: 'simulated', batchSize: 1 }, {}, 'XQC_INVALID_ARGUMENT'],
      ];
      for (const [what, params, extra, code] of cases) {
        const res = await post(params, extra);
        expect(res.statusCode, `${what}: ${res.body}`).toBe(400);
        if (code !== 'XQC_VALIDATION') expect(res.json().code, what).toBe(code);
      }
      const classify = await t.app.inject({ method: 'POST', url: '/api/xai-qc/runs', headers: engineer, payload: { kind: 'train', task: 'classify', datasetId, modelName: 'x', params: { method: 'simulated' } } });
      expect(classify.statusCode, classify.body).toBe(400);
      expect(classify.json().code).toBe('XQC_INVALID_ARGUMENT');
      await expect(t.app.modelRegistry.findModel('tiny-simulated-run')).rejects.toMatchObject({ status: 404 });
    });

    it('fits the simulated method within its budget: method in the metrics, network.onnx registered, the version evaluates', async () => {
      const res = await post({ method: 'simulated', timeBudgetSeconds: 2, width: 4, depth: 2, batchSize: 2, valSplit: 0.25, testSplit: 0.25, threads: 1 });
      expect(res.statusCode, res.body).toBe(202);
      const run = await settled(t.app, engineer, res.json().id);
      expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
      expect(run).toMatchObject({ task: 'anomaly', sourceVersionId: null, params: { params: { method: 'simulated', timeBudgetSeconds: 2 } } });
      expect(run.metrics).toMatchObject({ method: 'simulated', choice: null, thresholds: expect.any(Object), training: { steps: expect.any(Number), stoppedBy: 'budget' } });
      expect((run.metrics as { seconds: { total: number } }).seconds.total).toBeLessThanOrEqual(2 + 1);
      const record = await t.app.inject({ method: 'GET', url: `/api/xai-qc/runs/${run.id}/artifacts/run.json`, headers: engineer });
      expect(record.json()).toMatchObject({ method: 'simulated', params: { timeBudgetSeconds: 2 } });
      const version = await t.app.modelRegistry.resolve(undefined, run.resultVersionId as string);
      expect(version.view).toMatchObject({ modelName: 'tiny-simulated-run', task: 'anomaly', active: false });
      expect(version.view.files.map((f) => f.name).sort()).toEqual(['anomaly.json', 'model.onnx', 'model_card.yaml', 'network.onnx']);
      expect(version.card.training).toMatchObject({ method: 'simulated' });

      const evalRes = await t.app.inject({ method: 'POST', url: '/api/xai-qc/runs', headers: engineer, payload: { kind: 'evaluate', datasetId: anomalyId, modelVersionId: run.resultVersionId } });
      expect(evalRes.statusCode, evalRes.body).toBe(202);
      const evaluated = await settled(t.app, engineer, evalRes.json().id);
      expect(evaluated.status, JSON.stringify(evaluated.error)).toBe('succeeded');
      expect(evaluated.metrics).toMatchObject({ report: { count: { good: 8, defect: 8 }, imageAuroc: expect.any(Number) } });
      expect(tempFolders(t.config.dataDir)).toEqual([]);
    });

    it('auto records its choice and why: with a budget too short for the simulated fit, PatchCore is kept', async () => {
      const res = await post({ method: 'auto', timeBudgetSeconds: 10, size: 32, valSplit: 0.25, testSplit: 0.25, threads: 1 }, { modelName: 'tiny-auto-run' });
      expect(res.statusCode, res.body).toBe(202);
      const run = await settled(t.app, engineer, res.json().id);
      expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
      const metrics = run.metrics as { method: string; choice: { requested: string; chosen: string; reason: string; candidates: { method: string; fitted: boolean }[]; budget: { seconds: number } } };
      expect(metrics).toMatchObject({ method: 'patchcore', bank: { size: expect.any(Number) } });
      expect(metrics.choice).toMatchObject({ requested: 'auto', chosen: 'patchcore', budget: { seconds: 10 } });
      expect(metrics.choice.reason).toMatch(/simulated not fitted/);
      expect(metrics.choice.candidates.map((c) => [c.method, c.fitted])).toEqual([['patchcore', true], ['simulated', false]]);
      const version = await t.app.modelRegistry.resolve(undefined, run.resultVersionId as string);
      expect(version.view.files.map((f) => f.name).sort()).toEqual(['anomaly.json', 'bank.npy', 'features.onnx', 'model.onnx', 'model_card.yaml']);
    });

    it('stops a simulated fit between steps when its job is cancelled', async () => {
      const res = await post({ method: 'simulated', timeBudgetSeconds: 600, width: 4, depth: 2, batchSize: 2, valSplit: 0.25, testSplit: 0.25, threads: 1 }, { modelName: 'never-simulated' });
      expect(res.statusCode, res.body).toBe(202);
      const { id, jobId } = res.json() as { id: string; jobId: string };
      const until = Date.now() + 60_000;
      while (!events.some((e) => e.type === 'job.progress' && e.data.jobId === jobId && /^train: step \d+, about \d+ s left$/.test(String(e.data.message)))) {
        if (Date.now() > until) throw new Error('no training step within 60 s');
        await new Promise((r) => setTimeout(r, 50));
      }
      const cancel = await t.app.inject({ method: 'POST', url: `/api/xai-qc/jobs/${jobId}/cancel`, headers: engineer });
      expect(cancel.statusCode, cancel.body).toBe(200);
      const run = await settled(t.app, engineer, id, 60_000);
      expect(run.status).toBe('cancelled');
      expect(run.resultVersionId).toBeNull();
      // Ended within the 60 s of settled(), long before its 600 s budget; that the worker stops by itself
      // at the next step (not killed after its grace) is run-worker-anomaly.test.ts's.
      await expect(t.app.modelRegistry.findModel('never-simulated')).rejects.toMatchObject({ status: 404 });
      expect(tempFolders(t.config.dataDir)).toEqual([]);
    });
  });

  it('stops a training run between steps when its job is cancelled: no version, the job ends cancelled', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/xai-qc/runs',
      headers: engineer,
      payload: { kind: 'train', task: 'classify', datasetId, modelName: 'never-finished', params: { ...TINY, epochs: 1000 } },
    });
    expect(res.statusCode, res.body).toBe(202);
    const { id, jobId } = res.json() as { id: string; jobId: string };
    const until = Date.now() + 60_000;
    while (!events.some((e) => e.type === 'run.epoch' && e.data.runId === id)) {
      if (Date.now() > until) throw new Error('no epoch within 60 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    const cancel = await t.app.inject({ method: 'POST', url: `/api/xai-qc/jobs/${jobId}/cancel`, headers: engineer });
    expect(cancel.statusCode, cancel.body).toBe(200);
    const run = await settled(t.app, engineer, id, 60_000);
    expect(run.status).toBe('cancelled');
    expect(run.resultVersionId).toBeNull();
    expect((run.epochs as unknown[]).length).toBeLessThan(1000);
    await expect(t.app.modelRegistry.findModel('never-finished')).rejects.toMatchObject({ status: 404 });
    expect(tempFolders(t.config.dataDir)).toEqual([]);
  });
});
