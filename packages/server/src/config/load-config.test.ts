import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, REPO_MODELS_DIR, testConfig } from './load-config.ts';

describe('loadConfig', () => {
  it('fills defaults and freezes the result', () => {
    const c = loadConfig({}, '/srv/x');
    expect(c).toMatchObject({ port: 8080, host: '127.0.0.1', dataDir: '/srv/x/data', databaseUrl: undefined, logLevel: 'info', registerDemoModels: true });
    expect(c.modelsDir).toBe(REPO_MODELS_DIR);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads every variable it knows and ignores the rest', () => {
    const c = loadConfig(
      {
        PORT: '9000',
        HOST: '0.0.0.0',
        XQC_DATA_DIR: 'var',
        DATABASE_URL: 'postgres://u@h/db',
        XQC_DATABASE_SCHEMA: 'qc',
        REDIS_URL: 'redis://h:6379',
        XQC_MODELS_DIR: '/m',
        XQC_DEMO_MODELS: 'false',
        XQC_LOG_LEVEL: 'debug',
        XQC_BODY_LIMIT_MB: '8',
        XQC_BLOB_SWEEP_MINUTES: '0',
        HOME: '/root',
      },
      '/srv',
    );
    expect(c).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      dataDir: resolve('/srv/var'),
      databaseUrl: 'postgres://u@h/db',
      databaseSchema: 'qc',
      redisUrl: 'redis://h:6379',
      modelsDir: '/m',
      registerDemoModels: false,
      logLevel: 'debug',
      bodyLimitBytes: 8 * 1024 * 1024,
      blobSweepIntervalMs: 0,
    });
  });

  it('names each bad variable and what it accepts', () => {
    expect(() => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x' })).toThrow(/PORT: TCP port.*DATABASE_URL: PostgreSQL connection URL/s);
    expect(() => loadConfig({ XQC_LOG_LEVEL: 'loud' })).toThrow(/XQC_LOG_LEVEL/);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT must be 0\.\.65535/);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });

  it('testConfig is silent, without demo models, and takes overrides', () => {
    const c = testConfig('/tmp/t', { port: 0 });
    expect(c).toMatchObject({ dataDir: '/tmp/t', registerDemoModels: false, logLevel: 'silent', port: 0 });
  });
});
