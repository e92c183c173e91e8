/**
 * Reviews and review claims. Reviews cascade with their inspection (deleting an inspection
 * deletes its record); a mask blob is referenced with a foreign key, so the sweeper keeps it.
 */
import type { Kysely } from 'kysely';

/** Creates reviews and review_claims. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('reviews')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('inspection_id', 'text', (c) => c.notNull().references('inspections.id').onDelete('cascade'))
    .addColumn('supersedes_id', 'text', (c) => c.references('reviews.id').onDelete('set null'))
    .addColumn('reviewer', 'text', (c) => c.notNull())
    .addColumn('reviewer_name', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('verdict', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('class_index', 'integer', (c) => c.notNull())
    .addColumn('agrees', 'integer', (c) => c.notNull())
    .addColumn('mask_sha256', 'text', (c) => c.references('blobs.sha256').onDelete('restrict'))
    .addColumn('boxes_json', 'text')
    .addColumn('comment', 'text')
    .execute();
  await db.schema.createIndex('reviews_inspection_created').on('reviews').columns(['inspection_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('reviews_account_created').on('reviews').columns(['account_id', 'created_at']).execute();
  await db.schema.createIndex('reviews_mask').on('reviews').column('mask_sha256').execute();

  await db.schema
    .createTable('review_claims')
    .addColumn('inspection_id', 'text', (c) => c.primaryKey().references('inspections.id').onDelete('cascade'))
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('reviewer', 'text', (c) => c.notNull())
    .addColumn('claimed_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
}

/** Drops both tables. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('review_claims').execute();
  await db.schema.dropTable('reviews').execute();
}
