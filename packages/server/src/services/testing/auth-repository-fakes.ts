/**
 * In-memory fakes of the auth repositories for service unit tests: the same account
 * scoping and conditional updates as the SQL ones (which the repository tests check on
 * SQLite and PostgreSQL), so services are tested without a database.
 */
import type { ApiKeyRow, AuditRow, RefreshTokenRow, UserRow } from '../../db/tables/auth.tables.ts';
import type { ApiKeyRepository } from '../../repositories/api-key.repository.ts';
import type { AuditRepository } from '../../repositories/audit.repository.ts';
import type { RefreshTokenRepository } from '../../repositories/refresh-token.repository.ts';
import type { UserRepository } from '../../repositories/user.repository.ts';

/** A unique-constraint error shaped like SQLite's. */
function uniqueViolation(): Error {
  return Object.assign(new Error('UNIQUE constraint failed'), { code: 'SQLITE_CONSTRAINT_UNIQUE' });
}

/** Users in memory; usernames unique across accounts. */
export function fakeUserRepository(rows: UserRow[] = []): UserRepository & { rows: UserRow[] } {
  const find = (accountId: string, id: string) => rows.find((r) => r.account_id === accountId && r.id === id);
  const fake = {
    rows,
    async insert(row: UserRow) {
      if (rows.some((r) => r.username === row.username)) throw uniqueViolation();
      rows.push({ ...row });
      return { ...row };
    },
    findForLogin: async (username: string) => rows.find((r) => r.username === username),
    findById: async (accountId: string, id: string) => find(accountId, id),
    findByUsername: async (accountId: string, username: string) => rows.find((r) => r.account_id === accountId && r.username === username),
    async list(accountId: string, limit: number, cursor?: string) {
      const all = rows.filter((r) => r.account_id === accountId && (cursor === undefined || r.username > cursor)).sort((a, b) => a.username.localeCompare(b.username));
      const items = all.slice(0, limit);
      return { items, nextCursor: all.length > limit ? items[items.length - 1].username : undefined };
    },
    count: async (accountId: string) => rows.filter((r) => r.account_id === accountId).length,
    countActiveAdmins: async (accountId: string) => rows.filter((r) => r.account_id === accountId && r.role === 'admin' && r.disabled_at === null).length,
    async update(accountId: string, id: string, changes: Partial<UserRow>) {
      const row = find(accountId, id);
      if (!row) return undefined;
      Object.assign(row, changes);
      return { ...row };
    },
  };
  return fake as unknown as UserRepository & { rows: UserRow[] };
}

/** Refresh tokens in memory. */
export function fakeRefreshTokenRepository(rows: RefreshTokenRow[] = []): RefreshTokenRepository & { rows: RefreshTokenRow[] } {
  const fake = {
    rows,
    async insert(row: RefreshTokenRow) {
      rows.push({ ...row });
    },
    findByHash: async (hash: string) => rows.find((r) => r.token_hash === hash),
    async markUsed(id: string, now: string) {
      const row = rows.find((r) => r.id === id && r.used_at === null && r.revoked_at === null);
      if (!row) return false;
      row.used_at = now;
      return true;
    },
    async revokeFamily(accountId: string, familyId: string, now: string) {
      const hit = rows.filter((r) => r.account_id === accountId && r.family_id === familyId && r.revoked_at === null);
      for (const r of hit) r.revoked_at = now;
      return hit.length;
    },
    async revokeAllForUser(accountId: string, userId: string, now: string) {
      const hit = rows.filter((r) => r.account_id === accountId && r.user_id === userId && r.revoked_at === null);
      for (const r of hit) r.revoked_at = now;
      return hit.length;
    },
    isFamilyActive: async (accountId: string, userId: string, familyId: string, now: string) =>
      rows.some((r) => r.account_id === accountId && r.user_id === userId && r.family_id === familyId && r.revoked_at === null && r.expires_at > now),
    async deleteExpired(before: string) {
      const keep = rows.filter((r) => r.expires_at >= before);
      const n = rows.length - keep.length;
      rows.splice(0, rows.length, ...keep);
      return n;
    },
  };
  return fake as unknown as RefreshTokenRepository & { rows: RefreshTokenRow[] };
}

/** API keys in memory; counts `touch` calls. */
export function fakeApiKeyRepository(rows: ApiKeyRow[] = []): ApiKeyRepository & { rows: ApiKeyRow[]; touches: number } {
  const find = (accountId: string, id: string) => rows.find((r) => r.account_id === accountId && r.id === id);
  const fake = {
    rows,
    touches: 0,
    async insert(row: ApiKeyRow) {
      rows.push({ ...row });
      return { ...row };
    },
    findByPrefix: async (prefix: string) => rows.find((r) => r.prefix === prefix),
    findById: async (accountId: string, id: string) => find(accountId, id),
    list: async (accountId: string, limit: number, createdBy?: string) =>
      rows
        .filter((r) => r.account_id === accountId && (createdBy === undefined || r.created_by === createdBy))
        .sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id))
        .slice(0, limit),
    async revoke(accountId: string, id: string, now: string) {
      const row = find(accountId, id);
      if (row && row.revoked_at === null) row.revoked_at = now;
      return row && { ...row };
    },
    async touch(accountId: string, id: string, now: string) {
      fake.touches += 1;
      const row = find(accountId, id);
      if (row) row.last_used_at = now;
    },
  };
  return fake as unknown as ApiKeyRepository & { rows: ApiKeyRow[]; touches: number };
}

/** Audit entries in memory. */
export function fakeAuditRepository(rows: AuditRow[] = []): AuditRepository & { rows: AuditRow[] } {
  const fake = {
    rows,
    async insert(row: AuditRow) {
      rows.push({ ...row });
    },
    list: async (accountId: string, limit: number, before?: { at: string; id: string }) =>
      rows
        .filter((r) => r.account_id === accountId && (before === undefined || r.at < before.at || (r.at === before.at && r.id < before.id)))
        .sort((a, b) => b.at.localeCompare(a.at) || b.id.localeCompare(a.id))
        .slice(0, limit),
  };
  return fake as unknown as AuditRepository & { rows: AuditRow[] };
}
