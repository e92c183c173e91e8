/**
 * What /detect records for monitoring, on both engines: the signal columns of each stored
 * inspection (none with `XQC_SIGNALS=off`), a detect_failures row for a request whose
 * model fails (none for an image that does not decode: the client's fault), and an
 * `errorRate` alert rule reading them.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '@xai-qc/core';
import type { Role } from '../auth/principal.ts';
import type { EmbeddedJobQueue } from '../jobs/embedded-queue.ts';
import type { JobHandlers } from '../jobs/job-queue.ts';
import { buildJobHandlers } from '../jobs/register-jobs.ts';
import { SignalRepository } from '../repositories/signal.repository.ts';
import type { AlertRule } from '../schemas/alert.schema.ts';
import type { Inspection } from '../schemas/inspection.schema.ts';
import { createTestApp } from '../test/test-app.ts';
import type { TestApp } from '../test/test-app.ts';
import { DIALECTS } from '../test/test-database.ts';
import { bearer } from '../test/test-tokens.ts';
import { multipartBody, registerModelFolder } from './inspections.test-helpers.ts';

const MODELS = fileURLToPath(new URL('../../../../models/', import.meta.url));
const API = '/api/xai-qc';
const ACCOUNT = 'acct-sig1';

async function png(seed: number, gray = false): Promise<Uint8Array> {
  const channels = gray ? 1 : 3;
  const data = new Uint8Array(32 * 24 * channels);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = 80 + ((s >>> 16) % 90);
  }
  return encodePng({ width: 32, height: 24, channels, data });
}

async function count(t: TestApp, table: 'inspection_signals' | 'detect_failures' | 'inspections'): Promise<number> {
  // The signals are columns of the inspection row (migration 0015): the inspections that have them.
  if (table === 'inspection_signals') return new SignalRepository(t.app.db).count(ACCOUNT);
  const r = await t.app.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

async function detect(t: TestApp, model: string, bytes: Uint8Array) {
  const body = multipartBody([{ filename: 'x.png', bytes }]);
  return t.app.inject({ method: 'POST', url: `${API}/detect?model=${model}`, payload: body.payload, headers: { ...body.headers, ...(await bearer('operator', ACCOUNT, `operator-${ACCOUNT}`)) } });
}

describe.each(DIALECTS)('signals and failures of /detect on %s', (dialect) => {
  let t: TestApp;
  let handlers: JobHandlers;
  let brokenDir: string;
  const auth = (role: Role) => bearer(role, ACCOUNT, `${role}-${ACCOUNT}`);

  beforeAll(async () => {
    t = await createTestApp(dialect, { jobConcurrency: 0, monitorIntervalMs: 0 });
    await registerModelFolder(t.app, `${MODELS}surface-classifier`, 'surface-classifier');
    // The demo card with bytes that are no ONNX model: every request to it fails in the model.
    brokenDir = mkdtempSync(join(tmpdir(), 'xqc-broken-model-'));
    copyFileSync(`${MODELS}surface-classifier/model_card.yaml`, join(brokenDir, 'model_card.yaml'));
    writeFileSync(join(brokenDir, 'model.onnx'), Buffer.from('not an onnx model'));
    await registerModelFolder(t.app, brokenDir, 'broken-classifier');
    handlers = buildJobHandlers({ db: t.app.db, blobs: t.app.blobs, events: t.app.events, registry: t.app.modelRegistry, config: t.config, log: t.app.log });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    rmSync(brokenDir, { recursive: true, force: true });
  });

  it('stores the signals of each inspection with it; a gray image has its mean in every channel', async () => {
    const res = await detect(t, 'surface-classifier', await png(3, true));
    expect(res.statusCode, res.body).toBe(201);
    const insp = res.json<Inspection>();
    const row = await new SignalRepository(t.app.db).ofInspection(ACCOUNT, insp.id);
    if (!row) throw new Error('no signals stored');
    expect(row).toMatchObject({ account_id: ACCOUNT, model_version: '1.0.0', width: 32, height: 24, saturation: 0, created_at: insp.createdAt });
    expect(Number(row.mean_r)).toBeCloseTo(Number(row.brightness), 9);
    expect([Number(row.mean_g), Number(row.mean_b)]).toEqual([Number(row.mean_r), Number(row.mean_r)]);
    expect(Number(row.defect_score)).toBeCloseTo(insp.defectScore, 12);
    expect(Number(row.latency_ms)).toBeCloseTo(insp.latency.totalMs as number, 6);
    const del = await t.app.inject({ method: 'DELETE', url: `${API}/inspections/${insp.id}`, headers: await auth('admin') });
    expect(del.statusCode).toBe(204);
    expect(await count(t, 'inspection_signals')).toBe(0);
  });

  it('logs a request whose model fails, not one whose image does not decode', async () => {
    const broken = await detect(t, 'broken-classifier', await png(4));
    expect(broken.statusCode).toBeGreaterThanOrEqual(400);
    const failures = await t.app.db.selectFrom('detect_failures').selectAll().execute();
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ account_id: ACCOUNT, model_name: 'broken-classifier', model_version: '1.0.0', status: broken.statusCode, code: broken.json<{ code: string }>().code });
    const truncated = await detect(t, 'surface-classifier', (await png(5)).subarray(0, 120));
    expect(truncated.statusCode).toBe(422);
    expect(truncated.json()).toMatchObject({ code: 'XQC_IMAGE_INVALID' });
    expect(await count(t, 'detect_failures')).toBe(1);
    expect(await count(t, 'inspection_signals')).toBe(0);
  });

  it('fires an errorRate rule: failed over failed plus stored requests of the model', async () => {
    for (const model of ['broken-classifier', 'surface-classifier', 'surface-classifier', 'surface-classifier']) await detect(t, model, await png(6));
    const make = async (model: string) =>
      t.app.inject({ method: 'POST', url: `${API}/alert-rules`, payload: { name: `errors of ${model}`, metric: 'errorRate', model: { name: model }, comparator: '>', threshold: 0.1, windowMinutes: 60 }, headers: await auth('engineer') });
    expect((await make('broken-classifier')).statusCode).toBe(201);
    expect((await make('surface-classifier')).statusCode).toBe(201);
    const all = await t.app.inject({ method: 'POST', url: `${API}/alert-rules`, payload: { name: 'all errors', metric: 'errorRate', comparator: '>', threshold: 0.1, windowMinutes: 60 }, headers: await auth('engineer') });
    expect(all.statusCode).toBe(201);
    expect((await t.app.inject({ method: 'POST', url: `${API}/alert-rules/evaluate`, headers: await auth('engineer') })).statusCode).toBe(202);
    while ((await (t.app.jobQueue as EmbeddedJobQueue).runOnce(handlers)) !== undefined);
    const rules = (await t.app.inject({ method: 'GET', url: `${API}/alert-rules`, headers: await auth('engineer') })).json<{ items: AlertRule[] }>().items;
    const byName = Object.fromEntries(rules.map((r) => [r.name, r.state]));
    // broken: 2 failures, 0 stored; surface: 3 stored (the deleted one is gone), 0 failures; all: 2 / 5.
    expect(byName['errors of broken-classifier']).toMatchObject({ lastValue: 1, firing: true });
    expect(byName['errors of surface-classifier']).toMatchObject({ lastValue: 0, firing: false });
    expect(byName['all errors'].lastValue).toBeCloseTo(2 / 5, 12);
  });
});

describe('XQC_SIGNALS=off', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite', { signals: false, monitorIntervalMs: 0 });
    await registerModelFolder(t.app, `${MODELS}surface-classifier`, 'surface-classifier');
  }, 60_000);
  afterAll(async () => t?.close());

  it('stores the inspection and no signals', async () => {
    expect((await detect(t, 'surface-classifier', await png(7))).statusCode).toBe(201);
    expect(await count(t, 'inspections')).toBe(1);
    expect(await count(t, 'inspection_signals')).toBe(0);
  });
});
