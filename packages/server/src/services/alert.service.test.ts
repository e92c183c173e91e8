/**
 * AlertService.evaluate over time: a rule fires only after its condition held for forMinutes,
 * a break resets the wait, and while the condition keeps holding it fires again only after
 * its cooldown. Real repositories on SQLite; the figure, the clock, the bus and the queue are
 * stand-ins (the figures themselves are MetricsService's, tested with their routes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../auth/principal.ts';
import { AlertRepository } from '../repositories/alert.repository.ts';
import { WebhookRepository } from '../repositories/webhook.repository.ts';
import { createTestApp } from '../test/test-app.ts';
import type { TestApp } from '../test/test-app.ts';
import { AlertService } from './alert.service.ts';

const principal: Principal = { kind: 'token', subject: 'eng', accountId: 'acct-as1', role: 'engineer' };

describe('AlertService.evaluate', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite', { jobConcurrency: 0 });
  }, 60_000);
  afterAll(async () => t?.close());

  it('waits forMinutes, restarts the wait after a break, and fires again only after the cooldown', async () => {
    let now = Date.parse('2026-12-05T10:00:00.000Z');
    let figure: number | null = 0.1;
    const published: unknown[] = [];
    const queued: unknown[] = [];
    const service = new AlertService({
      repo: new AlertRepository(t.app.db),
      webhooks: new WebhookRepository(t.app.db),
      figures: async () => figure,
      events: { publish: async (_a, _t, data) => void published.push(data) },
      queue: { enqueue: async (name, payload) => (queued.push({ name, payload }), {}) as never },
      clock: () => new Date(now),
    });
    const hooks = new WebhookRepository(t.app.db);
    await hooks.insert({ id: '11111111-1111-4111-8111-111111111111', account_id: principal.accountId, url: 'http://127.0.0.1:9/x', secret: 's', description: null, created_by: 'eng', created_at: new Date(now).toISOString() });
    await service.createRule(principal, { name: 'fr', metric: 'falseRejectRate', comparator: '>', threshold: 0.05, windowMinutes: 60, forMinutes: 10, cooldownMinutes: 30 });
    const step = async (minutes: number, value: number | null) => {
      now += minutes * 60_000;
      figure = value;
      return (await service.evaluate(principal.accountId)).fired.length;
    };
    expect(await step(0, 0.1)).toBe(0); // holds since 10:00
    expect(await step(5, 0.1)).toBe(0); // 5 min
    expect(await step(3, 0.01)).toBe(0); // broken: the wait restarts
    expect(await step(1, 0.1)).toBe(0); // holds since 10:09
    expect(await step(9, 0.1)).toBe(0); // 9 min
    expect(await step(1, 0.1)).toBe(1); // 10 min: fires at 10:19
    expect(await step(10, 0.1)).toBe(0); // within the cooldown
    expect(await step(10, null)).toBe(0); // no figure: broken
    expect(await step(1, 0.2)).toBe(0); // holds again since 10:40, cooldown over, but not for 10 min yet
    expect(await step(10, 0.2)).toBe(1); // 10:50: fires again
    expect(published).toHaveLength(2);
    expect(queued).toEqual([0, 1].map(() => ({ name: 'webhook.deliver', payload: expect.objectContaining({ webhookId: '11111111-1111-4111-8111-111111111111', event: 'alert.fired' }) })));
    const alerts = (await service.listAlerts(principal, {})).items;
    expect(alerts.map((a) => [a.firedAt, a.value])).toEqual([
      ['2026-12-05T10:50:00.000Z', 0.2],
      ['2026-12-05T10:19:00.000Z', 0.1],
    ]);
    expect(alerts[1].window).toEqual({ from: '2026-12-05T09:19:00.000Z', to: '2026-12-05T10:19:00.000Z' });
  });

  it('records a figure that cannot be computed as the rule\'s lastError and goes on with the next rule', async () => {
    const service = new AlertService({
      repo: new AlertRepository(t.app.db),
      webhooks: new WebhookRepository(t.app.db),
      figures: async (_a, rule) => {
        if (rule.name === 'broken') throw new Error('model x is no classifier');
        return 900;
      },
      events: { publish: async () => undefined },
      queue: { enqueue: async () => ({}) as never },
    });
    const p: Principal = { ...principal, accountId: 'acct-as2' };
    await service.createRule(p, { name: 'broken', metric: 'referralRate', comparator: '>', threshold: 0.5, windowMinutes: 60 });
    await service.createRule(p, { name: 'slow', metric: 'latencyP99', comparator: '>', threshold: 500, windowMinutes: 60 });
    const result = await service.evaluate('acct-as2');
    expect([result.evaluated, result.fired.length, result.errors.map((e) => e.error)]).toEqual([2, 1, ['model x is no classifier']]);
    const rules = (await service.listRules(p)).items;
    // Created in the same millisecond, the two rules list in either order: compare by name.
    expect(rules.map((r) => [r.name, r.state.lastError, r.state.lastValue]).sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
      ['broken', 'model x is no classifier', null],
      ['slow', null, 900],
    ]);
  });
});
