import { createPublicKey } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PREFIX } from '../api-prefix.ts';
import { authConfigFromEnv, securityConfigFromEnv } from '../auth/auth-config.ts';
import { makeKey, signHs256, signWith, startJwksServer, supabaseClaims, tamper, TEST_ISSUER, unsignedToken } from '../auth/testing/token-fixtures.ts';
import type { JwksServer, TestKey } from '../auth/testing/token-fixtures.ts';
import { createTestApp } from '../test/test-app.ts';
import { DIALECTS } from '../test/test-database.ts';
import type { TestApp } from '../test/test-app.ts';

const ADMIN_PASSWORD = 'first-admin-password-1';
const api = (path: string): string => `${API_PREFIX}${path}`;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The body says nothing but the problem: no claim, no row, no stack. */
function expectBareProblem(body: string, status: number, code: string): void {
  const p = JSON.parse(body) as Record<string, unknown>;
  expect(p.status).toBe(status);
  expect(p.code).toBe(code);
  expect(Object.keys(p).sort()).toEqual(['code', 'detail', 'instance', 'requestId', 'status', 'title', 'type'].filter((k) => k in p).sort());
  expect(Object.keys(p).every((k) => ['code', 'detail', 'instance', 'requestId', 'status', 'title', 'type'].includes(k))).toBe(true);
  expect(body).not.toMatch(/acct-|app_metadata|password_hash|secret_hash|\$argon2|stack/);
}

describe('auth over a JWKS (RS256/ES256) identity provider', () => {
  let jwks: JwksServer;
  let rsa: TestKey;
  let ec: TestKey;
  let t: TestApp;
  const tokenFor = (role: string, account = 'acct-a', over: Record<string, unknown> = {}) =>
    signWith(rsa, supabaseClaims({ sub: `user-${role}-${account}`, app_metadata: { role, account_id: account }, ...over }));

  beforeAll(async () => {
    rsa = await makeKey('RS256', 'rsa-1');
    ec = await makeKey('ES256', 'ec-1');
    jwks = await startJwksServer([rsa, ec]);
    const auth = authConfigFromEnv({ XQC_JWKS_URL: jwks.url, XQC_JWT_ISSUER: TEST_ISSUER, XQC_ADMIN_PASSWORD: ADMIN_PASSWORD });
    t = await createTestApp('sqlite', { auth: { ...auth, external: auth.external && { ...auth.external, jwksCooldownMs: 0 } } });
  });
  afterAll(async () => {
    await t.close();
    await jwks.close();
  });

  it('opens health, ready and the OpenAPI document only', async () => {
    for (const path of ['/health', '/ready', '/openapi.json']) {
      expect((await t.app.inject({ url: api(path) })).statusCode).toBe(200);
    }
    expect((await t.app.inject({ url: '/docs/' })).statusCode).toBe(200);
    for (const [method, path] of [['GET', '/auth/me'], ['GET', '/users'], ['GET', '/api-keys'], ['GET', '/inspections'], ['GET', '/no-such-route']] as const) {
      const res = await t.app.inject({ method, url: api(path) });
      expect(res.statusCode, path).toBe(path === '/no-such-route' ? 404 : 401);
    }
  });

  it('refuses a request without a token with 401, a Bearer challenge and nothing else', async () => {
    const res = await t.app.inject({ url: api('/auth/me') });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toContain('Bearer');
    expect(res.headers['content-type']).toContain('application/problem+json');
    expectBareProblem(res.body, 401, 'XQC_UNAUTHENTICATED');
  });

  it('accepts a Supabase access token as it is and maps role and account from app_metadata', async () => {
    const res = await t.app.inject({ url: api('/auth/me'), headers: bearer(await tokenFor('engineer')) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ kind: 'token', subject: 'user-engineer-acct-a', accountId: 'acct-a', role: 'engineer', name: 'engineer@example.com' });
    const es = await t.app.inject({ url: api('/auth/me'), headers: bearer(await signWith(ec, supabaseClaims())) });
    expect(es.statusCode).toBe(200);
  });

  it.each([
    ['expired', { exp: Math.floor(Date.now() / 1000) - 300 }, 'token expired'],
    ['not yet valid', { nbf: Math.floor(Date.now() / 1000) + 600 }, 'token not yet valid'],
    ['from the wrong issuer', { iss: 'https://attacker.supabase.co/auth/v1' }, 'token issuer not accepted'],
    ['for the wrong audience', { aud: 'service_role' }, 'token audience not accepted'],
  ])('refuses a token %s with 401', async (_what, over, detail) => {
    const res = await t.app.inject({ url: api('/auth/me'), headers: bearer(await signWith(rsa, supabaseClaims(over))) });
    expect(res.statusCode).toBe(401);
    expectBareProblem(res.body, 401, 'XQC_UNAUTHENTICATED');
    expect(res.json().detail).toBe(detail);
  });

  it('refuses alg none, HS256 signed with the RSA public key, and a tampered payload with 401', async () => {
    const pem = createPublicKey({ key: rsa.publicJwk as JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string;
    const admin = supabaseClaims({ app_metadata: { role: 'admin', account_id: 'acct-a' } });
    const tampered = tamper(await tokenFor('viewer'), admin);
    // The same forgery addressed to the server's own issuer meets the server's own secret.
    const asLocal = await signHs256(new TextEncoder().encode(pem), { ...admin, iss: 'xai-qc', aud: 'xai-qc-api', sid: 'f', acct: 'acct-a' });
    for (const token of [unsignedToken(admin), await signHs256(new TextEncoder().encode(pem), admin), tampered, asLocal, unsignedToken({ ...admin, iss: 'xai-qc' })]) {
      const res = await t.app.inject({ url: api('/users'), headers: bearer(token) });
      expect(res.statusCode).toBe(401);
      expectBareProblem(res.body, 401, 'XQC_UNAUTHENTICATED');
    }
  });

  it('refuses a malformed Authorization header and two credentials at once', async () => {
    expect((await t.app.inject({ url: api('/auth/me'), headers: { authorization: 'Basic YTpi' } })).statusCode).toBe(401);
    expect((await t.app.inject({ url: api('/auth/me'), headers: { authorization: 'Bearer not-a-jwt' } })).statusCode).toBe(401);
    const both = await t.app.inject({ url: api('/auth/me'), headers: { ...bearer(await tokenFor('admin')), 'x-api-key': 'xqc_x' } });
    expect(both.statusCode).toBe(401);
  });

  it('refuses a viewer on an engineer route and an operator on an admin route with 403', async () => {
    const viewer = await t.app.inject({ method: 'POST', url: api('/api-keys'), headers: bearer(await tokenFor('viewer')), payload: { name: 'line 1' } });
    expect(viewer.statusCode).toBe(403);
    expectBareProblem(viewer.body, 403, 'XQC_FORBIDDEN');
    const operator = await t.app.inject({ url: api('/users'), headers: bearer(await tokenFor('operator')) });
    expect(operator.statusCode).toBe(403);
    expectBareProblem(operator.body, 403, 'XQC_FORBIDDEN');
    const unknownRole = await t.app.inject({ url: api('/auth/me'), headers: bearer(await tokenFor('superuser')) });
    expect(unknownRole.statusCode).toBe(403);
    expect(unknownRole.json().code).toBe('XQC_ROLE_UNKNOWN');
  });

  it('never shows another account a row: its ids answer 404', async () => {
    const adminA = bearer(await tokenFor('admin', 'acct-a'));
    const adminB = bearer(await tokenFor('admin', 'acct-b'));
    const userB = await t.app.inject({ method: 'POST', url: api('/users'), headers: adminB, payload: { username: 'bob-of-b', role: 'operator' } });
    expect(userB.statusCode).toBe(201);
    const userBId = userB.json().user.id as string;
    const keyB = await t.app.inject({ method: 'POST', url: api('/api-keys'), headers: adminB, payload: { name: 'line of b' } });
    const keyBId = keyB.json().apiKey.id as string;

    const reads = [
      await t.app.inject({ url: api(`/users/${userBId}`), headers: adminA }),
      await t.app.inject({ method: 'PATCH', url: api(`/users/${userBId}`), headers: adminA, payload: { role: 'admin' } }),
      await t.app.inject({ method: 'DELETE', url: api(`/api-keys/${keyBId}`), headers: adminA }),
    ];
    for (const res of reads) {
      expect(res.statusCode).toBe(404);
      expectBareProblem(res.body, 404, 'XQC_NOT_FOUND');
      expect(res.body).not.toContain('bob-of-b');
      expect(res.body).not.toContain('line of b');
    }
    const listA = await t.app.inject({ url: api('/users'), headers: adminA });
    expect(listA.body).not.toContain('bob-of-b');
    const keysA = await t.app.inject({ url: api('/api-keys'), headers: adminA });
    expect(keysA.json().items).toEqual([]);
    const stillB = await t.app.inject({ url: api(`/users/${userBId}`), headers: adminB });
    expect(stillB.json().role).toBe('operator');
    expect((await t.app.inject({ url: api('/api-keys'), headers: adminB })).json().items[0].revokedAt).toBeNull();
  });

  it('follows JWKS key rotation: a new key works at once, a retired one stops', async () => {
    const next = await makeKey('ES256', 'ec-2');
    jwks.setKeys([next, rsa]);
    const fresh = await t.app.inject({ url: api('/auth/me'), headers: bearer(await signWith(next, supabaseClaims())) });
    expect(fresh.statusCode).toBe(200);
    const retired = await t.app.inject({ url: api('/auth/me'), headers: bearer(await signWith(ec, supabaseClaims())) });
    expect(retired.statusCode).toBe(401);
    expect(retired.json().detail).toBe('no trusted key matches the token');
  });
});

describe('local accounts, sessions and API keys', () => {
  let t: TestApp;
  const login = (username: string, password: string) => t.app.inject({ method: 'POST', url: api('/auth/login'), payload: { username, password } });

  beforeAll(async () => {
    t = await createTestApp('sqlite', { auth: authConfigFromEnv({ XQC_ADMIN_PASSWORD: ADMIN_PASSWORD }), security: securityConfigFromEnv({ XQC_LOGIN_RATE_LIMIT_MAX: '1000' }) });
  });
  afterAll(() => t.close());

  it('created the first admin from XQC_ADMIN_PASSWORD, handed out once', async () => {
    const first = t.app.takeInitialAdmin();
    expect(first).toEqual({ username: 'admin', password: ADMIN_PASSWORD, generated: false, accountId: 'default' });
    expect(t.app.takeInitialAdmin()).toBeUndefined();
  });

  it('refuses a wrong password and an unknown user alike', async () => {
    const wrong = await login('admin', 'not-the-password');
    const unknown = await login('nobody', 'not-the-password');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json().detail).toBe(unknown.json().detail);
  });

  it('logs in, rotates the refresh token, and revokes the family when a spent token comes back', async () => {
    const res = await login('ADMIN', ADMIN_PASSWORD);
    expect(res.statusCode).toBe(200);
    const pair = res.json();
    expect(pair).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, user: { username: 'admin', role: 'admin', disabled: false } });
    expect(res.body).not.toContain('argon2');
    const me = await t.app.inject({ url: api('/auth/me'), headers: bearer(pair.accessToken) });
    expect(me.json()).toMatchObject({ kind: 'user', role: 'admin', accountId: 'default', name: 'admin' });

    const r1 = await t.app.inject({ method: 'POST', url: api('/auth/refresh'), payload: { refreshToken: pair.refreshToken } });
    expect(r1.statusCode).toBe(200);
    const next = r1.json();
    expect(next.refreshToken).not.toBe(pair.refreshToken);
    expect((await t.app.inject({ url: api('/auth/me'), headers: bearer(next.accessToken) })).statusCode).toBe(200);

    const reuse = await t.app.inject({ method: 'POST', url: api('/auth/refresh'), payload: { refreshToken: pair.refreshToken } });
    expect(reuse.statusCode).toBe(401);
    expect(reuse.json().code).toBe('XQC_REFRESH_REUSED');
    expect((await t.app.inject({ method: 'POST', url: api('/auth/refresh'), payload: { refreshToken: next.refreshToken } })).statusCode).toBe(401);
    expect((await t.app.inject({ url: api('/auth/me'), headers: bearer(next.accessToken) })).statusCode).toBe(401);
  });

  it('logout revokes the session, its access token included', async () => {
    const pair = (await login('admin', ADMIN_PASSWORD)).json();
    const out = await t.app.inject({ method: 'POST', url: api('/auth/logout'), payload: { refreshToken: pair.refreshToken } });
    expect(out.statusCode).toBe(204);
    expect((await t.app.inject({ url: api('/auth/me'), headers: bearer(pair.accessToken) })).json().detail).toBe('session revoked');
    expect((await t.app.inject({ method: 'POST', url: api('/auth/refresh'), payload: { refreshToken: pair.refreshToken } })).statusCode).toBe(401);
  });

  it('lets an admin manage users; disabling ends their sessions; the last admin stays', async () => {
    const admin = bearer((await login('admin', ADMIN_PASSWORD)).json().accessToken);
    const created = await t.app.inject({ method: 'POST', url: api('/users'), headers: admin, payload: { username: 'Olga', role: 'operator' } });
    expect(created.statusCode).toBe(201);
    const { user, password } = created.json();
    expect(user).toMatchObject({ username: 'olga', role: 'operator', disabled: false });
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect((await t.app.inject({ method: 'POST', url: api('/users'), headers: admin, payload: { username: 'olga', role: 'viewer' } })).statusCode).toBe(409);
    const weak = await t.app.inject({ method: 'POST', url: api('/users'), headers: admin, payload: { username: 'weak', role: 'viewer', password: 'short' } });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().errors[0].field).toBe('body.password');

    const olga = (await login('olga', password)).json();
    expect((await t.app.inject({ url: api('/users'), headers: bearer(olga.accessToken) })).statusCode).toBe(403);
    const promoted = await t.app.inject({ method: 'PATCH', url: api(`/users/${user.id}`), headers: admin, payload: { role: 'admin' } });
    expect(promoted.json().role).toBe('admin');
    expect((await t.app.inject({ url: api('/users'), headers: bearer(olga.accessToken) })).statusCode).toBe(200);
    await t.app.inject({ method: 'PATCH', url: api(`/users/${user.id}`), headers: admin, payload: { disabled: true } });
    expect((await t.app.inject({ url: api('/auth/me'), headers: bearer(olga.accessToken) })).statusCode).toBe(401);
    expect((await login('olga', password)).statusCode).toBe(401);

    const adminId = (await t.app.inject({ url: api('/auth/me'), headers: admin })).json().subject as string;
    const demote = await t.app.inject({ method: 'PATCH', url: api(`/users/${adminId}`), headers: admin, payload: { role: 'engineer' } });
    expect(demote.statusCode).toBe(409);
    expect(demote.json().code).toBe('XQC_LAST_ADMIN');

    const log = (await t.app.inject({ url: api('/audit-log'), headers: admin })).json();
    expect(log.items.map((e: { action: string }) => e.action)).toEqual(['user.update', 'user.update', 'user.create']);
    expect(log.items[2]).toMatchObject({ actor: { kind: 'user', id: adminId, name: 'admin' }, targetType: 'user', targetId: user.id, details: { username: 'olga', role: 'operator' } });
    expect(JSON.stringify(log)).not.toContain(password);
  });

  it('changes a password after checking the current one and ends the sessions', async () => {
    const created = (await t.app.inject({ method: 'POST', url: api('/users'), headers: bearer((await login('admin', ADMIN_PASSWORD)).json().accessToken), payload: { username: 'pete', role: 'viewer', password: 'pete-password-1' } })).json();
    expect(created.password).toBeUndefined();
    const pete = (await login('pete', 'pete-password-1')).json();
    const wrong = await t.app.inject({ method: 'POST', url: api('/auth/password'), headers: bearer(pete.accessToken), payload: { currentPassword: 'nope-nope-nope', newPassword: 'pete-password-2' } });
    expect(wrong.statusCode).toBe(401);
    const ok = await t.app.inject({ method: 'POST', url: api('/auth/password'), headers: bearer(pete.accessToken), payload: { currentPassword: 'pete-password-1', newPassword: 'pete-password-2' } });
    expect(ok.statusCode).toBe(204);
    expect((await t.app.inject({ url: api('/auth/me'), headers: bearer(pete.accessToken) })).statusCode).toBe(401);
    expect((await login('pete', 'pete-password-1')).statusCode).toBe(401);
    expect((await login('pete', 'pete-password-2')).statusCode).toBe(200);
  });

  it('issues API keys once, accepts them in both headers, enforces scopes, and refuses them once revoked', async () => {
    const admin = bearer((await login('admin', ADMIN_PASSWORD)).json().accessToken);
    await t.app.inject({ method: 'POST', url: api('/users'), headers: admin, payload: { username: 'erin', role: 'engineer', password: 'erin-password-1' } });
    const erin = bearer((await login('erin', 'erin-password-1')).json().accessToken);

    const tooHigh = await t.app.inject({ method: 'POST', url: api('/api-keys'), headers: erin, payload: { name: 'x', role: 'admin' } });
    expect(tooHigh.statusCode).toBe(403);
    const created = await t.app.inject({ method: 'POST', url: api('/api-keys'), headers: erin, payload: { name: 'line 7', scopes: ['read'] } });
    expect(created.statusCode).toBe(201);
    const { key, apiKey } = created.json();
    expect(key).toMatch(/^xqc_[0-9a-f]{12}_[0-9a-f]{64}$/);
    expect(apiKey).toMatchObject({ name: 'line 7', role: 'operator', scopes: ['read'], revokedAt: null, lastUsedAt: null });
    expect(key.startsWith(`xqc_${apiKey.prefix}_`)).toBe(true);

    const viaHeader = await t.app.inject({ url: api('/auth/me'), headers: { 'x-api-key': key } });
    expect(viaHeader.json()).toMatchObject({ kind: 'api-key', subject: apiKey.id, role: 'operator', accountId: 'default', scopes: ['read'] });
    expect((await t.app.inject({ url: api('/auth/me'), headers: bearer(key) })).statusCode).toBe(200);
    const write = await t.app.inject({ method: 'POST', url: api('/auth/password'), headers: { 'x-api-key': key }, payload: { currentPassword: 'x', newPassword: 'yyyyyyyyyyyy' } });
    expect(write.statusCode).toBe(403);
    expect(write.json().detail).toContain("'write' scope");

    const listed = (await t.app.inject({ url: api('/api-keys'), headers: erin })).json().items;
    expect(listed).toHaveLength(1);
    expect(listed[0].lastUsedAt).not.toBeNull();
    expect(JSON.stringify(listed)).not.toContain(key.slice(-64));
    const adminOwn = await t.app.inject({ method: 'POST', url: api('/api-keys'), headers: admin, payload: { name: 'admin key' } });
    const adminKeyId = adminOwn.json().apiKey.id as string;
    expect((await t.app.inject({ method: 'DELETE', url: api(`/api-keys/${adminKeyId}`), headers: erin })).statusCode).toBe(404);
    expect((await t.app.inject({ url: api('/api-keys'), headers: admin })).json().items).toHaveLength(2);

    const revoked = await t.app.inject({ method: 'DELETE', url: api(`/api-keys/${apiKey.id}`), headers: erin });
    expect(revoked.json().revokedAt).not.toBeNull();
    const refused = await t.app.inject({ url: api('/auth/me'), headers: { 'x-api-key': key } });
    expect(refused.statusCode).toBe(401);
    expectBareProblem(refused.body, 401, 'XQC_UNAUTHENTICATED');
    expect(refused.json().detail).toBe('API key revoked');
    const wrongSecret = `${key.slice(0, -1)}${key.endsWith('0') ? '1' : '0'}`;
    expect((await t.app.inject({ url: api('/auth/me'), headers: { 'x-api-key': wrongSecret } })).json().detail).toBe('API key invalid');
  });

  it('refuses tokens of another issuer when no identity provider is configured', async () => {
    const res = await t.app.inject({ url: api('/auth/me'), headers: bearer(await signHs256('x'.repeat(40), supabaseClaims())) });
    expect(res.statusCode).toBe(401);
    expect(res.json().detail).toBe('token issuer not accepted');
  });
});

describe('HS256 shared secret (Supabase JWT secret), headers, CORS and rate limits', () => {
  const SECRET = 'supabase-jwt-secret-with-at-least-32-chars';
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp('sqlite', {
      auth: authConfigFromEnv({ XQC_JWT_SECRET: SECRET, XQC_JWT_ISSUER: TEST_ISSUER, XQC_ROLE_MAP: 'owner=admin,member=operator' }),
      security: securityConfigFromEnv({ XQC_CORS_ORIGINS: 'https://app.example.com', XQC_RATE_LIMIT_MAX: '5', XQC_LOGIN_RATE_LIMIT_MAX: '2' }),
    });
  });
  afterAll(() => t.close());

  it('accepts HS256 tokens signed with the shared secret and refuses RS256 ones', async () => {
    const ok = await t.app.inject({ url: api('/auth/me'), headers: bearer(await signHs256(SECRET, supabaseClaims({ app_metadata: { role: 'owner', account_id: 'team-1' } }))) });
    expect(ok.json()).toMatchObject({ role: 'admin', accountId: 'team-1' });
    const rs = await t.app.inject({ url: api('/auth/me'), headers: bearer(await signWith(await makeKey('RS256', 'k'), supabaseClaims())) });
    expect(rs.statusCode).toBe(401);
    expect(rs.json().detail).toBe('token algorithm not accepted');
  });

  it('sends security headers and allows only the listed origin', async () => {
    const res = await t.app.inject({ url: api('/health'), headers: { origin: 'https://app.example.com' } });
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    // Error answers carry them too: an unknown route, a missing credential.
    for (const url of [api('/no-such-route'), api('/auth/me')]) {
      const err = await t.app.inject({ url });
      expect(err.statusCode).toBeGreaterThanOrEqual(400);
      expect(err.headers['x-content-type-options'], url).toBe('nosniff');
      expect(err.headers['content-security-policy'], url).toContain("frame-ancestors 'none'");
    }
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
    const other = await t.app.inject({ url: api('/health'), headers: { origin: 'https://evil.example.com' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await t.app.inject({
      method: 'OPTIONS',
      url: api('/inspections'),
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toContain('authorization');
  });

  it('rate limits per client, counting refused requests too, never the probes', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await t.app.inject({ url: api('/auth/me'), remoteAddress: '10.0.0.7' })).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    const limited = await t.app.inject({ url: api('/auth/me'), remoteAddress: '10.0.0.7' });
    expect(limited.json()).toMatchObject({ status: 429, code: 'XQC_RATE_LIMITED' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await t.app.inject({ url: api('/health'), remoteAddress: '10.0.0.7' })).statusCode).toBe(200);
    expect((await t.app.inject({ url: api('/auth/me'), remoteAddress: '10.0.0.8' })).statusCode).toBe(401);
  });

  it('gives sign-in its own tighter limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await t.app.inject({ method: 'POST', url: api('/auth/login'), payload: { username: 'admin', password: 'guess-guess-guess' }, remoteAddress: '10.0.0.9' })).statusCode);
    }
    expect(statuses).toEqual([401, 401, 429]);
  });
});

describe.each(DIALECTS)('sessions, keys and account isolation on %s', (dialect) => {
  const SECRET = 'supabase-jwt-secret-with-at-least-32-chars';
  let t: TestApp;
  const hs = (role: string, account: string) => signHs256(SECRET, supabaseClaims({ sub: `${role}-${account}`, app_metadata: { role, account_id: account } }));

  beforeAll(async () => {
    t = await createTestApp(dialect, {
      auth: authConfigFromEnv({ XQC_JWT_SECRET: SECRET, XQC_JWT_ISSUER: TEST_ISSUER, XQC_ADMIN_PASSWORD: ADMIN_PASSWORD }),
      security: securityConfigFromEnv({ XQC_LOGIN_RATE_LIMIT_MAX: '1000' }),
    });
  });
  afterAll(() => t.close());

  it('rotates refresh tokens and revokes a reused family', async () => {
    const pair = (await t.app.inject({ method: 'POST', url: api('/auth/login'), payload: { username: 'admin', password: ADMIN_PASSWORD } })).json();
    const next = await t.app.inject({ method: 'POST', url: api('/auth/refresh'), payload: { refreshToken: pair.refreshToken } });
    expect(next.statusCode).toBe(200);
    const reuse = await t.app.inject({ method: 'POST', url: api('/auth/refresh'), payload: { refreshToken: pair.refreshToken } });
    expect(reuse.json().code).toBe('XQC_REFRESH_REUSED');
    expect((await t.app.inject({ url: api('/auth/me'), headers: bearer(next.json().accessToken) })).statusCode).toBe(401);
  });

  it("answers 404 for another account's user and key, and a revoked key is refused", async () => {
    const adminB = bearer(await hs('admin', 'acct-b'));
    const userB = (await t.app.inject({ method: 'POST', url: api('/users'), headers: adminB, payload: { username: 'only-in-b', role: 'viewer' } })).json().user;
    const keyB = (await t.app.inject({ method: 'POST', url: api('/api-keys'), headers: adminB, payload: { name: 'b line' } })).json();
    const adminA = bearer(await hs('admin', 'acct-a'));
    for (const res of [
      await t.app.inject({ url: api(`/users/${userB.id}`), headers: adminA }),
      await t.app.inject({ method: 'DELETE', url: api(`/api-keys/${keyB.apiKey.id}`), headers: adminA }),
    ]) {
      expect(res.statusCode).toBe(404);
      expect(res.body).not.toContain('only-in-b');
    }
    expect((await t.app.inject({ url: api('/auth/me'), headers: { 'x-api-key': keyB.key } })).json().accountId).toBe('acct-b');
    await t.app.inject({ method: 'DELETE', url: api(`/api-keys/${keyB.apiKey.id}`), headers: adminB });
    expect((await t.app.inject({ url: api('/auth/me'), headers: { 'x-api-key': keyB.key } })).statusCode).toBe(401);
  });
});
