import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyBaseLogger } from 'fastify';
import { testConfig } from '../config/load-config.ts';
import { LocalEventBus } from '../events/event-bus.ts';
import { BlobRepository } from '../repositories/blob.repository.ts';
import { ModelRepository } from '../repositories/model.repository.ts';
import { ModelRegistryService } from '../services/model-registry.service.ts';
import { JobRepository } from '../repositories/job.repository.ts';
import { FsBlobStore } from '../storage/blob-store.ts';
import { Blobs } from '../storage/blobs.ts';
import { openTestDatabase } from '../test/test-database.ts';
import type { TestDatabase } from '../test/test-database.ts';
import { EmbeddedJobQueue } from './embedded-queue.ts';
import { defineJob } from './job-definition.ts';
import type { JobDefinition, JobDeps } from './job-definition.ts';
import { JOB_NAMES } from './job-names.ts';
import { buildJobHandlers, JOB_DEFINITIONS } from './register-jobs.ts';

describe('job handler registry', () => {
  let t: TestDatabase;
  let deps: JobDeps;
  const dir = mkdtempSync(join(tmpdir(), 'xqc-jobs-'));
  beforeAll(async () => {
    t = await openTestDatabase('sqlite');
    const blobs = new Blobs(new FsBlobStore(dir), new BlobRepository(t.db));
    const silent = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as unknown as FastifyBaseLogger;
    deps = { db: t.db, blobs, events: new LocalEventBus(), registry: new ModelRegistryService(new ModelRepository(t.db), blobs), config: testConfig(dir), log: silent };
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has exactly one handler for every job name', () => {
    const handlers = buildJobHandlers(deps);
    expect(Object.keys(handlers).sort()).toEqual([...JOB_NAMES].sort());
    expect(JOB_DEFINITIONS.map((d) => d.name).sort()).toEqual([...JOB_NAMES].sort());
  });

  it('refuses to start when a name has no handler, two handlers, or is unknown', () => {
    expect(() => buildJobHandlers(deps, [])).toThrow(/'blob.sweep' has no handler/);
    expect(() => buildJobHandlers(deps, [...JOB_DEFINITIONS, ...JOB_DEFINITIONS])).toThrow(/'blob.sweep' has 2 handlers/);
    const stray = { name: 'no.such.job', create: () => async () => ({}) } as unknown as JobDefinition;
    expect(() => buildJobHandlers(deps, [...JOB_DEFINITIONS, stray])).toThrow(/'no.such.job' is not a job name/);
    try {
      buildJobHandlers(deps, []);
    } catch (e) {
      expect(e).toMatchObject({ code: 'XQC_JOB_HANDLERS', status: 500 });
    }
    expect(defineJob('blob.sweep', () => async () => ({})).name).toBe('blob.sweep');
  });

  it('blob.sweep removes unreferenced blobs past the grace period and keeps fresh ones', async () => {
    const queue = new EmbeddedJobQueue(new JobRepository(t.db, 'sqlite'));
    const old = await deps.blobs.put(new Uint8Array([1, 2, 3]), 'application/octet-stream');
    await t.db.updateTable('blobs').set({ last_put_at: '2020-01-01T00:00:00.000Z' }).where('sha256', '=', old.sha256).execute();
    const fresh = await deps.blobs.put(new Uint8Array([4, 5, 6]), 'application/octet-stream');
    const job = await queue.enqueue('blob.sweep', { graceMs: 60_000, limit: 1 }, { accountId: 'acct-sweep' });
    expect(await queue.runOnce(buildJobHandlers(deps))).toBe(job.id);
    expect(await queue.get('acct-sweep', job.id)).toMatchObject({ status: 'succeeded', result: { removed: 1, batches: 2 }, progress: 1 });
    expect(await deps.blobs.store.has(old.sha256)).toBe(false);
    expect(await deps.blobs.store.has(fresh.sha256)).toBe(true);

    const bad = await queue.enqueue('blob.sweep', { limit: 0 }, { accountId: 'acct-sweep', maxAttempts: 1 });
    expect(await queue.runOnce(buildJobHandlers(deps))).toBe(bad.id);
    expect(await queue.get('acct-sweep', bad.id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/XQC_INVALID_ARGUMENT: blob.sweep: limit must be an integer 1..10000, got 0/) });
  });
});
