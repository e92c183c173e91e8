/**
 * A BullMQ worker process for the crash test (bullmq-crash.test.ts): rows in the PostgreSQL
 * schema `argv[3]` of `argv[2]`, jobs from Redis `argv[4]` under the key prefix `argv[5]`,
 * a lock of 1 s, and crash-handler.fixture.ts's handler (log `argv[6]`, blobs under the data
 * folder `argv[7]`). Stops on SIGTERM.
 */
import { openDatabase } from '../db/connect.ts';
import { JobRepository } from '../repositories/job.repository.ts';
import { BullMqJobQueue } from './bullmq-queue.ts';
import { crashHandler, crashTestBlobs } from './crash-handler.fixture.ts';
import { testHandlers } from './test-handlers.ts';

const [databaseUrl, schema, redisUrl, prefix, logPath, dataDir] = process.argv.slice(2);
const { db } = openDatabase({ databaseUrl, searchPath: schema, poolSize: 4 });
const queue = new BullMqJobQueue(new JobRepository(db, 'postgres'), { redisUrl, prefix, lockMs: 1000, renewMs: 100, backoff: { baseMs: 10, maxMs: 10 } });
queue.run(
  testHandlers({ 'blob.sweep': crashHandler(crashTestBlobs(db, dataDir), logPath) }),
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
