import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/connect.ts';
import { JobRepository } from '../repositories/job.repository.ts';
import { DIALECTS, openTestDatabase } from '../test/test-database.ts';
import type { TestDatabase } from '../test/test-database.ts';
import { EmbeddedJobQueue } from './embedded-queue.ts';
import { testHandlers } from './test-handlers.ts';
import type { EmbeddedQueueOptions } from './embedded-queue.ts';
import type { Job, JobHandler, JobHandlers } from './job-queue.ts';

const A = 'acct-a';
const T0 = Date.parse('2026-03-01T12:00:00.000Z');

/** A clock tests move by hand. */
function fakeClock(): { now: () => Date; advance: (ms: number) => void } {
  let t = T0;
  return { now: () => new Date(t), advance: (ms) => (t += ms) };
}

const handlers = (h: JobHandler<'blob.sweep'>): JobHandlers => testHandlers({ 'blob.sweep': h });

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(DIALECTS)('embedded job queue on %s', (dialect) => {
  let t: TestDatabase;
  let repo: JobRepository;
  const queue = (options: EmbeddedQueueOptions = {}): EmbeddedJobQueue => new EmbeddedJobQueue(repo, { pollIntervalMs: 20, ...options });

  beforeAll(async () => {
    t = await openTestDatabase(dialect);
    repo = new JobRepository(t.db, dialect);
  });
  afterAll(async () => t.close());
  // Claims are not per account: each test starts from an empty queue.
  beforeEach(async () => {
    await t.db.deleteFrom('job_blobs').execute();
    await t.db.deleteFrom('jobs').execute();
  });

  it('enqueues, gets and lists per account with a cursor; another account sees nothing', async () => {
    const q = queue();
    const made: Job[] = [];
    for (let i = 0; i < 5; i++) made.push(await q.enqueue('blob.sweep', { limit: i + 1 }, { accountId: 'acct-list', priority: i }));
    const other = await q.enqueue('blob.sweep', {}, { accountId: 'acct-list-other' });
    expect(made[0]).toMatchObject({ status: 'queued', attempts: 0, maxAttempts: 3, progress: 0, payload: { limit: 1 }, accountId: 'acct-list' });
    expect(await q.get('acct-list', made[2].id)).toMatchObject({ id: made[2].id, priority: 2 });
    expect(await q.get('acct-list', other.id)).toBeUndefined();
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await q.list('acct-list', { limit: 2, cursor });
      seen.push(...page.items.map((j) => j.id));
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
    }
    expect(seen.sort()).toEqual(made.map((j) => j.id).sort());
    expect((await q.list('acct-list', { status: 'succeeded' })).items).toEqual([]);
    await expect(q.list('acct-list', { cursor: 'nonsense' })).rejects.toMatchObject({ code: 'XQC_INVALID_CURSOR' });
    await expect(q.enqueue('blob.sweep', {}, { accountId: A, maxAttempts: 0 })).rejects.toMatchObject({ code: 'XQC_INVALID_ARGUMENT' });
  });

  it('returns the active job for a repeated dedupe key, and a new one once it finished', async () => {
    const q = queue();
    const first = await q.enqueue('blob.sweep', {}, { accountId: 'acct-dedupe', dedupeKey: 'k' });
    const again = await q.enqueue('blob.sweep', {}, { accountId: 'acct-dedupe', dedupeKey: 'k' });
    expect(again.id).toBe(first.id);
    const otherAccount = await q.enqueue('blob.sweep', {}, { accountId: 'acct-dedupe-2', dedupeKey: 'k' });
    expect(otherAccount.id).not.toBe(first.id);
    await q.cancel('acct-dedupe', first.id);
    const after = await q.enqueue('blob.sweep', {}, { accountId: 'acct-dedupe', dedupeKey: 'k' });
    expect(after.id).not.toBe(first.id);
    await q.cancel('acct-dedupe', after.id);
    await q.cancel('acct-dedupe-2', otherAccount.id);
  });

  it('retries with exponential backoff on the injected clock, then dead-letters with the last error', async () => {
    const clock = fakeClock();
    const q = queue({ clock: clock.now, backoff: { baseMs: 1000, maxMs: 60_000 } });
    const job = await q.enqueue('blob.sweep', {}, { accountId: 'acct-backoff', maxAttempts: 3 });
    let calls = 0;
    const failing = handlers(async () => {
      calls++;
      throw new Error(`boom ${calls}`);
    });
    const only = (id: string | undefined) => expect(id).toBe(job.id);
    only(await q.runOnce(failing));
    expect(await q.get('acct-backoff', job.id)).toMatchObject({ status: 'queued', attempts: 1, error: 'boom 1', runAt: new Date(T0 + 1000).toISOString() });
    clock.advance(999);
    expect(await q.runOnce(failing)).toBeUndefined();
    clock.advance(1);
    only(await q.runOnce(failing));
    expect(await q.get('acct-backoff', job.id)).toMatchObject({ status: 'queued', attempts: 2, runAt: new Date(T0 + 1000 + 2000).toISOString() });
    clock.advance(1999);
    expect(await q.runOnce(failing)).toBeUndefined();
    clock.advance(1);
    only(await q.runOnce(failing));
    expect(await q.get('acct-backoff', job.id)).toMatchObject({ status: 'failed', attempts: 3, error: 'boom 3' });
    clock.advance(3_600_000);
    expect(await q.runOnce(failing)).toBeUndefined();
    expect(calls).toBe(3);
  });

  it('retries a job whose worker died (lease expired); the dead worker cannot complete it later', async () => {
    const clock = fakeClock();
    const q = queue({ clock: clock.now, leaseMs: 5000, backoff: { baseMs: 100, maxMs: 100 } });
    const job = await q.enqueue('blob.sweep', {}, { accountId: 'acct-lease', maxAttempts: 2 });
    const deadLease = { token: 'dead-worker-token', owner: 'dead', expiresAt: new Date(T0 + 5000).toISOString() };
    const claimed = await repo.claim(['blob.sweep'], deadLease, clock.now().toISOString());
    expect(claimed?.id).toBe(job.id);
    const ok = handlers(async () => ({ result: { by: 'second' } }));
    clock.advance(4999);
    expect(await q.runOnce(ok)).toBeUndefined();
    expect((await q.get('acct-lease', job.id))?.status).toBe('running');
    clock.advance(2);
    expect(await q.runOnce(ok)).toBeUndefined();
    expect(await q.get('acct-lease', job.id)).toMatchObject({ status: 'queued', attempts: 1, error: expect.stringMatching(/lease expired/) });
    clock.advance(100);
    expect(await q.runOnce(ok)).toBe(job.id);
    expect(await repo.complete(job.id, deadLease.token, JSON.stringify({ by: 'first' }), [], clock.now().toISOString())).toBe(false);
    expect(await repo.progress(job.id, deadLease.token, 0.5, null, clock.now().toISOString())).toBe(false);
    expect(await q.get('acct-lease', job.id)).toMatchObject({ status: 'succeeded', attempts: 2, result: { by: 'second' }, progress: 1 });
  });

  it('dead-letters a job whose last attempt lost its lease', async () => {
    const clock = fakeClock();
    const q = queue({ clock: clock.now, leaseMs: 1000 });
    const job = await q.enqueue('blob.sweep', {}, { accountId: 'acct-dead', maxAttempts: 1 });
    await repo.claim(['blob.sweep'], { token: 'gone', owner: 'gone', expiresAt: new Date(T0 + 1000).toISOString() }, clock.now().toISOString());
    clock.advance(1001);
    expect(await q.reapExpired()).toBe(1);
    expect(await q.get('acct-dead', job.id)).toMatchObject({ status: 'failed', attempts: 1, error: expect.stringMatching(/lease expired/) });
  });

  it('never starts a cancelled queued job', async () => {
    const q = queue();
    const job = await q.enqueue('blob.sweep', {}, { accountId: 'acct-cq' });
    expect(await q.cancel('acct-other', job.id)).toBeUndefined();
    expect(await q.cancel('acct-cq', job.id)).toMatchObject({ status: 'cancelled' });
    let called = false;
    expect(await q.runOnce(handlers(async () => ((called = true), {})))).toBeUndefined();
    expect(called).toBe(false);
    expect(await q.cancel('acct-cq', job.id)).toMatchObject({ status: 'cancelled' });
  });

  it('aborts a running job when it is cancelled; it ends cancelled, not retried', async () => {
    const q = queue({ leaseMs: 150 });
    const job = await q.enqueue('blob.sweep', {}, { accountId: 'acct-cr' });
    let sawAbort = false;
    const waiting = handlers(
      ({ signal, progress }) =>
        new Promise((_, reject) => {
          progress(0.25, 'waiting').catch(reject);
          signal.addEventListener('abort', () => {
            sawAbort = true;
            reject(signal.reason);
          });
        }),
    );
    const run = q.runOnce(waiting);
    await waitFor('running', async () => ((await q.get('acct-cr', job.id))?.progress === 0.25 ? true : undefined));
    expect(await q.cancel('acct-cr', job.id)).toMatchObject({ status: 'running', cancelRequested: true });
    expect(await run).toBe(job.id);
    expect(sawAbort).toBe(true);
    expect(await q.get('acct-cr', job.id)).toMatchObject({ status: 'cancelled', attempts: 1, progressMessage: 'waiting' });
  });

  it('stores result and blob keys with the success, or neither when a key is unknown', async () => {
    const q = queue({ backoff: { baseMs: 60_000, maxMs: 60_000 } });
    const now = new Date().toISOString();
    const key = 'ab'.repeat(32);
    await t.db.insertInto('blobs').values({ sha256: key, size: 1, media_type: 'image/png', created_at: now, last_put_at: now }).execute();
    const good = await q.enqueue('blob.sweep', {}, { accountId: 'acct-blob' });
    expect(await q.runOnce(handlers(async () => ({ result: { n: 1 }, blobKeys: [key, key] })))).toBe(good.id);
    expect(await q.get('acct-blob', good.id)).toMatchObject({ status: 'succeeded', result: { n: 1 }, blobKeys: [key] });
    const bad = await q.enqueue('blob.sweep', {}, { accountId: 'acct-blob' });
    expect(await q.runOnce(handlers(async () => ({ result: { n: 2 }, blobKeys: ['cd'.repeat(32)] })))).toBe(bad.id);
    const after = await q.get('acct-blob', bad.id);
    expect(after).toMatchObject({ status: 'queued', result: null, blobKeys: [] });
    expect(after?.error).toBeTruthy();
    await q.cancel('acct-blob', bad.id);
  });

  it('two workers share the queue (separate pools on PostgreSQL): every job runs exactly once', async () => {
    // PostgreSQL: a second pool, as a second process would have. SQLite: one connection per
    // process (better-sqlite3 blocks the event loop while it waits for a lock), so the second
    // worker shares it; the crash test runs SQLite workers in separate processes.
    const second = dialect === 'postgres' ? openDatabase({ databaseUrl: t.databaseUrl, searchPath: t.schema, poolSize: 4 }) : { db: t.db };
    try {
      const problems: string[] = [];
      const log = { warn: (o: object, m: string) => problems.push(`${m}: ${String((o as { err?: unknown }).err)}`), error: (o: object, m: string) => problems.push(`${m}: ${String((o as { err?: unknown }).err)}`) };
      const q1 = queue({ log });
      const q2 = new EmbeddedJobQueue(new JobRepository(second.db, dialect), { pollIntervalMs: 20, log });
      const jobs: Job[] = [];
      for (let i = 0; i < 40; i++) jobs.push(await q1.enqueue('blob.sweep', { limit: i + 1 }, { accountId: 'acct-share' }));
      const runs = new Map<string, string[]>();
      const record = (who: string): JobHandlers =>
        handlers(async ({ job }) => {
          runs.set(job.id, [...(runs.get(job.id) ?? []), who]);
          await new Promise((r) => setTimeout(r, 5));
          return { result: { who } };
        });
      const w1 = q1.run(record('w1'), { concurrency: 4 });
      const w2 = q2.run(record('w2'), { concurrency: 4 });
      await waitFor('all jobs done', async () => ((await q1.list('acct-share', { status: 'succeeded', limit: 200 })).items.length === 40 ? true : undefined), 30_000);
      await Promise.all([w1.stop(), w2.stop()]);
      expect(problems).toEqual([]);
      expect(runs.size).toBe(40);
      for (const [, who] of runs) expect(who).toHaveLength(1);
      const by = [...runs.values()].flat();
      if (dialect === 'postgres') expect(new Set(by).size).toBe(2);
      for (const j of jobs) expect((await q1.get('acct-share', j.id))?.attempts).toBe(1);
    } finally {
      if (second.db !== t.db) await second.db.destroy();
    }
  }, 40_000);
});
