import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors/api-error.ts';
import { checkPasswordPolicy, generatePassword, hashPassword, MAX_PASSWORD_LENGTH, verifyPassword } from './password.ts';

describe('passwords', () => {
  it('hash with argon2id at the OWASP cost and verify', async () => {
    const h = await hashPassword('correct horse battery');
    expect(h).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword('correct horse battery', h)).toBe(true);
    expect(await verifyPassword('correct horse batterY', h)).toBe(false);
    expect(await hashPassword('correct horse battery')).not.toBe(h);
  });

  it('check an unknown user against a dummy hash, and match nothing for a corrupt hash or an overlong password', async () => {
    expect(await verifyPassword('anything at all', undefined)).toBe(false);
    expect(await verifyPassword('anything at all', 'not-a-phc-string')).toBe(false);
    expect(await verifyPassword('x'.repeat(MAX_PASSWORD_LENGTH + 1), await hashPassword('x'.repeat(MAX_PASSWORD_LENGTH + 1).slice(0, 20)))).toBe(false);
  });

  it('enforce 12 to 256 characters with a clear 400', () => {
    expect(() => checkPasswordPolicy('short')).toThrow(ApiError);
    expect(() => checkPasswordPolicy('short')).toThrow('12 to 256 characters');
    expect(() => checkPasswordPolicy('x'.repeat(257))).toThrow(ApiError);
    expect(() => checkPasswordPolicy('twelve chars')).not.toThrow();
  });

  it('generate 24-character random passwords that pass the policy', () => {
    const p = generatePassword();
    expect(p).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(() => checkPasswordPolicy(p)).not.toThrow();
    expect(generatePassword()).not.toBe(p);
  });
});
