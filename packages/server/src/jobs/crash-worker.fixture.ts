/**
 * A worker process for the crash test (embedded-crash.test.ts): runs the embedded queue on
 * the SQLite file `argv[2]` with a lease of `argv[3]` ms, and a handler that appends
 * `start <job> <pid>` to the log `argv[4]`, works for 300 ms, appends `end <job> <pid>` and
 * returns its pid. Stops on SIGTERM; the test kills it with SIGKILL mid-job.
 */
import { appendFileSync } from 'node:fs';
import { openDatabase } from '../db/connect.ts';
import { JobRepository } from '../repositories/job.repository.ts';
import { EmbeddedJobQueue } from './embedded-queue.ts';

const [sqlitePath, leaseMs, logPath] = process.argv.slice(2);
const { db } = openDatabase({ sqlitePath });
const queue = new EmbeddedJobQueue(new JobRepository(db, 'sqlite'), { leaseMs: Number(leaseMs), pollIntervalMs: 25, backoff: { baseMs: 10, maxMs: 10 } });
const worker = queue.run(
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
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  worker
    .stop()
    .then(() => db.destroy())
    .then(
      () => process.exit(0),
      () => process.exit(1),
    );
});
