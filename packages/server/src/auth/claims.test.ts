import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors/api-error.ts';
import { mapRole, principalFromClaims, readClaim } from './claims.ts';
import type { ClaimMapping } from './claims.ts';
import { supabaseClaims } from './testing/token-fixtures.ts';

const mapping: ClaimMapping = { roleClaim: 'app_metadata.role', accountClaim: 'app_metadata.account_id', defaultRole: 'viewer', roleMap: { owner: 'admin', member: 'operator' } };

describe('readClaim', () => {
  it('follows a dot path and stops at anything that is not an object', () => {
    const p = { a: { b: { c: 1 } }, list: [{ x: 1 }], s: 'text' };
    expect(readClaim(p, 'a.b.c')).toBe(1);
    expect(readClaim(p, 'a.missing.c')).toBeUndefined();
    expect(readClaim(p, 'list.0.x')).toBeUndefined();
    expect(readClaim(p, 's.length')).toBeUndefined();
    expect(readClaim(p, 'a.b.constructor')).toBeUndefined();
  });
});

describe('mapRole', () => {
  it('maps role names, mapped values and lists (strongest wins); a missing claim is the default', () => {
    expect(mapRole('engineer', mapping)).toBe('engineer');
    expect(mapRole('owner', mapping)).toBe('admin');
    expect(mapRole(['member', 'viewer', 'unknown'], mapping)).toBe('operator');
    expect(mapRole(undefined, mapping)).toBe('viewer');
    expect(mapRole(null, { ...mapping, defaultRole: 'operator' })).toBe('operator');
  });

  it('refuses a present claim that names no role with 403, listing the valid values', () => {
    for (const bad of ['superuser', 42, ['nobody']]) {
      try {
        mapRole(bad, mapping);
        throw new Error('expected a refusal');
      } catch (e) {
        expect(e).toBeInstanceOf(ApiError);
        expect((e as ApiError).status).toBe(403);
        expect((e as ApiError).code).toBe('XQC_ROLE_UNKNOWN');
        expect((e as ApiError).message).toContain('viewer, operator, engineer, admin, owner, member');
      }
    }
  });
});

describe('principalFromClaims', () => {
  it('reads a Supabase / Makerkit token: sub, account claim, role claim, email', () => {
    expect(principalFromClaims(supabaseClaims(), mapping)).toEqual({
      kind: 'token',
      subject: '6f1d2c3b-0000-4000-8000-000000000001',
      accountId: 'acct-a',
      role: 'engineer',
      name: 'engineer@example.com',
    });
  });

  it("falls back to sub for the account (Makerkit's personal account) and to the default role", () => {
    const p = principalFromClaims(supabaseClaims({ app_metadata: { provider: 'email' }, email: undefined }), mapping);
    expect(p).toEqual({ kind: 'token', subject: '6f1d2c3b-0000-4000-8000-000000000001', accountId: '6f1d2c3b-0000-4000-8000-000000000001', role: 'viewer' });
  });

  it("never takes Supabase's top-level role ('authenticated') for an app role, and needs a subject", () => {
    const p = principalFromClaims(supabaseClaims({ app_metadata: {} }), { ...mapping, defaultRole: 'viewer' });
    expect(p.role).toBe('viewer');
    expect(() => principalFromClaims(supabaseClaims({ sub: undefined }), mapping)).toThrow('token has no subject');
  });
});
