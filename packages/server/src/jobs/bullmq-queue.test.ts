import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JobRepository } from '../repositories/job.repository.ts';
import { openTestDatabase } from '../test/test-database.ts';
import type { TestDatabase } from '../test/test-database.ts';
import { BullMqJobQueue } from './bullmq-queue.ts';
import { testHandlers } from './test-handlers.ts';
import type { Job, JobHandler, JobHandlers, JobQueue } from './job-queue.ts';

/** The Redis of this machine; the tests fail (never skip) when it is down. */
const REDIS_URL = process.env.XQC_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const handlers = (h: JobHandler<'blob.sweep'>): JobHandlers => testHandlers({ 'blob.sweep': h });

async function settled(q: JobQueue, accountId: string, id: string, timeoutMs = 15_000): Promise<Job> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const j = await q.get(accountId, id);
    if (j && ['succeeded', 'failed', 'cancelled'].includes(j.status)) return j;
    if (Date.now() > end) throw new Error(`job ${id} did not finish: ${JSON.stringify(j)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('BullMQ job queue (real Redis, PostgreSQL rows)', () => {
  let t: TestDatabase;
  let queue: BullMqJobQueue;
  beforeAll(async () => {
    t = await openTestDatabase('postgres');
    queue = new BullMqJobQueue(new JobRepository(t.db, 'postgres'), {
      redisUrl: REDIS_URL,
      prefix: `xqc-test-${randomBytes(6).toString('hex')}`,
      renewMs: 50,
      backoff: { baseMs: 20, maxMs: 1000 },
    });
  });
  afterAll(async () => {
    await queue.obliterate();
    await queue.close();
    await t.close();
  });
  beforeEach(async () => {
    await t.db.deleteFrom('job_blobs').execute();
    await t.db.deleteFrom('jobs').execute();
  });

  it('runs a job in a worker and mirrors its progress and result in the row', async () => {
    const worker = queue.run(
      handlers(async ({ progress, payload }) => {
        await progress(0.5, 'half way');
        return { result: { limit: payload.limit } };
      }),
      { concurrency: 2 },
    );
    try {
      const job = await queue.enqueue('blob.sweep', { limit: 7 }, { accountId: 'acct-bull' });
      expect(job.status).toBe('queued');
      expect(await settled(queue, 'acct-bull', job.id)).toMatchObject({ status: 'succeeded', attempts: 1, result: { limit: 7 }, progress: 1, progressMessage: 'half way' });
      expect(await queue.get('acct-other', job.id)).toBeUndefined();
      expect((await queue.list('acct-bull')).items.map((j) => j.id)).toEqual([job.id]);
    } finally {
      await worker.stop();
    }
  });

  it('retries failed attempts with backoff, then dead-letters the job with the last error', async () => {
    let calls = 0;
    const worker = queue.run(
      handlers(async ({ payload }) => {
        calls++;
        if (payload.limit === 1 && calls < 3) throw new Error(`flaky ${calls}`);
        if (payload.limit === 2) throw new Error('always');
        return { result: { calls } };
      }),
    );
    try {
      const flaky = await queue.enqueue('blob.sweep', { limit: 1 }, { accountId: 'acct-bull', maxAttempts: 3 });
      expect(await settled(queue, 'acct-bull', flaky.id)).toMatchObject({ status: 'succeeded', attempts: 3, result: { calls: 3 }, error: 'flaky 2' });
      const dead = await queue.enqueue('blob.sweep', { limit: 2 }, { accountId: 'acct-bull', maxAttempts: 2 });
      expect(await settled(queue, 'acct-bull', dead.id)).toMatchObject({ status: 'failed', attempts: 2, error: 'always' });
    } finally {
      await worker.stop();
    }
  });

  it('never starts a cancelled queued job, and aborts a running one', async () => {
    const queued = await queue.enqueue('blob.sweep', { limit: 1 }, { accountId: 'acct-bull' });
    expect(await queue.cancel('acct-bull', queued.id)).toMatchObject({ status: 'cancelled' });
    const started: number[] = [];
    const worker = queue.run(
      handlers(
        ({ payload, signal }) =>
          new Promise((_, reject) => {
            started.push(payload.limit ?? 0);
            signal.addEventListener('abort', () => reject(signal.reason));
          }),
      ),
    );
    try {
      const running = await queue.enqueue('blob.sweep', { limit: 2 }, { accountId: 'acct-bull' });
      const end = Date.now() + 10_000;
      while ((await queue.get('acct-bull', running.id))?.status !== 'running') {
        if (Date.now() > end) throw new Error('job never started');
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(await queue.cancel('acct-bull', running.id)).toMatchObject({ status: 'running', cancelRequested: true });
      expect(await settled(queue, 'acct-bull', running.id)).toMatchObject({ status: 'cancelled', attempts: 1 });
      expect(started).toEqual([2]);
      expect(await queue.get('acct-bull', queued.id)).toMatchObject({ status: 'cancelled', attempts: 0 });
    } finally {
      await worker.stop();
    }
  });
});
