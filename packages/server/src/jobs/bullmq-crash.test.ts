import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobRepository } from '../repositories/job.repository.ts';
import { openTestDatabase } from '../test/test-database.ts';
import type { TestDatabase } from '../test/test-database.ts';
import { BullMqJobQueue } from './bullmq-queue.ts';
import { endedOneAndMidAnother, exited, expectNothingOrphaned, until } from './crash-audit.test-helpers.ts';

const FIXTURE = fileURLToPath(new URL('./bullmq-crash-worker.fixture.ts', import.meta.url));
const REDIS_URL = process.env.XQC_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('BullMQ queue: a worker killed with SIGKILL mid-job (PostgreSQL rows, real Redis, real processes)', () => {
  let t: TestDatabase;
  let queue: BullMqJobQueue;
  const prefix = `xqc-test-${randomBytes(6).toString('hex')}`;
  beforeAll(async () => {
    t = await openTestDatabase('postgres');
    queue = new BullMqJobQueue(new JobRepository(t.db, 'postgres'), { redisUrl: REDIS_URL, prefix, backoff: { baseMs: 10, maxMs: 10 } });
  });
  afterAll(async () => {
    await queue.obliterate();
    await queue.close();
    await t.close();
  });

  it('after a restart every job completes exactly once and a sweep leaves no orphaned blob or row', async () => {
    const logPath = join(t.dataDir, 'work.log');
    const start = (): ChildProcess => spawn(process.execPath, ['--import', 'tsx', FIXTURE, t.databaseUrl as string, t.schema as string, REDIS_URL, prefix, logPath, t.dataDir], { stdio: ['ignore', 'inherit', 'inherit'] });
    const ids: string[] = [];
    for (let i = 0; i < 9; i++) ids.push((await queue.enqueue('blob.sweep', {}, { accountId: 'acct-crash', maxAttempts: 3 })).id);
    const log = (): string[] => (existsSync(logPath) ? readFileSync(logPath, 'utf8').trim().split('\n') : []);
    const running = async (): Promise<string[]> => (await t.db.selectFrom('jobs').select('id').where('status', '=', 'running').execute()).map((r) => r.id);

    const first = start();
    await until('the first worker to finish a job and be in the middle of another', async () => endedOneAndMidAnother(log(), await running()));
    first.kill('SIGKILL');
    await exited(first);
    const heldByDead = await running();
    expect(heldByDead.length).toBeGreaterThan(0);

    const second = start();
    try {
      await until('every job to end', async () => (await t.db.selectFrom('jobs').select('id').where('status', 'in', ['queued', 'running']).execute()).length === 0);
    } finally {
      second.kill('SIGTERM');
      expect(await exited(second)).toBe(0);
    }
    const ends = log().filter((l) => l.startsWith('end '));
    for (const id of ids) {
      const job = await queue.get('acct-crash', id);
      expect(job?.status).toBe('succeeded');
      // A handler may run to its end twice only when the first worker was killed between its
      // end and the commit; the one committed result is the surviving worker's.
      const pids = ends.filter((l) => l.split(' ')[1] === id).map((l) => Number(l.split(' ')[2]));
      expect(pids.length === 1 || (pids.length === 2 && pids[0] === first.pid && pids[1] === second.pid)).toBe(true);
      expect((job?.result as { pid: number }).pid).toBe(pids.at(-1));
    }
    for (const id of heldByDead) expect(await queue.get('acct-crash', id)).toMatchObject({ attempts: 2, result: { pid: second.pid } });
    await expectNothingOrphaned(t, queue, ids, heldByDead.length);
  }, 90_000);
});
