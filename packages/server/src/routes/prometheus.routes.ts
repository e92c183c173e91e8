/**
 * `GET /metrics`: the Prometheus text exposition of `app.metricsRegistry`. Outside the API
 * prefix, as Prometheus expects, but not open: the figures span every account, so the
 * scraper needs an admin credential (an API key with the admin role and read scope).
 */
import type { FastifyPluginAsync } from 'fastify';

/** Registers `/metrics` (mounted at the root, beside the API prefix). */
export const prometheusRoutes: FastifyPluginAsync = async (app) => {
  app.get('/metrics', { onRequest: app.authenticate, preHandler: app.requireRole('admin'), schema: { hide: true } }, async (_request, reply) => {
    const body = await app.metricsRegistry.metrics();
    return reply.header('content-type', app.metricsRegistry.contentType).send(body);
  });
};
