/**
 * Monitors end to end on both engines, with the surface-classifier demo model: bad input
 * (unknown signal, inverted range, unknown version, a dataset reference with output
 * signals, roles) stores nothing; a run with no data is a 422 from the route and an error
 * state, never a result, from the scheduler; then a stream of inspections whose brightness
 * shifts after the 40th gives no drift on brightness for unchanged windows and `drift` on
 * brightness once the current window holds the shifted images, with the `monitor.result`
 * event, the performance block (estimate before reviews, realised after), paginated results
 * and a `driftLevel` alert rule firing on the result. Jobs run with the embedded queue's
 * runOnce (no worker in the app).
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '@xai-qc/core';
import type { Role } from '../auth/principal.ts';
import type { XqcEvent } from '../events/event-bus.ts';
import type { EmbeddedJobQueue } from '../jobs/embedded-queue.ts';
import type { JobHandlers } from '../jobs/job-queue.ts';
import { buildJobHandlers } from '../jobs/register-jobs.ts';
import type { AlertRule } from '../schemas/alert.schema.ts';
import type { Inspection } from '../schemas/inspection.schema.ts';
import type { Monitor, MonitorResult } from '../schemas/monitor.schema.ts';
import { MonitorRepository } from '../repositories/monitor.repository.ts';
import { MonitorService } from '../services/monitor.service.ts';
import { SignalRepository } from '../repositories/signal.repository.ts';
import { DatasetRepository } from '../repositories/dataset.repository.ts';
import { InspectionRepository } from '../repositories/inspection.repository.ts';
import { createTestApp } from '../test/test-app.ts';
import type { TestApp } from '../test/test-app.ts';
import { DIALECTS } from '../test/test-database.ts';
import { bearer } from '../test/test-tokens.ts';
import { zipOf } from '../test/archive-fixtures.ts';
import { classificationFiles, uploadDataset } from './datasets.test-helpers.ts';
import { multipartBody, registerModelFolder } from './inspections.test-helpers.ts';

const MODELS = fileURLToPath(new URL('../../../../models/', import.meta.url));
const API = '/api/xai-qc';
const ACCOUNT = 'acct-mon1';
const OTHER = 'acct-mon2';
/** Inspections per window, and the inspection after which the lighting changes. */
const N = 20;
const CHANGE_AT = 2 * N;
/** Brightness added by the change: about three standard deviations of the images' mean. */
const SHIFT = 45;

/** A 48 x 40 RGB PNG: pixel noise around a per-image level drawn from `seed`, plus `shift`. */
async function png(seed: number, shift: number): Promise<Uint8Array> {
  let s = (seed * 2654435761) >>> 0;
  const next = (): number => {
    s = (s * 1103515245 + 12345) >>> 0;
    return (s >>> 16) / 65536;
  };
  const level = 100 + 30 * (next() + next() + next() - 1.5) + shift;
  const data = new Uint8Array(48 * 40 * 3);
  for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, Math.round(level + 40 * (next() - 0.5))));
  return encodePng({ width: 48, height: 40, channels: 3, data });
}

describe.each(DIALECTS)('monitors on %s', (dialect) => {
  let t: TestApp;
  let handlers: JobHandlers;
  const auth = (role: Role, account = ACCOUNT) => bearer(role, account, `${role}-${account}`);
  const inspections: Inspection[] = [];

  async function runDue(): Promise<number> {
    let n = 0;
    while ((await (t.app.jobQueue as EmbeddedJobQueue).runOnce(handlers)) !== undefined) n++;
    return n;
  }
  async function count(table: 'monitors' | 'monitor_results' | 'inspection_signals'): Promise<number> {
    if (table === 'inspection_signals') return new SignalRepository(t.app.db).count(ACCOUNT);
    const r = await t.app.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }
  async function detect(seed: number, shift: number): Promise<Inspection> {
    const body = multipartBody([{ filename: `m${seed}.png`, bytes: await png(seed, shift) }]);
    const res = await t.app.inject({ method: 'POST', url: `${API}/detect?model=surface-classifier`, payload: body.payload, headers: { ...body.headers, ...(await auth('operator')) } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<Inspection>();
  }
  async function create(payload: unknown, role: Role = 'engineer') {
    return t.app.inject({ method: 'POST', url: `${API}/monitors`, payload: payload as Record<string, unknown>, headers: await auth(role) });
  }
  const valid = {
    name: 'line 3 lighting',
    model: { name: 'surface-classifier', version: '1.0.0' },
    reference: { kind: 'first', count: N },
    current: { kind: 'count', count: N },
    intervalMinutes: 30,
    signals: ['brightness', 'contrast', 'sharpness', 'score', 'predictedClass', 'embedding'],
  };
  let monitor: Monitor;

  beforeAll(async () => {
    t = await createTestApp(dialect, { jobConcurrency: 0, monitorIntervalMs: 0 });
    await registerModelFolder(t.app, `${MODELS}surface-classifier`, 'surface-classifier');
    handlers = buildJobHandlers({ db: t.app.db, blobs: t.app.blobs, events: t.app.events, registry: t.app.modelRegistry, config: t.config, log: t.app.log });
  }, 60_000);
  afterAll(async () => t?.close());

  it('refuses bad configurations with stable codes and stores nothing', async () => {
    const unknown = await create({ ...valid, signals: ['brightness', 'glare'] });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ code: 'XQC_MONITOR_SIGNAL' });
    expect(unknown.json<{ detail: string }>().detail).toContain("'glare'");
    const inverted = await create({ ...valid, reference: { kind: 'range', from: '2026-12-05T10:00:00Z', to: '2026-12-05T09:00:00Z' } });
    expect(inverted.statusCode).toBe(400);
    expect(inverted.json()).toMatchObject({ code: 'XQC_INVALID_RANGE' });
    const version = await create({ ...valid, model: { name: 'surface-classifier', version: '9.9.9' } });
    expect(version.statusCode).toBe(404);
    const dataset = await create({ ...valid, reference: { kind: 'dataset', datasetId: '00000000-0000-4000-8000-000000000000' }, signals: ['brightness', 'score'] });
    expect(dataset.statusCode).toBe(400);
    expect(dataset.json()).toMatchObject({ code: 'XQC_MONITOR_SIGNAL' });
    const missingDataset = await create({ ...valid, reference: { kind: 'dataset', datasetId: '00000000-0000-4000-8000-000000000000' }, signals: ['brightness'] });
    expect(missingDataset.statusCode).toBe(404);
    const empty = await create({ ...valid, signals: [] });
    expect(empty.statusCode).toBe(400);
    const window = await create({ ...valid, current: { kind: 'count', count: 2 } });
    expect(window.statusCode).toBe(400);
    expect((await create(valid, 'operator')).statusCode).toBe(403);
    expect(await count('monitors')).toBe(0);
  });

  it('creates, lists and patches a monitor; a patch with an unknown signal changes nothing', async () => {
    const res = await create(valid);
    expect(res.statusCode, res.body).toBe(201);
    monitor = res.json<Monitor>();
    expect(monitor).toMatchObject({ name: valid.name, model: { name: 'surface-classifier', version: '1.0.0' }, reference: { kind: 'first', count: N }, current: { kind: 'count', count: N }, intervalMinutes: 30, enabled: true, state: { lastStatus: null, nextRunAt: null } });
    const listed = await t.app.inject({ method: 'GET', url: `${API}/monitors`, headers: await auth('viewer') });
    expect(listed.json<{ items: Monitor[] }>().items.map((m) => m.id)).toEqual([monitor.id]);
    const other = await t.app.inject({ method: 'GET', url: `${API}/monitors/${monitor.id}`, headers: await auth('viewer', OTHER) });
    expect(other.statusCode).toBe(404);
    const bad = await t.app.inject({ method: 'PATCH', url: `${API}/monitors/${monitor.id}`, payload: { signals: ['brightnes'] }, headers: await auth('engineer') });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'XQC_MONITOR_SIGNAL' });
    const renamed = await t.app.inject({ method: 'PATCH', url: `${API}/monitors/${monitor.id}`, payload: { name: 'lighting, line 3' }, headers: await auth('engineer') });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json<Monitor>()).toMatchObject({ name: 'lighting, line 3', signals: valid.signals });
  });

  it('answers 422 for a run without data and stores the scheduler\'s failed run as an error state, not a result', async () => {
    const res = await t.app.inject({ method: 'POST', url: `${API}/monitors/${monitor.id}/run`, headers: await auth('engineer') });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'XQC_MONITOR_NO_REFERENCE' });
    const service = new MonitorService({ repo: new MonitorRepository(t.app.db), signals: new SignalRepository(t.app.db), datasets: new DatasetRepository(t.app.db), versions: new InspectionRepository(t.app.db), readBlob: async () => new Uint8Array() });
    expect(await service.queueDue(t.app.jobQueue)).toBe(1);
    expect(await service.queueDue(t.app.jobQueue)).toBe(0);
    expect(await runDue()).toBe(1);
    const after = await t.app.inject({ method: 'GET', url: `${API}/monitors/${monitor.id}`, headers: await auth('viewer') });
    expect(after.json<Monitor>().state).toMatchObject({ lastStatus: 'error' });
    expect(after.json<Monitor>().state.lastError).toMatch(/reference window has no data/);
    expect(after.json<Monitor>().state.nextRunAt).not.toBeNull();
    expect(await count('monitor_results')).toBe(0);
  });

  it('records signals per inspection in the /detect transaction', async () => {
    for (let i = 0; i < CHANGE_AT; i++) inspections.push(await detect(i + 1, 0));
    expect(await count('inspection_signals')).toBe(CHANGE_AT);
    const row = await new SignalRepository(t.app.db).ofInspection(ACCOUNT, inspections[0].id);
    if (!row) throw new Error('no signals stored');
    expect(row).toMatchObject({ account_id: ACCOUNT, model_name: 'surface-classifier', model_version: '1.0.0', width: 48, height: 40, predicted_class: inspections[0].classIndex, uncertainty: null });
    expect(Number(row.score)).toBeCloseTo(inspections[0].score, 12);
    expect(Number(row.brightness)).toBeGreaterThan(40);
    expect(Number(row.sharpness)).toBeGreaterThan(0);
    expect(Number(row.latency_ms)).toBeGreaterThan(0);
  });

  it('finds no drift on brightness between unchanged windows, then drift once the lighting changed', async () => {
    const events: XqcEvent[] = [];
    const stop = t.app.events.subscribe(ACCOUNT, (e) => events.push(e));
    const run = async (): Promise<MonitorResult> => {
      const res = await t.app.inject({ method: 'POST', url: `${API}/monitors/${monitor.id}/run`, headers: await auth('engineer') });
      expect(res.statusCode, res.body).toBe(202);
      expect(await runDue()).toBe(1);
      const page = await t.app.inject({ method: 'GET', url: `${API}/monitors/${monitor.id}/results?limit=1`, headers: await auth('viewer') });
      return page.json<{ items: MonitorResult[] }>().items[0];
    };
    const before = await run();
    const brightness = (r: MonitorResult) => r.signals.find((s) => s.signal === 'brightness');
    expect(before).toMatchObject({ reference: { count: N }, current: { count: N } });
    expect(before.reference.from).toBe(inspections[0].createdAt);
    expect(before.current.to).toBe(inspections[CHANGE_AT - 1].createdAt);
    expect(brightness(before)?.level).toBe('none');
    expect(before.signals.map((s) => s.signal)).toEqual(['brightness', 'contrast', 'sharpness', 'score', 'predictedClass']);
    expect(before.notes.join(' ')).toMatch(/embedding: .*classify model/);
    // Estimated before any review; nothing realised yet.
    expect(before.performance).toMatchObject({ inspections: N, reviewed: 0, realised: null, estimatedOnReviewed: null, difference: null });
    expect(before.performance.estimated?.accuracy).toBeGreaterThan(0);

    for (let i = CHANGE_AT; i < CHANGE_AT + N; i++) inspections.push(await detect(i + 1, SHIFT));
    // Reviews of 5 shifted inspections: two confirmations and three overrides.
    for (const [k, insp] of inspections.slice(CHANGE_AT, CHANGE_AT + 5).entries()) {
      const agree = k < 2;
      const verdict = agree ? insp.verdict : insp.verdict === 'pass' ? 'reject' : 'pass';
      const label = agree ? insp.label : verdict === 'reject' ? (insp.labels.find((l) => l !== 'good') as string) : 'good';
      const rev = await t.app.inject({ method: 'POST', url: `${API}/inspections/${insp.id}/reviews`, payload: { verdict, label }, headers: await auth('operator') });
      expect(rev.statusCode, rev.body).toBe(201);
    }
    const after = await run();
    expect(brightness(after)?.level).toBe('drift');
    expect(after.level).toBe('drift');
    expect(after.current.from).toBe(inspections[CHANGE_AT].createdAt);
    const perf = after.performance;
    expect(perf).toMatchObject({ inspections: N, reviewed: 5, realised: { count: 5, accuracy: 0.4 } });
    expect(perf.estimatedOnReviewed?.count).toBe(5);
    expect(perf.difference?.accuracy).toBeCloseTo(0.4 - (perf.estimatedOnReviewed?.accuracy as number), 12);
    stop();
    const results = events.filter((e) => e.type === 'monitor.result');
    expect(results.map((e) => (e.data as { level: string }).level)).toEqual([before.level, 'drift']);
    expect((results[1].data as { driftedSignals: string[] }).driftedSignals).toContain('brightness');

    // Pages, newest first, and the from/to filters.
    const first = await t.app.inject({ method: 'GET', url: `${API}/monitors/${monitor.id}/results?limit=1`, headers: await auth('viewer') });
    const page1 = first.json<{ items: MonitorResult[]; nextCursor: string | null }>();
    expect(page1.items.map((r) => r.id)).toEqual([after.id]);
    expect(page1.nextCursor).not.toBeNull();
    const second = await t.app.inject({ method: 'GET', url: `${API}/monitors/${monitor.id}/results?limit=1&cursor=${page1.nextCursor}`, headers: await auth('viewer') });
    expect(second.json<{ items: MonitorResult[]; nextCursor: string | null }>()).toMatchObject({ items: [{ id: before.id }], nextCursor: null });
    const since = await t.app.inject({ method: 'GET', url: `${API}/monitors/${monitor.id}/results?from=${encodeURIComponent(after.computedAt)}`, headers: await auth('viewer') });
    expect(since.json<{ items: MonitorResult[] }>().items.map((r) => r.id)).toEqual([after.id]);
    const until = await t.app.inject({ method: 'GET', url: `${API}/monitors/${monitor.id}/results?to=${encodeURIComponent(after.computedAt)}`, headers: await auth('viewer') });
    expect(until.json<{ items: MonitorResult[] }>().items.map((r) => r.id)).toEqual([before.id]);
    const badCursor = await t.app.inject({ method: 'GET', url: `${API}/monitors/${monitor.id}/results?cursor=nope`, headers: await auth('viewer') });
    expect(badCursor.statusCode).toBe(400);
    const state = await t.app.inject({ method: 'GET', url: `${API}/monitors/${monitor.id}`, headers: await auth('viewer') });
    expect(state.json<Monitor>().state).toMatchObject({ lastStatus: 'ok', lastError: null, lastRunAt: after.computedAt });
  });

  it('fires a driftLevel alert rule on the latest result; the rule needs a model', async () => {
    const noModel = await t.app.inject({ method: 'POST', url: `${API}/alert-rules`, payload: { name: 'drift', metric: 'driftLevel', comparator: '>', threshold: 1.5, windowMinutes: 60 }, headers: await auth('engineer') });
    expect(noModel.statusCode).toBe(400);
    expect(noModel.json()).toMatchObject({ code: 'XQC_ALERT_MODEL' });
    const rule = await t.app.inject({
      method: 'POST',
      url: `${API}/alert-rules`,
      payload: { name: 'lighting drift', metric: 'driftLevel', model: { name: 'surface-classifier', version: '1.0.0' }, comparator: '>', threshold: 1.5, windowMinutes: 60 },
      headers: await auth('engineer'),
    });
    expect(rule.statusCode, rule.body).toBe(201);
    const evaluate = await t.app.inject({ method: 'POST', url: `${API}/alert-rules/evaluate`, headers: await auth('engineer') });
    expect(evaluate.statusCode).toBe(202);
    expect(await runDue()).toBe(1);
    const rules = await t.app.inject({ method: 'GET', url: `${API}/alert-rules`, headers: await auth('engineer') });
    expect(rules.json<{ items: AlertRule[] }>().items[0].state).toMatchObject({ firing: true, lastValue: 2, lastError: null });
  });

  it('reads a reference date range and a current window of the last minutes', async () => {
    const to = new Date(Date.parse(inspections[N - 1].createdAt) + 1).toISOString();
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `${API}/monitors/${monitor.id}`,
      payload: { reference: { kind: 'range', from: inspections[0].createdAt, to }, current: { kind: 'minutes', minutes: 60 }, signals: ['brightness'] },
      headers: await auth('engineer'),
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json<Monitor>()).toMatchObject({ reference: { kind: 'range', from: inspections[0].createdAt, to }, current: { kind: 'minutes', minutes: 60 } });
    expect((await t.app.inject({ method: 'POST', url: `${API}/monitors/${monitor.id}/run`, headers: await auth('engineer') })).statusCode).toBe(202);
    expect(await runDue()).toBe(1);
    const result = (await t.app.inject({ method: 'GET', url: `${API}/monitors/${monitor.id}/results?limit=1`, headers: await auth('viewer') })).json<{ items: MonitorResult[] }>().items[0];
    expect(result.reference).toEqual({ from: inspections[0].createdAt, to: inspections[N - 1].createdAt, count: N });
    expect(result.current).toEqual({ from: inspections[0].createdAt, to: inspections[CHANGE_AT + N - 1].createdAt, count: CHANGE_AT + N });
    expect(result.signals.map((x) => x.signal)).toEqual(['brightness']);
    // A range with nothing in it: 422 from the route.
    const empty = await t.app.inject({ method: 'PATCH', url: `${API}/monitors/${monitor.id}`, payload: { reference: { kind: 'range', from: '2020-01-01T00:00:00Z', to: '2020-01-02T00:00:00Z' } }, headers: await auth('engineer') });
    expect(empty.statusCode).toBe(200);
    const refused = await t.app.inject({ method: 'POST', url: `${API}/monitors/${monitor.id}/run`, headers: await auth('engineer') });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ code: 'XQC_MONITOR_NO_REFERENCE' });
  });

  it("compares the current window with a dataset's validation split on image statistics", async () => {
    const upload = await uploadDataset(t.app, await auth('engineer'), await zipOf(await classificationFiles(20)), { name: 'line 3 validation' });
    expect(upload.statusCode, upload.body).toBe(201);
    const datasetId = upload.json<{ dataset: { id: string } }>().dataset.id;
    const res = await create({ ...valid, name: 'against the validation set', reference: { kind: 'dataset', datasetId }, current: { kind: 'count', count: 10 }, signals: ['brightness', 'width'] });
    expect(res.statusCode, res.body).toBe(201);
    const m = res.json<Monitor>();
    expect((await t.app.inject({ method: 'POST', url: `${API}/monitors/${m.id}/run`, headers: await auth('engineer') })).statusCode).toBe(202);
    expect(await runDue()).toBe(1);
    const result = (await t.app.inject({ method: 'GET', url: `${API}/monitors/${m.id}/results`, headers: await auth('viewer') })).json<{ items: MonitorResult[] }>().items[0];
    // 15 % of each class of 20 (the card's split): 3 + 3 images of 16 x 16 dark pixels, against 48 x 40 brighter inspections.
    expect(result.reference).toEqual({ from: null, to: null, count: 6 });
    expect(result.current.count).toBe(10);
    expect(result.signals.map((x) => [x.signal, x.level])).toEqual([
      ['brightness', 'drift'],
      ['width', 'drift'],
    ]);
    expect((await t.app.inject({ method: 'DELETE', url: `${API}/monitors/${m.id}`, headers: await auth('engineer') })).statusCode).toBe(204);
  });

  it('deletes a monitor with its results', async () => {
    expect((await t.app.inject({ method: 'DELETE', url: `${API}/monitors/${monitor.id}`, headers: await auth('viewer') })).statusCode).toBe(403);
    const res = await t.app.inject({ method: 'DELETE', url: `${API}/monitors/${monitor.id}`, headers: await auth('engineer') });
    expect(res.statusCode).toBe(204);
    expect(await count('monitor_results')).toBe(0);
    expect((await t.app.inject({ method: 'GET', url: `${API}/monitors/${monitor.id}/results`, headers: await auth('viewer') })).statusCode).toBe(404);
  });
});

describe('a monitor of an anomaly version on sqlite: the embedding signal', () => {
  let t: TestApp;
  let handlers: JobHandlers;
  const auth = (role: Role) => bearer(role, ACCOUNT, `${role}-${ACCOUNT}`);

  beforeAll(async () => {
    t = await createTestApp('sqlite', { jobConcurrency: 0, monitorIntervalMs: 0 });
    await registerModelFolder(t.app, `${MODELS}surface-anomaly`, 'surface-anomaly');
    handlers = buildJobHandlers({ db: t.app.db, blobs: t.app.blobs, events: t.app.events, registry: t.app.modelRegistry, config: t.config, log: t.app.log });
  }, 60_000);
  afterAll(async () => t?.close());

  it('embeds the windows\' inspections that the catch-up has not reached and runs the domain classifier on them', async () => {
    for (let i = 0; i < 12; i++) {
      const body = multipartBody([{ filename: `a${i}.png`, bytes: await png(i + 1, i < 6 ? 0 : SHIFT) }]);
      const res = await t.app.inject({ method: 'POST', url: `${API}/detect?model=surface-anomaly`, payload: body.payload, headers: { ...body.headers, ...(await auth('operator')) } });
      expect(res.statusCode, res.body).toBe(201);
    }
    expect(await t.app.db.selectFrom('inspection_embeddings').select('inspection_id').execute()).toHaveLength(0);
    const res = await t.app.inject({
      method: 'POST',
      url: `${API}/monitors`,
      payload: { name: 'anomaly embeddings', model: { name: 'surface-anomaly', version: '2.0.0' }, reference: { kind: 'first', count: 6 }, current: { kind: 'count', count: 6 }, signals: ['embedding', 'defectScore'] },
      headers: await auth('engineer'),
    });
    expect(res.statusCode, res.body).toBe(201);
    const m = res.json<Monitor>();
    expect((await t.app.inject({ method: 'POST', url: `${API}/monitors/${m.id}/run`, headers: await auth('engineer') })).statusCode).toBe(202);
    expect(await (t.app.jobQueue as EmbeddedJobQueue).runOnce(handlers)).toBeDefined();
    const result = (await t.app.inject({ method: 'GET', url: `${API}/monitors/${m.id}/results`, headers: await auth('viewer') })).json<{ items: MonitorResult[] }>().items[0];
    expect(result.notes).toEqual([]);
    const embedding = result.signals.find((s) => s.signal === 'embedding');
    expect(embedding).toMatchObject({ test: 'domain-classifier', threshold: 0.55 });
    expect(embedding?.statistic).toBeGreaterThanOrEqual(0);
    expect(await t.app.db.selectFrom('inspection_embeddings').select('inspection_id').execute()).toHaveLength(12);
  }, 60_000);
});
