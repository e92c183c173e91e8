import { describe, expect, it } from 'vitest';
import { authConfigFromEnv, securityConfigFromEnv } from './auth-config.ts';

describe('authConfigFromEnv', () => {
  it('has no external issuer and local defaults when nothing is set', () => {
    const c = authConfigFromEnv({});
    expect(c.external).toBeUndefined();
    expect(c).toMatchObject({ localAccountId: 'default', accessTokenTtlSeconds: 900, refreshTokenTtlSeconds: 1209600, tokenSecret: undefined, adminPassword: undefined });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads a Supabase setup: JWKS, issuer, audience default, claim paths, role map', () => {
    const c = authConfigFromEnv({
      XQC_JWKS_URL: 'https://ref.supabase.co/auth/v1/.well-known/jwks.json',
      XQC_JWT_ISSUER: 'https://ref.supabase.co/auth/v1',
      XQC_ROLE_MAP: 'owner=admin, member=operator',
      XQC_DEFAULT_ROLE: 'operator',
    });
    expect(c.external).toMatchObject({
      jwksUrl: 'https://ref.supabase.co/auth/v1/.well-known/jwks.json',
      secret: undefined,
      issuer: ['https://ref.supabase.co/auth/v1'],
      audience: ['authenticated'],
      clockToleranceSeconds: 30,
      mapping: { roleClaim: 'app_metadata.role', accountClaim: 'app_metadata.account_id', defaultRole: 'operator', roleMap: { owner: 'admin', member: 'operator' } },
    });
  });

  it('refuses both key sources, a key source without issuer, the local issuer, plain-http JWKS', () => {
    const secret = 's'.repeat(32);
    expect(() => authConfigFromEnv({ XQC_JWT_SECRET: secret, XQC_JWKS_URL: 'https://x/j', XQC_JWT_ISSUER: 'i' })).toThrow(/not both/);
    expect(() => authConfigFromEnv({ XQC_JWT_SECRET: secret })).toThrow(/XQC_JWT_ISSUER is required/);
    expect(() => authConfigFromEnv({ XQC_JWT_SECRET: secret, XQC_JWT_ISSUER: 'xai-qc' })).toThrow(/must not be 'xai-qc'/);
    expect(() => authConfigFromEnv({ XQC_JWKS_URL: 'http://idp.example.com/jwks', XQC_JWT_ISSUER: 'i' })).toThrow(/https/);
    expect(() => authConfigFromEnv({ XQC_ACCESS_TOKEN_TTL_S: '0' })).toThrow(/XQC_ACCESS_TOKEN_TTL_S must be a positive integer/);
  });
});

describe('securityConfigFromEnv', () => {
  it('reads origins and limits; 0 turns the general limit off', () => {
    expect(securityConfigFromEnv({ XQC_CORS_ORIGINS: 'https://app.example.com, http://localhost:3000', XQC_RATE_LIMIT_MAX: '0' })).toEqual({
      corsOrigins: ['https://app.example.com', 'http://localhost:3000'],
      rateLimitMax: 0,
      rateLimitWindowMs: 60000,
      loginRateLimitMax: 10,
    });
  });

  it('refuses an origin with a path or trailing slash', () => {
    expect(() => securityConfigFromEnv({ XQC_CORS_ORIGINS: 'https://app.example.com/' })).toThrow(/no path or trailing slash/);
    expect(() => securityConfigFromEnv({ XQC_CORS_ORIGINS: 'app.example.com' })).toThrow(/XQC_CORS_ORIGINS/);
  });
});
