/**
 * Applies the numbered migrations of `migrations/index.ts` in order, once each, recording
 * them in `kysely_migration`. Run at start by the db plugin, on SQLite and PostgreSQL alike.
 */
import { Migrator } from 'kysely';
import type { Kysely } from 'kysely';
import { MIGRATIONS } from './migrations/index.ts';

/**
 * Brings the schema up to date.
 * @returns the names of the migrations applied by this call (empty when already current).
 * @throws naming the migration that failed, with the database error as `cause`.
 */
export async function migrateToLatest(db: Kysely<unknown>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => ({ ...MIGRATIONS }) } });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error !== undefined) {
    const what = failed ? `migration ${failed.migrationName}` : 'migrations';
    throw new Error(`${what} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
