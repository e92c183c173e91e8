/**
 * The live-event WebSocket against a real listening server (127.0.0.1, port 0): typed
 * client (`connectEvents` of @xai-qc/client over the `ws` package) of account A receives,
 * in order, `inspection.created` of its own POST /detect, the progress, `explanation.ready`
 * and end of its POST /explain job, and the progress and end of a job it enqueued, each
 * frame exactly an event of the schemas; a client of account B receives none of them. Credentials are checked before the upgrade (401 over HTTP), and no
 * token reaches the logs. Once on SQLite and once on PostgreSQL with one process; once as
 * API process + worker process on PostgreSQL and Redis, the worker's job events crossing
 * Redis to the API's WebSocket.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FormatRegistry } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { encodePng } from '@xai-qc/core';
import { connectEvents } from '@xai-qc/client';
import type { EventsConnection, XqcEvent } from '@xai-qc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildApp } from '../app.ts';
import type { App } from '../app.ts';
import { testConfig } from '../config/load-config.ts';
import type { Config } from '../config/load-config.ts';
import { EVENT_SCHEMAS } from '../schemas/event.schema.ts';
import { createTestSchema, dropTestSchema, TEST_DATABASE_URL } from '../test/test-database.ts';
import { multipartBody } from '../test/multipart.ts';
import { bearer, TEST_AUTH_ENV } from '../test/test-tokens.ts';
import { registerModelFolder } from './inspections.test-helpers.ts';

const MODELS = fileURLToPath(new URL('../../../../models/', import.meta.url));
const REDIS_URL = process.env.XQC_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const API = '/api/xai-qc';

// TypeBox's Value.Check knows no formats until told; these are the two the event schemas use.
FormatRegistry.Set('uuid', (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v));
FormatRegistry.Set('date-time', (v) => !Number.isNaN(Date.parse(v)) && new Date(v).toISOString() === v);

/** A 64 x 64 textured RGB PNG. */
function testPng(seed: number): Promise<Uint8Array> {
  const pixels = new Uint8Array(64 * 64 * 3);
  let s = seed;
  for (let i = 0; i < pixels.length; i += 3) {
    s = (s * 1103515245 + 12345) >>> 0;
    pixels.fill(90 + ((s >>> 16) % 80), i, i + 3);
  }
  return encodePng({ width: 64, height: 64, channels: 3, data: pixels });
}

/** The JWT of an `authorization` header. */
async function jwt(role: 'viewer' | 'operator', account: string, subject?: string): Promise<string> {
  return (await bearer(role, account, subject)).authorization.slice('Bearer '.length);
}

/** Collects a connection's events; `waitFor` resolves once `probe` holds (failing the test after `ms`). */
function collect(conn: EventsConnection): { events: XqcEvent[]; waitFor(what: string, probe: (events: XqcEvent[]) => boolean, ms?: number): Promise<void> } {
  const events: XqcEvent[] = [];
  conn.onEvent((e) => events.push(e));
  return {
    events,
    async waitFor(what, probe, ms = 30_000) {
      const end = Date.now() + ms;
      while (!probe(events)) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(events)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

/** The HTTP status that refused an upgrade, or 101 when the WebSocket opened. */
function upgradeStatus(url: string, protocols: string[], headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { headers });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', (e) => reject(e));
  });
}

/** A started app with captured logs. */
interface Server {
  app: App;
  url: string;
  logs: string[];
  close(): Promise<void>;
}

async function startServer(overrides: Partial<Config>, options: { listen?: boolean; jobWorker?: boolean; dataDir?: string } = {}): Promise<Server> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'xqc-events-'));
  const logs: string[] = [];
  const config = testConfig(dataDir, overrides, TEST_AUTH_ENV);
  const logger = { level: 'trace', stream: { write: (line: string) => logs.push(line) } };
  const app = await buildApp(config, { logger, jobWorker: options.jobWorker });
  await app.ready();
  let url = '';
  if (options.listen !== false) {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    url = `http://127.0.0.1:${address.port}`;
  }
  return {
    app,
    url,
    logs,
    async close() {
      await app.close();
      if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** POST /detect of one image as `token`'s account; returns the inspection id. */
async function detect(url: string, token: string, seed: number): Promise<string> {
  const body = multipartBody([{ name: 'image', filename: 'part.png', contentType: 'image/png', data: await testPng(seed) }]);
  const res = await fetch(`${url}${API}/detect?model=surface-classifier`, { method: 'POST', body: body.payload, headers: { ...body.headers, authorization: `Bearer ${token}` } });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** POST /explain of `methods` as `token`'s account; returns the explain job's id (slow methods run as a job: 202). */
async function explainAsJob(url: string, token: string, inspectionId: string, methods: string[]): Promise<string> {
  const res = await fetch(`${url}${API}/explain`, { method: 'POST', body: JSON.stringify({ inspectionId, methods }), headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } });
  expect(res.status).toBe(202);
  return ((await res.json()) as { job: { id: string } }).job.id;
}

const jobIdOf = (e: XqcEvent): string | null => ('jobId' in e.data ? e.data.jobId : null);
const finished = (jobId: string) => (es: XqcEvent[]): boolean => es.some((e) => e.type === 'job.finished' && e.data.jobId === jobId);

/**
 * The event test, driven through `api` as account A: POST /detect, POST /explain of
 * a job method, then a blob.sweep job. A's client receives, in order, inspection.created,
 * the explain job's progress, explanation.ready and job.finished, then the sweep's progress
 * and end; every frame is an event of the schemas; B's client receives none of A's events.
 */
async function expectOrderedEventsOfA(api: Server, a: ReturnType<typeof collect>, b: ReturnType<typeof collect>, accountA: string, accountB: string): Promise<void> {
  // A token of its own for the uploads: @fastify/multipart logs the request headers (Authorization included) at
  // trace level, which the log check of the WebSocket tokens below must not be confused by.
  const uploader = await jwt('operator', accountA, 'uploader');
  const inspectionId = await detect(api.url, uploader, 1);
  await a.waitFor('inspection.created', (es) => es.some((e) => e.type === 'inspection.created'));
  const explainJob = await explainAsJob(api.url, uploader, inspectionId, ['occlusion']);
  await a.waitFor('the explain job to finish', finished(explainJob));
  const sweepJob = (await api.app.jobQueue.enqueue('blob.sweep', {}, { accountId: accountA })).id;
  await a.waitFor('the sweep job to finish', finished(sweepJob));

  for (const e of a.events) {
    expect(e.accountId).toBe(accountA);
    expect(Value.Check(EVENT_SCHEMAS[e.type], e), JSON.stringify(e)).toBe(true);
  }
  const mine = a.events.filter((e) => ('inspectionId' in e.data && e.data.inspectionId === inspectionId) || [explainJob, sweepJob].includes(jobIdOf(e) ?? ''));
  const steps = mine.map((e) => `${e.type}${jobIdOf(e) === sweepJob ? ' (sweep)' : ''}`).filter((step, i, all) => step !== all[i - 1]);
  expect(steps, JSON.stringify(a.events)).toEqual(['inspection.created', 'job.progress', 'explanation.ready', 'job.finished', 'job.progress (sweep)', 'job.finished (sweep)']);
  expect(mine[0].data).toMatchObject({ inspectionId, modelName: 'surface-classifier' });
  expect(mine.find((e) => e.type === 'explanation.ready')?.data).toMatchObject({ inspectionId, method: 'occlusion', jobId: explainJob });
  expect(mine.filter((e) => e.type === 'job.finished').map((e) => e.data)).toEqual([
    { jobId: explainJob, name: 'explain', status: 'succeeded', error: null },
    { jobId: sweepJob, name: 'blob.sweep', status: 'succeeded', error: null },
  ]);
  // B would have heard A's events before its own marker, published after them.
  await api.app.events.publish(accountB, 'job.progress', { jobId: 'marker', name: 'blob.sweep', progress: 1, message: 'marker' });
  await b.waitFor('the marker', (es) => es.length > 0);
  expect(b.events.map((e) => jobIdOf(e))).toEqual(['marker']);
}

describe.each(['sqlite', 'postgres'] as const)('live events WebSocket, one process on %s', (dialect) => {
  let server: Server;
  let schema: string | undefined;
  const accountA = `acct-ws-a-${randomBytes(4).toString('hex')}`;
  const accountB = `acct-ws-b-${randomBytes(4).toString('hex')}`;
  const tokens: string[] = [];

  beforeAll(async () => {
    schema = dialect === 'postgres' ? await createTestSchema() : undefined;
    server = await startServer({ jobConcurrency: 1, ...(schema === undefined ? {} : { databaseUrl: TEST_DATABASE_URL, databaseSchema: schema }) });
    await registerModelFolder(server.app, `${MODELS}surface-classifier`, 'surface-classifier');
  });
  afterAll(async () => {
    await server?.close();
    if (schema !== undefined) await dropTestSchema(schema);
  });

  it('sends account A, in order, inspection.created of its detect, progress, explanation.ready and end of its explain job, then its sweep job\'s, and account B none of them', async () => {
    const tokenA = await jwt('operator', accountA);
    const tokenB = await jwt('viewer', accountB);
    tokens.push(tokenA, tokenB);
    const connA = await connectEvents({ baseUrl: server.url, token: tokenA, WebSocket });
    const connB = await connectEvents({ baseUrl: server.url, token: () => tokenB, WebSocket });
    try {
      await expectOrderedEventsOfA(server, collect(connA), collect(connB), accountA, accountB);
    } finally {
      connA.close();
      connB.close();
    }
    expect(await connA.closed).toEqual({ code: 1000, reason: '' });
    await new Promise<void>((resolve) => {
      const poll = (): void => (server.app.websocketServer.clients.size === 0 ? resolve() : void setTimeout(poll, 10));
      poll();
    });
  });

  it('refuses a missing, bad or doubled credential with 401 before the upgrade; answers 426 without one; takes a header too', async () => {
    const ws = server.url.replace('http:', 'ws:') + `${API}/ws`;
    const good = await jwt('viewer', accountA);
    const other = await jwt('viewer', accountB);
    const bad = `${good.slice(0, -4)}AAAA`;
    tokens.push(good, other, bad);
    expect(await upgradeStatus(ws, ['xqc-events'])).toBe(401);
    expect(await upgradeStatus(ws, ['xqc-events', `xqc-token.${bad}`])).toBe(401);
    expect(await upgradeStatus(ws, ['xqc-events', 'xqc-token.not-a-token'])).toBe(401);
    expect(await upgradeStatus(ws, ['xqc-events', `xqc-token.${good}`, `xqc-token.${other}`])).toBe(401);
    expect(await upgradeStatus(ws, ['xqc-events', `xqc-token.${good}`], { authorization: `Bearer ${good}` })).toBe(401);
    expect(await upgradeStatus(ws, ['xqc-events'], { authorization: `Bearer ${bad}` })).toBe(401);
    await expect(connectEvents({ baseUrl: server.url, token: bad, WebSocket })).rejects.toThrow(/401/);
    expect(server.app.websocketServer.clients.size).toBe(0);

    expect(await upgradeStatus(ws, ['xqc-events', `xqc-token.${good}`])).toBe(101);
    expect(await upgradeStatus(ws, ['xqc-events'], { authorization: `Bearer ${good}` })).toBe(101);
    const plain = await fetch(`${server.url}${API}/ws`, { headers: { authorization: `Bearer ${good}` } });
    expect(plain.status).toBe(426);
    expect(((await plain.json()) as { code: string }).code).toBe('XQC_UPGRADE_REQUIRED');
    expect((await fetch(`${server.url}${API}/ws`)).status).toBe(401);
  });

  it('selects the xqc-events subprotocol, never the token', async () => {
    const token = await jwt('viewer', accountA);
    tokens.push(token);
    const ws = new WebSocket(server.url.replace('http:', 'ws:') + `${API}/ws`, ['xqc-events', `xqc-token.${token}`]);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    expect(ws.protocol).toBe('xqc-events');
    ws.close();
  });

  it('writes no token to the logs, which do record the WebSocket requests', () => {
    const all = server.logs.join('');
    expect(all).toContain(`${API}/ws`);
    expect(tokens.length).toBeGreaterThanOrEqual(5);
    for (const t of tokens) {
      // The signature alone is the secret part; a log must not hold it either.
      expect(server.logs.filter((line) => line.includes(t.split('.')[2]))).toEqual([]);
    }
  });
});

describe('live events WebSocket, API process and worker process on PostgreSQL and Redis', () => {
  let api: Server;
  let worker: Server;
  let schema: string;
  let dataDir: string;
  const accountA = `acct-ws-a-${randomBytes(4).toString('hex')}`;
  const accountB = `acct-ws-b-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    schema = await createTestSchema();
    const overrides: Partial<Config> = { databaseUrl: TEST_DATABASE_URL, databaseSchema: schema, redisUrl: REDIS_URL, redisPrefix: `xqc-test-${randomBytes(6).toString('hex')}`, jobConcurrency: 1 };
    // API and worker share the blob store folder, as they share a volume in a deployment.
    dataDir = mkdtempSync(join(tmpdir(), 'xqc-events-'));
    api = await startServer(overrides, { dataDir });
    worker = await startServer(overrides, { dataDir, listen: false, jobWorker: true });
    await registerModelFolder(api.app, `${MODELS}surface-classifier`, 'surface-classifier');
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await dropTestSchema(schema);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers the worker\'s job and explanation events through Redis to the API\'s WebSocket of the job\'s account only, after the API\'s own inspection.created', async () => {
    expect(api.app.events.kind).toBe('redis');
    expect(api.app.jobQueue.kind).toBe('bullmq');
    const connA = await connectEvents({ baseUrl: api.url, token: await jwt('operator', accountA), WebSocket });
    const connB = await connectEvents({ baseUrl: api.url, token: await jwt('viewer', accountB), WebSocket });
    try {
      await expectOrderedEventsOfA(api, collect(connA), collect(connB), accountA, accountB);
    } finally {
      connA.close();
      connB.close();
    }
  });
});
