/**
 * The only database IO of runs: insert, attach the job, read with the job's status
 * (the job row is the record of status, progress and error in both queue adapters), list
 * with keyset pagination, per-epoch figures, artifacts, and the final results written in
 * the blob transaction. Every read names the account.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { NewRunRow, RunArtifactRow, RunEpochRow, RunEpochsTable, RunRow } from '../db/tables/datasets.tables.ts';

/** A run with its job's state (null fields when the job row is gone or not attached yet). */
export type RunWithJob = RunRow & {
  job_status: string | null;
  job_progress: number | null;
  job_progress_message: string | null;
  job_error: string | null;
  job_started_at: string | null;
};

/** Position in a listing: the last item of the previous page. */
export interface RunCursor {
  createdAt: string;
  id: string;
}

/** What a finished run stores with its artifacts. */
export interface RunResults {
  result_version_id?: string | null;
  metrics_json: string | null;
  record_json?: string | null;
  mlflow_run_id?: string | null;
  finished_at: string;
}

/** Run rows over Kysely, portable between SQLite and PostgreSQL. */
export class RunRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Inserts a run. */
  async insert(row: NewRunRow): Promise<void> {
    await this.db.insertInto('runs').values(row).execute();
  }

  /** Sets the job of run `id`. */
  async attachJob(id: string, jobId: string): Promise<void> {
    await this.db.updateTable('runs').set({ job_id: jobId }).where('id', '=', id).execute();
  }

  /** Removes run `id` (its job could not be enqueued). */
  async remove(id: string): Promise<void> {
    await this.db.deleteFrom('runs').where('id', '=', id).execute();
  }

  private withJob() {
    return this.db
      .selectFrom('runs')
      .leftJoin('jobs', 'jobs.id', 'runs.job_id')
      .selectAll('runs')
      .select([
        'jobs.status as job_status',
        'jobs.progress as job_progress',
        'jobs.progress_message as job_progress_message',
        'jobs.error as job_error',
        'jobs.started_at as job_started_at',
      ]);
  }

  /** Run `id` of `accountId` with its job's state, or undefined. */
  async find(accountId: string, id: string): Promise<RunWithJob | undefined> {
    return this.withJob().where('runs.account_id', '=', accountId).where('runs.id', '=', id).executeTakeFirst();
  }

  /** Up to `limit` runs of `accountId`, newest first, after `cursor`, optionally of one dataset. */
  async list(accountId: string, limit: number, filter: { datasetId?: string; kind?: string }, cursor?: RunCursor): Promise<{ items: RunWithJob[]; next?: RunCursor }> {
    let q = this.withJob().where('runs.account_id', '=', accountId);
    if (filter.datasetId !== undefined) q = q.where('runs.dataset_id', '=', filter.datasetId);
    if (filter.kind !== undefined) q = q.where('runs.kind', '=', filter.kind);
    if (cursor) q = q.where((eb) => eb.or([eb('runs.created_at', '<', cursor.createdAt), eb.and([eb('runs.created_at', '=', cursor.createdAt), eb('runs.id', '<', cursor.id)])]));
    const rows = await q.orderBy('runs.created_at', 'desc').orderBy('runs.id', 'desc').limit(limit + 1).execute();
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items, next: rows.length > limit && last ? { createdAt: last.created_at, id: last.id } : undefined };
  }

  /** Records the figures of one epoch (again for a repeated epoch number: the later one wins). */
  async addEpoch(row: RunEpochsTable): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('run_epochs').where('run_id', '=', row.run_id).where('epoch', '=', row.epoch).execute();
      await trx.insertInto('run_epochs').values(row).execute();
    });
  }

  /** The epochs of run `runId`, in order. */
  async epochs(runId: string): Promise<RunEpochRow[]> {
    return this.db.selectFrom('run_epochs').selectAll().where('run_id', '=', runId).orderBy('epoch').execute();
  }

  /** The artifacts of run `runId`, by name. */
  async artifacts(runId: string): Promise<RunArtifactRow[]> {
    return this.db.selectFrom('run_artifacts').selectAll().where('run_id', '=', runId).orderBy('name').execute();
  }

  /** Stores the results and artifacts of run `id` in `trx` (the blob transaction). */
  async finish(trx: Transaction<Database>, id: string, results: RunResults, artifacts: readonly { name: string; blob_sha256: string; size: number; media_type: string }[]): Promise<void> {
    await trx.updateTable('runs').set(results).where('id', '=', id).execute();
    await trx.deleteFrom('run_artifacts').where('run_id', '=', id).execute();
    if (artifacts.length > 0) await trx.insertInto('run_artifacts').values(artifacts.map((a) => ({ run_id: id, ...a }))).execute();
  }

  /** True when cancellation of job `jobId` was asked (read between steps to stop sooner than the lease renewal). */
  async cancelRequested(jobId: string): Promise<boolean> {
    const row = await this.db.selectFrom('jobs').select('cancel_requested').where('id', '=', jobId).executeTakeFirst();
    return row?.cancel_requested === 1;
  }
}
