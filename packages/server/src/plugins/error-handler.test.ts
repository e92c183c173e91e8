import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XqcError } from '@xai-qc/core';
import { ApiError } from '../errors/api-error.ts';
import { CORE_CODE_STATUS } from '../errors/status-table.ts';
import { problems } from '../schemas/common.schema.ts';
import errorHandler from './error-handler.ts';

describe('error handler', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    const a = Fastify({ logger: false }).withTypeProvider<TypeBoxTypeProvider>();
    await a.register(errorHandler);
    a.post(
      '/items',
      {
        schema: {
          body: Type.Object({ name: Type.String({ minLength: 1 }), kind: Type.Union([Type.Literal('a'), Type.Literal('b')]) }),
          querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1 })) }),
          response: { 200: Type.Object({ ok: Type.Boolean() }), ...problems(400) },
        },
      },
      async () => ({ ok: true }),
    );
    a.get('/api-error', async () => {
      throw new ApiError(409, 'XQC_MODEL_ACTIVE', 'the active version cannot be deleted');
    });
    a.get('/core-error', async () => {
      throw new XqcError('XQC_MODEL_INVALID', 'ONNX protobuf could not be decoded');
    });
    a.get('/core-internal', async () => {
      throw new XqcError('XQC_IO', 'cannot read /secret/path/on/server');
    });
    a.get('/crash', async () => {
      throw new Error('database password is hunter2');
    });
    a.get('/unavailable', async () => {
      throw new ApiError(503, 'XQC_UNAVAILABLE', 'no model is loaded yet');
    });
    await a.ready();
    app = a as unknown as FastifyInstance;
  });
  afterAll(async () => app.close());

  it('names the missing body field', async () => {
    const res = await app.inject({ method: 'POST', url: '/items', payload: { kind: 'a' } });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const body = res.json();
    expect(body).toMatchObject({ status: 400, code: 'XQC_VALIDATION', title: 'Bad Request', instance: '/items' });
    expect(body.errors).toEqual([{ field: 'body.name', message: expect.stringContaining('name') }]);
    expect(body.detail).toContain('body.name');
  });

  it('names a bad querystring field', async () => {
    const res = await app.inject({ method: 'POST', url: '/items?limit=0', payload: { name: 'x', kind: 'a' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe('querystring.limit');
  });

  it('maps an ApiError to its status and code with its message', async () => {
    const res = await app.inject({ method: 'GET', url: '/api-error' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'XQC_MODEL_ACTIVE', detail: 'the active version cannot be deleted', type: 'https://xai-qc.dev/problems/XQC_MODEL_ACTIVE' });
  });

  it('maps a core error through the status table', async () => {
    const res = await app.inject({ method: 'GET', url: '/core-error' });
    expect(res.statusCode).toBe(CORE_CODE_STATUS.XQC_MODEL_INVALID);
    expect(res.json()).toMatchObject({ code: 'XQC_MODEL_INVALID', detail: 'ONNX protobuf could not be decoded' });
  });

  it('never leaks the message of a 5xx', async () => {
    for (const url of ['/crash', '/core-internal']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(500);
      expect(res.body).not.toMatch(/hunter2|secret/);
      expect(res.json().requestId).toEqual(expect.any(String));
    }
    const crash = await app.inject({ method: 'GET', url: '/crash' });
    expect(crash.json().code).toBe('XQC_INTERNAL');
  });

  it('keeps the reason of a deliberate 503', async () => {
    const res = await app.inject({ method: 'GET', url: '/unavailable' });
    expect(res.statusCode).toBe(503);
    expect(res.json().detail).toBe('no model is loaded yet');
  });

  it('gives malformed JSON a stable code', async () => {
    const res = await app.inject({ method: 'POST', url: '/items', headers: { 'content-type': 'application/json' }, payload: '{"name":' });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('XQC_BAD_REQUEST');
  });

  it('gives an unsupported content type 415', async () => {
    const res = await app.inject({ method: 'POST', url: '/items', headers: { 'content-type': 'text/csv' }, payload: 'a,b' });
    expect(res.statusCode).toBe(415);
    expect(res.json().code).toBe('XQC_UNSUPPORTED_MEDIA_TYPE');
  });
});
