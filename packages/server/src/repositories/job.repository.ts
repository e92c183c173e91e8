/**
 * Database IO of jobs: insert (deduplicated on active dedupe keys), read and list per account,
 * and the worker's side of the embedded queue: claim, renew, progress, complete, fail,
 * cancel, reclaim expired leases. Every change a worker makes names the lease token of its
 * attempt, so a worker that lost its lease can no longer change the row. Claiming is one
 * UPDATE ... WHERE id = (SELECT ... LIMIT 1) RETURNING (a scalar subquery, evaluated once; an IN
 * subquery may be re-run per row by PostgreSQL and take several): `FOR UPDATE SKIP LOCKED` on
 * PostgreSQL so several workers share the table; on SQLite the statement is its own write
 * transaction (one writer at a time), which holds no lock across an await.
 */
import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../db/connect.ts';
import type { DialectName } from '../db/connect.ts';
import type { Database } from '../db/schema.ts';
import type { JobRow, NewJobRow } from '../db/tables/jobs.tables.ts';

/** Position after the last row of a page: the row's (created_at, id). */
export interface JobCursor {
  createdAt: string;
  id: string;
}

/** A job row and the blobs it produced. */
export interface JobRecord {
  row: JobRow;
  blobKeys: string[];
}

/** A lease a worker takes on a claimed job. */
export interface Lease {
  token: string;
  owner: string;
  /** ISO time the lease lapses. */
  expiresAt: string;
}

/** A running job whose lease lapsed. */
export interface ExpiredLease {
  id: string;
  token: string;
  attempts: number;
  maxAttempts: number;
  cancelRequested: boolean;
}

/** See the module comment. */
export class JobRepository {
  constructor(
    private readonly db: Kysely<Database>,
    readonly dialect: DialectName,
  ) {}

  /**
   * Inserts `row`, unless a queued or running job of the same account and name holds its
   * dedupe key: then that job is returned and nothing is inserted.
   * @returns the stored row and whether it is new.
   */
  async insert(row: NewJobRow): Promise<{ row: JobRow; created: boolean }> {
    for (let tries = 0; ; tries++) {
      if (row.dedupe_key != null) {
        const active = await this.activeWithKey(row.account_id, row.name, row.dedupe_key);
        if (active) return { row: active, created: false };
      }
      try {
        const inserted = await this.db.insertInto('jobs').values(row).returningAll().executeTakeFirstOrThrow();
        return { row: inserted, created: true };
      } catch (e) {
        // A concurrent enqueue took the key between the read and the insert: read it again.
        if (!isUniqueViolation(e) || row.dedupe_key == null || tries >= 3) throw e;
      }
    }
  }

  private async activeWithKey(accountId: string, name: string, key: string): Promise<JobRow | undefined> {
    return this.db
      .selectFrom('jobs')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('name', '=', name)
      .where('dedupe_key', '=', key)
      .where('status', 'in', ['queued', 'running'])
      .executeTakeFirst();
  }

  /** The job `id` of `accountId` with its blobs, or undefined (also for another account's job). */
  async find(accountId: string, id: string): Promise<JobRecord | undefined> {
    const row = await this.db.selectFrom('jobs').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
    return row ? { row, blobKeys: await this.blobKeys(id) } : undefined;
  }

  /** The job `id` whatever its account (workers only). */
  async findById(id: string): Promise<JobRow | undefined> {
    return this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  private async blobKeys(id: string): Promise<string[]> {
    const rows = await this.db.selectFrom('job_blobs').select('blob_sha256').where('job_id', '=', id).orderBy('blob_sha256').execute();
    return rows.map((r) => r.blob_sha256);
  }

  /**
   * Jobs of `accountId`, newest first (ties by id, descending), `limit` per page after `cursor`.
   * @returns the page (with blobs) and the cursor of the next one (undefined on the last).
   */
  async list(accountId: string, filter: { status?: string; name?: string }, cursor: JobCursor | undefined, limit: number): Promise<{ items: JobRecord[]; next: JobCursor | undefined }> {
    let q = this.db.selectFrom('jobs').selectAll().where('account_id', '=', accountId);
    if (filter.status !== undefined) q = q.where('status', '=', filter.status);
    if (filter.name !== undefined) q = q.where('name', '=', filter.name);
    if (cursor) {
      q = q.where((eb) => eb.or([eb('created_at', '<', cursor.createdAt), eb.and([eb('created_at', '=', cursor.createdAt), eb('id', '<', cursor.id)])]));
    }
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    const page = rows.slice(0, limit);
    const ids = page.map((r) => r.id);
    const blobs = ids.length === 0 ? [] : await this.db.selectFrom('job_blobs').select(['job_id', 'blob_sha256']).where('job_id', 'in', ids).orderBy('blob_sha256').execute();
    const items = page.map((row) => ({ row, blobKeys: blobs.filter((b) => b.job_id === row.id).map((b) => b.blob_sha256) }));
    const last = page.at(-1);
    return { items, next: rows.length > limit && last ? { createdAt: last.created_at, id: last.id } : undefined };
  }

  /** Cancels the job if it is still queued. @returns true when it was. */
  async cancelQueued(accountId: string, id: string, now: string): Promise<boolean> {
    const res = await this.db
      .updateTable('jobs')
      .set({ status: 'cancelled', finished_at: now, updated_at: now, cancel_requested: 1 })
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .where('status', '=', 'queued')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /** Asks a running job to stop (its worker sees it at the next renewal). @returns true when it is running. */
  async requestCancel(accountId: string, id: string, now: string): Promise<boolean> {
    const res = await this.db
      .updateTable('jobs')
      .set({ cancel_requested: 1, updated_at: now })
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /**
   * Takes the next queued job whose `run_at` has come (highest priority, then oldest) among
   * `names`, marks it running under `lease` and counts the attempt.
   * @returns the claimed row, or undefined when none is due.
   */
  async claim(names: readonly string[], lease: Lease, now: string): Promise<JobRow | undefined> {
    if (names.length === 0) return undefined;
    const next = this.db
        .selectFrom('jobs')
        .select('id')
        .where('status', '=', 'queued')
        .where('run_at', '<=', now)
        .where('name', 'in', [...names])
        .orderBy('priority', 'desc')
        .orderBy('run_at')
        .orderBy('created_at')
        .orderBy('id')
        .limit(1);
    return this.db
      .updateTable('jobs')
        .set((eb) => ({
          status: 'running',
          attempts: eb('attempts', '+', 1),
          lease_token: lease.token,
          lease_owner: lease.owner,
          lease_expires_at: lease.expiresAt,
          started_at: eb.fn.coalesce('started_at', eb.val(now)),
          updated_at: now,
        }))
        .where('id', '=', this.dialect === 'postgres' ? next.forUpdate().skipLocked() : next)
        .where('status', '=', 'queued')
        .returningAll()
        .executeTakeFirst();
  }

  /**
   * Extends the lease of attempt `token` to `expiresAt`.
   * @returns whether cancellation was asked, or undefined when the lease is lost.
   */
  async renew(id: string, token: string, expiresAt: string, now: string): Promise<{ cancelRequested: boolean } | undefined> {
    const row = await this.db
      .updateTable('jobs')
      .set({ lease_expires_at: expiresAt, updated_at: now })
      .where('id', '=', id)
      .where('lease_token', '=', token)
      .where('status', '=', 'running')
      .returning('cancel_requested')
      .executeTakeFirst();
    return row ? { cancelRequested: row.cancel_requested === 1 } : undefined;
  }

  /** Records progress of attempt `token`. @returns false when the lease is lost. */
  async progress(id: string, token: string, fraction: number, message: string | null, now: string): Promise<boolean> {
    const res = await this.db
      .updateTable('jobs')
      .set({ progress: fraction, progress_message: message, updated_at: now })
      .where('id', '=', id)
      .where('lease_token', '=', token)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /**
   * Marks attempt `token` succeeded with its result and blobs, in one transaction: either the
   * status, the result and every blob row are written, or none is.
   * @param blobKeys keys of blobs already stored (foreign keys refuse unknown ones).
   * @returns false (and writes nothing) when the token no longer holds the lease.
   */
  async complete(id: string, token: string, resultJson: string | null, blobKeys: readonly string[], now: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const res = await trx
        .updateTable('jobs')
        .set({ status: 'succeeded', result_json: resultJson, progress: 1, finished_at: now, updated_at: now, lease_token: null, lease_expires_at: null })
        .where('id', '=', id)
        .where('lease_token', '=', token)
        .where('status', '=', 'running')
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) return false;
      const keys = [...new Set(blobKeys)];
      if (keys.length > 0) await trx.insertInto('job_blobs').values(keys.map((k) => ({ job_id: id, blob_sha256: k }))).execute();
      return true;
    });
  }

  /**
   * Ends attempt `token` with `error`: back to queued until `retryAt` when given, else
   * dead-lettered as failed. @returns false when the token no longer holds the lease.
   */
  async fail(id: string, token: string, error: string, retryAt: string | undefined, now: string): Promise<boolean> {
    const res = await this.db
      .updateTable('jobs')
      .set(
        retryAt === undefined
          ? { status: 'failed', error, finished_at: now, updated_at: now, lease_token: null, lease_owner: null, lease_expires_at: null }
          : { status: 'queued', error, run_at: retryAt, updated_at: now, lease_token: null, lease_owner: null, lease_expires_at: null },
      )
      .where('id', '=', id)
      .where('lease_token', '=', token)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /** Ends attempt `token` as cancelled. @returns false when the token no longer holds the lease. */
  async finishCancelled(id: string, token: string, now: string): Promise<boolean> {
    const res = await this.db
      .updateTable('jobs')
      .set({ status: 'cancelled', finished_at: now, updated_at: now, lease_token: null, lease_owner: null, lease_expires_at: null })
      .where('id', '=', id)
      .where('lease_token', '=', token)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /** Running jobs whose lease lapsed before `now`, at most `limit`. */
  async expiredLeases(now: string, limit: number): Promise<ExpiredLease[]> {
    const rows = await this.db
      .selectFrom('jobs')
      .select(['id', 'lease_token', 'attempts', 'max_attempts', 'cancel_requested'])
      .where('status', '=', 'running')
      .where('lease_expires_at', '<', now)
      .orderBy('lease_expires_at')
      .limit(limit)
      .execute();
    return rows.flatMap((r) =>
      r.lease_token === null ? [] : [{ id: r.id, token: r.lease_token, attempts: r.attempts, maxAttempts: r.max_attempts, cancelRequested: r.cancel_requested === 1 }],
    );
  }

  /**
   * Marks a job running under `lease` for an adapter whose broker hands out attempts
   * (BullMQ), counting the attempt. @returns false when the job is finished, cancelled or unknown.
   */
  async markRunning(id: string, lease: Lease, now: string): Promise<JobRow | undefined> {
    return this.db
      .updateTable('jobs')
      .set((eb) => ({
        status: 'running',
        attempts: eb('attempts', '+', 1),
        lease_token: lease.token,
        lease_owner: lease.owner,
        lease_expires_at: lease.expiresAt,
        started_at: eb.fn.coalesce('started_at', eb.val(now)),
        updated_at: now,
      }))
      .where('id', '=', id)
      .where('status', 'in', ['queued', 'running'])
      .where('cancel_requested', '=', 0)
      .returningAll()
      .executeTakeFirst();
  }

  /**
   * Dead-letters a job whatever lease holds it, unless it already ended (the broker gave up
   * on it, or it could not be handed to the broker). @returns true when the row changed.
   */
  async markFailed(id: string, error: string, now: string): Promise<boolean> {
    const res = await this.db
      .updateTable('jobs')
      .set({ status: 'failed', error, finished_at: now, updated_at: now, lease_token: null, lease_owner: null, lease_expires_at: null })
      .where('id', '=', id)
      .where('status', 'in', ['queued', 'running'])
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }
}
