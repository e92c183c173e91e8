/**
 * Smoke test of the real server: `src/server.ts` started as a child process (temporary
 * data folder, SQLite, the demo models registered on first start) once per token mode,
 * then every operation of the committed OpenAPI document called with a Supabase-style
 * token signed by a test key: HS256 with a shared secret, and RS256 verified through a
 * JWKS that this test serves on loopback. The list of operations comes from
 * packages/client/openapi.json, so a route added there without a call here fails the test.
 * Each call is made with the least role the route admits and must answer the documented
 * success status; where
 * that role is above viewer, the role below must get 403 first. The server runs one job at a
 * time: the job steps enqueue a sweep in the server's database while the training run of
 * the run steps holds the worker, so the sweep is still queued when it is cancelled.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '@xai-qc/core';
import { createXaiQcClient, data, isXaiQcApiError } from '@xai-qc/client';
import type { XaiQcClient } from '@xai-qc/client';
import type { JWTPayload } from 'jose';
import type { Role } from './auth/principal.ts';
import { makeKey, signHs256, signWith, startJwksServer, supabaseClaims, TEST_ISSUER } from './auth/testing/token-fixtures.ts';
import type { JwksServer, TestKey } from './auth/testing/token-fixtures.ts';
import { openDatabase } from './db/connect.ts';
import { EmbeddedJobQueue } from './jobs/embedded-queue.ts';
import { SQLITE_FILE } from './plugins/db.ts';
import { JobRepository } from './repositories/job.repository.ts';
import { demoParts, formParts, withVersion } from './test/model-fixtures.ts';
import { classificationFiles } from './routes/datasets.test-helpers.ts';
import { zipOf } from './test/archive-fixtures.ts';
import { startSmtp } from './test/smtp.ts';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { multipartBody } from './test/multipart.ts';

const SERVER = fileURLToPath(new URL('./server.ts', import.meta.url));
const OPENAPI = fileURLToPath(new URL('../../client/openapi.json', import.meta.url));
const SECRET = 'smoke-test-secret-of-the-identity-provider-0123456789';
const ADMIN_PASSWORD = 'smoke-admin-password-1';
const ACCOUNT = 'acct-smoke';
const ROLES: readonly Role[] = ['viewer', 'operator', 'engineer', 'admin'];

interface OpenApiDocument {
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
}

/** `METHOD /path` of every documented operation, with its documented 2xx status (undefined when none is documented). */
function documentedOperations(): Map<string, number | undefined> {
  const doc = JSON.parse(readFileSync(OPENAPI, 'utf8')) as OpenApiDocument;
  const ops = new Map<string, number | undefined>();
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const success = Object.keys(op.responses).find((code) => /^2\d\d$/.test(code));
      ops.set(`${method.toUpperCase()} ${path}`, success === undefined ? undefined : Number(success));
    }
  }
  return ops;
}

/** A started server and how it accepts tokens. */
interface Running {
  readonly url: string;
  readonly dataDir: string;
  readonly sign: (claims: JWTPayload) => Promise<string>;
  stop(): Promise<number | null>;
}

/** The loopback SMTP server the smoke servers send mail to (password reset). */
let smtp: Awaited<ReturnType<typeof startSmtp>>;

async function startServer(env: Record<string, string>, sign: Running['sign']): Promise<Running> {
  const dataDir = mkdtempSync(join(tmpdir(), 'xqc-smoke-'));
  smtp ??= await startSmtp();
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(process.execPath, ['--import', 'tsx', SERVER], {
    env: {
      ...process.env,
      DATABASE_URL: undefined,
      REDIS_URL: undefined,
      PORT: '0',
      HOST: '127.0.0.1',
      XQC_DATA_DIR: dataDir,
      XQC_LOG_LEVEL: 'warn',
      XQC_ADMIN_PASSWORD: ADMIN_PASSWORD,
      XQC_RATE_LIMIT_MAX: '0',
      XQC_JOB_CONCURRENCY: '1',
      XQC_JWT_ISSUER: TEST_ISSUER,
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      XQC_MAIL_FROM: 'qc@example.test',
      XQC_PUBLIC_URL: 'https://qc.example.test',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server printed no URL within 120 s; stdout: ${out} stderr: ${err}`)), 120_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code}: ${err}`));
    });
  });
  return {
    url,
    dataDir,
    sign,
    stop: async () => {
      const code = await new Promise<number | null>((resolve) => {
        if (child.exitCode !== null) resolve(child.exitCode);
        child.once('exit', (c) => resolve(c));
        child.kill('SIGTERM');
      });
      rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}

/** The status of a call through the typed client, which throws problem responses. */
async function statusOf(call: Promise<{ response: Response }>): Promise<number> {
  try {
    return (await call).response.status;
  } catch (e) {
    if (isXaiQcApiError(e)) return e.status;
    throw e;
  }
}

/** A 64 x 64 textured RGB PNG. */
async function testPng(seed: number): Promise<Uint8Array> {
  const w = 64;
  const h = 64;
  const pixels = new Uint8Array(w * h * 3);
  let s = seed;
  for (let i = 0; i < pixels.length; i += 3) {
    s = (s * 1103515245 + 12345) >>> 0;
    pixels.fill(90 + ((s >>> 16) % 80), i, i + 3);
  }
  return encodePng({ width: w, height: h, channels: 3, data: pixels });
}

/** One call of the walk: the operation, the least role it admits (or the credential it uses), and the call. */
interface Step {
  readonly op: string;
  /** Least role; `local` for the server's own access token, `open` for no credentials. */
  readonly as: Role | 'local' | 'open';
  readonly call: (client: XaiQcClient, role: Role | 'local' | 'open') => Promise<{ response: Response }>;
}

const MODES = [
  {
    name: 'HS256 with a shared secret',
    async start(): Promise<{ running: Running; close: () => Promise<void> }> {
      const running = await startServer({ XQC_JWT_SECRET: SECRET }, (claims) => signHs256(SECRET, claims));
      return { running, close: async () => undefined };
    },
  },
  {
    name: 'RS256 through a JWKS on loopback',
    async start(): Promise<{ running: Running; close: () => Promise<void> }> {
      const key: TestKey = await makeKey('RS256', 'smoke-key-1');
      const jwks: JwksServer = await startJwksServer([key]);
      const running = await startServer({ XQC_JWKS_URL: jwks.url }, (claims) => signWith(key, claims));
      return {
        running,
        close: async () => {
          expect(jwks.fetches(), 'the server fetched the key set from the loopback JWKS').toBeGreaterThan(0);
          await jwks.close();
        },
      };
    },
  },
] as const;

/** A webhook receiver on loopback: answers 200 and counts what it received. */
const hooks = { received: 0, url: '' };
const hookServer = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    hooks.received++;
    res.writeHead(200).end('ok');
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => hookServer.listen(0, '127.0.0.1', resolve));
  hooks.url = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hook`;
});

afterAll(async () => {
  await smtp?.close();
  await new Promise<void>((resolve) => hookServer.close(() => resolve()));
});

describe.each(MODES)('smoke: the real server, every documented route, $name', (mode) => {
  let running: Running;
  let closeMode: () => Promise<void>;
  const tokens = new Map<Role, string>();
  let localToken: string | undefined;
  const clientFor = (as: Role | 'local' | 'open'): XaiQcClient => {
    const token = as === 'open' ? undefined : as === 'local' ? localToken : tokens.get(as);
    return createXaiQcClient({ baseUrl: running.url, ...(token === undefined ? {} : { token }) });
  };
  /** Raw fetch with a role's token, for multipart bodies. */
  const send = (as: Role, path: string, init: { method: string; body: Buffer; headers: Record<string, string> }) =>
    fetch(`${running.url}${path}`, { method: init.method, body: init.body, headers: { ...init.headers, authorization: `Bearer ${tokens.get(as)}` } }).then((response) => ({ response }));

  beforeAll(async () => {
    const started = await mode.start();
    running = started.running;
    closeMode = started.close;
    for (const role of ROLES) {
      tokens.set(role, await running.sign(supabaseClaims({ sub: `smoke-${role}`, email: `${role}@example.com`, app_metadata: { provider: 'email', role, account_id: ACCOUNT } })));
    }
    // Ready (503 until the demo models are loaded) before the walk starts.
    const deadline = Date.now() + 120_000;
    while ((await fetch(`${running.url}/api/xai-qc/ready`)).status !== 200) {
      if (Date.now() > deadline) throw new Error('the server was not ready within 120 s');
      await new Promise((r) => setTimeout(r, 250));
    }
  }, 240_000);

  afterAll(async () => {
    const code = await running?.stop();
    await closeMode?.();
    expect(code).toBe(0);
  });

  it('answers every operation of the OpenAPI document with its documented success status', async () => {
    const documented = documentedOperations();
    const state: Record<string, string> = {};
    const need = (key: string): string => {
      const v = state[key];
      if (v === undefined) throw new Error(`an earlier step did not set ${key}`);
      return v;
    };
    const classifier = demoParts('surface-classifier');

    const steps: Step[] = [
      { op: 'GET /api/xai-qc/health', as: 'open', call: (c) => c.GET('/api/xai-qc/health') },
      { op: 'GET /api/xai-qc/ready', as: 'open', call: (c) => c.GET('/api/xai-qc/ready') },
      {
        op: 'POST /api/xai-qc/auth/login',
        as: 'open',
        call: async (c) => {
          const r = await c.POST('/api/xai-qc/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
          localToken = r.data?.accessToken;
          state.refresh = r.data?.refreshToken ?? '';
          return r;
        },
      },
      { op: 'GET /api/xai-qc/auth/me', as: 'viewer', call: (c) => c.GET('/api/xai-qc/auth/me') },
      {
        op: 'POST /api/xai-qc/auth/refresh',
        as: 'open',
        call: async (c) => {
          const r = await c.POST('/api/xai-qc/auth/refresh', { body: { refreshToken: need('refresh') } });
          localToken = r.data?.accessToken;
          state.refresh = r.data?.refreshToken ?? '';
          return r;
        },
      },
      {
        op: 'POST /api/xai-qc/auth/password',
        as: 'local',
        call: async (c) => {
          const r = await c.POST('/api/xai-qc/auth/password', { body: { currentPassword: ADMIN_PASSWORD, newPassword: `${ADMIN_PASSWORD}-new` } });
          const again = await data(clientFor('open').POST('/api/xai-qc/auth/login', { body: { username: 'admin', password: `${ADMIN_PASSWORD}-new` } }));
          state.refresh = again.refreshToken;
          return r;
        },
      },
      {
        op: 'POST /api/xai-qc/auth/password-reset',
        as: 'open',
        call: async (c) => {
          const email = `reset-${Math.random().toString(36).slice(2)}@example.test`;
          await data(clientFor('admin').POST('/api/xai-qc/users', { body: { username: email.split('@')[0], email, role: 'operator' } }));
          const r = await c.POST('/api/xai-qc/auth/password-reset', { body: { username: email.split('@')[0] } });
          const deadline = Date.now() + 20_000;
          for (;;) {
            const mail = smtp.received.find((m) => m.to.includes(email));
            const token = mail && /reset-password\?token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
            if (token) {
              state.resetToken = token;
              break;
            }
            if (Date.now() > deadline) throw new Error('no password-reset mail within 20 s');
            await new Promise((res) => setTimeout(res, 50));
          }
          return r;
        },
      },
      {
        op: 'POST /api/xai-qc/auth/password-reset/confirm',
        as: 'open',
        call: (c) => c.POST('/api/xai-qc/auth/password-reset/confirm', { body: { token: need('resetToken'), newPassword: 'a-new-password-from-the-mail-1' } }),
      },
      { op: 'POST /api/xai-qc/auth/logout', as: 'open', call: (c) => c.POST('/api/xai-qc/auth/logout', { body: { refreshToken: need('refresh') } }) },

      {
        op: 'GET /api/xai-qc/models',
        as: 'viewer',
        call: async (c) => {
          const r = await c.GET('/api/xai-qc/models');
          const demo = r.data?.items.find((m) => m.name === 'surface-classifier');
          state.demoVersion = demo?.activeVersion ?? '';
          return r;
        },
      },
      {
        op: 'POST /api/xai-qc/models',
        as: 'engineer',
        call: (_c, as) => {
          const body = multipartBody(formParts(withVersion(classifier, '9.9.9'), { activate: 'false', description: 'smoke' }));
          return send(as as Role, '/api/xai-qc/models', { method: 'POST', body: body.payload, headers: body.headers });
        },
      },
      { op: 'GET /api/xai-qc/models/{model}', as: 'viewer', call: (c) => c.GET('/api/xai-qc/models/{model}', { params: { path: { model: 'surface-classifier' } } }) },
      {
        op: 'GET /api/xai-qc/models/{model}/versions/{version}',
        as: 'viewer',
        call: (c) => c.GET('/api/xai-qc/models/{model}/versions/{version}', { params: { path: { model: 'surface-classifier', version: '9.9.9' } } }),
      },
      {
        op: 'GET /api/xai-qc/models/{model}/versions/{version}/download',
        as: 'viewer',
        call: (c) => c.GET('/api/xai-qc/models/{model}/versions/{version}/download', { params: { path: { model: 'surface-classifier', version: '9.9.9' } }, parseAs: 'arrayBuffer' }),
      },
      {
        op: 'GET /api/xai-qc/models/{model}/compare',
        as: 'viewer',
        call: (c) => c.GET('/api/xai-qc/models/{model}/compare', { params: { path: { model: 'surface-classifier' }, query: { a: need('demoVersion'), b: '9.9.9' } } }),
      },
      {
        op: 'POST /api/xai-qc/models/{model}/versions/{version}/activate',
        as: 'engineer',
        call: async (c) => {
          const r = await c.POST('/api/xai-qc/models/{model}/versions/{version}/activate', { params: { path: { model: 'surface-classifier', version: '9.9.9' } } });
          await data(c.POST('/api/xai-qc/models/{model}/versions/{version}/activate', { params: { path: { model: 'surface-classifier', version: need('demoVersion') } } }));
          return r;
        },
      },
      {
        op: 'DELETE /api/xai-qc/models/{model}/versions/{version}',
        as: 'engineer',
        call: (c) => c.DELETE('/api/xai-qc/models/{model}/versions/{version}', { params: { path: { model: 'surface-classifier', version: '9.9.9' } } }),
      },

      {
        op: 'POST /api/xai-qc/detect',
        as: 'operator',
        call: async (_c, as) => {
          const body = multipartBody([{ name: 'image', filename: 'part.png', contentType: 'image/png', data: await testPng(1) }]);
          const r = await send(as as Role, '/api/xai-qc/detect?model=surface-classifier', { method: 'POST', body: body.payload, headers: body.headers });
          if (r.response.ok) state.inspection = ((await r.response.clone().json()) as { id: string }).id;
          return r;
        },
      },
      {
        op: 'POST /api/xai-qc/detect/batch',
        as: 'operator',
        call: async (_c, as) => {
          const body = multipartBody([
            { name: 'image', filename: 'a.png', contentType: 'image/png', data: await testPng(2) },
            { name: 'image', filename: 'b.png', contentType: 'image/png', data: await testPng(3) },
          ]);
          return send(as as Role, '/api/xai-qc/detect/batch?model=surface-segmenter', { method: 'POST', body: body.payload, headers: body.headers });
        },
      },
      { op: 'GET /api/xai-qc/inspections', as: 'viewer', call: (c) => c.GET('/api/xai-qc/inspections', { params: { query: { model: 'surface-classifier' } } }) },
      { op: 'GET /api/xai-qc/inspections/{id}', as: 'viewer', call: (c) => c.GET('/api/xai-qc/inspections/{id}', { params: { path: { id: need('inspection') } } }) },
      {
        op: 'POST /api/xai-qc/inspections/{id}/questions',
        as: 'viewer',
        call: async (c) => {
          const r = await c.POST('/api/xai-qc/inspections/{id}/questions', { params: { path: { id: need('inspection') } }, body: { question: 'Is this part defective?' } });
          state.question = r.data?.id ?? '';
          return r;
        },
      },
      { op: 'GET /api/xai-qc/inspections/{id}/questions', as: 'viewer', call: (c) => c.GET('/api/xai-qc/inspections/{id}/questions', { params: { path: { id: need('inspection') } } }) },
      {
        op: 'POST /api/xai-qc/questions/{id}/feedback',
        as: 'viewer',
        call: (c) => c.POST('/api/xai-qc/questions/{id}/feedback', { params: { path: { id: need('question') } }, body: { helpful: false, comment: 'smoke' } }),
      },
      { op: 'GET /api/xai-qc/questions', as: 'engineer', call: (c) => c.GET('/api/xai-qc/questions', { params: { query: { helpful: false } } }) },
      {
        op: 'POST /api/xai-qc/knowledge/documents',
        as: 'engineer',
        call: async (_c, as) => {
          const body = multipartBody([{ name: 'file', filename: 'line-3-notes.md', contentType: 'text/markdown', data: Buffer.from('# Line 3\n\nScratches on line 3 come from the conveyor guide rail.\n') }]);
          const r = await send(as as Role, '/api/xai-qc/knowledge/documents', { method: 'POST', body: body.payload, headers: body.headers });
          if (r.response.ok) state.document = ((await r.response.clone().json()) as { id: string }).id;
          return r;
        },
      },
      { op: 'GET /api/xai-qc/knowledge/documents', as: 'viewer', call: (c) => c.GET('/api/xai-qc/knowledge/documents') },
      { op: 'GET /api/xai-qc/knowledge/documents/{id}', as: 'viewer', call: (c) => c.GET('/api/xai-qc/knowledge/documents/{id}', { params: { path: { id: need('document') } } }) },
      { op: 'GET /api/xai-qc/knowledge/search', as: 'viewer', call: (c) => c.GET('/api/xai-qc/knowledge/search', { params: { query: { q: 'conveyor guide rail' } } }) },
      { op: 'DELETE /api/xai-qc/knowledge/documents/{id}', as: 'engineer', call: (c) => c.DELETE('/api/xai-qc/knowledge/documents/{id}', { params: { path: { id: need('document') } } }) },
      { op: 'GET /api/xai-qc/inspections/{id}/image', as: 'viewer', call: (c) => c.GET('/api/xai-qc/inspections/{id}/image', { params: { path: { id: need('inspection') } }, parseAs: 'arrayBuffer' }) },
      {
        op: 'GET /api/xai-qc/inspections/{id}/overlay.png',
        as: 'viewer',
        call: (c) => c.GET('/api/xai-qc/inspections/{id}/overlay.png', { params: { path: { id: need('inspection') }, query: { opacity: 0.4 } }, parseAs: 'arrayBuffer' }),
      },
      {
        op: 'POST /api/xai-qc/explain',
        as: 'operator',
        call: (c) => c.POST('/api/xai-qc/explain', { body: { inspectionId: need('inspection'), methods: ['saliency', 'gradxinput'] } }),
      },
      {
        op: 'GET /api/xai-qc/inspections/{id}/explanations',
        as: 'viewer',
        call: async (c) => {
          const r = await c.GET('/api/xai-qc/inspections/{id}/explanations', { params: { path: { id: need('inspection') } } });
          state.explanation = r.data?.items[0]?.id ?? '';
          state.aggregate = r.data?.aggregates[0]?.id ?? '';
          return r;
        },
      },
      { op: 'GET /api/xai-qc/explanations/{id}', as: 'viewer', call: (c) => c.GET('/api/xai-qc/explanations/{id}', { params: { path: { id: need('explanation') } } }) },
      ...(['heatmap.npy', 'heatmap.png', 'overlay.png'] as const).flatMap((file): Step[] => [
        { op: `GET /api/xai-qc/explanations/{id}/${file}`, as: 'viewer', call: (c) => c.GET(`/api/xai-qc/explanations/{id}/${file}`, { params: { path: { id: need('explanation') } }, parseAs: 'arrayBuffer' }) },
        {
          op: `GET /api/xai-qc/explanations/aggregates/{id}/${file}`,
          as: 'viewer',
          call: (c) => c.GET(`/api/xai-qc/explanations/aggregates/{id}/${file}`, { params: { path: { id: need('aggregate') } }, parseAs: 'arrayBuffer' }),
        },
      ]),
      {
        op: 'GET /api/xai-qc/inspections/{id}/anomaly',
        as: 'viewer',
        call: async (c) => {
          // Ten anomaly inspections first: the why answer's surrogate needs nine or more.
          for (let i = 0; i < 10; i++) {
            const body = multipartBody([{ name: 'image', filename: `a${i}.png`, contentType: 'image/png', data: await testPng(40 + i) }]);
            const r = await send('operator', '/api/xai-qc/detect?model=surface-anomaly', { method: 'POST', body: body.payload, headers: body.headers });
            if (r.response.ok) state.anomaly = ((await r.response.json()) as { id: string }).id;
          }
          return c.GET('/api/xai-qc/inspections/{id}/anomaly', { params: { path: { id: need('anomaly') } } });
        },
      },
      ...(['map.npy', 'map.png', 'thumbnail.png', 'waterfall.png', 'where.png'] as const).map(
        (file): Step => ({ op: `GET /api/xai-qc/inspections/{id}/anomaly/${file}`, as: 'viewer', call: (c) => c.GET(`/api/xai-qc/inspections/{id}/anomaly/${file}`, { params: { path: { id: need('anomaly') } }, parseAs: 'arrayBuffer' }) }),
      ),
      {
        op: 'POST /api/xai-qc/inspections/{id}/reviews',
        as: 'operator',
        call: async (c) => {
          const r = await c.POST('/api/xai-qc/inspections/{id}/reviews', {
            params: { path: { id: need('inspection') } },
            body: { verdict: 'reject', label: 'defect', mask: { rle: { size: [64, 64], counts: [64 * 20, 64 * 10, 64 * 34] } }, comment: 'smoke' },
          });
          state.review = r.data?.id ?? '';
          return r;
        },
      },
      { op: 'GET /api/xai-qc/inspections/{id}/reviews', as: 'viewer', call: (c) => c.GET('/api/xai-qc/inspections/{id}/reviews', { params: { path: { id: need('inspection') } } }) },
      { op: 'GET /api/xai-qc/reviews/{id}/mask.png', as: 'viewer', call: (c) => c.GET('/api/xai-qc/reviews/{id}/mask.png', { params: { path: { id: need('review') } }, parseAs: 'arrayBuffer' }) },
      { op: 'GET /api/xai-qc/review-queue', as: 'operator', call: (c) => c.GET('/api/xai-qc/review-queue', { params: { query: { uncertainMin: 0 } } }) },
      { op: 'POST /api/xai-qc/review-queue/{id}/claim', as: 'operator', call: (c) => c.POST('/api/xai-qc/review-queue/{id}/claim', { params: { path: { id: need('anomaly') } } }) },
      { op: 'DELETE /api/xai-qc/review-queue/{id}/claim', as: 'operator', call: (c) => c.DELETE('/api/xai-qc/review-queue/{id}/claim', { params: { path: { id: need('anomaly') } } }) },
      { op: 'GET /api/xai-qc/metrics', as: 'viewer', call: (c) => c.GET('/api/xai-qc/metrics', { params: { query: { model: 'surface-classifier', groupBy: 'day' } } }) },
      { op: 'GET /api/xai-qc/calibration', as: 'viewer', call: (c) => c.GET('/api/xai-qc/calibration', { params: { query: { model: 'surface-classifier' } } }) },
      { op: 'POST /api/xai-qc/calibration', as: 'engineer', call: (c) => c.POST('/api/xai-qc/calibration', { body: { model: 'surface-classifier' } }) },
      {
        op: 'GET /api/xai-qc/models/{model}/versions/{version}/thresholds',
        as: 'engineer',
        call: (c) => c.GET('/api/xai-qc/models/{model}/versions/{version}/thresholds', { params: { path: { model: 'surface-classifier', version: need('demoVersion') } } }),
      },
      {
        op: 'POST /api/xai-qc/models/{model}/versions/{version}/thresholds',
        as: 'engineer',
        call: (c) => c.POST('/api/xai-qc/models/{model}/versions/{version}/thresholds', { params: { path: { model: 'surface-classifier', version: need('demoVersion') } }, body: { threshold: 0.45 } }),
      },
      { op: 'DELETE /api/xai-qc/inspections/{id}', as: 'admin', call: (c) => c.DELETE('/api/xai-qc/inspections/{id}', { params: { path: { id: need('inspection') } } }) },

      {
        op: 'POST /api/xai-qc/users',
        as: 'admin',
        call: async (c) => {
          const r = await c.POST('/api/xai-qc/users', { body: { username: 'smoke.operator', role: 'operator' } });
          state.user = r.data?.user.id ?? '';
          return r;
        },
      },
      { op: 'GET /api/xai-qc/users', as: 'admin', call: (c) => c.GET('/api/xai-qc/users', { params: { query: { limit: 50 } } }) },
      { op: 'GET /api/xai-qc/users/{id}', as: 'admin', call: (c) => c.GET('/api/xai-qc/users/{id}', { params: { path: { id: need('user') } } }) },
      { op: 'PATCH /api/xai-qc/users/{id}', as: 'admin', call: (c) => c.PATCH('/api/xai-qc/users/{id}', { params: { path: { id: need('user') } }, body: { role: 'engineer' } }) },
      {
        op: 'POST /api/xai-qc/api-keys',
        as: 'engineer',
        call: async (c) => {
          const r = await c.POST('/api/xai-qc/api-keys', { body: { name: 'line-3', role: 'operator', scopes: ['read', 'write'] } });
          state.apiKey = r.data?.apiKey.id ?? '';
          return r;
        },
      },
      { op: 'GET /api/xai-qc/api-keys', as: 'engineer', call: (c) => c.GET('/api/xai-qc/api-keys', { params: { query: { limit: 50 } } }) },
      { op: 'DELETE /api/xai-qc/api-keys/{id}', as: 'engineer', call: (c) => c.DELETE('/api/xai-qc/api-keys/{id}', { params: { path: { id: need('apiKey') } } }) },

      {
        op: 'POST /api/xai-qc/datasets',
        as: 'engineer',
        call: async (_c, as) => {
          const zip = await zipOf(await classificationFiles(8, 16));
          const upload = () => {
            const body = multipartBody([
              { name: 'archive', filename: 'tiny.zip', contentType: 'application/zip', data: zip },
              { name: 'name', data: 'tiny' },
            ]);
            return send(as as Role, '/api/xai-qc/datasets', { method: 'POST', body: body.payload, headers: body.headers });
          };
          // The first upload stores (201); the same archive again is the stored dataset (200).
          const first = await upload();
          if (!first.response.ok) return first;
          const again = await upload();
          if (again.response.ok) state.dataset = ((await again.response.clone().json()) as { dataset: { id: string } }).dataset.id;
          return again;
        },
      },
      { op: 'GET /api/xai-qc/datasets', as: 'viewer', call: (c) => c.GET('/api/xai-qc/datasets') },
      { op: 'GET /api/xai-qc/datasets/{id}', as: 'viewer', call: (c) => c.GET('/api/xai-qc/datasets/{id}', { params: { path: { id: need('dataset') } } }) },
      { op: 'GET /api/xai-qc/datasets/{id}/quality', as: 'viewer', call: (c) => c.GET('/api/xai-qc/datasets/{id}/quality', { params: { path: { id: need('dataset') } } }) },
      {
        op: 'POST /api/xai-qc/runs',
        as: 'engineer',
        call: async (c) => {
          const r = await c.POST('/api/xai-qc/runs', {
            body: { kind: 'train', task: 'classify', datasetId: need('dataset'), modelName: 'smoke-tiny', params: { epochs: 2, batchSize: 4, width: 4, depth: 1, size: 16, valSplit: 0.25, testSplit: 0.25, augment: false, threads: 1 } },
          });
          state.run = r.data?.id ?? '';
          return r;
        },
      },
      { op: 'GET /api/xai-qc/runs', as: 'viewer', call: (c) => c.GET('/api/xai-qc/runs') },
      { op: 'GET /api/xai-qc/runs/{id}', as: 'viewer', call: (c) => c.GET('/api/xai-qc/runs/{id}', { params: { path: { id: need('run') } } }) },
      {
        op: 'GET /api/xai-qc/jobs',
        as: 'viewer',
        call: async (c) => {
          // A sweep enqueued in the server's database, queued behind the training run.
          const handle = openDatabase({ sqlitePath: join(running.dataDir, SQLITE_FILE) });
          try {
            state.job = (await new EmbeddedJobQueue(new JobRepository(handle.db, handle.dialect)).enqueue('blob.sweep', {}, { accountId: ACCOUNT })).id;
          } finally {
            await handle.db.destroy();
          }
          return c.GET('/api/xai-qc/jobs');
        },
      },
      { op: 'GET /api/xai-qc/jobs/{id}', as: 'viewer', call: (c) => c.GET('/api/xai-qc/jobs/{id}', { params: { path: { id: need('job') } } }) },
      { op: 'POST /api/xai-qc/jobs/{id}/cancel', as: 'operator', call: (c) => c.POST('/api/xai-qc/jobs/{id}/cancel', { params: { path: { id: need('job') } } }) },

      {
        op: 'GET /api/xai-qc/runs/{id}/artifacts/{name}',
        as: 'viewer',
        call: async (c) => {
          const deadline = Date.now() + 120_000;
          for (;;) {
            const run = await data(c.GET('/api/xai-qc/runs/{id}', { params: { path: { id: need('run') } } }));
            if (['succeeded', 'failed', 'cancelled'].includes(run.status)) break;
            if (Date.now() > deadline) throw new Error('the smoke training run did not end within 120 s');
            await new Promise((r) => setTimeout(r, 200));
          }
          return c.GET('/api/xai-qc/runs/{id}/artifacts/{name}', { params: { path: { id: need('run'), name: 'metrics.json' } }, parseAs: 'arrayBuffer' });
        },
      },
      { op: 'DELETE /api/xai-qc/datasets/{id}', as: 'engineer', call: (c) => c.DELETE('/api/xai-qc/datasets/{id}', { params: { path: { id: need('dataset') } } }) },
      {
        op: 'POST /api/xai-qc/export',
        as: 'operator',
        call: async (c) => {
          const r = await c.POST('/api/xai-qc/export', { body: { format: 'xlsx', model: 'surface-classifier' } });
          state.report = r.data?.reportId ?? '';
          return r;
        },
      },
      {
        op: 'GET /api/xai-qc/reports/{id}',
        as: 'viewer',
        call: async (c) => {
          // 404 until the report job has run.
          const deadline = Date.now() + 120_000;
          for (;;) {
            const r = await c.GET('/api/xai-qc/reports/{id}', { params: { path: { id: need('report') } } }).catch((e: unknown) => {
              if (isXaiQcApiError(e) && e.status === 404) return undefined;
              throw e;
            });
            if (r !== undefined) return r;
            if (Date.now() > deadline) throw new Error('the smoke report was not rendered within 120 s');
            await new Promise((res) => setTimeout(res, 200));
          }
        },
      },
      { op: 'GET /api/xai-qc/reports', as: 'viewer', call: (c) => c.GET('/api/xai-qc/reports') },
      { op: 'GET /api/xai-qc/reports/{id}/download', as: 'viewer', call: (c) => c.GET('/api/xai-qc/reports/{id}/download', { params: { path: { id: need('report') } }, parseAs: 'arrayBuffer' }) },
      { op: 'DELETE /api/xai-qc/reports/{id}', as: 'engineer', call: (c) => c.DELETE('/api/xai-qc/reports/{id}', { params: { path: { id: need('report') } } }) },
      {
        op: 'POST /api/xai-qc/webhooks',
        as: 'engineer',
        call: async (c) => {
          const r = await c.POST('/api/xai-qc/webhooks', { body: { url: hooks.url, description: 'smoke' } });
          state.webhook = r.data?.id ?? '';
          return r;
        },
      },
      { op: 'GET /api/xai-qc/webhooks', as: 'engineer', call: (c) => c.GET('/api/xai-qc/webhooks') },
      {
        op: 'POST /api/xai-qc/alert-rules',
        as: 'engineer',
        call: async (c) => {
          // Holds whenever the model has inspections: the referral rate is at most 1.
          const r = await c.POST('/api/xai-qc/alert-rules', { body: { name: 'smoke referral', metric: 'referralRate', model: { name: 'surface-anomaly' }, comparator: '<', threshold: 2, windowMinutes: 1440 } });
          state.rule = r.data?.id ?? '';
          return r;
        },
      },
      { op: 'GET /api/xai-qc/alert-rules', as: 'engineer', call: (c) => c.GET('/api/xai-qc/alert-rules') },
      { op: 'PATCH /api/xai-qc/alert-rules/{id}', as: 'engineer', call: (c) => c.PATCH('/api/xai-qc/alert-rules/{id}', { params: { path: { id: need('rule') } }, body: { cooldownMinutes: 120 } }) },
      { op: 'POST /api/xai-qc/alert-rules/evaluate', as: 'engineer', call: (c) => c.POST('/api/xai-qc/alert-rules/evaluate') },
      {
        op: 'GET /api/xai-qc/alerts',
        as: 'viewer',
        call: async (c) => {
          const deadline = Date.now() + 60_000;
          for (;;) {
            const r = await c.GET('/api/xai-qc/alerts');
            const alert = r.data?.items.find((a) => a.ruleId === need('rule'));
            if (alert) {
              state.alert = alert.id;
              return r;
            }
            if (Date.now() > deadline) throw new Error('the smoke alert rule did not fire within 60 s');
            await new Promise((res) => setTimeout(res, 200));
          }
        },
      },
      { op: 'POST /api/xai-qc/alerts/{id}/acknowledge', as: 'operator', call: (c) => c.POST('/api/xai-qc/alerts/{id}/acknowledge', { params: { path: { id: need('alert') } } }) },
      { op: 'POST /api/xai-qc/alerts/{id}/resolve', as: 'operator', call: (c) => c.POST('/api/xai-qc/alerts/{id}/resolve', { params: { path: { id: need('alert') } } }) },
      { op: 'GET /api/xai-qc/webhooks/{id}/deliveries', as: 'engineer', call: (c) => c.GET('/api/xai-qc/webhooks/{id}/deliveries', { params: { path: { id: need('webhook') } } }) },
      { op: 'DELETE /api/xai-qc/alert-rules/{id}', as: 'engineer', call: (c) => c.DELETE('/api/xai-qc/alert-rules/{id}', { params: { path: { id: need('rule') } } }) },
      { op: 'DELETE /api/xai-qc/webhooks/{id}', as: 'engineer', call: (c) => c.DELETE('/api/xai-qc/webhooks/{id}', { params: { path: { id: need('webhook') } } }) },
      {
        op: 'POST /api/xai-qc/monitors',
        as: 'engineer',
        call: async (c) => {
          // the classifier's smoke inspection was deleted above: record two more for the windows
          for (const seed of [4, 5]) {
            const body = multipartBody([{ name: 'image', filename: 'part.png', contentType: 'image/png', data: await testPng(seed) }]);
            const d = await send('operator', '/api/xai-qc/detect?model=surface-classifier', { method: 'POST', body: body.payload, headers: body.headers });
            if (!d.response.ok) throw new Error(`detect for the monitor failed: ${d.response.status}`);
          }
          const r = await c.POST('/api/xai-qc/monitors', {
            body: {
              name: 'smoke monitor',
              model: { name: 'surface-classifier', version: need('demoVersion') },
              reference: { kind: 'range', from: '2020-01-01T00:00:00.000Z', to: '2100-01-01T00:00:00.000Z' },
              current: { kind: 'minutes', minutes: 1440 },
              signals: ['brightness', 'score', 'predictedClass'],
            },
          });
          state.monitor = r.data?.id ?? '';
          return r;
        },
      },
      { op: 'GET /api/xai-qc/monitors', as: 'viewer', call: (c) => c.GET('/api/xai-qc/monitors') },
      { op: 'GET /api/xai-qc/monitors/{id}', as: 'viewer', call: (c) => c.GET('/api/xai-qc/monitors/{id}', { params: { path: { id: need('monitor') } } }) },
      { op: 'PATCH /api/xai-qc/monitors/{id}', as: 'engineer', call: (c) => c.PATCH('/api/xai-qc/monitors/{id}', { params: { path: { id: need('monitor') } }, body: { intervalMinutes: 120 } }) },
      { op: 'POST /api/xai-qc/monitors/{id}/run', as: 'engineer', call: (c) => c.POST('/api/xai-qc/monitors/{id}/run', { params: { path: { id: need('monitor') } } }) },
      {
        op: 'GET /api/xai-qc/monitors/{id}/results',
        as: 'viewer',
        call: async (c) => {
          // empty until the monitor.run job has stored its result
          const deadline = Date.now() + 120_000;
          for (;;) {
            const r = await c.GET('/api/xai-qc/monitors/{id}/results', { params: { path: { id: need('monitor') } } });
            if ((r.data?.items.length ?? 0) > 0) return r;
            if (Date.now() > deadline) {
              const m = await c.GET('/api/xai-qc/monitors/{id}', { params: { path: { id: need('monitor') } } });
              throw new Error(`the smoke monitor stored no result within 120 s: ${JSON.stringify(m.data?.state)}`);
            }
            await new Promise((res) => setTimeout(res, 200));
          }
        },
      },
      { op: 'DELETE /api/xai-qc/monitors/{id}', as: 'engineer', call: (c) => c.DELETE('/api/xai-qc/monitors/{id}', { params: { path: { id: need('monitor') } } }) },
      { op: 'GET /api/xai-qc/audit-log', as: 'admin', call: (c) => c.GET('/api/xai-qc/audit-log', { params: { query: { limit: 50 } } }) },
    ];

    const covered = new Set(steps.map((s) => s.op));
    expect([...documented.keys()].filter((op) => !covered.has(op)), 'documented operations without a smoke call').toEqual([]);
    expect([...covered].filter((op) => !documented.has(op)), 'smoke calls of undocumented operations').toEqual([]);
    expect([...documented].filter(([, status]) => status === undefined).map(([op]) => op), 'operations documenting no success status').toEqual([]);

    const results: string[] = [];
    const expected: string[] = [];
    for (const step of steps) {
      const success = documented.get(step.op);
      if (step.as !== 'open' && step.as !== 'local' && step.as !== 'viewer') {
        const below = ROLES[ROLES.indexOf(step.as) - 1];
        results.push(`${step.op} as ${below}: ${await statusOf(step.call(clientFor(below), below))}`);
        expected.push(`${step.op} as ${below}: 403`);
      }
      results.push(`${step.op} as ${step.as}: ${await statusOf(step.call(clientFor(step.as), step.as))}`);
      expected.push(`${step.op} as ${step.as}: ${success}`);
    }
    expect(results).toEqual(expected);

    const audit = await data(clientFor('admin').GET('/api/xai-qc/audit-log', { params: { query: { limit: 100 } } }));
    expect(audit.items.map((e) => e.action)).toEqual(
      expect.arrayContaining(['model.upload', 'model.activate', 'model.delete', 'inspection.delete', 'user.create', 'user.update', 'api-key.create', 'api-key.revoke']),
    );
  }, 240_000);
});
