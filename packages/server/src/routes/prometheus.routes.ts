/** `GET /metrics`: the Prometheus text exposition of `app.metricsRegistry`. */
import type { FastifyPluginAsync } from 'fastify';

/** Registers `/metrics` (mounted at the root, beside the API prefix). */
export const prometheusRoutes: FastifyPluginAsync = async (app) => {
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const body = await app.metricsRegistry.metrics();
    return reply.header('content-type', app.metricsRegistry.contentType).send(body);
  });
};
