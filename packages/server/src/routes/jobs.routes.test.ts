import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../test/test-app.ts';
import type { TestApp } from '../test/test-app.ts';
import { DIALECTS } from '../test/test-database.ts';
import { bearer } from '../test/test-tokens.ts';

const API = '/api/xai-qc';

describe.each(DIALECTS)('job routes on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    // No worker in the app: the tests decide when jobs run.
    t = await createTestApp(dialect, { jobConcurrency: 0 });
  });
  afterAll(async () => t.close());

  it('lists, gets and cancels the caller account jobs; another account gets 404', async () => {
    const viewer = await bearer('viewer', 'acct-jobs');
    const operator = await bearer('operator', 'acct-jobs');
    const stranger = await bearer('admin', 'acct-stranger');
    const a = await t.app.jobQueue.enqueue('blob.sweep', { limit: 5 }, { accountId: 'acct-jobs' });
    const b = await t.app.jobQueue.enqueue('blob.sweep', {}, { accountId: 'acct-jobs', priority: 3 });
    const theirs = await t.app.jobQueue.enqueue('blob.sweep', {}, { accountId: 'acct-stranger' });

    const list = await t.app.inject({ method: 'GET', url: `${API}/jobs?limit=1`, headers: viewer });
    expect(list.statusCode).toBe(200);
    const page1 = list.json<{ items: { id: string }[]; nextCursor: string | null }>();
    expect(page1.items).toHaveLength(1);
    const page2 = (await t.app.inject({ method: 'GET', url: `${API}/jobs?limit=1&cursor=${page1.nextCursor}`, headers: viewer })).json<{ items: { id: string }[]; nextCursor: string | null }>();
    expect([page1.items[0].id, page2.items[0].id].sort()).toEqual([a.id, b.id].sort());
    expect(page2.nextCursor).toBeNull();

    const one = await t.app.inject({ method: 'GET', url: `${API}/jobs/${a.id}`, headers: viewer });
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({ id: a.id, name: 'blob.sweep', status: 'queued', payload: { limit: 5 }, progress: 0, attempts: 0, maxAttempts: 3, blobKeys: [] });
    expect((await t.app.inject({ method: 'GET', url: `${API}/jobs/${theirs.id}`, headers: viewer })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: `${API}/jobs/${a.id}/cancel`, headers: stranger })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: `${API}/jobs/${a.id}/cancel`, headers: viewer })).statusCode).toBe(403);

    const cancelled = await t.app.inject({ method: 'POST', url: `${API}/jobs/${a.id}/cancel`, headers: operator });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toMatchObject({ id: a.id, status: 'cancelled' });
    const again = await t.app.inject({ method: 'POST', url: `${API}/jobs/${a.id}/cancel`, headers: operator });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'XQC_JOB_FINISHED' });

    const filtered = (await t.app.inject({ method: 'GET', url: `${API}/jobs?status=cancelled`, headers: viewer })).json<{ items: { id: string }[] }>();
    expect(filtered.items.map((j) => j.id)).toEqual([a.id]);
    const strangerList = (await t.app.inject({ method: 'GET', url: `${API}/jobs`, headers: stranger })).json<{ items: { id: string }[] }>();
    expect(strangerList.items.map((j) => j.id)).toEqual([theirs.id]);
    await t.app.jobQueue.cancel('acct-jobs', b.id);
    await t.app.jobQueue.cancel('acct-stranger', theirs.id);
  });

  it('refuses bad queries and ids with problem+json, and anonymous callers', async () => {
    const viewer = await bearer('viewer', 'acct-jobs');
    const bad = await t.app.inject({ method: 'GET', url: `${API}/jobs?status=done`, headers: viewer });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect((await t.app.inject({ method: 'GET', url: `${API}/jobs?cursor=abc`, headers: viewer })).json()).toMatchObject({ code: 'XQC_INVALID_CURSOR' });
    expect((await t.app.inject({ method: 'GET', url: `${API}/jobs/not-a-uuid`, headers: viewer })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: `${API}/jobs/00000000-0000-4000-8000-000000000000`, headers: viewer })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `${API}/jobs` })).statusCode).toBe(401);
  });
});

describe('embedded worker in the app', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite', { jobConcurrency: 1 });
  });
  afterAll(async () => t.close());

  it('runs an enqueued blob.sweep to success and shows its result through the API', async () => {
    const viewer = await bearer('viewer', 'acct-run');
    const job = await t.app.jobQueue.enqueue('blob.sweep', { graceMs: 0 }, { accountId: 'acct-run' });
    let body: { status: string; result: unknown } | undefined;
    for (let i = 0; i < 200; i++) {
      body = (await t.app.inject({ method: 'GET', url: `${API}/jobs/${job.id}`, headers: viewer })).json();
      if (body?.status === 'succeeded') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(body).toMatchObject({ status: 'succeeded', result: { removed: expect.any(Number), batches: 1 } });
  });
});
