/**
 * Turns a request's credentials into a {@link Principal}: an API key (`x-api-key`, or a
 * bearer value starting `xqc_`), a local access token (issuer {@link LOCAL_ISSUER}), or an
 * external token (Supabase / Makerkit, verified by the configured secret or JWKS). The
 * unverified `iss` only picks the verifier; that verifier then checks everything.
 *
 * Verified tokens are cached (bounded LRU keyed by the SHA-256 of the token string) until
 * the earlier of the token's `exp` and a short TTL, so a client that sends the same token
 * on every request pays for one signature check. An external token's principal comes from
 * its claims alone and is cached; a local token caches only its verified claims, and its
 * principal is looked up on every request, so logout, a disabled user or a revoked session
 * take effect at once. Failures are never cached.
 */
import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import type { JWTPayload } from 'jose';
import { forbidden, unauthorized } from '../errors/api-error.ts';
import { principalFromClaims } from './claims.ts';
import type { ClaimMapping } from './claims.ts';
import type { JwtVerifier } from './jwt-verifier.ts';
import { LOCAL_ISSUER } from './local-token.ts';
import type { LocalTokenClaims } from './local-token.ts';
import { isApiKey } from './opaque-token.ts';
import type { Principal } from './principal.ts';

/** The request headers that carry credentials. */
export interface CredentialHeaders {
  readonly authorization?: string;
  readonly 'x-api-key'?: string | string[];
}

/** What the authenticator needs. */
export interface AuthenticatorDeps {
  /** Verifier of the server's own access tokens. */
  readonly localVerifier: JwtVerifier;
  /** Verifier and claim mapping of the external identity provider, when configured. */
  readonly external?: { readonly verifier: JwtVerifier; readonly mapping: ClaimMapping };
  /** Principal of a verified local token (user enabled, session live). */
  localPrincipal(claims: LocalTokenClaims): Promise<Principal>;
  /** Principal of an API key (known, matching, not revoked or expired). */
  apiKeyPrincipal(key: string): Promise<Principal>;
  /** The verified-token cache; `false` turns it off. */
  readonly tokenCache?: TokenCacheOptions | false;
}

/** Bounds of the verified-token cache. */
export interface TokenCacheOptions {
  /** Most tokens kept; the least recently used is dropped first (default 1000). */
  readonly maxEntries?: number;
  /** Longest time a verified token is trusted without a new check, ms (default 60 s). */
  readonly ttlMs?: number;
  /** Clock, ms since the epoch (tests). */
  readonly now?: () => number;
}

/** Default number of cached tokens. */
export const TOKEN_CACHE_MAX_ENTRIES = 1000;
/** Default time a cached token is trusted, ms. */
export const TOKEN_CACHE_TTL_MS = 60_000;

type Verified = { readonly kind: 'external'; readonly principal: Principal } | { readonly kind: 'local'; readonly claims: LocalTokenClaims };

/** A bounded LRU of verified tokens, each valid until its own deadline. */
class VerifiedTokenCache {
  private readonly entries = new Map<string, { readonly value: Verified; readonly until: number }>();
  private readonly max: number;
  private readonly ttl: number;
  private readonly now: () => number;

  constructor(options: TokenCacheOptions) {
    this.max = options.maxEntries ?? TOKEN_CACHE_MAX_ENTRIES;
    this.ttl = options.ttlMs ?? TOKEN_CACHE_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  get(key: string): Verified | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (this.now() >= entry.until) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Keeps `value` until the earlier of the token's `exp` (seconds) and the TTL. */
  set(key: string, exp: number | undefined, value: Verified): void {
    if (typeof exp !== 'number') return;
    const until = Math.min(exp * 1000, this.now() + this.ttl);
    if (until <= this.now()) return;
    this.entries.delete(key);
    this.entries.set(key, { value, until });
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as string);
  }

  get size(): number {
    return this.entries.size;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The API-key scope a request method needs: `read` for GET/HEAD/OPTIONS, `write` for the rest. */
export function scopeForMethod(method: string): 'read' | 'write' {
  return SAFE_METHODS.has(method.toUpperCase()) ? 'read' : 'write';
}

/** Resolves credentials to principals. */
export class Authenticator {
  private readonly cache: VerifiedTokenCache | undefined;

  constructor(private readonly deps: AuthenticatorDeps) {
    this.cache = deps.tokenCache === false ? undefined : new VerifiedTokenCache(deps.tokenCache ?? {});
  }

  /** Number of tokens in the verified-token cache (0 when it is off). */
  cachedTokens(): number {
    return this.cache?.size ?? 0;
  }

  /**
   * The principal of a request.
   * @param method the HTTP method, for API-key scopes
   * @throws 401 XQC_UNAUTHENTICATED (no, malformed, invalid or ambiguous credentials);
   * 403 when an API key lacks the scope the method needs; 503 when the JWKS is unreachable
   */
  async authenticate(headers: CredentialHeaders, method: string): Promise<Principal> {
    const keyHeader = headers['x-api-key'];
    if (Array.isArray(keyHeader)) throw unauthorized('send one x-api-key header');
    const auth = headers.authorization;
    if (keyHeader !== undefined && auth !== undefined) throw unauthorized('send either an Authorization header or an x-api-key header, not both');
    let principal: Principal;
    if (keyHeader !== undefined) {
      principal = await this.deps.apiKeyPrincipal(keyHeader.trim());
    } else if (auth !== undefined) {
      const m = /^Bearer +([^ ]+) *$/i.exec(auth);
      if (!m) throw unauthorized('Authorization must be "Bearer <token>"');
      const token = m[1];
      principal = isApiKey(token) || token.startsWith('xqc_') ? await this.deps.apiKeyPrincipal(token) : await this.token(token);
    } else {
      throw unauthorized('authentication required: send "Authorization: Bearer <token>" or an x-api-key header');
    }
    if (principal.scopes !== undefined) {
      const needed = scopeForMethod(method);
      if (!principal.scopes.includes(needed)) throw forbidden(`this API key lacks the '${needed}' scope`);
    }
    return principal;
  }

  private async token(token: string): Promise<Principal> {
    const key = this.cache ? createHash('sha256').update(token).digest('base64url') : '';
    const verified = this.cache?.get(key) ?? (await this.verify(token, key));
    return verified.kind === 'local' ? this.deps.localPrincipal(verified.claims) : verified.principal;
  }

  private async verify(token: string, cacheKey: string): Promise<Verified> {
    let issuer: unknown;
    try {
      issuer = decodeJwt(token).iss;
    } catch {
      throw unauthorized('token malformed');
    }
    let payload: JWTPayload;
    let verified: Verified;
    if (issuer === LOCAL_ISSUER) {
      payload = await this.deps.localVerifier.verify(token);
      const { sub, sid, acct } = payload as { sub?: unknown; sid?: unknown; acct?: unknown };
      if (typeof sub !== 'string' || typeof sid !== 'string' || typeof acct !== 'string') throw unauthorized('token malformed');
      verified = { kind: 'local', claims: { sub, sid, acct } };
    } else {
      if (!this.deps.external) throw unauthorized('token issuer not accepted');
      payload = await this.deps.external.verifier.verify(token);
      verified = { kind: 'external', principal: Object.freeze(principalFromClaims(payload, this.deps.external.mapping)) };
    }
    this.cache?.set(cacheKey, payload.exp, verified);
    return verified;
  }
}
