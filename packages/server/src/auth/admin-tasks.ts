/**
 * Account administration outside the server process (`xaiqc admin`): opens the same
 * database the server uses (from the same config), brings it up to date, and exposes the
 * user and API-key services acting as the command-line administrator.
 */
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Config } from '../config/load-config.ts';
import { openDatabase } from '../db/connect.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { SQLITE_FILE } from '../plugins/db.ts';
import { ApiKeyRepository } from '../repositories/api-key.repository.ts';
import { AuditRepository } from '../repositories/audit.repository.ts';
import { RefreshTokenRepository } from '../repositories/refresh-token.repository.ts';
import { UserRepository } from '../repositories/user.repository.ts';
import { ApiKeyService } from '../services/api-key.service.ts';
import { AuditService } from '../services/audit.service.ts';
import { UserService } from '../services/user.service.ts';
import type { Principal } from './principal.ts';

/** Services over an open database; `close` releases it. */
export interface AdminTasks {
  readonly users: UserService;
  readonly apiKeys: ApiKeyService;
  /** The command-line administrator of `accountId`, as audit records name it. */
  actor(accountId: string): Principal;
  close(): Promise<void>;
}

/**
 * Opens the server's database (SQLite in `config.dataDir`, or PostgreSQL at
 * `config.databaseUrl`), applies pending migrations, and returns the admin services.
 */
export async function openAdminTasks(config: Config): Promise<AdminTasks> {
  const { db } = openDatabase({ databaseUrl: config.databaseUrl, sqlitePath: join(config.dataDir, SQLITE_FILE), searchPath: config.databaseSchema, poolSize: 2 });
  try {
    await migrateToLatest(db as unknown as Kysely<unknown>);
  } catch (e) {
    await db.destroy();
    throw e;
  }
  const tokens = new RefreshTokenRepository(db);
  const audit = new AuditService(new AuditRepository(db));
  const osUser = userInfo().username;
  return {
    users: new UserService(new UserRepository(db), tokens, audit),
    apiKeys: new ApiKeyService(new ApiKeyRepository(db), audit),
    actor: (accountId) => ({ kind: 'user', subject: 'cli', accountId, role: 'admin', name: `xaiqc admin (${osUser})` }),
    close: () => db.destroy(),
  };
}
