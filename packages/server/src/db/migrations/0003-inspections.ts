/**
 * Inspections and their findings. Portable DDL only (text, integer, double precision,
 * foreign keys, indexes), enforced alike by SQLite and PostgreSQL. Blob columns reference
 * `blobs.sha256` so that the database refuses to drop a blob an inspection still uses, and
 * inspections reference their model version so a version with inspections cannot vanish.
 */
import type { Kysely } from 'kysely';

/** Creates inspections and inspection_findings with the indexes the list filters use. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('inspections')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('model_id', 'text', (c) => c.notNull().references('models.id').onDelete('restrict'))
    .addColumn('model_version_id', 'text', (c) => c.notNull().references('model_versions.id').onDelete('restrict'))
    .addColumn('model_name', 'text', (c) => c.notNull())
    .addColumn('model_version', 'text', (c) => c.notNull())
    .addColumn('task', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('image_sha256', 'text', (c) => c.notNull().references('blobs.sha256').onDelete('restrict'))
    .addColumn('image_media_type', 'text', (c) => c.notNull())
    .addColumn('image_width', 'integer', (c) => c.notNull())
    .addColumn('image_height', 'integer', (c) => c.notNull())
    .addColumn('image_size', 'integer', (c) => c.notNull())
    .addColumn('image_name', 'text')
    .addColumn('verdict', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('class_index', 'integer', (c) => c.notNull())
    .addColumn('score', 'double precision', (c) => c.notNull())
    .addColumn('defect_score', 'double precision', (c) => c.notNull())
    .addColumn('referred', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('probabilities_json', 'text', (c) => c.notNull())
    .addColumn('labels_json', 'text', (c) => c.notNull())
    .addColumn('details_json', 'text', (c) => c.notNull())
    .addColumn('anomaly_map_sha256', 'text', (c) => c.references('blobs.sha256').onDelete('restrict'))
    .addColumn('latency_ms', 'double precision', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('inspections_account_created').on('inspections').columns(['account_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('inspections_account_model').on('inspections').columns(['account_id', 'model_id', 'created_at']).execute();
  await db.schema.createIndex('inspections_image').on('inspections').column('image_sha256').execute();
  await db.schema.createIndex('inspections_version').on('inspections').column('model_version_id').execute();

  await db.schema
    .createTable('inspection_findings')
    .addColumn('inspection_id', 'text', (c) => c.notNull().references('inspections.id').onDelete('cascade'))
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('class_index', 'integer', (c) => c.notNull())
    .addColumn('score', 'double precision', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('box_json', 'text')
    .addColumn('area', 'integer')
    .addColumn('rle_json', 'text')
    .addColumn('polygon_json', 'text')
    .addColumn('mask_sha256', 'text', (c) => c.references('blobs.sha256').onDelete('restrict'))
    .addPrimaryKeyConstraint('inspection_findings_pk', ['inspection_id', 'idx'])
    .execute();
  await db.schema.createIndex('inspection_findings_label').on('inspection_findings').columns(['label', 'inspection_id']).execute();
  await db.schema.createIndex('inspection_findings_mask').on('inspection_findings').column('mask_sha256').execute();
}

/** Drops the inspection tables. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('inspection_findings').execute();
  await db.schema.dropTable('inspections').execute();
}
