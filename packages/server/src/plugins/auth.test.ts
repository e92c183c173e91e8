import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { API_PREFIX } from '../api-prefix.ts';
import { testConfig } from '../config/load-config.ts';
import { startServer } from '../server.ts';
import { isProtectedRoute, signInLines } from './auth.ts';

describe('isProtectedRoute', () => {
  it('protects everything under the API prefix except the open routes', () => {
    for (const open of ['/health', '/ready', '/openapi.json', '/auth/login', '/auth/refresh', '/auth/logout']) expect(isProtectedRoute(`${API_PREFIX}${open}`)).toBe(false);
    for (const closed of ['', '/auth/me', '/auth/password', '/users', '/inspections/:id', '/health/x', '/detect']) expect(isProtectedRoute(`${API_PREFIX}${closed}`)).toBe(true);
    expect(isProtectedRoute('/docs/')).toBe(false);
    expect(isProtectedRoute('/api/xai-qc-other')).toBe(false);
  });
});

describe('first start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'xqc-first-start-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('creates the admin with a generated password, prints it once, and it signs in', async () => {
    const printed: string[] = [];
    const config = testConfig(dataDir, { port: 0 });
    const server = await startServer(config, { print: (l) => printed.push(l) });
    try {
      const line = printed.find((l) => l.includes('first admin'));
      const password = /password ([A-Za-z0-9_-]{24})$/.exec(line ?? '')?.[1];
      expect(password).toBeDefined();
      const res = await fetch(`${server.url}${API_PREFIX}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password }),
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { user: { role: string } }).user.role).toBe('admin');
    } finally {
      await server.close();
    }
    const again: string[] = [];
    const second = await startServer(config, { print: (l) => again.push(l) });
    await second.close();
    expect(again.some((l) => l.includes('first admin'))).toBe(false);
    expect(again.some((l) => l.includes('sign in'))).toBe(true);
  });

  it('says where the password came from when XQC_ADMIN_PASSWORD set it', () => {
    expect(signInLines('http://h', { username: 'admin', password: 'secret-secret', generated: false, accountId: 'default' }).join('\n')).toContain('password from XQC_ADMIN_PASSWORD');
    expect(signInLines('http://h', { username: 'admin', password: 'secret-secret', generated: false, accountId: 'default' }).join('\n')).not.toContain('secret-secret');
  });
});

describe('HEAD routes', () => {
  it('authenticate once, like their GET route', async () => {
    const { createTestApp } = await import('../test/test-app.ts');
    const { bearer } = await import('../test/test-tokens.ts');
    const t = await createTestApp('sqlite');
    try {
      let calls = 0;
      const original = t.app.authServices.apiKeys.authenticate.bind(t.app.authServices.apiKeys);
      t.app.authServices.apiKeys.authenticate = async (key: string) => {
        calls += 1;
        return original(key);
      };
      expect((await t.app.inject({ method: 'HEAD', url: `${API_PREFIX}/auth/me` })).statusCode).toBe(401);
      expect((await t.app.inject({ method: 'HEAD', url: `${API_PREFIX}/auth/me`, headers: await bearer('viewer') })).statusCode).toBe(200);
      const created = await t.app.inject({ method: 'POST', url: `${API_PREFIX}/api-keys`, headers: await bearer('admin'), payload: { name: 'probe' } });
      const head = await t.app.inject({ method: 'HEAD', url: `${API_PREFIX}/auth/me`, headers: { 'x-api-key': created.json().key } });
      expect(head.statusCode).toBe(200);
      expect(calls).toBe(1);
    } finally {
      await t.close();
    }
  });
});
