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

/** Attempts after the first when another schema vanished during Kysely's table check. */
const MIGRATION_RETRIES = 6;

/** True for PostgreSQL's invalid_schema_name, raised when a schema is dropped under a catalog scan. */
function isDroppedSchemaRace(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '3F000';
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
  let outcome = await migrator.migrateToLatest();
  // Kysely checks for its tables by listing the columns of every schema, calling
  // has_schema_privilege(name) per row: a schema another client drops meanwhile fails that
  // query with 3F000 (invalid_schema_name) before anything of ours ran. Such a transient
  // race is tried again; every other failure is final.
  for (let retry = 0; retry < MIGRATION_RETRIES && isDroppedSchemaRace(outcome.error) && (outcome.results ?? []).length === 0; retry++) {
    await new Promise((resolve) => setTimeout(resolve, 50 * (retry + 1)));
    outcome = await migrator.migrateToLatest();
  }
  const { error, results } = outcome;
  const failed = results?.find((r) => r.status === 'Error');
  if (error !== undefined) {
    const what = failed ? `migration ${failed.migrationName}` : 'migrations';
    throw new Error(`${what} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
