/**
 * Asking questions about an inspection (db/tables/ask.tables.ts): `questions` (each asked
 * question with its whole answer, cascading with its inspection), `answer_feedback` (one per
 * user and question, a correction linked to the review it made), `knowledge_documents` and
 * `knowledge_passages` (an account's uploaded documents split into passages, deleted
 * together) and `knowledge_state` (a version per account, bumped in the transaction that
 * adds or deletes a document, so every process knows when its cached index is stale).
 * Portable DDL only (the passage vector is `bytea`: a BLOB on SQLite).
 */
import type { Kysely } from 'kysely';

/** Creates the five tables and their indexes. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('questions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('inspection_id', 'text', (c) => c.notNull().references('inspections.id').onDelete('cascade'))
    .addColumn('model_name', 'text', (c) => c.notNull())
    .addColumn('model_version', 'text', (c) => c.notNull())
    .addColumn('question', 'text', (c) => c.notNull())
    .addColumn('intent', 'text', (c) => c.notNull())
    .addColumn('composer', 'text', (c) => c.notNull())
    .addColumn('answer_json', 'text', (c) => c.notNull())
    .addColumn('latency_ms', 'double precision', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('questions_inspection').on('questions').columns(['account_id', 'inspection_id', 'created_at']).execute();

  await db.schema
    .createTable('answer_feedback')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('question_id', 'text', (c) => c.notNull().references('questions.id').onDelete('cascade'))
    .addColumn('helpful', 'integer', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('correction_json', 'text')
    .addColumn('review_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addUniqueConstraint('answer_feedback_one_per_user', ['question_id', 'created_by'])
    .execute();
  await db.schema.createIndex('answer_feedback_unhelpful').on('answer_feedback').columns(['account_id', 'helpful', 'created_at']).execute();

  await db.schema
    .createTable('knowledge_documents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('passages', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('knowledge_documents_account').on('knowledge_documents').columns(['account_id', 'created_at']).execute();

  await db.schema
    .createTable('knowledge_passages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('document_id', 'text', (c) => c.notNull().references('knowledge_documents.id').onDelete('cascade'))
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('vector', 'bytea')
    .execute();
  await db.schema.createIndex('knowledge_passages_document').on('knowledge_passages').columns(['document_id', 'idx']).execute();
  await db.schema.createIndex('knowledge_passages_account').on('knowledge_passages').columns(['account_id']).execute();

  await db.schema
    .createTable('knowledge_state')
    .addColumn('account_id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

/** Drops the five tables. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('knowledge_state').execute();
  await db.schema.dropTable('knowledge_passages').execute();
  await db.schema.dropTable('knowledge_documents').execute();
  await db.schema.dropTable('answer_feedback').execute();
  await db.schema.dropTable('questions').execute();
}
