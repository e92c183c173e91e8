/**
 * Monitoring signals (db/tables/signals.tables.ts): one `inspection_signals` row per stored
 * inspection, written by /detect in the inspection's transaction and removed with it
 * (cascade), and one `detect_failures` row per /detect whose inference step failed, so an
 * error rate can be counted. Portable DDL only.
 */
import type { Kysely } from 'kysely';

/** Creates inspection_signals and detect_failures with their scope indexes. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('inspection_signals')
    .addColumn('inspection_id', 'text', (c) => c.primaryKey().references('inspections.id').onDelete('cascade'))
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('model_version_id', 'text', (c) => c.notNull())
    .addColumn('model_name', 'text', (c) => c.notNull())
    .addColumn('model_version', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('brightness', 'double precision', (c) => c.notNull())
    .addColumn('contrast', 'double precision', (c) => c.notNull())
    .addColumn('sharpness', 'double precision', (c) => c.notNull())
    .addColumn('saturation', 'double precision', (c) => c.notNull())
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('mean_r', 'double precision', (c) => c.notNull())
    .addColumn('mean_g', 'double precision', (c) => c.notNull())
    .addColumn('mean_b', 'double precision', (c) => c.notNull())
    .addColumn('score', 'double precision', (c) => c.notNull())
    .addColumn('defect_score', 'double precision', (c) => c.notNull())
    .addColumn('predicted_class', 'integer', (c) => c.notNull())
    .addColumn('uncertainty', 'double precision')
    .addColumn('latency_ms', 'double precision', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('inspection_signals_scope').on('inspection_signals').columns(['account_id', 'model_version_id', 'created_at']).execute();

  await db.schema
    .createTable('detect_failures')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('model_version_id', 'text', (c) => c.notNull())
    .addColumn('model_name', 'text', (c) => c.notNull())
    .addColumn('model_version', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('detect_failures_scope').on('detect_failures').columns(['account_id', 'created_at']).execute();
}

/** Drops the two tables. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('detect_failures').execute();
  await db.schema.dropTable('inspection_signals').execute();
}
