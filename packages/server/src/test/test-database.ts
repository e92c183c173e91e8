/**
 * Databases for repository and route tests: a fresh SQLite file or a fresh PostgreSQL schema
 * per test file, migrated, and removed afterwards. PostgreSQL is the real server on
 * 127.0.0.1:5432 (database `test`), or `XQC_TEST_DATABASE_URL`; when it is down the tests
 * fail with the connection error, they are never skipped.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Kysely } from 'kysely';
import { openDatabase, quoteIdent } from '../db/connect.ts';
import type { DialectName } from '../db/connect.ts';
import { migrateToLatest } from '../db/migrate.ts';
import type { Database } from '../db/schema.ts';

/** Both engines: run each repository suite once per entry (`describe.each(DIALECTS)`). */
export const DIALECTS: readonly DialectName[] = ['sqlite', 'postgres'];

/** The PostgreSQL every test run uses. */
export const TEST_DATABASE_URL = process.env.XQC_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A place for one test's data: a database and a data folder, torn down by `close`. */
export interface TestDatabase {
  readonly dialect: DialectName;
  readonly db: Kysely<Database>;
  /** Temporary data folder (the SQLite file lives here). */
  readonly dataDir: string;
  /** PostgreSQL URL and schema to give an app config; undefined for SQLite. */
  readonly databaseUrl: string | undefined;
  readonly schema: string | undefined;
  close(): Promise<void>;
}

/** Creates a fresh schema named `xqc_test_<random>` and returns its name. */
export async function createTestSchema(url: string = TEST_DATABASE_URL): Promise<string> {
  const schema = `xqc_test_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
  } finally {
    await client.end();
  }
  return schema;
}

/** Drops a schema made by {@link createTestSchema} with everything in it. */
export async function dropTestSchema(schema: string, url: string = TEST_DATABASE_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * Migrates `db`. Kysely's migrator first lists the tables of every schema of the database
 * (PostgresIntrospector.getTables); when another test file drops its schema at that moment,
 * the listing fails with 'relation "xqc_test_<other>.<table>" does not exist' before any
 * migration has run. Only that failure, naming another test's schema, is retried (up to
 * three times); everything else is thrown as it is.
 */
async function migrateBesideOtherTests(db: Kysely<unknown>, schema: string | undefined): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await migrateToLatest(db);
      return;
    } catch (e) {
      const other = /relation "(xqc_test_[0-9a-f]+)\.[^"]+" does not exist/.exec(e instanceof Error ? e.message : String(e));
      if (attempt < 3 && other && other[1] !== schema) continue;
      throw e;
    }
  }
}

/**
 * Opens a migrated database of `dialect` in a fresh place.
 * @param options.migrate false leaves the schema empty (migration tests).
 */
export async function openTestDatabase(dialect: DialectName, options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'xqc-test-'));
  const schema = dialect === 'postgres' ? await createTestSchema() : undefined;
  const databaseUrl = dialect === 'postgres' ? TEST_DATABASE_URL : undefined;
  const { db } = openDatabase({ databaseUrl, sqlitePath: join(dataDir, 'test.sqlite'), searchPath: schema, poolSize: 4 });
  if (options.migrate !== false) await migrateBesideOtherTests(db as unknown as Kysely<unknown>, schema);
  return {
    dialect,
    db,
    dataDir,
    databaseUrl,
    schema,
    async close() {
      await db.destroy();
      if (schema !== undefined) await dropTestSchema(schema);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
