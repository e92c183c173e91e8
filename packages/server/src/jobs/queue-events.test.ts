/**
 * Live events of both queue adapters: `job.progress` after each recorded progress, and one
 * `job.finished` per job when it succeeds, is dead-lettered (never for a retried attempt) or
 * is cancelled. Embedded on SQLite and PostgreSQL, BullMQ on the Redis of the machine.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EventPayloads, EventType } from '../events/event-bus.ts';
import type { EventSink } from '../events/event-sink.ts';
import { JobRepository } from '../repositories/job.repository.ts';
import { DIALECTS, openTestDatabase } from '../test/test-database.ts';
import type { TestDatabase } from '../test/test-database.ts';
import { BullMqJobQueue } from './bullmq-queue.ts';
import { EmbeddedJobQueue } from './embedded-queue.ts';
import type { JobHandler } from './job-queue.ts';
import { testHandlers } from './test-handlers.ts';

const REDIS_URL = process.env.XQC_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const T0 = Date.parse('2026-03-01T12:00:00.000Z');

interface Published {
  accountId: string;
  type: EventType;
  data: EventPayloads[EventType];
}

/** A sink that records what it is given. */
function recorder(): { sink: EventSink; events: Published[] } {
  const events: Published[] = [];
  return { events, sink: (accountId, type, data) => events.push({ accountId, type, data }) };
}

/** Resolves once `probe` returns true; rejects (failing the test) after `ms`. */
async function until(what: string, probe: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sweep = (h: JobHandler<'blob.sweep'>): Partial<Record<'blob.sweep', JobHandler<'blob.sweep'>>> => ({ 'blob.sweep': h });

describe.each(DIALECTS)('embedded queue events on %s', (dialect) => {
  let t: TestDatabase;
  let repo: JobRepository;
  let clock: number;
  beforeAll(async () => {
    t = await openTestDatabase(dialect);
    repo = new JobRepository(t.db, dialect);
  });
  afterAll(async () => t.close());
  beforeEach(async () => {
    clock = T0;
    await t.db.deleteFrom('job_blobs').execute();
    await t.db.deleteFrom('jobs').execute();
  });
  const queue = (sink: EventSink, leaseMs = 30_000): EmbeddedJobQueue =>
    new EmbeddedJobQueue(repo, { events: sink, clock: () => new Date(clock), leaseMs, backoff: { baseMs: 1000, maxMs: 1000 } });

  it('publishes progress and then one job.finished succeeded, to the job\'s account', async () => {
    const { sink, events } = recorder();
    const q = queue(sink);
    const job = await q.enqueue('blob.sweep', {}, { accountId: 'acct-ev' });
    await q.runOnce(
      sweep(async ({ progress }) => {
        await progress(0.5, 'half');
        await progress(1);
        return { result: { ok: true } };
      }),
    );
    expect(events).toEqual([
      { accountId: 'acct-ev', type: 'job.progress', data: { jobId: job.id, name: 'blob.sweep', progress: 0.5, message: 'half' } },
      { accountId: 'acct-ev', type: 'job.progress', data: { jobId: job.id, name: 'blob.sweep', progress: 1, message: null } },
      { accountId: 'acct-ev', type: 'job.finished', data: { jobId: job.id, name: 'blob.sweep', status: 'succeeded', error: null } },
    ]);
  });

  it('publishes job.finished failed once, for the dead letter, and nothing for the retried attempt', async () => {
    const { sink, events } = recorder();
    const q = queue(sink);
    const job = await q.enqueue('blob.sweep', {}, { accountId: 'acct-ev', maxAttempts: 2 });
    const failing = sweep(async () => {
      throw new Error('disk on fire');
    });
    await q.runOnce(failing);
    expect(events).toEqual([]);
    expect((await q.get('acct-ev', job.id))?.status).toBe('queued');
    clock += 1000;
    await q.runOnce(failing);
    expect(events).toEqual([{ accountId: 'acct-ev', type: 'job.finished', data: { jobId: job.id, name: 'blob.sweep', status: 'failed', error: 'disk on fire' } }]);
  });

  it('publishes job.finished cancelled for a queued job cancelled and for a running job that stops', async () => {
    const { sink, events } = recorder();
    const q = queue(sink, 60);
    const queued = await q.enqueue('blob.sweep', {}, { accountId: 'acct-ev' });
    await q.cancel('acct-ev', queued.id);
    expect(events).toEqual([{ accountId: 'acct-ev', type: 'job.finished', data: { jobId: queued.id, name: 'blob.sweep', status: 'cancelled', error: null } }]);
    await q.cancel('acct-ev', queued.id);
    expect(events).toHaveLength(1);

    const running = await q.enqueue('blob.sweep', {}, { accountId: 'acct-ev' });
    let started!: () => void;
    const isRunning = new Promise<void>((r) => (started = r));
    const done = q.runOnce(
      sweep(async ({ signal }) => {
        started();
        await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));
        return {};
      }),
    );
    await isRunning;
    await q.cancel('acct-ev', running.id);
    await done;
    expect(events.slice(1)).toEqual([{ accountId: 'acct-ev', type: 'job.finished', data: { jobId: running.id, name: 'blob.sweep', status: 'cancelled', error: null } }]);
  });

  it('publishes job.finished failed when a lapsed lease used the last attempt', async () => {
    const { sink, events } = recorder();
    const q = queue(sink, 1000);
    const job = await q.enqueue('blob.sweep', {}, { accountId: 'acct-lapsed', maxAttempts: 1 });
    // A worker claims the job and dies: its lease is never renewed.
    expect(await repo.claim(['blob.sweep'], { token: 'dead', owner: 'dead-worker', expiresAt: new Date(clock + 1000).toISOString() }, new Date(clock).toISOString())).toBeDefined();
    clock += 5000;
    expect(await q.reapExpired()).toBe(1);
    expect(events).toEqual([
      { accountId: 'acct-lapsed', type: 'job.finished', data: { jobId: job.id, name: 'blob.sweep', status: 'failed', error: expect.stringMatching(/lease expired/) } },
    ]);
  });
});

describe('BullMQ queue events (real Redis, PostgreSQL rows)', () => {
  let t: TestDatabase;
  let q: BullMqJobQueue;
  const { sink, events } = recorder();
  beforeAll(async () => {
    t = await openTestDatabase('postgres');
    q = new BullMqJobQueue(new JobRepository(t.db, 'postgres'), {
      redisUrl: REDIS_URL,
      prefix: `xqc-test-${randomBytes(6).toString('hex')}`,
      renewMs: 50,
      backoff: { baseMs: 20, maxMs: 1000 },
      events: sink,
    });
  });
  afterAll(async () => {
    await q.obliterate();
    await q.close();
    await t.close();
  });

  it('publishes progress and succeeded, one failed after the last of several attempts, and cancelled for a queued job', async () => {
    const cancelled = await q.enqueue('blob.sweep', { limit: 1 }, { accountId: 'acct-bull-ev' });
    await q.cancel('acct-bull-ev', cancelled.id);
    const worker = q.run(
      testHandlers(
        sweep(async ({ progress, payload }) => {
          if (payload.limit === 2) throw new Error('always fails');
          await progress(0.5, 'half');
          return {};
        }),
      ),
    );
    try {
      const ok = await q.enqueue('blob.sweep', {}, { accountId: 'acct-bull-ev' });
      const bad = await q.enqueue('blob.sweep', { limit: 2 }, { accountId: 'acct-bull-ev', maxAttempts: 3 });
      await until('both jobs finished', () => events.filter((e) => e.type === 'job.finished').length >= 3);
      await until('the failed job row', async () => (await q.get('acct-bull-ev', bad.id))?.status === 'failed');
      expect((await q.get('acct-bull-ev', bad.id))?.attempts).toBe(3);
      const of = (id: string): Published[] => events.filter((e) => (e.data as { jobId: string }).jobId === id);
      expect(of(cancelled.id)).toEqual([{ accountId: 'acct-bull-ev', type: 'job.finished', data: { jobId: cancelled.id, name: 'blob.sweep', status: 'cancelled', error: null } }]);
      expect(of(ok.id)).toEqual([
        { accountId: 'acct-bull-ev', type: 'job.progress', data: { jobId: ok.id, name: 'blob.sweep', progress: 0.5, message: 'half' } },
        { accountId: 'acct-bull-ev', type: 'job.finished', data: { jobId: ok.id, name: 'blob.sweep', status: 'succeeded', error: null } },
      ]);
      expect(of(bad.id)).toEqual([{ accountId: 'acct-bull-ev', type: 'job.finished', data: { jobId: bad.id, name: 'blob.sweep', status: 'failed', error: 'always fails' } }]);
    } finally {
      await worker.stop();
    }
  });
});
