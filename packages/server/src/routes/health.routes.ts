/**
 * Liveness and readiness, the only API routes open without a token: `GET /health` answers
 * while the process runs; `GET /ready` runs every readiness check and answers 503 when one fails.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { HealthSchema, ReadySchema } from '../schemas/health.schema.ts';
import { SERVER_VERSION } from '../version.ts';

/** Registers `/health` and `/ready` (mount under the API prefix). */
export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/health',
    { schema: { tags: ['health'], summary: 'Liveness: the process is up', security: [], response: { 200: HealthSchema } } },
    async () => ({ status: 'ok' as const, version: SERVER_VERSION, uptimeSeconds: process.uptime() }),
  );
  app.get(
    '/ready',
    { schema: { tags: ['health'], summary: 'Readiness: database, blob store, models', security: [], response: { 200: ReadySchema, 503: ReadySchema } } },
    async (_request, reply) => {
      const checks = await app.readinessChecks.run();
      const ok = checks.every((c) => c.ok);
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not-ready', checks });
    },
  );
};
