/**
 * Opens the database: embedded SQLite (better-sqlite3, WAL, foreign keys on, busy timeout)
 * by default, PostgreSQL (a pg Pool) when a URL is given. Both behind one `Kysely<Database>`,
 * so repositories never know which one they talk to.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

/** Which engine a connection talks to. */
export type DialectName = 'sqlite' | 'postgres';

/** An open database. `db.destroy()` closes it. */
export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly dialect: DialectName;
}

/** How to open a database. */
export interface OpenDatabaseOptions {
  /** PostgreSQL URL; when set, PostgreSQL is used. */
  databaseUrl?: string;
  /** SQLite file path (or ':memory:'), used when `databaseUrl` is unset. */
  sqlitePath?: string;
  /** PostgreSQL schema put first on the search path (tests run each in its own schema). */
  searchPath?: string;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
  /** Milliseconds a SQLite writer waits for a lock before failing (default 5000). */
  busyTimeoutMs?: number;
}

// PostgreSQL bigint (int8, e.g. count(*)) arrives as text; values here stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));

/**
 * Opens SQLite or PostgreSQL as `options` say. SQLite's parent folder is created.
 * @throws when neither `databaseUrl` nor `sqlitePath` is given.
 */
export function openDatabase(options: OpenDatabaseOptions): DatabaseHandle {
  if (options.databaseUrl !== undefined) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      ...(options.searchPath === undefined ? {} : { options: `-c search_path=${quoteIdent(options.searchPath)}` }),
    });
    return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), dialect: 'postgres' };
  }
  if (options.sqlitePath === undefined) throw new Error('openDatabase: give databaseUrl (PostgreSQL) or sqlitePath (SQLite)');
  if (options.sqlitePath !== ':memory:') mkdirSync(dirname(options.sqlitePath), { recursive: true });
  const sqlite = new SqliteDatabase(options.sqlitePath);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  sqlite.pragma('synchronous = NORMAL');
  return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) }), dialect: 'sqlite' };
}

/** Most prepared SQLite statements kept for reuse. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * The SQLite handle Kysely uses, preparing each distinct SQL text once: Kysely prepares a
 * statement per query, which costs more than running it for the server's short queries.
 * The least recently used statement is dropped first.
 */
function withStatementCache(sqlite: SqliteDatabase.Database): { close(): void; prepare(sql: string): SqliteDatabase.Statement } {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string) {
      let stmt = cache.get(text);
      if (stmt) cache.delete(text);
      else stmt = sqlite.prepare(text);
      cache.set(text, stmt);
      if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      return stmt;
    },
  };
}

/** Quotes a PostgreSQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * True when `e` is a foreign-key violation from either engine (SQLite
 * SQLITE_CONSTRAINT_FOREIGNKEY, PostgreSQL 23503).
 */
export function isForeignKeyViolation(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
}

/** True when `e` is a unique-constraint violation from either engine (SQLite, PostgreSQL 23505). */
export function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}
