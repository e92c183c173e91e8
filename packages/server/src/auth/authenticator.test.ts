import { describe, expect, it } from 'vitest';
import { Authenticator } from './authenticator.ts';
import type { AuthenticatorDeps, TokenCacheOptions } from './authenticator.ts';
import type { ClaimMapping } from './claims.ts';
import { createJwtVerifier } from './jwt-verifier.ts';
import type { JwtVerifier } from './jwt-verifier.ts';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, signLocalAccessToken } from './local-token.ts';
import type { LocalTokenClaims } from './local-token.ts';
import type { Principal } from './principal.ts';
import { TEST_ISSUER, signHs256, supabaseClaims, tamper } from './testing/token-fixtures.ts';

const EXTERNAL_SECRET = 'authenticator-test-external-secret-0123456789';
const LOCAL_SECRET = new TextEncoder().encode('authenticator-test-local-secret-0123456789ab');
const MAPPING: ClaimMapping = { roleClaim: 'app_metadata.role', accountClaim: 'app_metadata.account_id', defaultRole: 'viewer', roleMap: {} };

/** A verifier that counts its calls. */
function counting(inner: JwtVerifier): JwtVerifier & { calls: number } {
  const v = {
    calls: 0,
    verify: (token: string) => {
      v.calls += 1;
      return inner.verify(token);
    },
  };
  return v;
}

function setup(cache: TokenCacheOptions | false, revoked: Set<string> = new Set()) {
  const external = counting(createJwtVerifier({ secret: EXTERNAL_SECRET, issuer: TEST_ISSUER, audience: 'authenticated', clockToleranceSeconds: 0 }));
  const local = counting(createJwtVerifier({ secret: LOCAL_SECRET, issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE, clockToleranceSeconds: 0 }));
  const deps: AuthenticatorDeps = {
    localVerifier: local,
    external: { verifier: external, mapping: MAPPING },
    localPrincipal: async (c: LocalTokenClaims): Promise<Principal> => {
      if (revoked.has(c.sid)) throw Object.assign(new Error('session revoked'), { status: 401 });
      return { kind: 'user', subject: c.sub, accountId: c.acct, role: 'admin', name: c.sub };
    },
    apiKeyPrincipal: () => Promise.reject(new Error('no API keys here')),
    tokenCache: cache,
  };
  return { auth: new Authenticator(deps), external, local };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('Authenticator token cache', () => {
  it('verifies an external token once and serves the same principal from the cache', async () => {
    const { auth, external } = setup({});
    const token = await signHs256(EXTERNAL_SECRET, supabaseClaims());
    const a = await auth.authenticate(bearer(token), 'GET');
    const b = await auth.authenticate(bearer(token), 'POST');
    expect(b).toEqual(a);
    expect(a).toMatchObject({ role: 'engineer', accountId: 'acct-a' });
    expect(external.calls).toBe(1);
    expect(auth.cachedTokens()).toBe(1);
  });

  it('checks every request when the cache is off', async () => {
    const { auth, external } = setup(false);
    const token = await signHs256(EXTERNAL_SECRET, supabaseClaims());
    await auth.authenticate(bearer(token), 'GET');
    await auth.authenticate(bearer(token), 'GET');
    expect(external.calls).toBe(2);
    expect(auth.cachedTokens()).toBe(0);
  });

  it('never serves a tampered token from the cache of the genuine one', async () => {
    const { auth } = setup({});
    const token = await signHs256(EXTERNAL_SECRET, supabaseClaims());
    await auth.authenticate(bearer(token), 'GET');
    const forged = tamper(token, supabaseClaims({ app_metadata: { role: 'admin', account_id: 'acct-b' } }));
    await expect(auth.authenticate(bearer(forged), 'GET')).rejects.toMatchObject({ status: 401, message: 'token signature invalid' });
  });

  it('does not cache failures', async () => {
    const { auth, external } = setup({});
    const expired = await signHs256(EXTERNAL_SECRET, supabaseClaims({ exp: Math.floor(Date.now() / 1000) - 10 }));
    await expect(auth.authenticate(bearer(expired), 'GET')).rejects.toMatchObject({ status: 401, message: 'token expired' });
    await expect(auth.authenticate(bearer(expired), 'GET')).rejects.toMatchObject({ status: 401 });
    expect(external.calls).toBe(2);
    expect(auth.cachedTokens()).toBe(0);
  });

  it('trusts an entry until the earlier of the TTL and the token expiry', async () => {
    let now = Date.now();
    const { auth, external } = setup({ ttlMs: 60_000, now: () => now });
    const long = await signHs256(EXTERNAL_SECRET, supabaseClaims({ exp: Math.floor(now / 1000) + 3600 }));
    await auth.authenticate(bearer(long), 'GET');
    now += 59_000;
    await auth.authenticate(bearer(long), 'GET');
    expect(external.calls).toBe(1);
    now += 2_000;
    await auth.authenticate(bearer(long), 'GET');
    expect(external.calls).toBe(2);

    now = Date.now();
    const exp = Math.floor(now / 1000) + 30;
    const short = await signHs256(EXTERNAL_SECRET, supabaseClaims({ exp }));
    await auth.authenticate(bearer(short), 'GET');
    now = exp * 1000 - 1;
    await auth.authenticate(bearer(short), 'GET');
    expect(external.calls).toBe(3);
    now = exp * 1000;
    await auth.authenticate(bearer(short), 'GET');
    expect(external.calls).toBe(4);
  });

  it('keeps at most maxEntries tokens, dropping the least recently used', async () => {
    const { auth, external } = setup({ maxEntries: 2 });
    const tokens = await Promise.all([1, 2, 3].map((i) => signHs256(EXTERNAL_SECRET, supabaseClaims({ sub: `user-${i}` }))));
    await auth.authenticate(bearer(tokens[0]), 'GET');
    await auth.authenticate(bearer(tokens[1]), 'GET');
    await auth.authenticate(bearer(tokens[0]), 'GET');
    await auth.authenticate(bearer(tokens[2]), 'GET');
    expect(auth.cachedTokens()).toBe(2);
    expect(external.calls).toBe(3);
    await auth.authenticate(bearer(tokens[0]), 'GET');
    expect(external.calls).toBe(3);
    await auth.authenticate(bearer(tokens[1]), 'GET');
    expect(external.calls).toBe(4);
  });

  it('caches a local token signature but asks for its session on every request, so revocation holds at once', async () => {
    const revoked = new Set<string>();
    const { auth, local } = setup({}, revoked);
    const token = await signLocalAccessToken(LOCAL_SECRET, { sub: 'u1', sid: 'family-1', acct: 'local' }, 900);
    expect(await auth.authenticate(bearer(token), 'DELETE')).toMatchObject({ subject: 'u1', role: 'admin' });
    await auth.authenticate(bearer(token), 'GET');
    expect(local.calls).toBe(1);
    revoked.add('family-1');
    await expect(auth.authenticate(bearer(token), 'GET')).rejects.toMatchObject({ status: 401, message: 'session revoked' });
  });
});
