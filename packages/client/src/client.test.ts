import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, REPO_MODELS_DIR, testConfig } from '@xai-qc/server';
import type { App } from '@xai-qc/server';
import { createXaiQcClient, data } from './client.ts';
import { isXaiQcApiError, XaiQcApiError } from './xai-qc-api-error.ts';

const SECRET = 'client-test-secret-of-the-identity-provider-0123';
const ISSUER = 'https://client-test.supabase.co/auth/v1';

async function token(role: string): Promise<string> {
  return new SignJWT({ app_metadata: { role, account_id: 'acct-client' } })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setAudience('authenticated')
    .setSubject(`client-${role}`)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(SECRET));
}

describe('XAI-QC client against the server on loopback', () => {
  let app: App;
  let baseUrl: string;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xqc-client-'));
    app = await buildApp(
      testConfig(dir, { port: 0 }, { XQC_JWT_SECRET: SECRET, XQC_JWT_ISSUER: ISSUER, XQC_ADMIN_PASSWORD: 'client-test-admin-pw', XQC_RATE_LIMIT_MAX: '0' }),
      { logger: false },
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('calls an open route without credentials', async () => {
    const xqc = createXaiQcClient({ baseUrl });
    const health = await data(xqc.GET('/api/xai-qc/health'));
    expect(health.status).toBe('ok');
  });

  it('throws a typed error with code, detail and request id for a problem response', async () => {
    const xqc = createXaiQcClient({ baseUrl });
    const err = await xqc.GET('/api/xai-qc/models').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(XaiQcApiError);
    const e = err as XaiQcApiError;
    expect(e).toMatchObject({ status: 401, code: 'XQC_UNAUTHENTICATED' });
    expect(e.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(isXaiQcApiError(e, 'XQC_UNAUTHENTICATED')).toBe(true);
  });

  it('sends the bearer token (static or from a function) and uploads, lists and activates models', async () => {
    const engineer = await token('engineer');
    const xqc = createXaiQcClient({ baseUrl, token: async () => engineer, headers: { 'x-request-id': 'client-test-1' } });
    const form = new FormData();
    form.append('model', new Blob([readFileSync(join(REPO_MODELS_DIR, 'surface-classifier', 'model.onnx'))]), 'model.onnx');
    form.append('card', new Blob([readFileSync(join(REPO_MODELS_DIR, 'surface-classifier', 'model_card.yaml'))]), 'model_card.yaml');
    const { data: created, response } = await xqc.POST('/api/xai-qc/models', { body: form as never, bodySerializer: (b: unknown) => b as FormData });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-request-id')).toBe('client-test-1');
    expect(created).toMatchObject({ modelName: 'surface-classifier', version: '1.0.0', active: true });
    const viewer = createXaiQcClient({ baseUrl, token: await token('viewer') });
    const list = await data(viewer.GET('/api/xai-qc/models'));
    expect(list.items.map((m) => m.name)).toEqual(['surface-classifier']);
    const version = await data(viewer.GET('/api/xai-qc/models/{model}/versions/{version}', { params: { path: { model: 'surface-classifier', version: '1.0.0' } } }));
    expect(version.active).toBe(true);
  });

  it('maps a validation error with its field list, and a forbidden role', async () => {
    const viewer = createXaiQcClient({ baseUrl, token: await token('viewer') });
    const forbidden = await viewer.POST('/api/xai-qc/models/{model}/versions/{version}/activate', { params: { path: { model: 'surface-classifier', version: '1.0.0' } } }).catch((e: unknown) => e);
    expect(forbidden).toMatchObject({ status: 403, code: 'XQC_FORBIDDEN' });
    const bad = await viewer
      .GET('/api/xai-qc/models/{model}/versions/{version}/download', { params: { path: { model: 'surface-classifier', version: '1.0.0' }, query: { file: 'x' as never } } })
      .catch((e: unknown) => e);
    expect(bad).toMatchObject({ status: 400, code: 'XQC_VALIDATION' });
    expect((bad as XaiQcApiError).errors[0].field).toBe('querystring.file');
  });

  it('sends an API key when given one, and maps a non-problem failure', async () => {
    const seen: string[] = [];
    const xqc = createXaiQcClient({
      baseUrl,
      apiKey: 'xqc_abc_def',
      fetch: async (request) => {
        seen.push(request.headers.get('x-api-key') ?? '');
        return new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway', headers: { 'content-type': 'text/html' } });
      },
    });
    const err = await xqc.GET('/api/xai-qc/models').catch((e: unknown) => e);
    expect(seen).toEqual(['xqc_abc_def']);
    expect(err).toMatchObject({ status: 502, code: 'XQC_HTTP_502', detail: 'Bad Gateway' });
  });
});
