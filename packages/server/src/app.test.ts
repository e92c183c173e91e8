import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from './test/test-app.ts';
import type { TestApp } from './test/test-app.ts';
import { DIALECTS } from './test/test-database.ts';
import { bearer } from './test/test-tokens.ts';

describe.each(DIALECTS)('app on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => t?.close());

  it('answers /health with the version and a request id header', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/xai-qc/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', version: expect.any(String) });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reports ready with the database and blob store checks', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/xai-qc/ready' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.status).toBe('ready');
    expect(body.checks.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining(['database', 'blobStore']));
  });

  it('answers 503 naming the failed check when one fails', async () => {
    t.app.readinessChecks.add(`broken-${dialect}`, async () => {
      throw new Error('disk on fire');
    });
    const res = await t.app.inject({ method: 'GET', url: '/api/xai-qc/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json().checks).toContainEqual(expect.objectContaining({ name: `broken-${dialect}`, ok: false, error: 'disk on fire' }));
  });

  it('keeps a well-formed caller request id and replaces a malformed one', async () => {
    const ok = await t.app.inject({ method: 'GET', url: '/api/xai-qc/health', headers: { 'x-request-id': 'line-7.cam-2' } });
    expect(ok.headers['x-request-id']).toBe('line-7.cam-2');
    const bad = await t.app.inject({ method: 'GET', url: '/api/xai-qc/health', headers: { 'x-request-id': 'a\u0007b c' } });
    expect(bad.headers['x-request-id']).not.toBe('a\u0007b c');
  });

  it('serves the interactive docs and the OpenAPI document without credentials', async () => {
    const docs = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toContain('text/html');
    const doc = await t.app.inject({ method: 'GET', url: '/api/xai-qc/openapi.json' });
    expect(doc.statusCode).toBe(200);
    expect(doc.json()).toMatchObject({ openapi: '3.1.0', info: { title: 'XAI-QC API' } });
  });

  it('answers an unknown route with problem+json 404', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/xai-qc/nope?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 404, code: 'XQC_NOT_FOUND', instance: '/api/xai-qc/nope', requestId: res.headers['x-request-id'] });
  });

  it('serves Prometheus metrics with the request duration histogram by route, to admins only', async () => {
    await t.app.inject({ method: 'GET', url: '/api/xai-qc/health' });
    expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/metrics', headers: await bearer('engineer') })).statusCode).toBe(403);
    const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: await bearer('admin') });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/api\/xai-qc\/health",status_code="200"\} \d+/);
  });
});
