/**
 * Job routes under the API prefix: `GET /jobs` (viewer), `GET /jobs/:id` (viewer) and
 * `POST /jobs/:id/cancel` (operator). Each has its schemas and one service call; the
 * account comes from the principal, so another account's job is a 404.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal.ts';
import { unauthorized } from '../errors/api-error.ts';
import { problems } from '../schemas/common.schema.ts';
import { JobIdParams, JobListQuerySchema, JobPageSchema, JobRef } from '../schemas/job.schema.ts';

const TAGS = ['jobs'];

function callerOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}

/** Registers the job routes (mount under the API prefix, after the jobs plugin). */
export const jobRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = app.jobs;

  app.get(
    '/jobs',
    {
      preHandler: app.requireRole('viewer'),
      schema: { tags: TAGS, summary: "List the account's background jobs, newest first, by status and name, with cursor pagination", querystring: JobListQuerySchema, response: { 200: JobPageSchema, ...problems(400, 401, 403) } },
    },
    async (request) => service.list(callerOf(request), request.query),
  );

  app.get(
    '/jobs/:id',
    { preHandler: app.requireRole('viewer'), schema: { tags: TAGS, summary: 'One job: status, progress, attempts, last error, result', params: JobIdParams, response: { 200: JobRef, ...problems(400, 401, 403, 404) } } },
    async (request) => service.get(callerOf(request), request.params.id),
  );

  app.post(
    '/jobs/:id/cancel',
    {
      preHandler: app.requireRole('operator'),
      schema: {
        tags: TAGS,
        summary: 'Cancel a job: a queued job never starts; a running job is signalled to stop and ends cancelled',
        params: JobIdParams,
        response: { 200: JobRef, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => service.cancel(callerOf(request), request.params.id),
  );
};
