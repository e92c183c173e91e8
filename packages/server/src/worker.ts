/**
 * `xaiqc worker`: a process that runs job handlers and serves no HTTP. It builds the same
 * app as the server (database, blobs, registry, inference, every blob reference registered)
 * without listening, with the jobs plugin's worker on: BullMQ when `REDIS_URL` is set, else
 * the embedded queue of the database `DATABASE_URL` or `XQC_DATA_DIR` names. Stops on
 * SIGINT or SIGTERM after the jobs in hand settle; a killed worker's jobs are taken over by
 * another worker when their lease (or BullMQ lock) lapses.
 */
import { buildApp } from './app.ts';
import type { App } from './app.ts';
import { loadConfig } from './config/load-config.ts';
import type { Config } from './config/load-config.ts';

/** A running worker process. */
export interface RunningWorker {
  readonly app: App;
  readonly config: Config;
  /** Stops taking jobs, waits for those in hand, closes the database. */
  close(): Promise<void>;
}

/**
 * Builds the app in worker mode from `config` (demo models are left to the API process).
 * @param print where the start line goes (default stdout).
 */
export async function startWorker(config: Config, print: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<RunningWorker> {
  const workerConfig: Config = Object.freeze({ ...config, registerDemoModels: false, jobConcurrency: Math.max(1, config.jobConcurrency) });
  const app = await buildApp(workerConfig, { jobWorker: true });
  try {
    await app.ready();
  } catch (e) {
    await app.close();
    throw e;
  }
  const storage = config.databaseUrl === undefined ? `SQLite in ${config.dataDir}` : 'PostgreSQL (DATABASE_URL)';
  print(`XAI-QC worker running ${workerConfig.jobConcurrency} job(s) at once from ${app.jobQueue.kind === 'bullmq' ? 'Redis (REDIS_URL)' : 'the database'}; ${storage}`);
  return { app, config: workerConfig, close: () => app.close() };
}

/**
 * Entry point: config from `process.env` (with `overrides`), start, stop on SIGINT/SIGTERM.
 */
export async function workerMain(overrides: Record<string, string | undefined> = {}, print?: (line: string) => void): Promise<RunningWorker> {
  const worker = await startWorker(loadConfig({ ...process.env, ...overrides }), print);
  const stop = (signal: string): void => {
    worker.app.log.info({ signal }, 'worker stopping');
    worker.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return worker;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  workerMain().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
