import { beforeEach, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import type { Principal } from '../auth/principal.ts';
import { ApiError } from '../errors/api-error.ts';
import { ApiKeyService } from './api-key.service.ts';
import { AuditService } from './audit.service.ts';
import { AuthService } from './auth.service.ts';
import { UserService } from './user.service.ts';
import { fakeApiKeyRepository, fakeAuditRepository, fakeRefreshTokenRepository, fakeUserRepository } from './testing/auth-repository-fakes.ts';

const admin: Principal = { kind: 'user', subject: 'u-admin', accountId: 'acct', role: 'admin', name: 'admin' };
const engineer: Principal = { kind: 'token', subject: 'sub-eng', accountId: 'acct', role: 'engineer' };
const viewer: Principal = { kind: 'token', subject: 'sub-view', accountId: 'acct', role: 'viewer' };

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('expected a refusal');
}

/** A clock the test moves. */
function clock(start = '2026-03-01T08:00:00.000Z') {
  let t = Date.parse(start);
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
}

describe('AuditService', () => {
  it('pages newest first with an opaque cursor and refuses a forged one', async () => {
    const c = clock();
    const audit = new AuditService(fakeAuditRepository(), c.now);
    for (let i = 0; i < 5; i++) {
      await audit.record(admin, `action.${i}`, { type: 'user', id: `u${i}` }, { i }, { ip: '10.0.0.1', requestId: `r${i}` });
      c.advance(1000);
    }
    await audit.record({ ...admin, accountId: 'other' }, 'elsewhere', undefined, undefined);
    const p1 = await audit.list(admin, 2);
    expect(p1.items.map((e) => e.action)).toEqual(['action.4', 'action.3']);
    expect(p1.items[0]).toMatchObject({ actor: { kind: 'user', id: 'u-admin', name: 'admin' }, targetType: 'user', targetId: 'u4', details: { i: 4 }, ip: '10.0.0.1', requestId: 'r4' });
    const p2 = await audit.list(admin, 2, p1.nextCursor);
    const p3 = await audit.list(admin, 2, p2.nextCursor);
    expect([...p2.items, ...p3.items].map((e) => e.action)).toEqual(['action.2', 'action.1', 'action.0']);
    expect(p3.nextCursor).toBeUndefined();
    expect((await refusal(audit.list(admin, 2, 'not-a-cursor'))).code).toBe('XQC_CURSOR_INVALID');
    expect((await refusal(audit.list(admin, 2, Buffer.from('[1,2]').toString('base64url')))).status).toBe(400);
  });
});

describe('UserService', () => {
  let users: ReturnType<typeof fakeUserRepository>;
  let service: UserService;
  beforeEach(() => {
    users = fakeUserRepository();
    service = new UserService(users, fakeRefreshTokenRepository(), new AuditService(fakeAuditRepository()));
  });

  it('creates the first admin once per account, with a generated or given password', async () => {
    const first = await service.ensureInitialAdmin('acct');
    expect(first).toMatchObject({ username: 'admin', generated: true, accountId: 'acct' });
    expect(await service.ensureInitialAdmin('acct')).toBeUndefined();
    expect(users.rows[0].password_hash).toMatch(/^\$argon2id\$/);
    await expect(service.ensureInitialAdmin('acct-2', 'short')).rejects.toThrow('12 to 256 characters');
  });

  it('returns nothing when another process created the admin between count and insert', async () => {
    await service.ensureInitialAdmin('acct');
    const racing = fakeUserRepository(users.rows);
    const counts = Object.assign(racing, { count: async () => 0 });
    const second = new UserService(counts, fakeRefreshTokenRepository(), new AuditService(fakeAuditRepository()));
    expect(await second.ensureInitialAdmin('acct')).toBeUndefined();
  });

  it('refuses bad usernames and roles naming what is valid; unknown ids are 404', async () => {
    expect((await refusal(service.create(admin, { username: '-x', role: 'viewer' }))).code).toBe('XQC_USERNAME_INVALID');
    expect((await refusal(service.create(admin, { username: 'okay', role: 'root' }))).message).toContain('viewer, operator, engineer, admin');
    expect((await refusal(service.get(admin, 'nope'))).status).toBe(404);
    expect((await refusal(service.update(admin, 'nope', { role: 'viewer' }))).status).toBe(404);
    expect((await refusal(service.resetPassword('acct', 'nobody'))).status).toBe(404);
  });

  it('re-enables a disabled user and keeps the original disable time when disabled twice', async () => {
    const { user } = await service.create(admin, { username: 'dora', role: 'operator' });
    const d1 = await service.update(admin, user.id, { disabled: true });
    const at = users.rows.find((r) => r.id === user.id)?.disabled_at;
    await service.update(admin, user.id, { disabled: true });
    expect(users.rows.find((r) => r.id === user.id)?.disabled_at).toBe(at);
    expect(d1.disabled).toBe(true);
    expect((await service.update(admin, user.id, { disabled: false })).disabled).toBe(false);
  });
});

describe('AuthService', () => {
  const secret = new TextEncoder().encode('k'.repeat(32));
  let users: ReturnType<typeof fakeUserRepository>;
  let tokens: ReturnType<typeof fakeRefreshTokenRepository>;
  let c: ReturnType<typeof clock>;
  let sessions: AuthService;
  let userService: UserService;

  beforeEach(async () => {
    users = fakeUserRepository();
    tokens = fakeRefreshTokenRepository();
    c = clock();
    const audit = new AuditService(fakeAuditRepository(), c.now);
    sessions = new AuthService(users, tokens, audit, { tokenSecret: secret, accessTokenTtlSeconds: 60, refreshTokenTtlSeconds: 3600 }, c.now);
    userService = new UserService(users, tokens, audit, c.now);
    await userService.create(admin, { username: 'sam', role: 'operator', password: 'sam-password-1' });
  });

  it('issues tokens with the configured lifetimes and the clock', async () => {
    const pair = await sessions.login('sam', 'sam-password-1');
    const claims = decodeJwt(pair.accessToken);
    expect(claims.iat).toBe(Date.parse('2026-03-01T08:00:00.000Z') / 1000);
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(60);
    expect(tokens.rows[0].expires_at).toBe('2026-03-01T09:00:00.000Z');
    expect(pair.refreshExpiresIn).toBe(3600);
  });

  it('refuses a malformed username like a wrong password, an expired refresh token, a disabled user on refresh', async () => {
    expect((await refusal(sessions.login('!!', 'sam-password-1'))).message).toBe('username or password incorrect');
    const pair = await sessions.login('sam', 'sam-password-1');
    c.advance(3600_000);
    expect((await refusal(sessions.refresh(pair.refreshToken))).message).toBe('refresh token expired');
    c.advance(-3600_000);
    const sam = users.rows[0];
    sam.disabled_at = '2026-03-01T08:00:00.000Z';
    expect((await refusal(sessions.refresh(pair.refreshToken))).message).toBe('refresh token invalid');
    expect((await refusal(sessions.refresh('xqr_garbage'))).message).toBe('refresh token invalid');
  });

  it('treats losing the race to spend a token as reuse', async () => {
    const pair = await sessions.login('sam', 'sam-password-1');
    const racing = Object.assign(tokens, { markUsed: async () => false });
    const racer = new AuthService(users, racing, new AuditService(fakeAuditRepository()), { tokenSecret: secret }, c.now);
    expect((await refusal(racer.refresh(pair.refreshToken))).code).toBe('XQC_REFRESH_REUSED');
    expect(tokens.rows.every((r) => r.revoked_at !== null)).toBe(true);
  });

  it('lets only local users change a password, to a different one', async () => {
    expect((await refusal(sessions.changePassword(engineer, 'a', 'b'.repeat(12)))).status).toBe(403);
    const sam: Principal = { kind: 'user', subject: users.rows[0].id, accountId: 'acct', role: 'operator' };
    expect((await refusal(sessions.changePassword(sam, 'sam-password-1', 'sam-password-1'))).code).toBe('XQC_PASSWORD_POLICY');
    expect((await refusal(sessions.changePassword(sam, 'sam-password-1', 'short'))).code).toBe('XQC_PASSWORD_POLICY');
  });

  it('ignores logout with an unknown token', async () => {
    await expect(sessions.logout('xqr_unknown')).resolves.toBeUndefined();
    await expect(sessions.logout('not even a token')).resolves.toBeUndefined();
  });
});

describe('ApiKeyService', () => {
  let keys: ReturnType<typeof fakeApiKeyRepository>;
  let c: ReturnType<typeof clock>;
  let service: ApiKeyService;
  beforeEach(() => {
    keys = fakeApiKeyRepository();
    c = clock();
    service = new ApiKeyService(keys, new AuditService(fakeAuditRepository()), c.now);
  });

  it('defaults the role to operator, capped at a weaker creator, and checks name, scopes and expiry', async () => {
    expect((await service.create(engineer, { name: 'line' })).apiKey).toMatchObject({ role: 'operator', scopes: ['read', 'write'] });
    expect((await service.create(viewer, { name: 'dash' })).apiKey.role).toBe('viewer');
    expect((await refusal(service.create(engineer, { name: '  ' }))).code).toBe('XQC_API_KEY_INVALID');
    expect((await refusal(service.create(engineer, { name: 'x', scopes: ['admin'] }))).message).toContain('read, write');
    expect((await refusal(service.create(engineer, { name: 'x', scopes: [] }))).status).toBe(400);
    expect((await refusal(service.create(engineer, { name: 'x', role: 'god' }))).code).toBe('XQC_ROLE_INVALID');
    expect((await refusal(service.create(engineer, { name: 'x', expiresAt: '2020-01-01T00:00:00Z' }))).message).toContain('in the future');
    expect((await refusal(service.create(engineer, { name: 'x', expiresAt: 'tomorrow' }))).status).toBe(400);
  });

  it('refuses a key once it expires and records its use at most once a minute', async () => {
    const { key } = await service.create(engineer, { name: 'temp', expiresAt: '2026-03-01T09:00:00.000Z' });
    await service.authenticate(key);
    await service.authenticate(key);
    expect(keys.touches).toBe(1);
    c.advance(61_000);
    await service.authenticate(key);
    expect(keys.touches).toBe(2);
    c.advance(3600_000);
    expect((await refusal(service.authenticate(key))).message).toBe('API key expired');
  });

  it('lets an engineer see and revoke only its own keys; revoking twice audits once', async () => {
    const own = await service.create(engineer, { name: 'mine' });
    const other = await service.create(admin, { name: 'theirs' });
    expect((await service.list(engineer, 10)).map((k) => k.name)).toEqual(['mine']);
    expect((await service.list(admin, 10)).map((k) => k.name).sort()).toEqual(['mine', 'theirs']);
    expect((await refusal(service.revoke(engineer, other.apiKey.id))).status).toBe(404);
    await service.revoke(engineer, own.apiKey.id);
    await service.revoke(engineer, own.apiKey.id);
    expect((await service.list(engineer, 10))[0].revokedAt).not.toBeNull();
  });
});
