import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';
import type { App } from './app.ts';
import { testConfig } from './config/load-config.ts';
import { multipartBody } from './test/multipart.ts';
import { bearer, TEST_AUTH_ENV } from './test/test-tokens.ts';

describe('logs at trace level', () => {
  let app: App;
  const dir = mkdtempSync(join(tmpdir(), 'xqc-logs-'));
  const lines: string[] = [];
  beforeAll(async () => {
    const logger = { level: 'trace', stream: { write: (line: string) => lines.push(line) } };
    app = await buildApp(testConfig(dir, {}, TEST_AUTH_ENV), { logger } as never);
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('never hold the bearer token or cookies of an upload (multipart logs its headers)', async () => {
    const { authorization } = await bearer('operator');
    const body = multipartBody([{ name: 'image', filename: 'x.png', contentType: 'image/png', data: new Uint8Array([1, 2, 3]) }]);
    const res = await app.inject({ method: 'POST', url: '/api/xai-qc/detect', payload: body.payload, headers: { ...body.headers, authorization, cookie: 'session=xqc_secret_cookie_value_0123456789' } });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    const all = lines.join('');
    expect(all).toContain('busboyOptions');
    expect(all).toContain('[redacted]');
    const signature = authorization.split('.')[2];
    expect(all).not.toContain(signature);
    expect(all).not.toContain('xqc_secret_cookie_value_0123456789');
  });
});
