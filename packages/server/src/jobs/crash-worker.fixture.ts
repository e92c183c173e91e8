/**
 * A worker process for the crash test (embedded-crash.test.ts): runs the embedded queue on
 * the SQLite file `argv[2]` with a lease of `argv[3]` ms and crash-handler.fixture.ts's handler
 * (log `argv[4]`, blobs under the data folder `argv[5]`). Stops on SIGTERM; the test kills it
 * with SIGKILL mid-job.
 */
import { openDatabase } from '../db/connect.ts';
import { JobRepository } from '../repositories/job.repository.ts';
import { crashHandler, crashTestBlobs } from './crash-handler.fixture.ts';
import { EmbeddedJobQueue } from './embedded-queue.ts';
import { testHandlers } from './test-handlers.ts';

const [sqlitePath, leaseMs, logPath, dataDir] = process.argv.slice(2);
const { db } = openDatabase({ sqlitePath });
const queue = new EmbeddedJobQueue(new JobRepository(db, 'sqlite'), { leaseMs: Number(leaseMs), pollIntervalMs: 25, backoff: { baseMs: 10, maxMs: 10 } });
const worker = queue.run(
  testHandlers({ 'blob.sweep': crashHandler(crashTestBlobs(db, dataDir), logPath) }),
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
