/**
 * Blob bookkeeping and the model registry. Portable DDL only: text, integer, foreign keys,
 * unique and partial unique indexes, which SQLite and PostgreSQL both enforce.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/** Creates blobs, models, model_versions and model_version_files. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('blobs')
    .addColumn('sha256', 'text', (c) => c.primaryKey())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_put_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('blobs_last_put_at').on('blobs').column('last_put_at').execute();

  await db.schema
    .createTable('models')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('task', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('model_versions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('model_id', 'text', (c) => c.notNull().references('models.id').onDelete('restrict'))
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('task', 'text', (c) => c.notNull())
    .addColumn('onnx_sha256', 'text', (c) => c.notNull().references('blobs.sha256').onDelete('restrict'))
    .addColumn('card_sha256', 'text', (c) => c.notNull().references('blobs.sha256').onDelete('restrict'))
    .addColumn('card_json', 'text', (c) => c.notNull())
    .addColumn('onnx_size', 'integer', (c) => c.notNull())
    .addColumn('ir_version', 'integer', (c) => c.notNull())
    .addColumn('opset', 'integer', (c) => c.notNull())
    .addColumn('input_name', 'text', (c) => c.notNull())
    .addColumn('input_shape_json', 'text', (c) => c.notNull())
    .addColumn('is_active', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addUniqueConstraint('model_versions_model_version', ['model_id', 'version'])
    .execute();
  await db.schema
    .createIndex('model_versions_one_active')
    .on('model_versions')
    .column('model_id')
    .unique()
    .where(sql.ref('is_active'), '=', 1)
    .execute();

  await db.schema
    .createTable('model_version_files')
    .addColumn('version_id', 'text', (c) => c.notNull().references('model_versions.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('blob_sha256', 'text', (c) => c.notNull().references('blobs.sha256').onDelete('restrict'))
    .addColumn('size', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('model_version_files_pk', ['version_id', 'name'])
    .execute();
}

/** Drops the registry tables. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('model_version_files').execute();
  await db.schema.dropTable('model_versions').execute();
  await db.schema.dropTable('models').execute();
  await db.schema.dropTable('blobs').execute();
}
