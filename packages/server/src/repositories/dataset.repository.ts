/**
 * The only database IO of datasets: insert (inside the caller's blob transaction), find by
 * id or manifest hash, list with keyset pagination, the files of a dataset, the active runs
 * that use one, and delete. Every query names the account.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { DatasetFilesTable, DatasetRow, DatasetsTable } from '../db/tables/datasets.tables.ts';

/** Position in a listing: the last item of the previous page. */
export interface DatasetCursor {
  createdAt: string;
  id: string;
}

/** Job statuses in which a run still uses its dataset. */
const ACTIVE_JOB_STATUSES = ['queued', 'running'] as const;

/** Dataset rows over Kysely, portable between SQLite and PostgreSQL. */
export class DatasetRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Inserts a dataset and its files in `trx` (the blobs they name are put in it too). */
  async insert(trx: Transaction<Database>, row: DatasetsTable, files: readonly DatasetFilesTable[]): Promise<void> {
    await trx.insertInto('datasets').values(row).execute();
    // Chunks keep each statement under SQLite's and PostgreSQL's bound-parameter limits.
    for (let i = 0; i < files.length; i += 500) await trx.insertInto('dataset_files').values(files.slice(i, i + 500)).execute();
  }

  /** The dataset `id` of `accountId`, or undefined. */
  async find(accountId: string, id: string): Promise<DatasetRow | undefined> {
    return this.db.selectFrom('datasets').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  }

  /** The dataset of `accountId` with manifest hash `hash`, or undefined. */
  async findByHash(accountId: string, hash: string): Promise<DatasetRow | undefined> {
    return this.db.selectFrom('datasets').selectAll().where('account_id', '=', accountId).where('manifest_hash', '=', hash).executeTakeFirst();
  }

  /** Up to `limit` datasets of `accountId`, newest first, after `cursor`; `next` when more follow. */
  async list(accountId: string, limit: number, cursor?: DatasetCursor): Promise<{ items: DatasetRow[]; next?: DatasetCursor }> {
    let q = this.db.selectFrom('datasets').selectAll().where('account_id', '=', accountId);
    if (cursor) q = q.where((eb) => eb.or([eb('created_at', '<', cursor.createdAt), eb.and([eb('created_at', '=', cursor.createdAt), eb('id', '<', cursor.id)])]));
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items, next: rows.length > limit && last ? { createdAt: last.created_at, id: last.id } : undefined };
  }

  /** Every file of dataset `datasetId`, by path. */
  async files(datasetId: string): Promise<{ path: string; blob_sha256: string; size: number; role: string; label: string | null }[]> {
    return this.db.selectFrom('dataset_files').select(['path', 'blob_sha256', 'size', 'role', 'label']).where('dataset_id', '=', datasetId).orderBy('path').execute();
  }

  /** Ids of the runs of `accountId` whose job is queued or running on dataset `datasetId`. */
  async activeRunIds(accountId: string, datasetId: string, db: Kysely<Database> = this.db): Promise<string[]> {
    const rows = await db
      .selectFrom('runs')
      .innerJoin('jobs', 'jobs.id', 'runs.job_id')
      .select('runs.id')
      .where('runs.account_id', '=', accountId)
      .where('runs.dataset_id', '=', datasetId)
      .where('jobs.status', 'in', ACTIVE_JOB_STATUSES)
      .execute();
    return rows.map((r) => r.id);
  }

  /**
   * Deletes dataset `id` of `accountId` unless a queued or running run uses it (checked in the
   * same transaction). Finished runs keep their dataset hash; their dataset id becomes null.
   * @returns the blob keys the dataset named, `busy` with the active run ids, or undefined when not found
   */
  async delete(accountId: string, id: string): Promise<{ blobs: string[] } | { busy: string[] } | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('datasets').select(['id', 'manifest_sha256']).where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
      if (!row) return undefined;
      const busy = await this.activeRunIds(accountId, id, trx);
      if (busy.length > 0) return { busy };
      const files = await trx.selectFrom('dataset_files').select('blob_sha256').where('dataset_id', '=', id).execute();
      await trx.deleteFrom('dataset_files').where('dataset_id', '=', id).execute();
      await trx.deleteFrom('datasets').where('account_id', '=', accountId).where('id', '=', id).execute();
      return { blobs: [...new Set([row.manifest_sha256, ...files.map((f) => f.blob_sha256)])] };
    });
  }
}
