/**
 * An app for route tests over either engine: a temporary data folder, a fresh PostgreSQL
 * schema when asked, silent logs, and `close` that removes everything.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../app.ts';
import type { App } from '../app.ts';
import { testConfig } from '../config/load-config.ts';
import type { Config } from '../config/load-config.ts';
import type { DialectName } from '../db/connect.ts';
import { createTestSchema, dropTestSchema, TEST_DATABASE_URL } from './test-database.ts';
import { TEST_AUTH_ENV } from './test-tokens.ts';

/** A built, ready app and how to dispose of it. */
export interface TestApp {
  readonly app: App;
  readonly config: Config;
  close(): Promise<void>;
}

/**
 * Builds a ready app on `dialect` (default SQLite) with `overrides` applied to the test config.
 * The app accepts the tokens of `test-tokens.ts` (`env` adds or replaces variables).
 */
export async function createTestApp(dialect: DialectName = 'sqlite', overrides: Partial<Config> = {}, env: Readonly<Record<string, string>> = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'xqc-app-'));
  const schema = dialect === 'postgres' ? await createTestSchema() : undefined;
  const config = testConfig(dataDir, {
    ...(dialect === 'postgres' ? { databaseUrl: TEST_DATABASE_URL, databaseSchema: schema } : {}),
    ...overrides,
  }, { ...TEST_AUTH_ENV, ...env });
  const app = await buildApp(config, { logger: false });
  try {
    await app.ready();
  } catch (e) {
    await app.close().catch(() => undefined);
    if (schema !== undefined) await dropTestSchema(schema);
    throw e;
  }
  return {
    app,
    config,
    async close() {
      await app.close();
      if (schema !== undefined) await dropTestSchema(schema);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
