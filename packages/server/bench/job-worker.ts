/**
 * A worker process of jobs-bench.ts: runs the queue adapter `argv[2]` (`sqlite`, `postgres`
 * or `bullmq`) with concurrency 1 and a `blob.sweep` stand-in that burns `argv[3]` ms of CPU
 * (a job's real work), on the SQLite file, or the PostgreSQL URL and schema, and Redis URL and
 * prefix, in argv[4..]. Prints `READY` when it takes jobs; stops on SIGTERM.
 */
import { createHash } from 'node:crypto';
import { openDatabase } from '../src/db/connect.ts';
import { BullMqJobQueue } from '../src/jobs/bullmq-queue.ts';
import { EmbeddedJobQueue } from '../src/jobs/embedded-queue.ts';
import type { JobQueue } from '../src/jobs/job-queue.ts';
import { testHandlers } from '../src/jobs/test-handlers.ts';
import { JobRepository } from '../src/repositories/job.repository.ts';

const [adapter, workMs, a, b, c, d] = process.argv.slice(2);
const { db } = adapter === 'sqlite' ? openDatabase({ sqlitePath: a }) : openDatabase({ databaseUrl: a, searchPath: b, poolSize: 4 });
const repo = new JobRepository(db, adapter === 'sqlite' ? 'sqlite' : 'postgres');
const queue: JobQueue = adapter === 'bullmq' ? new BullMqJobQueue(repo, { redisUrl: c, prefix: d }) : new EmbeddedJobQueue(repo, { pollIntervalMs: 50 });

/** Hashes until `ms` of CPU time have passed. */
function burn(ms: number): number {
  const end = performance.now() + ms;
  let n = 0;
  const h = createHash('sha256');
  while (performance.now() < end) {
    h.update('x'.repeat(256));
    n++;
  }
  return n;
}

const worker = queue.run(testHandlers({ 'blob.sweep': async () => ({ result: { rounds: burn(Number(workMs)) } }) }), { concurrency: 1 });
process.stdout.write('READY\n');
process.once('SIGTERM', () => {
  void worker
    .stop()
    .then(() => queue.close())
    .then(() => db.destroy())
    .then(() => process.exit(0));
});
