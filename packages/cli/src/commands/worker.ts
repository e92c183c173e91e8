/**
 * `xaiqc worker`: runs the server's background job handlers in the foreground, configured
 * from the environment as `xaiqc serve` is (XQC_DATA_DIR, DATABASE_URL, REDIS_URL,
 * XQC_JOB_CONCURRENCY), with flags for the common settings. Stops on Ctrl-C or SIGTERM.
 */
import { workerMain } from '@xai-qc/server';
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';

/** Environment variable each flag overrides. */
const FLAG_ENV: Readonly<Record<string, string>> = {
  'data-dir': 'XQC_DATA_DIR',
  concurrency: 'XQC_JOB_CONCURRENCY',
};

export const workerCommand: Command = {
  name: 'worker',
  summary: 'run background jobs (embedded queue in the database, or BullMQ with REDIS_URL)',
  help: `Usage: xaiqc worker [--concurrency N] [--data-dir DIR]

Runs job handlers until Ctrl-C (SIGINT) or SIGTERM, then lets the jobs in hand finish.
Jobs come from Redis through BullMQ when REDIS_URL is set (the API processes then run no
jobs themselves), else from the jobs table of the database: DATABASE_URL (PostgreSQL,
where several workers share the queue) or the SQLite file in --data-dir. A worker that
dies loses its jobs to another worker when their lease lapses; no job completes twice.
  --concurrency N     XQC_JOB_CONCURRENCY: jobs run at once (default 2, at least 1)
  --data-dir DIR      XQC_DATA_DIR: SQLite database and blobs (default ./data)`,
  options: {
    concurrency: { type: 'string' },
    'data-dir': { type: 'string' },
  },
  async run(values, positionals, io) {
    if (positionals.length > 0) throw new UsageError(`worker takes no positional arguments, got '${positionals[0]}'`);
    const overrides: Record<string, string> = {};
    for (const [flag, env] of Object.entries(FLAG_ENV)) {
      const v = values[flag];
      if (typeof v === 'string') overrides[env] = v;
    }
    if (overrides.XQC_JOB_CONCURRENCY !== undefined && !/^[1-9][0-9]{0,2}$/.test(overrides.XQC_JOB_CONCURRENCY)) {
      throw new UsageError(`--concurrency must be an integer 1..999, got '${overrides.XQC_JOB_CONCURRENCY}'`);
    }
    const worker = await workerMain(overrides, io.out);
    await new Promise<void>((resolve) => worker.app.addHook('onClose', async () => resolve()));
    return 0;
  },
};
