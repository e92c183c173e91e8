/**
 * The `blobs` table: which blobs exist, how big, and when a writer last stored them. The
 * sweeper deletes only rows that no registered reference column points at and that are
 * older than a grace period; foreign keys from the referencing tables make the database
 * refuse any other delete.
 */
import { sql } from 'kysely';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';

/** A column that holds blob keys (`table.column`); every such column must be registered. */
export interface BlobReference {
  table: string;
  column: string;
}

/** Database IO for blob bookkeeping. */
export class BlobRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Runs `fn` in one database transaction with a repository bound to it; everything `fn`
   * writes through either commits together or not at all.
   */
  async transaction<T>(fn: (repo: BlobRepository, trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => fn(new BlobRepository(trx), trx));
  }

  /**
   * Inserts the blob row or refreshes its `last_put_at` (so a sweep in progress leaves it).
   * @returns true when the row existed before this call (created before `now`)
   */
  async touch(sha256: string, size: number, mediaType: string, now: string): Promise<boolean> {
    const row = await this.db
      .insertInto('blobs')
      .values({ sha256, size, media_type: mediaType, created_at: now, last_put_at: now })
      .onConflict((oc) => oc.column('sha256').doUpdateSet({ last_put_at: now }))
      .returning('created_at')
      .executeTakeFirstOrThrow();
    return row.created_at !== now;
  }

  /** The row of `sha256`, if any. */
  async find(sha256: string): Promise<{ sha256: string; size: number; media_type: string } | undefined> {
    return this.db.selectFrom('blobs').select(['sha256', 'size', 'media_type']).where('sha256', '=', sha256).executeTakeFirst();
  }

  /** Keys of blobs put before `cutoff` that no reference column points at, oldest first. */
  async unreferencedBefore(cutoff: string, refs: readonly BlobReference[], limit: number): Promise<string[]> {
    let q = this.db.selectFrom('blobs').select('sha256').where('last_put_at', '<', cutoff);
    for (const r of refs) q = q.where(sql<boolean>`not exists (select 1 from ${sql.table(r.table)} where ${sql.ref(`${r.table}.${r.column}`)} = blobs.sha256)`);
    const rows = await q.orderBy('last_put_at').limit(limit).execute();
    return rows.map((r) => r.sha256);
  }

  /**
   * In one transaction: deletes the row of `sha256` if it is still unreferenced and older than
   * `cutoff`, then runs `whileLocked` (the file removal) before committing, so a concurrent
   * writer of the same bytes waits and then writes both row and file again.
   * @returns true when the row was deleted.
   */
  async deleteIfUnreferenced(sha256: string, cutoff: string, refs: readonly BlobReference[], whileLocked: () => Promise<void>): Promise<boolean> {
    return this.db.transaction().execute(async (trx: Transaction<Database>) => {
      let q = trx.deleteFrom('blobs').where('sha256', '=', sha256).where('last_put_at', '<', cutoff);
      for (const r of refs) q = q.where(sql<boolean>`not exists (select 1 from ${sql.table(r.table)} where ${sql.ref(`${r.table}.${r.column}`)} = blobs.sha256)`);
      const res = await q.executeTakeFirst();
      if (Number(res.numDeletedRows) === 0) return false;
      await whileLocked();
      return true;
    });
  }

  /** Keys of every blob row after `afterKey` in key order, at most `limit` (audit paging). */
  async keysAfter(afterKey: string, limit: number): Promise<string[]> {
    const rows = await this.db.selectFrom('blobs').select('sha256').where('sha256', '>', afterKey).orderBy('sha256').limit(limit).execute();
    return rows.map((r) => r.sha256);
  }

  /**
   * Removes the bytes of `sha256` when no row names them: in one transaction inserts a
   * placeholder row (a writer putting the same bytes now waits on it, then stores row and
   * bytes afresh), runs `whileLocked` (the file removal) and deletes the placeholder. A row
   * that exists (committed, or being inserted by a writer) leaves the bytes alone.
   * @returns true when the bytes were removed.
   */
  async removeIfRowless(sha256: string, size: number, whileLocked: () => Promise<void>): Promise<boolean> {
    return this.db.transaction().execute(async (trx: Transaction<Database>) => {
      const epoch = new Date(0).toISOString();
      const claimed = await trx
        .insertInto('blobs')
        .values({ sha256, size, media_type: 'application/octet-stream', created_at: epoch, last_put_at: epoch })
        .onConflict((oc) => oc.column('sha256').doNothing())
        .returning('sha256')
        .executeTakeFirst();
      if (!claimed) return false;
      await whileLocked();
      await trx.deleteFrom('blobs').where('sha256', '=', sha256).execute();
      return true;
    });
  }
}
