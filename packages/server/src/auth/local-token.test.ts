import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJwtVerifier } from './jwt-verifier.ts';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, loadTokenSecret, signLocalAccessToken, TOKEN_SECRET_FILE } from './local-token.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xqc-secret-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('loadTokenSecret', () => {
  it('generates 32 random bytes on first start, mode 0600, and reads the same on the next', async () => {
    const a = await loadTokenSecret(dir);
    expect(a.byteLength).toBe(32);
    const st = await stat(join(dir, TOKEN_SECRET_FILE));
    expect(st.mode & 0o777).toBe(0o600);
    expect(Buffer.from(await loadTokenSecret(dir)).equals(Buffer.from(a))).toBe(true);
  });

  it('uses a configured secret and refuses short ones naming the variable', async () => {
    const s = 'x'.repeat(40);
    expect(new TextDecoder().decode(await loadTokenSecret(dir, s))).toBe(s);
    await expect(loadTokenSecret(dir, 'short')).rejects.toThrow(/XQC_TOKEN_SECRET must be at least 32 bytes/);
    await writeFile(join(dir, TOKEN_SECRET_FILE), 'abcd\n');
    await expect(loadTokenSecret(dir)).rejects.toThrow(/at least 32 are needed/);
    expect(await readFile(join(dir, TOKEN_SECRET_FILE), 'utf8')).toBe('abcd\n');
  });
});

describe('signLocalAccessToken', () => {
  it('signs an HS256 token the local verifier accepts, with sub, sid, acct, iss, aud, exp', async () => {
    const secret = await loadTokenSecret(dir);
    const token = await signLocalAccessToken(secret, { sub: 'u1', sid: 'f1', acct: 'default' }, 900);
    expect(decodeProtectedHeader(token).alg).toBe('HS256');
    const payload = await createJwtVerifier({ secret, issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE }).verify(token);
    expect(payload).toMatchObject({ sub: 'u1', sid: 'f1', acct: 'default', iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(900);
  });

  it('is refused once expired', async () => {
    const secret = await loadTokenSecret(dir);
    const token = await signLocalAccessToken(secret, { sub: 'u1', sid: 'f1', acct: 'default' }, 60, new Date(Date.now() - 3600_000));
    await expect(createJwtVerifier({ secret, issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE }).verify(token)).rejects.toThrow('token expired');
  });
});
