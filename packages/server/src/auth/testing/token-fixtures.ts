/**
 * Test support: a JWKS served on loopback (node:http, port 0) whose keys can be rotated,
 * key pairs, and Supabase-style access tokens signed with them. Used by the auth tests
 * and the smoke test; never imported by the server.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JWK, JWTPayload } from 'jose';

/** A signing key with its public JWK (carrying `kid` and `alg`). */
export interface TestKey {
  readonly kid: string;
  readonly alg: 'RS256' | 'ES256';
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

/** A JWKS endpoint on 127.0.0.1. */
export interface JwksServer {
  /** `http://127.0.0.1:<port>/.well-known/jwks.json`. */
  readonly url: string;
  /** Replaces the served keys (rotation). */
  setKeys(keys: readonly TestKey[]): void;
  /** How many times the key set was fetched. */
  fetches(): number;
  close(): Promise<void>;
}

/** A fresh RS256 or ES256 key pair named `kid`. */
export async function makeKey(alg: 'RS256' | 'ES256', kid: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicJwk };
}

/** Serves `keys` as a JWKS on a free loopback port. */
export async function startJwksServer(keys: readonly TestKey[]): Promise<JwksServer> {
  let served = keys;
  let count = 0;
  const server = createServer((req, res) => {
    if (req.url !== '/.well-known/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    count += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: served.map((k) => k.publicJwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    setKeys: (next) => {
      served = next;
    },
    fetches: () => count,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

/** Issuer of the test tokens, shaped like a Supabase project's. */
export const TEST_ISSUER = 'https://test-project.supabase.co/auth/v1';

/** Claims of a Supabase access token for a Makerkit user; `overrides` replace or add claims. */
export function supabaseClaims(overrides: JWTPayload = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: TEST_ISSUER,
    aud: 'authenticated',
    sub: '6f1d2c3b-0000-4000-8000-000000000001',
    email: 'engineer@example.com',
    role: 'authenticated',
    aal: 'aal1',
    session_id: '9a8b7c6d-0000-4000-8000-000000000002',
    is_anonymous: false,
    app_metadata: { provider: 'email', providers: ['email'], role: 'engineer', account_id: 'acct-a' },
    user_metadata: {},
    iat: now,
    exp: now + 3600,
    ...overrides,
  };
}

/** Signs `claims` with `key` (its alg and kid in the header). */
export function signWith(key: TestKey, claims: JWTPayload): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' }).sign(key.privateKey);
}

/** Signs `claims` with an HS256 secret. */
export function signHs256(secret: string | Uint8Array, claims: JWTPayload): Promise<string> {
  const key = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(key);
}

/** An unsigned `alg: none` token carrying `claims`. */
export function unsignedToken(claims: JWTPayload): string {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${enc({ alg: 'none', typ: 'JWT' })}.${enc(claims)}.`;
}

/** `token` with its payload replaced by `claims`, the original signature kept (a tampered token). */
export function tamper(token: string, claims: JWTPayload): string {
  const [header, , signature] = token.split('.');
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}
