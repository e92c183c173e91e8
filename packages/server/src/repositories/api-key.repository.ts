/**
 * The only database IO for API keys. A key is found by its prefix (the key is the
 * credential and names its account); every other query is scoped to an account.
 */
import type { Insertable, Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { ApiKeyRow, ApiKeysTable } from '../db/tables/auth.tables.ts';

/** API-key table access. */
export class ApiKeyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Stores a key row and returns it. */
  async insert(row: Insertable<ApiKeysTable>): Promise<ApiKeyRow> {
    await this.db.insertInto('api_keys').values(row).execute();
    return (await this.findById(row.account_id, row.id)) as ApiKeyRow;
  }

  /** The key with this prefix, in any account (credential lookup). */
  async findByPrefix(prefix: string): Promise<ApiKeyRow | undefined> {
    return this.db.selectFrom('api_keys').selectAll().where('prefix', '=', prefix).executeTakeFirst();
  }

  /** Key `id` of `accountId`; undefined for another account's key. */
  async findById(accountId: string, id: string): Promise<ApiKeyRow | undefined> {
    return this.db.selectFrom('api_keys').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  }

  /** Keys of `accountId`, newest first, at most `limit`; only those created by `createdBy` when given. */
  async list(accountId: string, limit: number, createdBy?: string): Promise<ApiKeyRow[]> {
    let q = this.db.selectFrom('api_keys').selectAll().where('account_id', '=', accountId);
    if (createdBy !== undefined) q = q.where('created_by', '=', createdBy);
    return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  }

  /** Revokes key `id` of `accountId` if not yet revoked; returns the row, undefined when no such key. */
  async revoke(accountId: string, id: string, now: string): Promise<ApiKeyRow | undefined> {
    await this.db.updateTable('api_keys').set({ revoked_at: now }).where('account_id', '=', accountId).where('id', '=', id).where('revoked_at', 'is', null).execute();
    return this.findById(accountId, id);
  }

  /** Records a use of key `id` of `accountId` at `now`. */
  async touch(accountId: string, id: string, now: string): Promise<void> {
    await this.db.updateTable('api_keys').set({ last_used_at: now }).where('account_id', '=', accountId).where('id', '=', id).execute();
  }
}
