/**
 * Prometheus metrics: one prom-client registry per app (`app.metricsRegistry`, so tests and
 * several apps in one process never share counters), the process default metrics, and
 * `http_request_duration_seconds` by method, route pattern and status. Other plugins add
 * their metrics to the same registry. `GET /metrics` serves the text exposition; the auth
 * plugin protects it like every other non-open route.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';

declare module 'fastify' {
  interface FastifyInstance {
    /** The app's Prometheus registry; register new metrics with `registers: [app.metricsRegistry]`. */
    metricsRegistry: Registry;
  }
}

/** Upper bounds (seconds) of the request duration buckets: 1 ms to 10 s. */
export const HTTP_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

async function metricsPlugin(app: FastifyInstance): Promise<void> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration in seconds, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: HTTP_DURATION_BUCKETS,
    registers: [registry],
  });
  app.decorate('metricsRegistry', registry);
  app.addHook('onResponse', async (request, reply) => {
    // Unmatched URLs share one label so that scanners cannot blow up the label set.
    const route = request.routeOptions.url ?? 'unmatched';
    duration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
}

/** Decorates `app.metricsRegistry` and times every request. */
export default fp(metricsPlugin, { name: 'xqc-metrics', fastify: '5.x' });
