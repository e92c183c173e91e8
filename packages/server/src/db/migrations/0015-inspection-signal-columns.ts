/**
 * Monitoring signals as columns of the inspection row (db/tables/signals.tables.ts
 * `InspectionSignalColumns`): /detect wrote them as a second row (`inspection_signals`,
 * migration 0013) in the inspection's transaction, a second statement and three more B-tree
 * inserts (row, primary key, scope index) per request on SQLite's single writer. The image
 * statistics and the uncertainty become nullable `signal_*` columns of `inspections` (null:
 * recorded with signals off, or before 0013); the size, the outputs and the latency the
 * signals row repeated are the inspection's own columns. Existing signals rows are copied
 * into their inspections, so old inspections stay in the monitors' windows, and the table
 * is dropped. The index on `model_version_id` becomes `(model_version_id, account_id,
 * created_at)`, the windows' scope and order, so the row still has as many index entries as
 * before. Portable DDL and SQL (SQLite and PostgreSQL).
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';

/** The new columns and the `inspection_signals` columns they take over. */
const COPIED = [
  ['signal_brightness', 'brightness'],
  ['signal_contrast', 'contrast'],
  ['signal_sharpness', 'sharpness'],
  ['signal_saturation', 'saturation'],
  ['signal_mean_r', 'mean_r'],
  ['signal_mean_g', 'mean_g'],
  ['signal_mean_b', 'mean_b'],
  ['signal_uncertainty', 'uncertainty'],
] as const;

/** Adds the columns, copies the signals rows into them, swaps the version index, drops `inspection_signals`. */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [column] of COPIED) await db.schema.alterTable('inspections').addColumn(column, 'double precision').execute();
  const sets = sql.join(
    COPIED.map(([column, old]) => sql`${sql.ref(column)} = (select s.${sql.ref(old)} from inspection_signals s where s.inspection_id = inspections.id)`),
    sql`, `,
  );
  await sql`update inspections set ${sets} where id in (select inspection_id from inspection_signals)`.execute(db);
  await db.schema.dropIndex('inspections_version').execute();
  await db.schema.createIndex('inspections_version_scope').on('inspections').columns(['model_version_id', 'account_id', 'created_at']).execute();
  await db.schema.dropTable('inspection_signals').execute();
}

/** Recreates `inspection_signals` (as 0013 made it) from the columns, restores the version index, drops the columns. */
export async function down(db: Kysely<unknown>): Promise<void> {
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
  await sql`insert into inspection_signals (inspection_id, account_id, model_version_id, model_name, model_version, created_at, brightness, contrast, sharpness, saturation, width, height, mean_r, mean_g, mean_b, score, defect_score, predicted_class, uncertainty, latency_ms)
    select id, account_id, model_version_id, model_name, model_version, created_at, signal_brightness, signal_contrast, signal_sharpness, signal_saturation, image_width, image_height, signal_mean_r, signal_mean_g, signal_mean_b, score, defect_score, class_index, signal_uncertainty, latency_ms
    from inspections where signal_brightness is not null`.execute(db);
  await db.schema.dropIndex('inspections_version_scope').execute();
  await db.schema.createIndex('inspections_version').on('inspections').column('model_version_id').execute();
  for (const [column] of COPIED) await db.schema.alterTable('inspections').dropColumn(column).execute();
}
