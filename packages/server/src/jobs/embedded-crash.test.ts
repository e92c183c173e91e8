import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobRepository } from '../repositories/job.repository.ts';
import { openTestDatabase } from '../test/test-database.ts';
import type { TestDatabase } from '../test/test-database.ts';
import { endedOneAndMidAnother, exited, expectNothingOrphaned, until } from './crash-audit.test-helpers.ts';
import { EmbeddedJobQueue } from './embedded-queue.ts';

const FIXTURE = fileURLToPath(new URL('./crash-worker.fixture.ts', import.meta.url));
const LEASE_MS = 800;

function startWorker(sqlitePath: string, logPath: string, dataDir: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', FIXTURE, sqlitePath, String(LEASE_MS), logPath, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
}

describe('embedded queue: a worker killed with SIGKILL mid-job (SQLite file, real processes)', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase('sqlite');
  });
  afterAll(async () => t.close());

  it('after a restart every job completes exactly once and a sweep leaves no orphaned blob or row', async () => {
    const sqlitePath = join(t.dataDir, 'test.sqlite');
    const logPath = join(t.dataDir, 'work.log');
    const queue = new EmbeddedJobQueue(new JobRepository(t.db, 'sqlite'));
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await queue.enqueue('blob.sweep', {}, { accountId: 'acct-crash', maxAttempts: 3 })).id);
    const log = (): string[] => (existsSync(logPath) ? readFileSync(logPath, 'utf8').trim().split('\n') : []);

    const first = startWorker(sqlitePath, logPath, t.dataDir);
    await until('the first worker to finish a job and be in the middle of another', async () => {
      const held = await t.db.selectFrom('jobs').select('id').where('status', '=', 'running').execute();
      return endedOneAndMidAnother(log(), held.map((r) => r.id));
    });
    first.kill('SIGKILL');
    await exited(first);
    const heldByDead = await t.db.selectFrom('jobs').select('id').where('status', '=', 'running').execute();
    expect(heldByDead.length).toBeGreaterThan(0);

    const second = startWorker(sqlitePath, logPath, t.dataDir);
    try {
      await until('every job to end', async () => {
        const open = await t.db.selectFrom('jobs').select('id').where('status', 'in', ['queued', 'running']).execute();
        return open.length === 0;
      });
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
    for (const { id } of heldByDead) {
      const job = await queue.get('acct-crash', id);
      expect(job).toMatchObject({ attempts: 2, result: { pid: second.pid } });
      expect(job?.error).toMatch(/lease expired/);
    }
    await expectNothingOrphaned(t, queue, ids, heldByDead.length);
  }, 60_000);
});
