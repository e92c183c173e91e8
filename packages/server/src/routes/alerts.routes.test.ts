/**
 * Alerts and webhooks end to end on both engines: a webhook receiver on loopback checks the
 * HMAC signature and fails the first delivery; the queue retries it (the delivery log shows
 * both attempts) and the alert arrives exactly once; a rule on escapeRate fires once, a second
 * evaluation within its cooldown sends nothing, and the event bus carries `alert.fired`.
 * Jobs run with the embedded queue's runOnce (no worker in the app); a retry's backoff is
 * skipped by moving the queued job's run_at to the past.
 */
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '@xai-qc/core';
import type { Role } from '../auth/principal.ts';
import type { XqcEvent } from '../events/event-bus.ts';
import type { EmbeddedJobQueue } from '../jobs/embedded-queue.ts';
import type { JobHandlers } from '../jobs/job-queue.ts';
import { loadConfig } from '../config/load-config.ts';
import { buildJobHandlers } from '../jobs/register-jobs.ts';
import type { Alert, AlertRule, Webhook, WebhookCreated, WebhookDelivery } from '../schemas/alert.schema.ts';
import type { Inspection } from '../schemas/inspection.schema.ts';
import { createTestApp } from '../test/test-app.ts';
import type { TestApp } from '../test/test-app.ts';
import { DIALECTS } from '../test/test-database.ts';
import { bearer } from '../test/test-tokens.ts';
import { multipartBody, registerModelFolder } from './inspections.test-helpers.ts';

const MODELS = fileURLToPath(new URL('../../../../models/', import.meta.url));
const API = '/api/xai-qc';
const ACCOUNT = 'acct-al1';
const OTHER = 'acct-al2';

/** A 48 x 40 RGB PNG with texture depending on `seed`. */
async function png(seed: number): Promise<Uint8Array> {
  const data = new Uint8Array(48 * 40 * 3);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = 90 + ((s >>> 16) % 60);
  }
  return encodePng({ width: 48, height: 40, channels: 3, data });
}

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

describe.each(DIALECTS)('alerts and webhooks on %s', (dialect) => {
  let t: TestApp;
  let handlers: JobHandlers;
  let receiver: Server;
  let receiverUrl: string;
  const received: Received[] = [];
  let secret = '';
  const auth = (role: Role, account = ACCOUNT) => bearer(role, account, `${role}-${account}`);
  const ids = { webhook: '', rule: '', alert: '' };

  /** Runs every due job until none is left. */
  async function runDue(): Promise<number> {
    let n = 0;
    while ((await (t.app.jobQueue as EmbeddedJobQueue).runOnce(handlers)) !== undefined) n++;
    return n;
  }
  /** Makes every queued job due now (the retry backoff passes). */
  async function skipBackoff(): Promise<void> {
    await t.app.db.updateTable('jobs').set({ run_at: new Date(0).toISOString() }).where('status', '=', 'queued').execute();
  }
  async function count(table: 'webhooks' | 'alert_rules' | 'alerts' | 'webhook_deliveries'): Promise<number> {
    const r = await t.app.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }
  async function deliverJobs(): Promise<{ status: string; attempts: number }[]> {
    return t.app.db.selectFrom('jobs').select(['status', 'attempts']).where('name', '=', 'webhook.deliver').execute();
  }

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const answered = received.length === 0 ? 500 : 200;
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered });
        res.writeHead(answered, { 'content-type': 'text/plain' }).end(answered === 200 ? 'ok' : 'try again');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/xqc`;
    t = await createTestApp(dialect, { jobConcurrency: 0 });
    await registerModelFolder(t.app, `${MODELS}surface-classifier`, 'surface-classifier');
    handlers = buildJobHandlers({ db: t.app.db, blobs: t.app.blobs, events: t.app.events, registry: t.app.modelRegistry, config: t.config, log: t.app.log });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it('fires an escapeRate rule once, delivers it signed with a retry after a 500, and sends nothing more within the cooldown', async () => {
    const created = await t.app.inject({ method: 'POST', url: `${API}/webhooks`, payload: { url: receiverUrl, description: 'line 3 pager' }, headers: await auth('engineer') });
    expect(created.statusCode, created.body).toBe(201);
    const hook = created.json<WebhookCreated>();
    expect(hook.secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    secret = hook.secret;
    ids.webhook = hook.id;
    const listed = await t.app.inject({ method: 'GET', url: `${API}/webhooks`, headers: await auth('engineer') });
    expect(listed.json<{ items: Webhook[] }>().items.map((w) => w.id)).toEqual([hook.id]);
    expect(listed.body).not.toContain(secret);

    // Inspections reviewed with the opposite verdict: every model pass is an escape.
    const verdicts: string[] = [];
    for (const seed of [1, 2, 3, 4]) {
      const body = multipartBody([{ filename: `p${seed}.png`, bytes: await png(seed) }]);
      const res = await t.app.inject({ method: 'POST', url: `${API}/detect?model=surface-classifier`, payload: body.payload, headers: { ...body.headers, ...(await auth('operator')) } });
      expect(res.statusCode).toBe(201);
      const insp = res.json<Inspection>();
      verdicts.push(insp.verdict);
      const verdict = insp.verdict === 'pass' ? 'reject' : 'pass';
      const label = verdict === 'reject' ? insp.labels.find((l) => l !== 'good') : 'good';
      const rev = await t.app.inject({ method: 'POST', url: `${API}/inspections/${insp.id}/reviews`, payload: { verdict, label }, headers: await auth('operator') });
      expect(rev.statusCode, rev.body).toBe(201);
    }
    expect(verdicts).toContain('pass');

    const ruleRes = await t.app.inject({
      method: 'POST',
      url: `${API}/alert-rules`,
      payload: { name: 'escapes on line 3', metric: 'escapeRate', model: { name: 'surface-classifier' }, comparator: '>', threshold: 0.5, windowMinutes: 60, forMinutes: 0, cooldownMinutes: 60 },
      headers: await auth('engineer'),
    });
    expect(ruleRes.statusCode, ruleRes.body).toBe(201);
    const rule = ruleRes.json<AlertRule>();
    ids.rule = rule.id;
    expect(rule).toMatchObject({ metric: 'escapeRate', enabled: true, state: { firing: false, lastFiredAt: null } });

    const events: XqcEvent[] = [];
    const others: XqcEvent[] = [];
    const stop = t.app.events.subscribe(ACCOUNT, (e) => events.push(e));
    const stopOther = t.app.events.subscribe(OTHER, (e) => others.push(e));

    const evaluate = await t.app.inject({ method: 'POST', url: `${API}/alert-rules/evaluate`, headers: await auth('engineer') });
    expect(evaluate.statusCode, evaluate.body).toBe(202);
    // The evaluation, then the first delivery attempt (answered 500, queued for a retry).
    expect(await runDue()).toBe(2);
    expect(received.map((r) => r.answered)).toEqual([500]);
    expect(await deliverJobs()).toEqual([{ status: 'queued', attempts: 1 }]);
    await skipBackoff();
    expect(await runDue()).toBe(1);
    expect(received.map((r) => r.answered)).toEqual([500, 200]);
    expect(await deliverJobs()).toEqual([{ status: 'succeeded', attempts: 2 }]);

    const fired = events.filter((e) => e.type === 'alert.fired');
    expect(fired).toHaveLength(1);
    const data = fired[0].data as { alertId: string; ruleId: string; value: number; metric: string };
    expect(data).toMatchObject({ ruleId: rule.id, metric: 'escapeRate', value: 1 });
    ids.alert = data.alertId;
    expect(others).toEqual([]);

    for (const r of received) {
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['x-xqc-event']).toBe('alert.fired');
      expect(r.headers['x-xqc-signature']).toBe(`sha256=${createHmac('sha256', secret).update(r.body).digest('hex')}`);
      expect(r.headers['x-xqc-signature']).not.toBe(`sha256=${createHmac('sha256', 'another secret').update(r.body).digest('hex')}`);
      const body = JSON.parse(r.body) as { id: string; type: string; data: { alertId: string; ruleId: string; threshold: number } };
      expect(body).toMatchObject({ type: 'alert.fired', data: { alertId: data.alertId, ruleId: rule.id, threshold: 0.5 } });
      expect(r.headers['x-xqc-delivery']).toBe(body.id);
    }
    expect(received[0].headers['x-xqc-delivery']).toBe(received[1].headers['x-xqc-delivery']);
    expect(received.filter((r) => r.answered === 200).map((r) => (JSON.parse(r.body) as { data: { alertId: string } }).data.alertId)).toEqual([data.alertId]);

    const log = await t.app.inject({ method: 'GET', url: `${API}/webhooks/${hook.id}/deliveries`, headers: await auth('engineer') });
    expect(log.statusCode).toBe(200);
    const attempts = log.json<{ items: WebhookDelivery[] }>().items;
    expect(attempts.map((a) => [a.attempt, a.statusCode, a.ok, a.error])).toEqual([
      [2, 200, true, null],
      [1, 500, false, 'HTTP 500'],
    ]);
    expect(new Set(attempts.map((a) => a.deliveryId)).size).toBe(1);
    expect(attempts.every((a) => a.alertId === data.alertId && a.event === 'alert.fired' && a.durationMs >= 0)).toBe(true);

    // Within the cooldown: the condition still holds, nothing more is sent.
    const again = await t.app.inject({ method: 'POST', url: `${API}/alert-rules/evaluate`, headers: await auth('engineer') });
    expect(again.statusCode).toBe(202);
    expect(await runDue()).toBe(1);
    expect(received).toHaveLength(2);
    expect(events.filter((e) => e.type === 'alert.fired')).toHaveLength(1);
    expect(await deliverJobs()).toHaveLength(1);
    expect(await count('alerts')).toBe(1);
    stop();
    stopOther();

    const rules = await t.app.inject({ method: 'GET', url: `${API}/alert-rules`, headers: await auth('engineer') });
    const state = rules.json<{ items: AlertRule[] }>().items[0].state;
    expect(state).toMatchObject({ firing: true, lastValue: 1, lastError: null });
    expect(state.lastFiredAt).not.toBeNull();

    const open = await t.app.inject({ method: 'GET', url: `${API}/alerts?status=open`, headers: await auth('viewer') });
    expect(open.json<{ items: Alert[] }>().items.map((a) => [a.id, a.status, a.value, a.ruleId])).toEqual([[data.alertId, 'open', 1, rule.id]]);
    expect((await t.app.inject({ method: 'POST', url: `${API}/alerts/${data.alertId}/acknowledge`, headers: await auth('viewer') })).statusCode).toBe(403);
    const ack = await t.app.inject({ method: 'POST', url: `${API}/alerts/${data.alertId}/acknowledge`, headers: await auth('operator') });
    expect(ack.json<Alert>()).toMatchObject({ status: 'acknowledged', acknowledgedBy: `operator-${ACCOUNT}` });
    expect((await t.app.inject({ method: 'GET', url: `${API}/alerts?status=open`, headers: await auth('viewer') })).json<{ items: Alert[] }>().items).toEqual([]);
    const resolved = await t.app.inject({ method: 'POST', url: `${API}/alerts/${data.alertId}/resolve`, headers: await auth('operator') });
    expect(resolved.json<Alert>()).toMatchObject({ status: 'resolved', resolvedBy: `operator-${ACCOUNT}` });
    const reack = await t.app.inject({ method: 'POST', url: `${API}/alerts/${data.alertId}/acknowledge`, headers: await auth('operator') });
    expect([reack.statusCode, reack.json<{ code: string }>().code]).toEqual([409, 'XQC_ALERT_RESOLVED']);
    expect((await t.app.inject({ method: 'GET', url: `${API}/alerts?status=resolved`, headers: await auth('viewer') })).json<{ items: Alert[] }>().items.map((a) => a.id)).toEqual([data.alertId]);
  }, 60_000);

  it("refuses an unknown metric and a webhook URL that is not http(s), storing nothing; another account's records are 404", async () => {
    const before = { webhooks: await count('webhooks'), rules: await count('alert_rules'), alerts: await count('alerts'), deliveries: await count('webhook_deliveries') };
    for (const url of ['ftp://example.com/hook', 'javascript:alert(1)', 'not a url', 'http://user:pw@example.com/']) {
      const res = await t.app.inject({ method: 'POST', url: `${API}/webhooks`, payload: { url }, headers: await auth('engineer') });
      expect([url, res.statusCode, res.json<{ code: string }>().code]).toEqual([url, 400, 'XQC_WEBHOOK_URL']);
    }
    const rule = { name: 'r', comparator: '>', threshold: 0.1, windowMinutes: 60 };
    const unknown = await t.app.inject({ method: 'POST', url: `${API}/alert-rules`, payload: { ...rule, metric: 'escapeRatio' }, headers: await auth('engineer') });
    expect([unknown.statusCode, unknown.json<{ code: string }>().code]).toEqual([400, 'XQC_ALERT_METRIC']);
    const ece = await t.app.inject({ method: 'POST', url: `${API}/alert-rules`, payload: { ...rule, metric: 'ece' }, headers: await auth('engineer') });
    expect([ece.statusCode, ece.json<{ code: string }>().code]).toEqual([400, 'XQC_ALERT_MODEL']);
    const noModel = await t.app.inject({ method: 'POST', url: `${API}/alert-rules`, payload: { ...rule, metric: 'referralRate', model: { name: 'no-such-model' } }, headers: await auth('engineer') });
    expect(noModel.statusCode).toBe(404);
    const patch = await t.app.inject({ method: 'PATCH', url: `${API}/alert-rules/${ids.rule}`, payload: { metric: 'drift' }, headers: await auth('engineer') });
    expect([patch.statusCode, patch.json<{ code: string }>().code]).toEqual([400, 'XQC_ALERT_METRIC']);
    expect((await t.app.inject({ method: 'POST', url: `${API}/webhooks`, payload: { url: receiverUrl }, headers: await auth('operator') })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: `${API}/alert-rules`, payload: { ...rule, metric: 'escapeRate' }, headers: await auth('operator') })).statusCode).toBe(403);
    expect({ webhooks: await count('webhooks'), rules: await count('alert_rules'), alerts: await count('alerts'), deliveries: await count('webhook_deliveries') }).toEqual(before);
    const kept = (await t.app.inject({ method: 'GET', url: `${API}/alert-rules`, headers: await auth('engineer') })).json<{ items: AlertRule[] }>().items;
    expect(kept.map((r) => r.metric)).toEqual(['escapeRate']);

    const other = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => (await t.app.inject({ method, url: `${API}${url}`, payload, headers: await auth('engineer', OTHER) })).statusCode;
    expect(await other('GET', `/webhooks/${ids.webhook}/deliveries`)).toBe(404);
    expect(await other('DELETE', `/webhooks/${ids.webhook}`)).toBe(404);
    expect(await other('PATCH', `/alert-rules/${ids.rule}`, { threshold: 0.9 })).toBe(404);
    expect(await other('DELETE', `/alert-rules/${ids.rule}`)).toBe(404);
    expect(await other('POST', `/alerts/${ids.alert}/acknowledge`)).toBe(404);
    expect(await other('POST', `/alerts/${ids.alert}/resolve`)).toBe(404);
    for (const list of ['/webhooks', '/alert-rules', '/alerts']) {
      const res = await t.app.inject({ method: 'GET', url: `${API}${list}`, headers: await auth('engineer', OTHER) });
      expect([list, res.json<{ items: unknown[] }>().items]).toEqual([list, []]);
    }
    expect({ webhooks: await count('webhooks'), rules: await count('alert_rules'), alerts: await count('alerts') }).toEqual({ webhooks: before.webhooks, rules: before.rules, alerts: before.alerts });

    // The owner deletes: the webhook with its log, the rule without its alert.
    expect((await t.app.inject({ method: 'DELETE', url: `${API}/webhooks/${ids.webhook}`, headers: await auth('engineer') })).statusCode).toBe(204);
    expect(await count('webhook_deliveries')).toBe(0);
    expect((await t.app.inject({ method: 'DELETE', url: `${API}/alert-rules/${ids.rule}`, headers: await auth('engineer') })).statusCode).toBe(204);
    const alerts = (await t.app.inject({ method: 'GET', url: `${API}/alerts`, headers: await auth('viewer') })).json<{ items: Alert[] }>().items;
    expect(alerts.map((a) => [a.id, a.ruleId])).toEqual([[ids.alert, null]]);
  }, 60_000);
});

describe('alert evaluation interval (XQC_ALERT_INTERVAL_MINUTES)', () => {
  it('queues one alerts.evaluate job per account with enabled rules, and none for an account whose rules are disabled', async () => {
    const t = await createTestApp('sqlite', { jobConcurrency: 0, alertIntervalMs: 20 });
    try {
      const rule = { name: 'latency', metric: 'latencyP99', comparator: '>', threshold: 500, windowMinutes: 60 };
      for (const [account, enabled] of [['acct-iv1', true], ['acct-iv2', false]] as const) {
        const res = await t.app.inject({ method: 'POST', url: `${API}/alert-rules`, payload: { ...rule, enabled }, headers: await bearer('engineer', account) });
        expect(res.statusCode, res.body).toBe(201);
      }
      const jobs = () => t.app.db.selectFrom('jobs').select(['account_id', 'name', 'status']).where('name', '=', 'alerts.evaluate').execute();
      await expect.poll(jobs, { timeout: 10_000, interval: 20 }).toHaveLength(1);
      // Queued, not run (no worker): the dedupe key keeps it at one however often the timer ticks.
      await new Promise((r) => setTimeout(r, 100));
      expect(await jobs()).toEqual([{ account_id: 'acct-iv1', name: 'alerts.evaluate', status: 'queued' }]);
    } finally {
      await t.close();
    }
  }, 30_000);

  it('is off by default', () => {
    expect(loadConfig({ XQC_DATA_DIR: '/tmp/xqc-unused' }).alertIntervalMs).toBe(0);
    expect(loadConfig({ XQC_DATA_DIR: '/tmp/xqc-unused', XQC_ALERT_INTERVAL_MINUTES: '5' }).alertIntervalMs).toBe(300_000);
  });
});
