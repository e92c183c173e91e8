/**
 * Scale-out proof: two API processes and two `xaiqc worker` processes on loopback, all on
 * the PostgreSQL of this machine (one fresh schema) and the Redis of this machine (one fresh
 * key prefix), sharing one blob folder (in production a shared volume). Started at the same
 * moment, so migrations and the demo models' registration race as in a real roll-out.
 * Inspections written through one API are read through the other; jobs enqueued through
 * the queue port are run by the workers (the API processes run none) exactly once and read
 * through both APIs; an explanation asked of one API runs on a worker, is read through the
 * other, and its events reach a WebSocket client of the other API (Redis pub/sub); a worker
 * killed with SIGKILL mid-job leaves its job to the other worker.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '@xai-qc/core';
import { signHs256, supabaseClaims, TEST_ISSUER } from './auth/testing/token-fixtures.ts';
import { openDatabase } from './db/connect.ts';
import type { Database } from './db/schema.ts';
import { BullMqJobQueue } from './jobs/bullmq-queue.ts';
import { JobRepository } from './repositories/job.repository.ts';
import { multipartBody } from './test/multipart.ts';
import { startProcess } from './test/processes.ts';
import type { TestProcess } from './test/processes.ts';
import { createTestSchema, dropTestSchema, TEST_DATABASE_URL } from './test/test-database.ts';
import type { Kysely } from 'kysely';
import WebSocket from 'ws';

const REDIS_URL = process.env.XQC_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = 'scale-out-test-secret-of-the-identity-provider-0123';
const ACCOUNT = 'acct-scale-a';

/** A 64 x 64 RGB PNG whose texture depends on `seed`. */
function texturedPng(seed: number): Promise<Uint8Array> {
  const data = new Uint8Array(64 * 64 * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + seed * 101 + ((i * seed) % 13)) & 255;
  return encodePng({ width: 64, height: 64, channels: 3, data });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('scale-out: two API processes and two workers on PostgreSQL and Redis', () => {
  const prefix = `xqc-scale-${randomBytes(5).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'xqc-scale-'));
  let schema: string;
  let apis: TestProcess[] = [];
  let workers: TestProcess[] = [];
  let db: Kysely<Database>;
  let queue: BullMqJobQueue;
  let token: string;

  const call = (api: TestProcess, path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${api.url}/api/xai-qc${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    schema = await createTestSchema();
    const env = {
      DATABASE_URL: TEST_DATABASE_URL,
      XQC_DATABASE_SCHEMA: schema,
      REDIS_URL,
      XQC_REDIS_PREFIX: prefix,
      XQC_DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      XQC_LOG_LEVEL: 'warn',
      XQC_RATE_LIMIT_MAX: '0',
      XQC_JWT_SECRET: SECRET,
      XQC_JWT_ISSUER: TEST_ISSUER,
      XQC_ADMIN_PASSWORD: 'scale-out-admin-password-1',
      XQC_BLOB_SWEEP_MINUTES: '0',
    };
    const started = await Promise.all([startProcess('server', env), startProcess('server', env), startProcess('worker', env), startProcess('worker', env)]);
    apis = started.slice(0, 2);
    workers = started.slice(2);
    token = await signHs256(SECRET, supabaseClaims({ sub: 'scale-operator', app_metadata: { provider: 'email', role: 'operator', account_id: ACCOUNT } }));
    ({ db } = openDatabase({ databaseUrl: TEST_DATABASE_URL, searchPath: schema, poolSize: 2 }));
    queue = new BullMqJobQueue(new JobRepository(db, 'postgres'), { redisUrl: REDIS_URL, prefix });
    for (const api of apis) await until('the API to be ready', async () => ((await fetch(`${api.url}/api/xai-qc/ready`)).status === 200 ? true : undefined), 120_000);
  }, 240_000);

  afterAll(async () => {
    const codes = await Promise.all([...apis, ...workers].map((p) => p.stop()));
    await queue?.obliterate();
    await queue?.close();
    await db?.destroy();
    if (schema) await dropTestSchema(schema);
    rmSync(dataDir, { recursive: true, force: true });
    expect(codes.every((c) => c === 0)).toBe(true);
  }, 60_000);

  it('migrated once and registered each demo model once although four processes started together', async () => {
    const migrations = await db.selectFrom('kysely_migration' as never).select('name' as never).execute();
    expect(new Set(migrations.map((m) => (m as { name: string }).name)).size).toBe(migrations.length);
    const models = await db.selectFrom('models').select('name').execute();
    expect(new Set(models.map((m) => m.name)).size).toBe(models.length);
    expect(models.length).toBeGreaterThanOrEqual(4);
  });

  it('inspections written through either API are read through the other', async () => {
    const ids: string[] = [];
    const pngs = await Promise.all([0, 1, 2, 3, 4, 5].map(texturedPng));
    for (let i = 0; i < 6; i++) {
      const body = multipartBody([{ name: 'image', filename: `part-${i}.png`, contentType: 'image/png', data: pngs[i] }]);
      const res = await call(apis[i % 2], '/detect?model=surface-classifier', { method: 'POST', body: body.payload, headers: body.headers });
      expect(res.status).toBe(201);
      ids.push(((await res.json()) as { id: string }).id);
    }
    for (const api of apis) {
      const page = (await (await call(api, '/inspections?limit=50')).json()) as { items: { id: string }[] };
      expect(page.items.map((x) => x.id).sort()).toEqual([...ids].sort());
    }
    for (let i = 0; i < ids.length; i++) {
      const res = await call(apis[(i + 1) % 2], `/inspections/${ids[i]}/image`);
      expect(res.status).toBe(200);
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(pngs[i]);
    }
  });

  it('jobs run on the workers exactly once and read the same through both APIs', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push((await queue.enqueue('blob.sweep', { graceMs: 3_600_000 }, { accountId: ACCOUNT })).id);
    for (const id of ids) {
      const seen = await Promise.all(
        apis.map((api) =>
          until(`job ${id} to succeed`, async () => {
            const job = (await (await call(api, `/jobs/${id}`)).json()) as { status: string; attempts: number; result: unknown };
            return job.status === 'succeeded' ? job : undefined;
          }),
        ),
      );
      expect(seen[0]).toEqual(seen[1]);
      expect(seen[0]).toMatchObject({ attempts: 1, result: { removed: 0 } });
    }
  }, 90_000);
  it('runs an explain job asked of one API on a worker; the other API serves the result and streams its events', async () => {
    const body = multipartBody([{ name: 'image', filename: 'explain.png', contentType: 'image/png', data: await texturedPng(42) }]);
    const detect = await call(apis[0], '/detect?model=surface-classifier', { method: 'POST', body: body.payload, headers: body.headers });
    const inspectionId = ((await detect.json()) as { id: string }).id;
    const ws = new WebSocket(`${(apis[1].url as string).replace('http:', 'ws:')}/api/xai-qc/ws`, ['xqc-events', `xqc-token.${token}`]);
    const events: { type: string; data: { jobId?: string; inspectionId?: string } }[] = [];
    ws.on('message', (m) => events.push(JSON.parse(m.toString()) as (typeof events)[number]));
    await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
    try {
      const res = await call(apis[0], '/explain', { method: 'POST', body: JSON.stringify({ inspectionId, methods: ['occlusion'], params: { occlusion: { window: 16, stride: 16 } } }), headers: { 'content-type': 'application/json' } });
      expect(res.status, await res.clone().text()).toBe(202);
      const jobId = ((await res.json()) as { job: { id: string } }).job.id;
      const job = await until(`explain job ${jobId}`, async () => {
        const j = (await (await call(apis[1], `/jobs/${jobId}`)).json()) as { status: string; attempts: number };
        return j.status === 'succeeded' || j.status === 'failed' ? j : undefined;
      });
      expect(job).toMatchObject({ status: 'succeeded', attempts: 1 });
      const list = (await (await call(apis[1], `/inspections/${inspectionId}/explanations`)).json()) as { items: { method: string }[] };
      expect(list.items.map((i) => i.method)).toEqual(['occlusion']);
      await until('the job.finished event on the other API', async () => (events.some((e) => e.type === 'job.finished' && e.data.jobId === jobId) ? true : undefined), 20_000);
      expect(events.some((e) => e.type === 'explanation.ready' && e.data.inspectionId === inspectionId)).toBe(true);
    } finally {
      ws.close();
    }
  }, 120_000);

  it('a worker killed with SIGKILL mid-job leaves its jobs to the other worker, each done once', async () => {
    // Slow enough jobs that the first worker holds some when it dies: occlusion with a small stride.
    const body = multipartBody([{ name: 'image', filename: 'kill.png', contentType: 'image/png', data: await texturedPng(77) }]);
    const inspectionId = ((await (await call(apis[0], '/detect?model=surface-classifier', { method: 'POST', body: body.payload, headers: body.headers })).json()) as { id: string }).id;
    const ids: string[] = [];
    for (let seed = 1; seed <= 4; seed++) {
      const res = await call(apis[seed % 2], '/explain', { method: 'POST', body: JSON.stringify({ inspectionId, methods: ['occlusion'], seed, params: { occlusion: { window: 8, stride: 4 } } }), headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(202);
      ids.push(((await res.json()) as { job: { id: string } }).job.id);
    }
    await until('a job to run', async () => {
      const rows = await db.selectFrom('jobs').select('status').where('id', 'in', ids).execute();
      return rows.some((r) => r.status === 'running') ? true : undefined;
    });
    await workers[0].kill();
    for (const id of ids) {
      const job = await until(
        `job ${id} to end`,
        async () => {
          const j = (await (await call(apis[1], `/jobs/${id}`)).json()) as { status: string };
          return j.status === 'succeeded' || j.status === 'failed' ? j : undefined;
        },
        180_000,
      );
      expect(job.status).toBe('succeeded');
    }
    const stored = await db.selectFrom('explanations').select(['seed']).where('inspection_id', '=', inspectionId).execute();
    expect(stored.map((r) => r.seed).sort()).toEqual([1, 2, 3, 4]);
    workers = workers.slice(1);
  }, 240_000);
});
