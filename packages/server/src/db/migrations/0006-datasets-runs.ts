/**
 * Datasets (rows, files as blobs, manifest blob) and runs (train or evaluate jobs, their
 * epochs and artifacts). Portable DDL only. A run's dataset reference is set to null when the
 * dataset is deleted (the service refuses that while a queued or running run uses it).
 */
import type { Kysely } from 'kysely';

/** Creates datasets, dataset_files, runs, run_epochs and run_artifacts. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('datasets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('manifest_hash', 'text', (c) => c.notNull())
    .addColumn('manifest_sha256', 'text', (c) => c.notNull().references('blobs.sha256').onDelete('restrict'))
    .addColumn('archive_kind', 'text', (c) => c.notNull())
    .addColumn('file_count', 'integer', (c) => c.notNull())
    .addColumn('total_bytes', 'integer', (c) => c.notNull())
    .addColumn('stats_json', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .execute();
  await db.schema.createIndex('datasets_account_hash').on('datasets').columns(['account_id', 'manifest_hash']).unique().execute();
  await db.schema.createIndex('datasets_account_created').on('datasets').columns(['account_id', 'created_at', 'id']).execute();

  await db.schema
    .createTable('dataset_files')
    .addColumn('dataset_id', 'text', (c) => c.notNull().references('datasets.id').onDelete('cascade'))
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('blob_sha256', 'text', (c) => c.notNull().references('blobs.sha256').onDelete('restrict'))
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('label', 'text')
    .addPrimaryKeyConstraint('dataset_files_pk', ['dataset_id', 'path'])
    .execute();
  await db.schema.createIndex('dataset_files_blob').on('dataset_files').column('blob_sha256').execute();

  await db.schema
    .createTable('runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('task', 'text', (c) => c.notNull())
    .addColumn('dataset_id', 'text', (c) => c.references('datasets.id').onDelete('set null'))
    .addColumn('dataset_hash', 'text', (c) => c.notNull())
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('params_json', 'text', (c) => c.notNull())
    .addColumn('model_name', 'text')
    .addColumn('source_version_id', 'text')
    .addColumn('result_version_id', 'text')
    .addColumn('metrics_json', 'text')
    .addColumn('record_json', 'text')
    .addColumn('mlflow_run_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema.createIndex('runs_account_created').on('runs').columns(['account_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('runs_dataset').on('runs').column('dataset_id').execute();
  await db.schema.createIndex('runs_job').on('runs').column('job_id').execute();

  await db.schema
    .createTable('run_epochs')
    .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('epoch', 'integer', (c) => c.notNull())
    .addColumn('train_loss', 'double precision', (c) => c.notNull())
    .addColumn('val_metric', 'double precision', (c) => c.notNull())
    .addColumn('lr', 'double precision', (c) => c.notNull())
    .addColumn('seconds', 'double precision', (c) => c.notNull())
    .addColumn('val_json', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('run_epochs_pk', ['run_id', 'epoch'])
    .execute();

  await db.schema
    .createTable('run_artifacts')
    .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('blob_sha256', 'text', (c) => c.notNull().references('blobs.sha256').onDelete('restrict'))
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('run_artifacts_pk', ['run_id', 'name'])
    .execute();
}

/** Drops the dataset and run tables. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('run_artifacts').execute();
  await db.schema.dropTable('run_epochs').execute();
  await db.schema.dropTable('runs').execute();
  await db.schema.dropTable('dataset_files').execute();
  await db.schema.dropTable('datasets').execute();
}
