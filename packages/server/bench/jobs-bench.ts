/**
 * `npm run bench:jobs`: job throughput of each queue adapter with 1 and 2 worker processes.
 *
 * For each adapter (embedded on a SQLite file, embedded on PostgreSQL with SKIP LOCKED,
 * BullMQ on Redis with PostgreSQL rows) and 1 then 2 workers (job-worker.ts, concurrency 1
 * each, a job that burns WORK_MS of CPU): enqueue JOBS jobs through the queue port from this
 * process, and time from the first enqueue until every row is `succeeded`. Prints jobs/s,
 * the ideal (workers x 1000 / WORK_MS, capped by the cores), the per-job overhead
 * ((wall x workers / jobs) - WORK_MS) and the 2-worker speed-up. Uses the PostgreSQL and Redis
 * of this machine (a fresh schema and key prefix, removed afterwards).
 * Usage: `npm run bench:jobs [-- jobs workMs]` (defaults 200 and 20).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Kysely } from 'kysely';
import { openDatabase } from '../src/db/connect.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import type { Database } from '../src/db/schema.ts';
import { BullMqJobQueue } from '../src/jobs/bullmq-queue.ts';
import { EmbeddedJobQueue } from '../src/jobs/embedded-queue.ts';
import type { JobQueue } from '../src/jobs/job-queue.ts';
import { JobRepository } from '../src/repositories/job.repository.ts';
import { createTestSchema, dropTestSchema, TEST_DATABASE_URL } from '../src/test/test-database.ts';

const JOBS = Number(process.argv[2] ?? 200);
const WORK_MS = Number(process.argv[3] ?? 20);
const REDIS_URL = process.env.XQC_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const WORKER = fileURLToPath(new URL('./job-worker.ts', import.meta.url));
/** A queue adapter under test. */
export type Adapter = 'sqlite' | 'postgres' | 'bullmq';

function startWorker(args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('a bench worker did not start within 60 s')), 60_000);
    createInterface({ input: child.stdout! }).on('line', (l) => {
      if (l === 'READY') {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => reject(new Error(`a bench worker exited with ${code}`)));
  });
}

async function stopWorker(child: ChildProcess): Promise<void> {
  await new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

interface Place {
  db: Kysely<Database>;
  queue: JobQueue;
  args: string[];
  close(): Promise<void>;
}

async function openPlace(adapter: Adapter): Promise<Place> {
  if (adapter === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'xqc-jobs-bench-'));
    const path = join(dir, 'jobs.sqlite');
    const { db } = openDatabase({ sqlitePath: path });
    await migrateToLatest(db as unknown as Kysely<unknown>);
    return { db, queue: new EmbeddedJobQueue(new JobRepository(db, 'sqlite')), args: [path], close: async () => (await db.destroy(), rmSync(dir, { recursive: true, force: true })) };
  }
  const schema = await createTestSchema();
  const { db } = openDatabase({ databaseUrl: TEST_DATABASE_URL, searchPath: schema, poolSize: 4 });
  await migrateToLatest(db as unknown as Kysely<unknown>);
  const repo = new JobRepository(db, 'postgres');
  const prefix = `xqc-bench-${randomBytes(5).toString('hex')}`;
  const queue: JobQueue = adapter === 'bullmq' ? new BullMqJobQueue(repo, { redisUrl: REDIS_URL, prefix }) : new EmbeddedJobQueue(repo);
  return {
    db,
    queue,
    args: [TEST_DATABASE_URL, schema, REDIS_URL, prefix],
    close: async () => {
      if (queue instanceof BullMqJobQueue) await queue.obliterate();
      await queue.close();
      await db.destroy();
      await dropTestSchema(schema);
    },
  };
}

async function measure(adapter: Adapter, workers: number, jobs: number, workMs: number): Promise<{ wall: number; rate: number }> {
  const place = await openPlace(adapter);
  const children = await Promise.all(Array.from({ length: workers }, () => startWorker([adapter, String(workMs), ...place.args])));
  try {
    const t0 = performance.now();
    for (let i = 0; i < jobs; i += 20) await Promise.all(Array.from({ length: Math.min(20, jobs - i) }, () => place.queue.enqueue('blob.sweep', {}, { accountId: 'bench' })));
    for (;;) {
      const row = await place.db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'succeeded').executeTakeFirstOrThrow();
      if (Number(row.n) >= jobs) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const wall = (performance.now() - t0) / 1000;
    return { wall, rate: jobs / wall };
  } finally {
    await Promise.all(children.map(stopWorker));
    await place.close();
  }
}

/** One adapter and worker count of {@link benchJobs}. */
export interface JobsBenchRow {
  adapter: Adapter;
  workers: number;
  wall: number;
  rate: number;
  ideal: number;
  overheadMs: number;
  speedup: number | null;
}

/** Runs every adapter with 1 and 2 workers: `jobs` jobs of `workMs` CPU each. */
export async function benchJobs(jobs = JOBS, workMs = WORK_MS): Promise<{ jobs: number; workMs: number; rows: JobsBenchRow[] }> {
  const cores = availableParallelism();
  const rows: JobsBenchRow[] = [];
  for (const adapter of ['sqlite', 'postgres', 'bullmq'] as const) {
    let one = 0;
    for (const workers of [1, 2]) {
      const { wall, rate } = await measure(adapter, workers, jobs, workMs);
      if (workers === 1) one = rate;
      rows.push({ adapter, workers, wall, rate, ideal: (Math.min(workers, cores) * 1000) / workMs, overheadMs: (wall * workers * 1000) / jobs - workMs, speedup: workers === 1 ? null : rate / one });
    }
  }
  return { jobs, workMs, rows };
}

/** The table {@link benchJobs} prints. */
export function formatJobsBench(r: { jobs: number; workMs: number; rows: JobsBenchRow[] }): string {
  const lines = [`job throughput: ${r.jobs} jobs of ${r.workMs} ms CPU each; ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'})`, 'adapter    workers  wall s  jobs/s  ideal jobs/s  overhead ms/job  speed-up'];
  for (const x of r.rows) {
    lines.push(
      `${x.adapter.padEnd(10)} ${String(x.workers).padStart(7)}  ${x.wall.toFixed(2).padStart(6)}  ${x.rate.toFixed(1).padStart(6)}  ${x.ideal.toFixed(1).padStart(12)}  ${x.overheadMs.toFixed(1).padStart(15)}  ${x.speedup === null ? '' : `${x.speedup.toFixed(2)}x`}`,
    );
  }
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(formatJobsBench(await benchJobs()));
}
