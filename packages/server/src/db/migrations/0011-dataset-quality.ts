/** Cached dataset quality reports, removed with their dataset. */
import type { Kysely } from 'kysely';

/** Creates dataset_quality_reports. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('dataset_quality_reports')
    .addColumn('dataset_id', 'text', (c) => c.notNull().references('datasets.id').onDelete('cascade'))
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('options_key', 'text', (c) => c.notNull())
    .addColumn('report_json', 'text', (c) => c.notNull())
    .addColumn('images', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('dataset_quality_reports_pk', ['dataset_id', 'options_key'])
    .execute();
}

/** Drops dataset_quality_reports. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('dataset_quality_reports').execute();
}
