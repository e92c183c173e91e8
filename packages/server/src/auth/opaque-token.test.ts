import { describe, expect, it } from 'vitest';
import { generateApiKey, generateRefreshToken, isApiKey, isRefreshToken, parseApiKey, secretMatches, sha256Hex } from './opaque-token.ts';

describe('API keys', () => {
  it('are xqc_<12 hex>_<64 hex>, parse back, and store only the secret digest', () => {
    const k = generateApiKey();
    expect(k.key).toMatch(/^xqc_[0-9a-f]{12}_[0-9a-f]{64}$/);
    expect(isApiKey(k.key)).toBe(true);
    const parsed = parseApiKey(k.key);
    expect(parsed?.prefix).toBe(k.prefix);
    expect(k.secretHash).toBe(sha256Hex(parsed?.secret ?? ''));
    expect(k.secretHash).not.toContain(parsed?.secret ?? '-');
    expect(secretMatches(parsed?.secret ?? '', k.secretHash)).toBe(true);
    expect(secretMatches(`${parsed?.secret.slice(0, -1)}0`, k.secretHash)).toBe(parsed?.secret.endsWith('0'));
    expect(generateApiKey().prefix).not.toBe(k.prefix);
  });

  it('refuses anything else', () => {
    for (const bad of ['', 'xqc_', 'xqc_abc_def', `xqc_${'g'.repeat(12)}_${'a'.repeat(64)}`, `XQC_${'a'.repeat(12)}_${'a'.repeat(64)}`, `xqc_${'a'.repeat(12)}_${'a'.repeat(65)}`]) {
      expect(parseApiKey(bad)).toBeUndefined();
    }
    expect(secretMatches('x', 'not-hex')).toBe(false);
  });
});

describe('refresh tokens', () => {
  it('are xqr_ + 43 base64url characters, different each time, stored as SHA-256', () => {
    const a = generateRefreshToken();
    const b = generateRefreshToken();
    expect(isRefreshToken(a.token)).toBe(true);
    expect(a.token).not.toBe(b.token);
    expect(a.tokenHash).toBe(sha256Hex(a.token));
    expect(isRefreshToken('xqr_short')).toBe(false);
  });
});

describe('sha256Hex', () => {
  it('matches the reference digest', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
