import { createPublicKey } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../errors/api-error.ts';
import { checkJwksUrl, createJwtVerifier } from './jwt-verifier.ts';
import type { JwtVerifier } from './jwt-verifier.ts';
import { makeKey, signHs256, signWith, startJwksServer, supabaseClaims, tamper, TEST_ISSUER, unsignedToken } from './testing/token-fixtures.ts';
import type { JwksServer, TestKey } from './testing/token-fixtures.ts';

const SECRET = 'a-shared-supabase-jwt-secret-of-32+chars';

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('expected the token to be refused');
}

describe('HS256 shared-secret verifier', () => {
  const verifier = createJwtVerifier({ secret: SECRET, issuer: TEST_ISSUER, audience: 'authenticated' });
  const now = Math.floor(Date.now() / 1000);

  it('accepts a Supabase access token as it is', async () => {
    const payload = await verifier.verify(await signHs256(SECRET, supabaseClaims()));
    expect(payload.sub).toBe('6f1d2c3b-0000-4000-8000-000000000001');
    expect(payload.role).toBe('authenticated');
  });

  it.each([
    ['expired', { exp: now - 120 }, 'token expired'],
    ['not yet valid', { nbf: now + 600 }, 'token not yet valid'],
    ['wrong issuer', { iss: 'https://evil.example.com/auth/v1' }, 'token issuer not accepted'],
    ['wrong audience', { aud: 'service_role' }, 'token audience not accepted'],
    ['no exp', { exp: undefined }, "token claim 'exp' invalid"],
  ])('refuses a token that is %s with 401', async (_name, overrides, detail) => {
    const e = await refusal(verifier.verify(await signHs256(SECRET, supabaseClaims(overrides))));
    expect(e.status).toBe(401);
    expect(e.message).toBe(detail);
  });

  it('tolerates a small clock skew and no more', async () => {
    await expect(verifier.verify(await signHs256(SECRET, supabaseClaims({ exp: now - 10 })))).resolves.toBeDefined();
    await expect(verifier.verify(await signHs256(SECRET, supabaseClaims({ nbf: now + 10 })))).resolves.toBeDefined();
  });

  it('refuses alg none, another secret, a tampered payload and garbage', async () => {
    expect((await refusal(verifier.verify(unsignedToken(supabaseClaims())))).message).toBe('token algorithm not accepted');
    expect((await refusal(verifier.verify(await signHs256(`${SECRET}-other`, supabaseClaims())))).message).toBe('token signature invalid');
    const good = await signHs256(SECRET, supabaseClaims());
    const forged = tamper(good, supabaseClaims({ app_metadata: { role: 'admin', account_id: 'acct-b' } }));
    expect((await refusal(verifier.verify(forged))).message).toBe('token signature invalid');
    expect((await refusal(verifier.verify('not.a.jwt'))).status).toBe(401);
  });

  it('refuses an RS256 token', async () => {
    const key = await makeKey('RS256', 'k1');
    expect((await refusal(verifier.verify(await signWith(key, supabaseClaims())))).message).toBe('token algorithm not accepted');
  });

  it('refuses a configuration with a short secret, both or no key sources, a plain-http remote JWKS', () => {
    expect(() => createJwtVerifier({ secret: 'short', issuer: 'i', audience: 'a' })).toThrow(/at least 32 bytes/);
    expect(() => createJwtVerifier({ secret: SECRET, jwksUrl: 'https://x/jwks', issuer: 'i', audience: 'a' })).toThrow(/exactly one/);
    expect(() => createJwtVerifier({ issuer: 'i', audience: 'a' })).toThrow(/exactly one/);
    expect(() => checkJwksUrl('http://idp.example.com/jwks.json')).toThrow(/https/);
    expect(checkJwksUrl('http://127.0.0.1:1/jwks.json').port).toBe('1');
  });
});

describe('JWKS verifier on a loopback key server', () => {
  let rsa: TestKey;
  let ec: TestKey;
  let server: JwksServer;
  let verifier: JwtVerifier;

  beforeAll(async () => {
    rsa = await makeKey('RS256', 'rsa-1');
    ec = await makeKey('ES256', 'ec-1');
    server = await startJwksServer([rsa, ec]);
    verifier = createJwtVerifier({ jwksUrl: server.url, issuer: TEST_ISSUER, audience: 'authenticated', jwksCooldownMs: 0 });
  });
  afterAll(() => server.close());

  it('accepts RS256 and ES256 tokens and fetches the key set once', async () => {
    const before = server.fetches();
    expect((await verifier.verify(await signWith(rsa, supabaseClaims()))).sub).toBeDefined();
    expect((await verifier.verify(await signWith(ec, supabaseClaims()))).sub).toBeDefined();
    expect((await verifier.verify(await signWith(rsa, supabaseClaims()))).sub).toBeDefined();
    expect(server.fetches() - before).toBe(1);
  });

  it('refuses an HS256 token signed with the RSA public key', async () => {
    const pem = createPublicKey({ key: rsa.publicJwk as JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string;
    const forged = await signHs256(new TextEncoder().encode(pem), supabaseClaims({ app_metadata: { role: 'admin' } }));
    const e = await refusal(verifier.verify(forged));
    expect(e.status).toBe(401);
    expect(e.message).toBe('token algorithm not accepted');
    const jwkForged = await signHs256(new TextEncoder().encode(JSON.stringify(rsa.publicJwk)), supabaseClaims());
    expect((await refusal(verifier.verify(jwkForged))).message).toBe('token algorithm not accepted');
  });

  it('refuses alg none, a tampered payload, wrong issuer and audience, expired', async () => {
    expect((await refusal(verifier.verify(unsignedToken(supabaseClaims())))).status).toBe(401);
    const good = await signWith(rsa, supabaseClaims());
    expect((await refusal(verifier.verify(tamper(good, supabaseClaims({ sub: 'someone-else' }))))).message).toBe('token signature invalid');
    expect((await refusal(verifier.verify(await signWith(ec, supabaseClaims({ iss: 'https://other/auth/v1' }))))).message).toBe('token issuer not accepted');
    expect((await refusal(verifier.verify(await signWith(ec, supabaseClaims({ aud: 'other' }))))).message).toBe('token audience not accepted');
    expect((await refusal(verifier.verify(await signWith(ec, supabaseClaims({ exp: 1000 }))))).message).toBe('token expired');
  });

  it('follows key rotation: a new kid triggers a re-fetch; a removed key stops working', async () => {
    const next = await makeKey('RS256', 'rsa-2');
    server.setKeys([next, ec]);
    const before = server.fetches();
    expect((await verifier.verify(await signWith(next, supabaseClaims()))).sub).toBeDefined();
    expect(server.fetches()).toBe(before + 1);
    const e = await refusal(verifier.verify(await signWith(rsa, supabaseClaims())));
    expect(e.status).toBe(401);
    expect(e.message).toBe('no trusted key matches the token');
    const stranger = await makeKey('ES256', 'ec-1');
    expect((await refusal(verifier.verify(await signWith(stranger, supabaseClaims())))).message).toBe('token signature invalid');
  });

  it('answers 503 when the key set cannot be fetched', async () => {
    const dead = createJwtVerifier({ jwksUrl: 'http://127.0.0.1:9/.well-known/jwks.json', issuer: TEST_ISSUER, audience: 'authenticated', jwksTimeoutMs: 2000 });
    const e = await refusal(dead.verify(await signWith(rsa, supabaseClaims())));
    expect(e.status).toBe(503);
    expect(e.code).toBe('XQC_AUTH_UNAVAILABLE');
  });
});
