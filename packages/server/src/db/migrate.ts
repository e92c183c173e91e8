/**
 * Applies the numbered migrations of `migrations/index.ts` in order, once each, recording
 * them in `kysely_migration`. Run at start by the db plugin, on SQLite and PostgreSQL alike.
 */
import { Migrator, PostgresAdapter, sql } from 'kysely';
import type { Kysely } from 'kysely';
import { MIGRATIONS } from './migrations/index.ts';

/**
 * The schema the migration bookkeeping lives in: PostgreSQL's current schema (the first of the
 * search path), undefined on SQLite. Kysely looks its tables up across every schema unless it
 * is told one, so another schema's `kysely_migration` (a parallel test's, another app's) would
 * otherwise be taken for this one.
 */
async function bookkeepingSchema(db: Kysely<unknown>): Promise<string | undefined> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return undefined;
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema ?? undefined;
}

/**
 * Brings the schema up to date.
 * @returns the names of the migrations applied by this call (empty when already current).
 * @throws naming the migration that failed, with the database error as `cause`.
 */
export async function migrateToLatest(db: Kysely<unknown>): Promise<string[]> {
  const schema = await bookkeepingSchema(db);
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...MIGRATIONS }) },
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error !== undefined) {
    const what = failed ? `migration ${failed.migrationName}` : 'migrations';
    throw new Error(`${what} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
