/**
 * A BullMQ worker process for the crash test (bullmq-crash.test.ts): rows in the PostgreSQL
 * schema `argv[3]` of `argv[2]`, jobs from Redis `argv[4]` under the key prefix `argv[5]`,
 * a lock of 1 s, and a handler that appends `start <job> <pid>` to the log `argv[6]`, works
 * for 300 ms, appends `end <job> <pid>` and returns its pid. Stops on SIGTERM.
 */
import { appendFileSync } from 'node:fs';
import { openDatabase } from '../db/connect.ts';
import { JobRepository } from '../repositories/job.repository.ts';
import { BullMqJobQueue } from './bullmq-queue.ts';

const [databaseUrl, schema, redisUrl, prefix, logPath] = process.argv.slice(2);
const { db } = openDatabase({ databaseUrl, searchPath: schema, poolSize: 4 });
const queue = new BullMqJobQueue(new JobRepository(db, 'postgres'), { redisUrl, prefix, lockMs: 1000, renewMs: 100, backoff: { baseMs: 10, maxMs: 10 } });
queue.run(
  {
    'blob.sweep': async ({ job, signal }) => {
      appendFileSync(logPath, `start ${job.id} ${process.pid}\n`);
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, 300);
        signal.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason)));
      });
      appendFileSync(logPath, `end ${job.id} ${process.pid}\n`);
      return { result: { pid: process.pid } };
    },
  },
  { concurrency: 3 },
);
process.once('SIGTERM', () => {
  queue
    .close()
    .then(() => db.destroy())
    .then(
      () => process.exit(0),
      () => process.exit(1),
    );
});
