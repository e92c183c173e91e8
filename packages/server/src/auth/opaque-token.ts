/**
 * Opaque secrets the server hands out: API keys (`xqc_<prefix>_<secret>`) and refresh
 * tokens (`xqr_<secret>`). Only SHA-256 digests are stored; a leaked table lets nobody in.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** An API key as created: the full key is shown once; prefix and digest are stored. */
export interface NewApiKey {
  /** `xqc_<prefix>_<secret>`, shown to the caller once. */
  readonly key: string;
  /** 12 hex characters, stored in clear to find the key's row. */
  readonly prefix: string;
  /** SHA-256 of the secret part, hex. */
  readonly secretHash: string;
}

const API_KEY_RE = /^xqc_([0-9a-f]{12})_([0-9a-f]{64})$/;
const REFRESH_RE = /^xqr_[A-Za-z0-9_-]{43}$/;

/** SHA-256 of UTF-8 `text`, lowercase hex (64 characters). */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A new API key: 48 random bits of prefix, 256 random bits of secret. */
export function generateApiKey(): NewApiKey {
  const prefix = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('hex');
  return { key: `xqc_${prefix}_${secret}`, prefix, secretHash: sha256Hex(secret) };
}

/** True when `value` looks like an API key (cheap check before any lookup). */
export function isApiKey(value: string): boolean {
  return API_KEY_RE.test(value);
}

/** Prefix and secret of an API key; undefined when it is not one. */
export function parseApiKey(value: string): { prefix: string; secret: string } | undefined {
  const m = API_KEY_RE.exec(value);
  return m ? { prefix: m[1], secret: m[2] } : undefined;
}

/** Constant-time check of `secret` against a stored SHA-256 hex digest. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(sha256Hex(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A new refresh token (`xqr_` + 256 random bits, base64url) and its stored digest. */
export function generateRefreshToken(): { token: string; tokenHash: string } {
  const token = `xqr_${randomBytes(32).toString('base64url')}`;
  return { token, tokenHash: sha256Hex(token) };
}

/** True when `value` has the shape of a refresh token. */
export function isRefreshToken(value: string): boolean {
  return REFRESH_RE.test(value);
}
