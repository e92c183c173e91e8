/**
 * Turns a request's credentials into a {@link Principal}: an API key (`x-api-key`, or a
 * bearer value starting `xqc_`), a local access token (issuer {@link LOCAL_ISSUER}), or an
 * external token (Supabase / Makerkit, verified by the configured secret or JWKS). The
 * unverified `iss` only picks the verifier; that verifier then checks everything.
 */
import { decodeJwt } from 'jose';
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
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The API-key scope a request method needs: `read` for GET/HEAD/OPTIONS, `write` for the rest. */
export function scopeForMethod(method: string): 'read' | 'write' {
  return SAFE_METHODS.has(method.toUpperCase()) ? 'read' : 'write';
}

/** Resolves credentials to principals. */
export class Authenticator {
  constructor(private readonly deps: AuthenticatorDeps) {}

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
    let issuer: unknown;
    try {
      issuer = decodeJwt(token).iss;
    } catch {
      throw unauthorized('token malformed');
    }
    if (issuer === LOCAL_ISSUER) {
      const payload = await this.deps.localVerifier.verify(token);
      const { sub, sid, acct } = payload as { sub?: unknown; sid?: unknown; acct?: unknown };
      if (typeof sub !== 'string' || typeof sid !== 'string' || typeof acct !== 'string') throw unauthorized('token malformed');
      return this.deps.localPrincipal({ sub, sid, acct });
    }
    if (!this.deps.external) throw unauthorized('token issuer not accepted');
    const payload = await this.deps.external.verifier.verify(token);
    return principalFromClaims(payload, this.deps.external.mapping);
  }
}
