/**
 * Stored explanations: `explanations` (one method result per inspection, method, target,
 * parameters and seed, unique) and `explanation_aggregates` (one per set of members).
 * Rows go with their inspection (cascade); blobs stay behind a restricting foreign key, so
 * the sweeper removes them only once no row names them. Portable DDL only.
 */
import type { Kysely } from 'kysely';

/** Creates the explanation tables and their indexes. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('explanations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('inspection_id', 'text', (c) => c.notNull().references('inspections.id').onDelete('cascade'))
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('target_key', 'text', (c) => c.notNull())
    .addColumn('target_index', 'integer', (c) => c.notNull())
    .addColumn('target_label', 'text')
    .addColumn('target_reason', 'text', (c) => c.notNull())
    .addColumn('params_hash', 'text', (c) => c.notNull())
    .addColumn('params_json', 'text', (c) => c.notNull())
    .addColumn('seed', 'integer', (c) => c.notNull())
    .addColumn('heatmap_sha256', 'text', (c) => c.notNull().references('blobs.sha256').onDelete('restrict'))
    .addColumn('model_map_sha256', 'text', (c) => c.notNull().references('blobs.sha256').onDelete('restrict'))
    .addColumn('heatmap_png_sha256', 'text', (c) => c.notNull().references('blobs.sha256').onDelete('restrict'))
    .addColumn('overlay_sha256', 'text', (c) => c.notNull().references('blobs.sha256').onDelete('restrict'))
    .addColumn('colormap', 'text', (c) => c.notNull())
    .addColumn('opacity', 'double precision', (c) => c.notNull())
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('runtime_ms', 'double precision', (c) => c.notNull())
    .addColumn('evaluations', 'integer', (c) => c.notNull())
    .addColumn('completeness_error', 'double precision')
    .addColumn('degenerate_json', 'text')
    .addColumn('quality_json', 'text')
    .addColumn('extras_json', 'text', (c) => c.notNull())
    .addColumn('job_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('explanations_key', ['inspection_id', 'method', 'target_key', 'params_hash', 'seed'])
    .execute();
  await db.schema.createIndex('explanations_account_inspection').on('explanations').columns(['account_id', 'inspection_id', 'created_at']).execute();

  await db.schema
    .createTable('explanation_aggregates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('inspection_id', 'text', (c) => c.notNull().references('inspections.id').onDelete('cascade'))
    .addColumn('target_key', 'text', (c) => c.notNull())
    .addColumn('seed', 'integer', (c) => c.notNull())
    .addColumn('members_hash', 'text', (c) => c.notNull())
    .addColumn('members_json', 'text', (c) => c.notNull())
    .addColumn('excluded_json', 'text', (c) => c.notNull())
    .addColumn('score', 'double precision', (c) => c.notNull())
    .addColumn('mean_spearman', 'double precision', (c) => c.notNull())
    .addColumn('mean_iou', 'double precision', (c) => c.notNull())
    .addColumn('map_sha256', 'text', (c) => c.notNull().references('blobs.sha256').onDelete('restrict'))
    .addColumn('map_png_sha256', 'text', (c) => c.notNull().references('blobs.sha256').onDelete('restrict'))
    .addColumn('overlay_sha256', 'text', (c) => c.notNull().references('blobs.sha256').onDelete('restrict'))
    .addColumn('colormap', 'text', (c) => c.notNull())
    .addColumn('opacity', 'double precision', (c) => c.notNull())
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('explanation_aggregates_key', ['inspection_id', 'target_key', 'seed', 'members_hash'])
    .execute();
  await db.schema.createIndex('explanation_aggregates_account_inspection').on('explanation_aggregates').columns(['account_id', 'inspection_id']).execute();
}

/** Drops the explanation tables. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('explanation_aggregates').execute();
  await db.schema.dropTable('explanations').execute();
}
