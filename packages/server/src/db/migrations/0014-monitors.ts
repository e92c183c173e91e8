/**
 * Monitors (db/tables/monitors.tables.ts): `monitors`, one per watched model version with
 * its reference and current windows, signals, schedule and last run state, and
 * `monitor_results`, the time series of computed results (deleted with their monitor).
 * Portable DDL only.
 */
import type { Kysely } from 'kysely';

/** Creates monitors and monitor_results. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('monitors')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('model_name', 'text', (c) => c.notNull())
    .addColumn('model_version', 'text', (c) => c.notNull())
    .addColumn('model_version_id', 'text', (c) => c.notNull())
    .addColumn('reference_kind', 'text', (c) => c.notNull())
    .addColumn('reference_from', 'text')
    .addColumn('reference_to', 'text')
    .addColumn('reference_count', 'integer')
    .addColumn('reference_dataset_id', 'text')
    .addColumn('current_kind', 'text', (c) => c.notNull())
    .addColumn('current_count', 'integer')
    .addColumn('current_minutes', 'integer')
    .addColumn('interval_minutes', 'integer', (c) => c.notNull())
    .addColumn('signals_json', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('next_run_at', 'text')
    .addColumn('last_run_at', 'text')
    .addColumn('last_status', 'text')
    .addColumn('last_error', 'text')
    .execute();
  await db.schema.createIndex('monitors_account').on('monitors').columns(['account_id', 'created_at']).execute();
  await db.schema.createIndex('monitors_due').on('monitors').columns(['enabled', 'next_run_at']).execute();

  await db.schema
    .createTable('monitor_results')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('monitor_id', 'text', (c) => c.notNull().references('monitors.id').onDelete('cascade'))
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('computed_at', 'text', (c) => c.notNull())
    .addColumn('job_id', 'text')
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('reference_from', 'text')
    .addColumn('reference_to', 'text')
    .addColumn('reference_count', 'integer', (c) => c.notNull())
    .addColumn('current_from', 'text', (c) => c.notNull())
    .addColumn('current_to', 'text', (c) => c.notNull())
    .addColumn('current_count', 'integer', (c) => c.notNull())
    .addColumn('signals_json', 'text', (c) => c.notNull())
    .addColumn('notes_json', 'text', (c) => c.notNull())
    .addColumn('performance_json', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('monitor_results_series').on('monitor_results').columns(['monitor_id', 'computed_at']).execute();
}

/** Drops the two tables. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('monitor_results').execute();
  await db.schema.dropTable('monitors').execute();
}
