/**
 * The database (`app.db: Kysely<Database>`): SQLite in `dataDir/xai-qc.sqlite` or PostgreSQL
 * when `databaseUrl` is set; migrations applied before the app serves; closed with the app.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Config } from '../config/load-config.ts';
import { openDatabase } from '../db/connect.ts';
import type { DialectName } from '../db/connect.ts';
import { migrateToLatest } from '../db/migrate.ts';
import type { Database } from '../db/schema.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The app's database; repositories take it in their constructor. */
    db: Kysely<Database>;
    /** Which engine `db` talks to. */
    dbDialect: DialectName;
  }
}

/** File name of the embedded database inside the data folder. */
export const SQLITE_FILE = 'xai-qc.sqlite';

/** Options of the db plugin. */
export interface DbPluginOptions {
  config: Config;
}

async function dbPlugin(app: FastifyInstance, { config }: DbPluginOptions): Promise<void> {
  const { db, dialect } = openDatabase({
    databaseUrl: config.databaseUrl,
    sqlitePath: join(config.dataDir, SQLITE_FILE),
    searchPath: config.databaseSchema,
  });
  app.addHook('onClose', async () => db.destroy());
  const applied = await migrateToLatest(db as unknown as Kysely<unknown>);
  if (applied.length > 0) app.log.info({ migrations: applied, dialect }, 'database migrated');
  app.decorate('db', db);
  app.decorate('dbDialect', dialect);
  app.readinessChecks.add('database', async () => {
    await sql`select 1`.execute(db);
  });
}

/** Opens the database, migrates it and decorates `app.db`. */
export default fp(dbPlugin, { name: 'xqc-db', fastify: '5.x', dependencies: ['xqc-readiness'] });
