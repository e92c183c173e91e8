/**
 * Password-reset tokens (migration 0010-password-resets): one row per reset link mailed to
 * a local user. Only the SHA-256 of the token is stored; a token is single-use (`used_at`)
 * and expires (`expires_at`). Every row carries its `account_id`.
 */
import type { Insertable, Selectable } from 'kysely';

/** One reset token. */
export interface PasswordResetTokensTable {
  id: string;
  account_id: string;
  user_id: string;
  /** SHA-256 of the token, hex. */
  token_hash: string;
  created_at: string;
  expires_at: string;
  /** When it was spent (or superseded by a newer request); null while usable. */
  used_at: string | null;
}

/** The password-reset tables, merged into the app's `Database`. */
export interface PasswordResetTables {
  password_reset_tokens: PasswordResetTokensTable;
}

/** A reset-token row. */
export type PasswordResetTokenRow = Selectable<PasswordResetTokensTable>;
/** A reset-token row to insert. */
export type NewPasswordResetTokenRow = Insertable<PasswordResetTokensTable>;
