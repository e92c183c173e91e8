import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../data/generate-dataset.ts';
import { readModelCard } from '../models/card.ts';
import { loadModelFile } from '../onnx/model-io.ts';
import { runTraining } from './run-training.ts';
import type { RunRecord } from './run-training.ts';

let dir: string;
const calls: { method: string; url: string; body: string }[] = [];
let server: ReturnType<typeof createServer>;
let uri: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xqc-run-'));
  await generateDataset({ kind: 'surface', count: 80, seed: 2, out: join(dir, 'data'), format: 'classification', size: 32 });
  // A corrupt file among the images must be reported and skipped.
  await writeFile(join(dir, 'data', 'good', 'broken.png'), Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0]));
  // A minimal MLflow tracking server that records the REST calls it receives.
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      calls.push({ method: req.method ?? '', url: req.url ?? '', body });
      res.setHeader('content-type', 'application/json');
      if (req.url?.startsWith('/api/2.0/mlflow/experiments/get-by-name')) {
        res.statusCode = 404;
        res.end('{"error_code":"RESOURCE_DOES_NOT_EXIST"}');
      } else if (req.url === '/api/2.0/mlflow/experiments/create') res.end('{"experiment_id":"7"}');
      else if (req.url === '/api/2.0/mlflow/runs/create') res.end('{"run":{"info":{"run_id":"r1"}}}');
      else res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('runTraining', () => {
  it('trains from a folder, skips corrupt files, writes model, cards and run.json, mirrors to MLflow', async () => {
    const out = join(dir, 'model');
    const record = await runTraining({
      data: join(dir, 'data'), out, task: 'classify', epochs: 2, batchSize: 8, width: 4, depth: 2, size: 32, threads: 1,
      codeVersion: 'test', mlflow: { trackingUri: uri, experiment: 'xqc-test' },
    });
    expect(record.dataset.skipped.map((s) => s.path)).toContain('good/broken.png');
    expect(record.history).toHaveLength(2);
    const onDisk = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as RunRecord;
    expect(onDisk.dataset.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(onDisk.mlflowRunId).toBe('r1');
    const card = await readModelCard(join(out, 'model_card.yaml'));
    expect(card.task).toBe('classify');
    expect(card.labels).toEqual(record.params.labels);
    expect(card.dataset?.hash).toBe(onDisk.dataset.hash);
    expect((card.metrics as { accuracy: number }).accuracy).toBeCloseTo((record.test as { accuracy: number }).accuracy, 4);
    expect(card.explain.layer).toBeTruthy();
    const model = await loadModelFile(join(out, 'model.onnx'));
    expect(model.graph.outputs[0].name).toBe('logits');
    const urls = calls.map((c) => `${c.method} ${c.url.split('?')[0]}`);
    expect(urls).toEqual(expect.arrayContaining([
      'GET /api/2.0/mlflow/experiments/get-by-name',
      'POST /api/2.0/mlflow/experiments/create',
      'POST /api/2.0/mlflow/runs/create',
      'POST /api/2.0/mlflow/runs/log-batch',
      'PUT /api/2.0/mlflow-artifacts/artifacts/7/r1/artifacts/model.onnx',
      'POST /api/2.0/mlflow/runs/update',
    ]));
    const update = calls.find((c) => c.url === '/api/2.0/mlflow/runs/update');
    expect(JSON.parse(update?.body ?? '{}').status).toBe('FINISHED');
  });

  it('an empty folder is a coded error and writes nothing', async () => {
    const out = join(dir, 'none');
    await expect(runTraining({ data: join(dir, 'empty-does-not-exist'), out, task: 'classify' })).rejects.toMatchObject({ code: expect.stringMatching(/XQC_(DATASET_INVALID|IO)/) });
    await expect(readFile(join(out, 'model.onnx'))).rejects.toThrow();
  });
});
