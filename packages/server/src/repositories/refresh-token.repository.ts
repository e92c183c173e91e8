/**
 * The only database IO for refresh tokens. Tokens are found by the digest of the token
 * itself (the token is the credential and names its account); every other query is scoped
 * to an account.
 */
import type { Insertable, Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { RefreshTokenRow, RefreshTokensTable } from '../db/tables/auth.tables.ts';

/** Refresh-token table access. */
export class RefreshTokenRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Stores a token row. */
  async insert(row: Insertable<RefreshTokensTable>): Promise<void> {
    await this.db.insertInto('refresh_tokens').values(row).execute();
  }

  /** The token whose SHA-256 digest is `tokenHash`. */
  async findByHash(tokenHash: string): Promise<RefreshTokenRow | undefined> {
    return this.db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  }

  /**
   * Marks token `id` used, only if it is neither used nor revoked: of two concurrent
   * refreshes with one token exactly one wins.
   * @returns true for the winner
   */
  async markUsed(id: string, now: string): Promise<boolean> {
    const r = await this.db
      .updateTable('refresh_tokens')
      .set({ used_at: now })
      .where('id', '=', id)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Revokes every token of a family of `accountId` (a sign-in session); returns how many were revoked now. */
  async revokeFamily(accountId: string, familyId: string, now: string): Promise<number> {
    const r = await this.db
      .updateTable('refresh_tokens')
      .set({ revoked_at: now })
      .where('account_id', '=', accountId)
      .where('family_id', '=', familyId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** Revokes every token of user `userId` of `accountId`. */
  async revokeAllForUser(accountId: string, userId: string, now: string): Promise<number> {
    const r = await this.db
      .updateTable('refresh_tokens')
      .set({ revoked_at: now })
      .where('account_id', '=', accountId)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** True when family `familyId` of user `userId` in `accountId` still has an unrevoked token that has not expired at `now`. */
  async isFamilyActive(accountId: string, userId: string, familyId: string, now: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('refresh_tokens')
      .select('id')
      .where('account_id', '=', accountId)
      .where('user_id', '=', userId)
      .where('family_id', '=', familyId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Deletes tokens that expired before `before` (housekeeping); returns how many. */
  async deleteExpired(before: string): Promise<number> {
    const r = await this.db.deleteFrom('refresh_tokens').where('expires_at', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
