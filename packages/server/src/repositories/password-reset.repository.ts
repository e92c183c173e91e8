/**
 * Password-reset tokens and the user reads the reset flow needs: users by login name or
 * e-mail (any account: the request names no account, as at sign-in), tokens by digest,
 * single-use spending.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { UserRow } from '../db/tables/auth.tables.ts';
import type { NewPasswordResetTokenRow, PasswordResetTokenRow } from '../db/tables/password-resets.tables.ts';

/** See the module comment. */
export class PasswordResetRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Enabled users whose (lower-case) username is `name` or whose e-mail is `email` (case-insensitive). */
  async usersFor(name: string, email: string): Promise<UserRow[]> {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('disabled_at', 'is', null)
      .where((eb) => eb.or([eb('username', '=', name), eb(eb.fn('lower', ['email']), '=', email.toLowerCase())]))
      .orderBy('id')
      .limit(10)
      .execute();
  }

  /** Stores a new token and marks the user's earlier unused ones used (only the newest link works). */
  async issue(row: NewPasswordResetTokenRow): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('password_reset_tokens').set({ used_at: row.created_at }).where('user_id', '=', row.user_id).where('used_at', 'is', null).execute();
      await trx.insertInto('password_reset_tokens').values(row).execute();
    });
  }

  /** The token with this digest, or undefined. */
  async findByHash(tokenHash: string): Promise<PasswordResetTokenRow | undefined> {
    return this.db.selectFrom('password_reset_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  }

  /** Spends token `id` once: true for the caller that spent it, false when it was already spent. */
  async spend(id: string, now: string): Promise<boolean> {
    const r = await this.db.updateTable('password_reset_tokens').set({ used_at: now }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}
