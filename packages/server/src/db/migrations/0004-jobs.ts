/**
 * The job queue of the embedded adapter (and the mirror of BullMQ jobs): `jobs` and
 * `job_blobs`. Portable DDL only; the partial unique index on active dedupe keys works on
 * SQLite and PostgreSQL alike.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/** Creates jobs and job_blobs with their indexes. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('payload_json', 'text', (c) => c.notNull())
    .addColumn('result_json', 'text')
    .addColumn('error', 'text')
    .addColumn('progress', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('progress_message', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('dedupe_key', 'text')
    .addColumn('run_at', 'text', (c) => c.notNull())
    .addColumn('lease_token', 'text')
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'text')
    .addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema.createIndex('jobs_claim').on('jobs').columns(['status', 'run_at']).execute();
  await db.schema.createIndex('jobs_account_created').on('jobs').columns(['account_id', 'created_at', 'id']).execute();
  await db.schema
    .createIndex('jobs_active_dedupe')
    .on('jobs')
    .columns(['account_id', 'name', 'dedupe_key'])
    .unique()
    .where(sql<boolean>`dedupe_key is not null and status in ('queued', 'running')`)
    .execute();

  await db.schema
    .createTable('job_blobs')
    .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
    .addColumn('blob_sha256', 'text', (c) => c.notNull().references('blobs.sha256').onDelete('restrict'))
    .addPrimaryKeyConstraint('job_blobs_pk', ['job_id', 'blob_sha256'])
    .execute();
}

/** Drops the job tables. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('job_blobs').execute();
  await db.schema.dropTable('jobs').execute();
}
