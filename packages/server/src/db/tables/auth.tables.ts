/**
 * Tables of authentication (migration 0002-auth): local users, refresh tokens, API keys
 * and the audit log. Every row carries its `account_id` (tenant); secrets are stored only
 * as argon2id hashes (passwords) or SHA-256 digests (refresh tokens, API key secrets).
 */
import type { Selectable } from 'kysely';

/** A local account. `username` is unique across accounts (login names no account). */
export interface UsersTable {
  id: string;
  account_id: string;
  /** Lower-case login name. */
  username: string;
  email: string | null;
  /** One of viewer, operator, engineer, admin. */
  role: string;
  /** argon2id PHC string. */
  password_hash: string;
  created_at: string;
  updated_at: string;
  password_changed_at: string;
  /** Set when an admin disabled the user; a disabled user cannot sign in and its sessions stop working. */
  disabled_at: string | null;
}

/**
 * One refresh token. Tokens of one sign-in share a `family_id`; refreshing marks the token
 * used and adds the next one to the family; presenting a used token revokes the family.
 */
export interface RefreshTokensTable {
  id: string;
  family_id: string;
  user_id: string;
  account_id: string;
  /** SHA-256 of the whole token, hex. */
  token_hash: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  revoked_at: string | null;
}

/** A machine credential: `xqc_<prefix>_<secret>`, found by prefix, checked by the secret's digest. */
export interface ApiKeysTable {
  id: string;
  account_id: string;
  name: string;
  prefix: string;
  /** SHA-256 of the secret part, hex. */
  secret_hash: string;
  role: string;
  /** JSON array of scopes (`read`, `write`). */
  scopes_json: string;
  /** Subject of the principal that created the key. */
  created_by: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

/** One administrative action: who did what to which target, when, from where. */
export interface AuditLogTable {
  id: string;
  account_id: string;
  at: string;
  actor_kind: string;
  actor_id: string;
  actor_name: string | null;
  /** Dotted action name, e.g. `user.create`, `api-key.revoke`. */
  action: string;
  target_type: string | null;
  target_id: string | null;
  /** JSON object with action details (never a secret). */
  details_json: string | null;
  ip: string | null;
  request_id: string | null;
}

/** The auth module's tables, merged into the app's `Database`. */
export interface AuthTables {
  users: UsersTable;
  refresh_tokens: RefreshTokensTable;
  api_keys: ApiKeysTable;
  audit_log: AuditLogTable;
}

/** A user row. */
export type UserRow = Selectable<UsersTable>;
/** A refresh-token row. */
export type RefreshTokenRow = Selectable<RefreshTokensTable>;
/** An API key row. */
export type ApiKeyRow = Selectable<ApiKeysTable>;
/** An audit-log row. */
export type AuditRow = Selectable<AuditLogTable>;
