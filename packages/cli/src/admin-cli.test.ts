import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_PREFIX, buildApp, testConfig } from '@xai-qc/server';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from './main.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), progress: undefined }, out, err };
}

describe('xaiqc admin', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'xqc-admin-cli-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const run = async (...args: string[]) => {
    const c = capture();
    const status = await main(['admin', ...args, '--data-dir', dataDir], c.io as never);
    return { status, ...c };
  };

  it('creates a user, resets its password and creates an API key the server then accepts', async () => {
    const created = await run('create-user', '--username', 'Line-Lead', '--role', 'engineer', '--json');
    expect(created.status).toBe(0);
    const { user, password } = JSON.parse(created.out[0]) as { user: { username: string; role: string }; password: string };
    expect(user).toMatchObject({ username: 'line-lead', role: 'engineer' });
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);

    const reset = await run('reset-password', '--username', 'line-lead');
    expect(reset.status).toBe(0);
    const newPassword = /^password: (.+)$/.exec(reset.out[1])?.[1] ?? '';
    expect(newPassword).not.toBe(password);

    process.env.XQC_TEST_ADMIN_PW = 'chosen-password-123';
    const chosen = await run('create-user', '--username', 'boss', '--role', 'admin', '--password-env', 'XQC_TEST_ADMIN_PW');
    delete process.env.XQC_TEST_ADMIN_PW;
    expect(chosen.status).toBe(0);
    expect(chosen.out.join('\n')).not.toContain('chosen-password-123');

    const key = await run('create-api-key', '--name', 'line 3', '--role', 'operator', '--scopes', 'read');
    expect(key.status).toBe(0);
    const apiKey = /^key: (xqc_\S+)$/.exec(key.out[1])?.[1] ?? '';
    expect(apiKey).toMatch(/^xqc_[0-9a-f]{12}_[0-9a-f]{64}$/);

    const app = await buildApp(testConfig(dataDir), { logger: false });
    try {
      const login = (username: string, pw: string) => app.inject({ method: 'POST', url: `${API_PREFIX}/auth/login`, payload: { username, password: pw } });
      expect((await login('line-lead', password)).statusCode).toBe(401);
      expect((await login('line-lead', newPassword)).statusCode).toBe(200);
      const admin = await login('boss', 'chosen-password-123');
      expect(admin.statusCode).toBe(200);
      const me = await app.inject({ url: `${API_PREFIX}/auth/me`, headers: { 'x-api-key': apiKey } });
      expect(me.json()).toMatchObject({ kind: 'api-key', role: 'operator', accountId: 'default', scopes: ['read'] });
      const log = await app.inject({ url: `${API_PREFIX}/audit-log`, headers: { authorization: `Bearer ${admin.json().accessToken}` } });
      expect(log.json().items.map((e: { action: string; actor: { name: string } }) => [e.action, e.actor.name.startsWith('xaiqc admin')])).toEqual([
        ['api-key.create', true],
        ['user.create', true],
        ['user.create', true],
      ]);
    } finally {
      await app.close();
    }
  });

  it('refuses bad input with one clear line and a non-zero status', async () => {
    const role = await run('create-user', '--username', 'x1', '--role', 'boss');
    expect(role.status).toBe(1);
    expect(role.err[0]).toContain('role must be one of viewer, operator, engineer, admin');
    const missing = await run('reset-password', '--username', 'nobody');
    expect(missing.status).toBe(1);
    expect(missing.err[0]).toContain('user not found');
    const action = await run('delete-everything');
    expect(action.status).toBe(2);
    expect(action.err[0]).toContain('create-user, reset-password, create-api-key');
    const env = await run('create-user', '--username', 'x2', '--role', 'viewer', '--password-env', 'XQC_UNSET_VARIABLE');
    expect(env.status).toBe(2);
  });
});
