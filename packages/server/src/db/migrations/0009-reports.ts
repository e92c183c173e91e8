/**
 * Reports: one row per rendered report; the file is a blob referenced with a foreign key,
 * so the sweeper keeps it while the row exists.
 */
import type { Kysely } from 'kysely';

/** Creates reports. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('reports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('filters_json', 'text', (c) => c.notNull())
    .addColumn('file_sha256', 'text', (c) => c.notNull().references('blobs.sha256').onDelete('restrict'))
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('pages', 'integer')
    .addColumn('inspections', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('reports_account_created').on('reports').columns(['account_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('reports_file').on('reports').column('file_sha256').execute();
}

/** Drops reports. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('reports').execute();
}
