/**
 * Access tokens the server issues to its local accounts: HS256 JWTs signed with the
 * server's own secret (never the identity provider's), with their own issuer and audience
 * so they can never be mistaken for an external token or the other way round.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { XqcError, ioError, writeFileAtomic } from '@xai-qc/core';
import { MIN_SECRET_BYTES } from './jwt-verifier.ts';

/** `iss` of locally issued access tokens. */
export const LOCAL_ISSUER = 'xai-qc';
/** `aud` of locally issued access tokens. */
export const LOCAL_AUDIENCE = 'xai-qc-api';
/** File in the data folder that holds the generated token secret. */
export const TOKEN_SECRET_FILE = 'token-secret';

/** What a local access token says: the user, the refresh-token family (session) and the account. */
export interface LocalTokenClaims {
  /** Local user id. */
  readonly sub: string;
  /** Refresh-token family id; logout revokes it and with it this access token. */
  readonly sid: string;
  /** Account (tenant) id. */
  readonly acct: string;
}

/**
 * Signs a local access token, valid for `ttlSeconds` from now.
 * @returns the compact JWS (`header.payload.signature`)
 */
export async function signLocalAccessToken(secret: Uint8Array, claims: LocalTokenClaims, ttlSeconds: number, now: Date = new Date()): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({ sid: claims.sid, acct: claims.acct })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(iat + ttlSeconds)
    .sign(secret);
}

/**
 * The server's token secret: `configured` when given (at least 32 bytes of UTF-8), else the
 * 32 random bytes in `<dataDir>/token-secret`, generated (mode 0600) on first start. API
 * processes that share a database but not a data folder must all be given the same
 * configured secret.
 * @throws XQC_INVALID_ARGUMENT when the configured or stored secret is too short; XQC_IO
 */
export async function loadTokenSecret(dataDir: string, configured?: string): Promise<Uint8Array> {
  if (configured !== undefined) {
    const bytes = new TextEncoder().encode(configured);
    if (bytes.byteLength < MIN_SECRET_BYTES) {
      throw new XqcError('XQC_INVALID_ARGUMENT', `XQC_TOKEN_SECRET must be at least ${MIN_SECRET_BYTES} bytes, got ${bytes.byteLength}`);
    }
    return bytes;
  }
  const path = join(dataDir, TOKEN_SECRET_FILE);
  let text: string | undefined;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as { code?: string }).code !== 'ENOENT') throw ioError('read', path, e);
  }
  if (text === undefined) {
    text = randomBytes(32).toString('base64url');
    await writeFileAtomic(path, `${text}\n`, { mode: 0o600 });
  }
  const bytes = Buffer.from(text.trim(), 'base64url');
  if (bytes.byteLength < MIN_SECRET_BYTES) {
    throw new XqcError('XQC_INVALID_ARGUMENT', `${path} holds a token secret of ${bytes.byteLength} bytes; at least ${MIN_SECRET_BYTES} are needed (delete it to generate a new one)`);
  }
  return new Uint8Array(bytes);
}
