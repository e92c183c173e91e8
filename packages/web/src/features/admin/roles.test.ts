import { describe, expect, it } from 'vitest';
import { ROLES } from '../../app/session.ts';
import { assignableRoles, keyState } from './roles.ts';

describe('admin roles', () => {
  it('offers API-key roles up to the creator\u2019s own', () => {
    expect(assignableRoles(ROLES, 'engineer')).toEqual(['viewer', 'operator', 'engineer']);
    expect(assignableRoles(ROLES, 'admin')).toEqual([...ROLES]);
    expect(assignableRoles(ROLES, undefined)).toEqual([]);
  });

  it('tells revoked, expired and active keys apart', () => {
    const now = Date.parse('2026-01-02T00:00:00Z');
    expect(keyState({ revokedAt: '2026-01-01T00:00:00Z', expiresAt: null }, now)).toBe('revoked');
    expect(keyState({ revokedAt: null, expiresAt: '2026-01-01T00:00:00Z' }, now)).toBe('expired');
    expect(keyState({ revokedAt: null, expiresAt: '2026-02-01T00:00:00Z' }, now)).toBe('active');
    expect(keyState({ revokedAt: null, expiresAt: null }, now)).toBe('active');
  });
});
