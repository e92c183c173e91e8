/**
 * The auth and security settings: their environment variables (merged into the server's
 * env schema) and their parsed, typed form (part of the frozen config).
 */
import { Type } from '@sinclair/typebox';
import { XqcError } from '@xai-qc/core';
import type { ClaimMapping } from './claims.ts';
import { checkJwksUrl, MIN_SECRET_BYTES } from './jwt-verifier.ts';
import { LOCAL_ISSUER } from './local-token.ts';
import { ROLES } from './principal.ts';
import type { Role } from './principal.ts';

/** Tokens of an external identity provider (Supabase / Makerkit): one key source, issuer, audience, claims. */
export interface ExternalTokenConfig {
  /** HS256 shared secret (Supabase's JWT secret); exclusive with `jwksUrl`. */
  readonly secret: string | undefined;
  /** JWKS endpoint (Supabase's `/auth/v1/.well-known/jwks.json`); exclusive with `secret`. */
  readonly jwksUrl: string | undefined;
  readonly issuer: readonly string[];
  readonly audience: readonly string[];
  readonly clockToleranceSeconds: number;
  /** Shortest gap between two fetches of the JWKS, ms (30 s; tests lower it to rotate keys at once). */
  readonly jwksCooldownMs: number;
  readonly mapping: ClaimMapping;
}

/** Authentication settings. */
export interface AuthConfig {
  /** Undefined when only local accounts and API keys are accepted. */
  readonly external: ExternalTokenConfig | undefined;
  /** The server's own HS256 secret for local access tokens; generated in the data folder when undefined. */
  readonly tokenSecret: string | undefined;
  /** Account (tenant) of local users created on first start and by the CLI. */
  readonly localAccountId: string;
  /** Password of the first admin; generated and printed once when undefined. */
  readonly adminPassword: string | undefined;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
}

/** Rate limits, CORS and headers. */
export interface SecurityConfig {
  /** Origins allowed to call the API from a browser; empty: no cross-origin access. */
  readonly corsOrigins: readonly string[];
  /** Requests per window per client IP; 0 turns rate limiting off. */
  readonly rateLimitMax: number;
  readonly rateLimitWindowMs: number;
  /** Login, refresh and logout attempts per window per client IP. */
  readonly loginRateLimitMax: number;
}

const INT = '^[0-9]{1,9}$';

/** The environment variables of auth and security, merged into the server's env schema. */
export const AUTH_ENV_PROPERTIES = {
  XQC_JWT_SECRET: Type.Optional(Type.String({ minLength: MIN_SECRET_BYTES, description: 'HS256 secret of the identity provider (Supabase JWT secret), at least 32 characters; not with XQC_JWKS_URL' })),
  XQC_JWKS_URL: Type.Optional(Type.String({ pattern: '^https?://', description: 'JWKS URL of the identity provider (RS256/ES256), https or http on localhost; not with XQC_JWT_SECRET' })),
  XQC_JWT_ISSUER: Type.Optional(Type.String({ minLength: 1, description: 'accepted token issuers, comma-separated (e.g. https://<ref>.supabase.co/auth/v1); required with XQC_JWT_SECRET or XQC_JWKS_URL' })),
  XQC_JWT_AUDIENCE: Type.Optional(Type.String({ minLength: 1, description: 'accepted token audiences, comma-separated (default authenticated)' })),
  XQC_JWT_CLOCK_TOLERANCE_S: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$', description: 'seconds of clock skew tolerated for exp/nbf (default 30)' })),
  XQC_ROLE_CLAIM: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_:-]+(\\.[A-Za-z0-9_:-]+)*$', description: 'dot path of the role claim (default app_metadata.role)' })),
  XQC_ROLE_MAP: Type.Optional(Type.String({ pattern: '^[^=,]+=(viewer|operator|engineer|admin)(,[^=,]+=(viewer|operator|engineer|admin))*$', description: 'claim values mapped to roles, e.g. owner=admin,member=operator' })),
  XQC_ACCOUNT_CLAIM: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_:-]+(\\.[A-Za-z0-9_:-]+)*$', description: 'dot path of the account (tenant) claim; falls back to sub (default app_metadata.account_id)' })),
  XQC_DEFAULT_ROLE: Type.Optional(Type.Union(ROLES.map((r) => Type.Literal(r)), { description: 'role of a token without a role claim (default viewer)' })),
  XQC_ADMIN_PASSWORD: Type.Optional(Type.String({ minLength: 12, maxLength: 256, description: 'password of the admin created on first start (12 to 256 characters); generated and printed once when unset' })),
  XQC_TOKEN_SECRET: Type.Optional(Type.String({ minLength: MIN_SECRET_BYTES, description: "the server's own secret for local access tokens, at least 32 characters; generated in XQC_DATA_DIR when unset" })),
  XQC_LOCAL_ACCOUNT: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,128}$', description: 'account id of local users (default default)' })),
  XQC_ACCESS_TOKEN_TTL_S: Type.Optional(Type.String({ pattern: INT, description: 'lifetime of local access tokens in seconds (default 900)' })),
  XQC_REFRESH_TOKEN_TTL_S: Type.Optional(Type.String({ pattern: INT, description: 'lifetime of refresh tokens in seconds (default 1209600, 14 days)' })),
  XQC_CORS_ORIGINS: Type.Optional(Type.String({ description: 'origins allowed to call the API from a browser, comma-separated (default none)' })),
  XQC_RATE_LIMIT_MAX: Type.Optional(Type.String({ pattern: INT, description: 'requests per window per client IP, 0 for no limit (default 1200)' })),
  XQC_RATE_LIMIT_WINDOW_S: Type.Optional(Type.String({ pattern: INT, description: 'rate-limit window in seconds (default 60)' })),
  XQC_LOGIN_RATE_LIMIT_MAX: Type.Optional(Type.String({ pattern: INT, description: 'login/refresh/logout attempts per window per client IP (default 10)' })),
};

function list(value: string | undefined, fallback: readonly string[]): string[] {
  if (value === undefined) return [...fallback];
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

function positive(name: string, value: string | undefined, fallback: number): number {
  const n = value === undefined ? fallback : Number(value);
  if (!(n > 0)) throw new XqcError('XQC_INVALID_ARGUMENT', `invalid environment: ${name} must be a positive integer, got ${value}`);
  return n;
}

/**
 * Parses the auth variables of a validated environment.
 * @throws XQC_INVALID_ARGUMENT naming the variable: both XQC_JWT_SECRET and XQC_JWKS_URL,
 * a key source without XQC_JWT_ISSUER, an issuer equal to the server's own
 */
export function authConfigFromEnv(e: Readonly<Record<string, string | undefined>>): AuthConfig {
  const secret = e.XQC_JWT_SECRET;
  const jwksUrl = e.XQC_JWKS_URL;
  if (secret !== undefined && jwksUrl !== undefined) {
    throw new XqcError('XQC_INVALID_ARGUMENT', 'invalid environment: set XQC_JWT_SECRET (HS256) or XQC_JWKS_URL (RS256/ES256), not both');
  }
  if (jwksUrl !== undefined) checkJwksUrl(jwksUrl);
  let external: ExternalTokenConfig | undefined;
  if (secret !== undefined || jwksUrl !== undefined) {
    const issuer = list(e.XQC_JWT_ISSUER, []);
    if (issuer.length === 0) throw new XqcError('XQC_INVALID_ARGUMENT', 'invalid environment: XQC_JWT_ISSUER is required with XQC_JWT_SECRET or XQC_JWKS_URL (e.g. https://<ref>.supabase.co/auth/v1)');
    if (issuer.includes(LOCAL_ISSUER)) throw new XqcError('XQC_INVALID_ARGUMENT', `invalid environment: XQC_JWT_ISSUER must not be '${LOCAL_ISSUER}', the issuer of the server's own tokens`);
    const roleMap: Record<string, Role> = {};
    for (const pair of list(e.XQC_ROLE_MAP, [])) {
      const [from, to] = pair.split('=');
      roleMap[from.trim()] = to.trim() as Role;
    }
    external = Object.freeze({
      secret,
      jwksUrl,
      issuer: Object.freeze(issuer),
      audience: Object.freeze(list(e.XQC_JWT_AUDIENCE, ['authenticated'])),
      clockToleranceSeconds: Number(e.XQC_JWT_CLOCK_TOLERANCE_S ?? 30),
      jwksCooldownMs: 30_000,
      mapping: Object.freeze({
        roleClaim: e.XQC_ROLE_CLAIM ?? 'app_metadata.role',
        accountClaim: e.XQC_ACCOUNT_CLAIM ?? 'app_metadata.account_id',
        defaultRole: (e.XQC_DEFAULT_ROLE ?? 'viewer') as Role,
        roleMap: Object.freeze(roleMap),
      }),
    });
  }
  return Object.freeze({
    external,
    tokenSecret: e.XQC_TOKEN_SECRET,
    localAccountId: e.XQC_LOCAL_ACCOUNT ?? 'default',
    adminPassword: e.XQC_ADMIN_PASSWORD,
    accessTokenTtlSeconds: positive('XQC_ACCESS_TOKEN_TTL_S', e.XQC_ACCESS_TOKEN_TTL_S, 900),
    refreshTokenTtlSeconds: positive('XQC_REFRESH_TOKEN_TTL_S', e.XQC_REFRESH_TOKEN_TTL_S, 14 * 24 * 3600),
  });
}

/**
 * Parses the security variables of a validated environment.
 * @throws XQC_INVALID_ARGUMENT for a CORS origin that is not `scheme://host[:port]`
 */
export function securityConfigFromEnv(e: Readonly<Record<string, string | undefined>>): SecurityConfig {
  const origins = list(e.XQC_CORS_ORIGINS, []);
  for (const o of origins) {
    let ok = false;
    try {
      ok = new URL(o).origin === o;
    } catch {
      ok = false;
    }
    if (!ok) throw new XqcError('XQC_INVALID_ARGUMENT', `invalid environment: XQC_CORS_ORIGINS entries must be origins like https://app.example.com (no path or trailing slash), got '${o}'`);
  }
  return Object.freeze({
    corsOrigins: Object.freeze(origins),
    rateLimitMax: Number(e.XQC_RATE_LIMIT_MAX ?? 1200),
    rateLimitWindowMs: positive('XQC_RATE_LIMIT_WINDOW_S', e.XQC_RATE_LIMIT_WINDOW_S, 60) * 1000,
    loginRateLimitMax: positive('XQC_LOGIN_RATE_LIMIT_MAX', e.XQC_LOGIN_RATE_LIMIT_MAX, 10),
  });
}
