/**
 * The anomaly answers' store: `inspection_embeddings` and `anomaly_surrogates`
 * (db/tables/embeddings.tables.ts). Portable DDL only: the vector
 * column's type `bytea` is PostgreSQL's binary type, and on SQLite a column of that
 * declared type keeps a BLOB as it is (numeric affinity never converts BLOBs).
 */
import type { Kysely } from 'kysely';

/** Creates the two tables and the embeddings' index. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('inspection_embeddings')
    .addColumn('inspection_id', 'text', (c) => c.primaryKey().references('inspections.id').onDelete('cascade'))
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('model_version_id', 'text', (c) => c.notNull())
    .addColumn('layer', 'text', (c) => c.notNull())
    .addColumn('dim', 'integer', (c) => c.notNull())
    .addColumn('vector', 'bytea', (c) => c.notNull())
    .addColumn('embedded_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('inspection_embeddings_scope').on('inspection_embeddings').columns(['account_id', 'model_version_id', 'embedded_at']).execute();
  // No new index on inspections: each one is one more write per /detect; the catch-up's
  // scan uses inspections_account_model (account, model, created_at) of 0003.

  await db.schema
    .createTable('anomaly_surrogates')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('model_version_id', 'text', (c) => c.notNull())
    .addColumn('surrogate_json', 'text', (c) => c.notNull())
    .addColumn('samples', 'integer', (c) => c.notNull())
    .addColumn('fitted_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('anomaly_surrogates_pk', ['account_id', 'model_version_id'])
    .execute();
}

/** Drops the two tables. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('anomaly_surrogates').execute();
  await db.schema.dropTable('inspection_embeddings').execute();
}
