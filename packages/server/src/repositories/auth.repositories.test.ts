import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UsersTable } from '../db/tables/auth.tables.ts';
import { isUniqueViolation } from '../db/connect.ts';
import { DIALECTS, openTestDatabase } from '../test/test-database.ts';
import type { TestDatabase } from '../test/test-database.ts';
import { ApiKeyRepository } from './api-key.repository.ts';
import { AuditRepository } from './audit.repository.ts';
import { RefreshTokenRepository } from './refresh-token.repository.ts';
import { UserRepository } from './user.repository.ts';

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-02T00:00:00.000Z';
const T2 = '2026-01-03T00:00:00.000Z';

function user(id: string, account: string, username: string, over: Partial<UsersTable> = {}): UsersTable {
  return { id, account_id: account, username, email: null, role: 'operator', password_hash: '$argon2id$x', created_at: T0, updated_at: T0, password_changed_at: T0, disabled_at: null, ...over };
}

describe.each(DIALECTS)('auth repositories on %s', (dialect) => {
  let t: TestDatabase;
  let users: UserRepository;
  let tokens: RefreshTokenRepository;
  let keys: ApiKeyRepository;
  let audit: AuditRepository;

  beforeAll(async () => {
    t = await openTestDatabase(dialect);
    users = new UserRepository(t.db);
    tokens = new RefreshTokenRepository(t.db);
    keys = new ApiKeyRepository(t.db);
    audit = new AuditRepository(t.db);
    await users.insert(user('u-a1', 'acct-a', 'alice', { role: 'admin' }));
    await users.insert(user('u-a2', 'acct-a', 'bob'));
    await users.insert(user('u-a3', 'acct-a', 'carol', { role: 'admin', disabled_at: T1 }));
    await users.insert(user('u-b1', 'acct-b', 'dave', { role: 'admin' }));
  });
  afterAll(() => t.close());

  describe('UserRepository', () => {
    it('finds users only inside their account', async () => {
      expect((await users.findById('acct-a', 'u-a1'))?.username).toBe('alice');
      expect(await users.findById('acct-a', 'u-b1')).toBeUndefined();
      expect(await users.findByUsername('acct-b', 'alice')).toBeUndefined();
      expect((await users.findForLogin('dave'))?.account_id).toBe('acct-b');
    });

    it('lists by username with a cursor, counts, counts enabled admins', async () => {
      const p1 = await users.list('acct-a', 2);
      expect(p1.items.map((u) => u.username)).toEqual(['alice', 'bob']);
      expect(p1.nextCursor).toBe('bob');
      const p2 = await users.list('acct-a', 2, p1.nextCursor);
      expect(p2.items.map((u) => u.username)).toEqual(['carol']);
      expect(p2.nextCursor).toBeUndefined();
      expect(await users.count('acct-a')).toBe(3);
      expect(await users.count('acct-none')).toBe(0);
      expect(await users.countActiveAdmins('acct-a')).toBe(1);
    });

    it('keeps usernames unique across accounts', async () => {
      const e = await users.insert(user('u-x', 'acct-b', 'alice')).then(() => undefined, (err: unknown) => err);
      expect(isUniqueViolation(e)).toBe(true);
    });

    it("updates only the account's own rows", async () => {
      expect(await users.update('acct-b', 'u-a2', { role: 'admin', updated_at: T1 })).toBeUndefined();
      expect((await users.findById('acct-a', 'u-a2'))?.role).toBe('operator');
      const r = await users.update('acct-a', 'u-a2', { role: 'engineer', updated_at: T1 });
      expect(r).toMatchObject({ role: 'engineer', updated_at: T1 });
    });
  });

  describe('RefreshTokenRepository', () => {
    const token = (id: string, family: string, hash: string, expires = T2) => ({
      id, family_id: family, user_id: 'u-a1', account_id: 'acct-a', token_hash: hash, created_at: T0, expires_at: expires, used_at: null, revoked_at: null,
    });

    it('finds by digest, spends a token once, revokes a family inside its account', async () => {
      await tokens.insert(token('t1', 'f1', 'h1'));
      await tokens.insert(token('t2', 'f1', 'h2'));
      await tokens.insert(token('t3', 'f2', 'h3'));
      expect((await tokens.findByHash('h2'))?.id).toBe('t2');
      expect(await tokens.findByHash('nope')).toBeUndefined();
      expect(await tokens.markUsed('t1', T1)).toBe(true);
      expect(await tokens.markUsed('t1', T1)).toBe(false);
      expect(await tokens.isFamilyActive('acct-a', 'u-a1', 'f1', T1)).toBe(true);
      expect(await tokens.isFamilyActive('acct-b', 'u-a1', 'f1', T1)).toBe(false);
      expect(await tokens.revokeFamily('acct-b', 'f1', T1)).toBe(0);
      expect(await tokens.revokeFamily('acct-a', 'f1', T1)).toBe(2);
      expect(await tokens.isFamilyActive('acct-a', 'u-a1', 'f1', T1)).toBe(false);
      expect(await tokens.markUsed('t2', T1)).toBe(false);
      expect(await tokens.isFamilyActive('acct-a', 'u-a1', 'f2', T1)).toBe(true);
      expect(await tokens.isFamilyActive('acct-a', 'u-a1', 'f2', T2)).toBe(false);
    });

    it("revokes all of a user's tokens and deletes expired ones", async () => {
      await tokens.insert(token('t4', 'f3', 'h4', T0));
      expect(await tokens.revokeAllForUser('acct-a', 'u-a1', T1)).toBe(2);
      expect(await tokens.deleteExpired(T1)).toBe(1);
      expect(await tokens.findByHash('h4')).toBeUndefined();
    });
  });

  describe('ApiKeyRepository', () => {
    const key = (id: string, account: string, prefix: string, createdBy: string, at: string) => ({
      id, account_id: account, name: `key ${id}`, prefix, secret_hash: 'ab'.repeat(32), role: 'operator', scopes_json: '["read"]', created_by: createdBy,
      created_at: at, expires_at: null, revoked_at: null, last_used_at: null,
    });

    it('finds by prefix, lists newest first per account and creator, revokes and touches inside the account', async () => {
      await keys.insert(key('k1', 'acct-a', 'aaaaaaaaaaaa', 'u-a1', T0));
      await keys.insert(key('k2', 'acct-a', 'bbbbbbbbbbbb', 'u-a2', T1));
      await keys.insert(key('k3', 'acct-b', 'cccccccccccc', 'u-b1', T1));
      expect((await keys.findByPrefix('cccccccccccc'))?.account_id).toBe('acct-b');
      expect((await keys.list('acct-a', 10)).map((k) => k.id)).toEqual(['k2', 'k1']);
      expect((await keys.list('acct-a', 10, 'u-a1')).map((k) => k.id)).toEqual(['k1']);
      expect((await keys.list('acct-a', 1)).map((k) => k.id)).toEqual(['k2']);
      expect(await keys.findById('acct-a', 'k3')).toBeUndefined();
      expect(await keys.revoke('acct-a', 'k3', T1)).toBeUndefined();
      expect((await keys.findById('acct-b', 'k3'))?.revoked_at).toBeNull();
      expect((await keys.revoke('acct-a', 'k1', T1))?.revoked_at).toBe(T1);
      expect((await keys.revoke('acct-a', 'k1', T2))?.revoked_at).toBe(T1);
      await keys.touch('acct-b', 'k2', T2);
      expect((await keys.findById('acct-a', 'k2'))?.last_used_at).toBeNull();
      await keys.touch('acct-a', 'k2', T2);
      expect((await keys.findById('acct-a', 'k2'))?.last_used_at).toBe(T2);
    });
  });

  describe('AuditRepository', () => {
    it('lists one account newest first with an (at, id) cursor', async () => {
      const entry = (id: string, account: string, at: string) => ({
        id, account_id: account, at, actor_kind: 'user', actor_id: 'u-a1', actor_name: 'alice', action: 'user.create', target_type: 'user', target_id: 'u-a2',
        details_json: '{"role":"operator"}', ip: '127.0.0.1', request_id: 'r1',
      });
      await audit.insert(entry('e1', 'acct-a', T0));
      await audit.insert(entry('e2', 'acct-a', T1));
      await audit.insert(entry('e3', 'acct-a', T1));
      await audit.insert(entry('e4', 'acct-b', T2));
      expect((await audit.list('acct-a', 10)).map((e) => e.id)).toEqual(['e3', 'e2', 'e1']);
      expect((await audit.list('acct-a', 10, { at: T1, id: 'e3' })).map((e) => e.id)).toEqual(['e2', 'e1']);
      expect((await audit.list('acct-a', 1, { at: T1, id: 'e2' })).map((e) => e.id)).toEqual(['e1']);
      expect((await audit.list('acct-b', 10)).map((e) => e.id)).toEqual(['e4']);
    });
  });
});
