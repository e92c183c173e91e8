import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PREFIX } from '../api-prefix.ts';
import { securityConfigFromEnv } from '../auth/auth-config.ts';
import { createTestApp } from '../test/test-app.ts';
import type { TestApp } from '../test/test-app.ts';

/** The Redis every test run uses (the local server, as in CI). */
const REDIS_URL = process.env.XQC_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('rate limits in Redis (REDIS_URL)', () => {
  let a: TestApp;
  let b: TestApp;
  const security = securityConfigFromEnv({ XQC_RATE_LIMIT_MAX: '4' });

  beforeAll(async () => {
    a = await createTestApp('sqlite', { redisUrl: REDIS_URL, security });
    b = await createTestApp('sqlite', { redisUrl: REDIS_URL, security });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('shares one budget between two API processes', async () => {
    // A fresh client address per run, so counts left in Redis by an earlier run do not interfere.
    const ip = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const app = i % 2 === 0 ? a.app : b.app;
      statuses.push((await app.inject({ url: `${API_PREFIX}/auth/me`, remoteAddress: ip })).statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
  });
});

describe('rate limits when Redis is unreachable', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite', { redisUrl: 'redis://127.0.0.1:1', security: securityConfigFromEnv({ XQC_RATE_LIMIT_MAX: '1' }) });
  });
  afterAll(() => t.close());

  it('lets requests through rather than taking the API down', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await t.app.inject({ url: `${API_PREFIX}/auth/me` })).statusCode);
    expect(statuses).toEqual([401, 401, 401]);
  });
});

describe('rate limits switched off', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite', { security: securityConfigFromEnv({ XQC_RATE_LIMIT_MAX: '0' }) });
  });
  afterAll(() => t.close());

  it('never answer 429 with XQC_RATE_LIMIT_MAX=0 and send no limit headers', async () => {
    for (let i = 0; i < 30; i++) {
      const res = await t.app.inject({ url: `${API_PREFIX}/auth/me` });
      expect(res.statusCode).toBe(401);
      expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    }
  });
});
