/**
 * Bearer JWT verification with `jose`: one verifier per trusted issuer, with its key
 * source and algorithms pinned. A shared secret verifies HS256 only; a JWKS URL verifies
 * RS256 / ES256 only (so an HS256 token "signed" with the RSA public key is refused), with
 * the key set cached and re-fetched when a token names a key id it does not hold (rotation).
 * `alg: none` is never accepted: jose verifies signatures only.
 */
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import type { CryptoKey, JWTPayload, JWTVerifyGetKey } from 'jose';
import { XqcError } from '@xai-qc/core';
import { ApiError, unauthorized } from '../errors/api-error.ts';

/** Algorithms accepted with a shared secret. */
export const SECRET_ALGORITHMS = ['HS256'] as const;
/** Algorithms accepted with a JWKS. */
export const JWKS_ALGORITHMS = ['RS256', 'ES256'] as const;

/** Where the keys come from and what the claims must say. Exactly one of `secret` and `jwksUrl`. */
export interface JwtVerifierOptions {
  /** HS256 shared secret (UTF-8 text or bytes, at least 32 bytes). */
  readonly secret?: string | Uint8Array;
  /** JWKS endpoint; https, or http on a loopback host. */
  readonly jwksUrl?: string;
  /** Accepted `iss` values. */
  readonly issuer: string | readonly string[];
  /** Accepted `aud` values (a token must name one of them). */
  readonly audience: string | readonly string[];
  /** Tolerated clock skew for `exp` and `nbf`, seconds (default 30). */
  readonly clockToleranceSeconds?: number;
  /** How long a fetched key set is trusted before it is re-fetched, ms (default 10 min). */
  readonly jwksCacheMaxAgeMs?: number;
  /** Shortest gap between two fetches of the key set, ms (default 30 s). */
  readonly jwksCooldownMs?: number;
  /** Time allowed for one fetch of the key set, ms (default 5 s). */
  readonly jwksTimeoutMs?: number;
}

/** Verifies one token; the payload is returned only when signature and claims are valid. */
export interface JwtVerifier {
  verify(token: string): Promise<JWTPayload>;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Smallest HS256 secret accepted, bytes (RFC 7518 3.2: at least the hash size). */
export const MIN_SECRET_BYTES = 32;

/**
 * Checks a JWKS URL: https, or http only on a loopback host (tests, sidecars).
 * @throws XQC_INVALID_ARGUMENT naming what is accepted
 */
export function checkJwksUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new XqcError('XQC_INVALID_ARGUMENT', `JWKS URL '${url}' is not a URL`);
  }
  if (parsed.protocol === 'https:' || (parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname))) return parsed;
  throw new XqcError('XQC_INVALID_ARGUMENT', `JWKS URL must be https (or http on localhost), got '${url}'`);
}

/**
 * Builds a verifier for one issuer.
 * @throws XQC_INVALID_ARGUMENT when both or neither key source is given, or the secret is short
 */
export function createJwtVerifier(options: JwtVerifierOptions): JwtVerifier {
  if ((options.secret === undefined) === (options.jwksUrl === undefined)) {
    throw new XqcError('XQC_INVALID_ARGUMENT', 'a token verifier needs exactly one of a shared secret and a JWKS URL');
  }
  const verifyOptions = {
    issuer: typeof options.issuer === 'string' ? options.issuer : [...options.issuer],
    audience: typeof options.audience === 'string' ? options.audience : [...options.audience],
    clockTolerance: options.clockToleranceSeconds ?? 30,
    requiredClaims: ['exp', 'sub'],
  };
  if (options.secret !== undefined) {
    const key = typeof options.secret === 'string' ? new TextEncoder().encode(options.secret) : options.secret;
    if (key.byteLength < MIN_SECRET_BYTES) {
      throw new XqcError('XQC_INVALID_ARGUMENT', `the HS256 secret must be at least ${MIN_SECRET_BYTES} bytes, got ${key.byteLength}`);
    }
    const algorithms = [...SECRET_ALGORITHMS];
    // Imported once: jose would import raw key bytes again on every verification.
    let imported: Promise<CryptoKey> | undefined;
    const hmacKey = () => (imported ??= crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']));
    return { verify: (token) => run(async () => jwtVerify(token, await hmacKey(), { ...verifyOptions, algorithms })) };
  }
  const jwks: JWTVerifyGetKey = createRemoteJWKSet(checkJwksUrl(options.jwksUrl as string), {
    cacheMaxAge: options.jwksCacheMaxAgeMs ?? 600_000,
    cooldownDuration: options.jwksCooldownMs ?? 30_000,
    timeoutDuration: options.jwksTimeoutMs ?? 5_000,
  });
  const algorithms = [...JWKS_ALGORITHMS];
  return { verify: (token) => run(() => jwtVerify(token, jwks, { ...verifyOptions, algorithms })) };
}

async function run(verify: () => Promise<{ payload: JWTPayload }>): Promise<JWTPayload> {
  try {
    return (await verify()).payload;
  } catch (e) {
    throw tokenError(e);
  }
}

/**
 * The API error for a failed verification: 401 with a reason that names what was wrong
 * (never a claim value), or 503 when the key set could not be fetched, which is not the
 * caller's fault.
 */
export function tokenError(e: unknown): ApiError {
  if (e instanceof errors.JWTExpired) return unauthorized('token expired');
  if (e instanceof errors.JWTClaimValidationFailed) {
    if (e.claim === 'nbf') return unauthorized('token not yet valid');
    if (e.claim === 'iss') return unauthorized('token issuer not accepted');
    if (e.claim === 'aud') return unauthorized('token audience not accepted');
    return unauthorized(`token claim '${e.claim}' invalid`);
  }
  if (e instanceof errors.JOSEAlgNotAllowed || e instanceof errors.JOSENotSupported) return unauthorized('token algorithm not accepted');
  if (e instanceof errors.JWSSignatureVerificationFailed) return unauthorized('token signature invalid');
  if (e instanceof errors.JWKSNoMatchingKey || e instanceof errors.JWKSMultipleMatchingKeys) return unauthorized('no trusted key matches the token');
  if (e instanceof errors.JWSInvalid || e instanceof errors.JWTInvalid) return unauthorized('token malformed');
  if (e instanceof errors.JWKSTimeout || e instanceof errors.JWKSInvalid || e instanceof TypeError || e instanceof errors.JOSEError) {
    return new ApiError(503, 'XQC_AUTH_UNAVAILABLE', 'the token issuer key set could not be fetched', { cause: e });
  }
  return unauthorized('token invalid');
}
