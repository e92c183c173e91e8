/**
 * Webhook egress: the private-address classification, the check with an injected resolver,
 * and, with `XQC_WEBHOOK_DENY_PRIVATE=1`, a loopback URL refused at creation (400, nothing
 * stored) and at delivery (a webhook stored before the policy: the attempt is logged as
 * failed and the receiver gets nothing). Allowed by default: alerts.routes.test.ts delivers
 * to a loopback receiver.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../errors/api-error.ts';
import { AlertRepository } from '../repositories/alert.repository.ts';
import { WebhookRepository } from '../repositories/webhook.repository.ts';
import { createTestApp } from '../test/test-app.ts';
import type { TestApp } from '../test/test-app.ts';
import { bearer } from '../test/test-tokens.ts';
import { checkEgress, isPrivateAddress } from './webhook-egress.ts';
import { WebhookService } from './webhook.service.ts';

const API = '/api/xai-qc';
const ACCOUNT = 'acct-egress';

describe('isPrivateAddress', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.255.0.9', true],
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['172.31.255.255', true],
    ['172.32.0.1', false],
    ['192.168.1.10', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['100.128.0.1', false],
    ['0.0.0.0', true],
    ['93.184.216.34', false],
    ['8.8.8.8', false],
    ['::1', true],
    ['::', true],
    ['fe80::1', true],
    ['fc00::1', true],
    ['fd12:3456::1', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:8.8.8.8', false],
    ['2001:4860:4860::8888', false],
    ['not an address', false],
  ])('%s -> %s', (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });
});

describe('checkEgress', () => {
  const refused = async (p: Promise<void>): Promise<string> => {
    const e = await p.then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).code).toBe('XQC_WEBHOOK_PRIVATE');
    return (e as ApiError).message;
  };

  it('allows everything when the policy is off, without resolving', async () => {
    await checkEgress('http://127.0.0.1:9/x', { denyPrivate: false, lookup: async () => { throw new Error('not called'); } });
  });

  it('refuses literal and resolved private addresses, and names that do not resolve', async () => {
    const lookup = async (host: string): Promise<string[]> => {
      if (host === 'hooks.example.com') return ['93.184.216.34'];
      if (host === 'internal.example.com') return ['93.184.216.34', '10.0.0.7'];
      throw new Error('ENOTFOUND');
    };
    await checkEgress('https://hooks.example.com/x', { denyPrivate: true, lookup });
    await checkEgress('https://93.184.216.34/x', { denyPrivate: true, lookup });
    expect(await refused(checkEgress('http://127.0.0.1:8080/x', { denyPrivate: true, lookup }))).toContain('127.0.0.1');
    expect(await refused(checkEgress('http://[::1]:8080/x', { denyPrivate: true, lookup }))).toContain('::1');
    expect(await refused(checkEgress('https://internal.example.com/x', { denyPrivate: true, lookup }))).toContain('10.0.0.7');
    expect(await refused(checkEgress('https://nowhere.example.com/x', { denyPrivate: true, lookup }))).toContain('does not resolve');
  });
});

describe('XQC_WEBHOOK_DENY_PRIVATE=1', () => {
  let t: TestApp;
  let receiver: Server;
  let hits = 0;
  let url = '';

  beforeAll(async () => {
    receiver = createServer((_req, res) => {
      hits++;
      res.writeHead(200).end('ok');
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    t = await createTestApp('sqlite', { webhookDenyPrivate: true, jobConcurrency: 0, monitorIntervalMs: 0 });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it('refuses a loopback or link-local URL at creation and stores nothing; a scheme other than http(s) stays XQC_WEBHOOK_URL', async () => {
    const headers = await bearer('engineer', ACCOUNT, `engineer-${ACCOUNT}`);
    for (const target of [url, 'http://[::1]/hook', 'http://169.254.169.254/latest/meta-data']) {
      const res = await t.app.inject({ method: 'POST', url: `${API}/webhooks`, payload: { url: target }, headers });
      expect(res.statusCode, target).toBe(400);
      expect(res.json()).toMatchObject({ code: 'XQC_WEBHOOK_PRIVATE' });
    }
    const ftp = await t.app.inject({ method: 'POST', url: `${API}/webhooks`, payload: { url: 'ftp://93.184.216.34/hook' }, headers });
    expect(ftp.statusCode).toBe(400);
    expect(ftp.json()).toMatchObject({ code: 'XQC_WEBHOOK_URL' });
    const listed = await t.app.inject({ method: 'GET', url: `${API}/webhooks`, headers });
    expect(listed.json<{ items: unknown[] }>().items).toEqual([]);
  });

  it('refuses a delivery to a loopback webhook stored before the policy: logged as a failed attempt, nothing sent', async () => {
    const now = new Date().toISOString();
    const webhooks = new WebhookRepository(t.app.db);
    const alerts = new AlertRepository(t.app.db);
    await webhooks.insert({ id: '11111111-1111-4111-8111-111111111111', account_id: ACCOUNT, url, secret: 'whsec_test', description: null, created_by: 'test', created_at: now });
    await alerts.insertAlert({
      id: '22222222-2222-4222-8222-222222222222', account_id: ACCOUNT, rule_id: null, rule_name: 'r', metric: 'errorRate', comparator: '>', threshold: 0.1, value: 0.5, model_name: null, model_version: null,
      window_from: now, window_to: now, status: 'open', fired_at: now, acknowledged_at: null, acknowledged_by: null, resolved_at: null, resolved_by: null,
    });
    const service = new WebhookService(webhooks, alerts, undefined, { denyPrivate: true });
    const request = { accountId: ACCOUNT, webhookId: '11111111-1111-4111-8111-111111111111', alertId: '22222222-2222-4222-8222-222222222222', event: 'alert.fired' as const, deliveryId: 'd1', attempt: 1 };
    const e = await service.deliver(request).then(() => undefined, (x: unknown) => x);
    expect(e).toMatchObject({ status: 502, code: 'XQC_WEBHOOK_DELIVERY' });
    expect(hits).toBe(0);
    const log = await webhooks.deliveries(ACCOUNT, '11111111-1111-4111-8111-111111111111', 10);
    expect(log.map((d) => [d.ok, d.status_code])).toEqual([[0, null]]);
    expect(log[0].error).toContain('127.0.0.1');
    // The same webhook with the policy off is delivered.
    await new WebhookService(webhooks, alerts).deliver({ ...request, attempt: 2 });
    expect(hits).toBe(1);
  });
});
