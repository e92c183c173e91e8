/**
 * `GET /metrics` (viewer): quality figures of the account's inspections over a range, from
 * the reviewed ones (services/metrics.service.ts).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { unauthorized } from '../errors/api-error.ts';
import { MetricsRepository } from '../repositories/metrics.repository.ts';
import { problems } from '../schemas/common.schema.ts';
import { MetricsBucketSchema, MetricsQuerySchema, MetricsReportSchema } from '../schemas/metrics.schema.ts';
import { MetricsService } from '../services/metrics.service.ts';

/** Registers the metrics route (mount under the API prefix). */
export const metricsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addSchema(MetricsBucketSchema);
  const service = new MetricsService(new MetricsRepository(app.db), { get: async (sha) => (await app.blobs.get(sha)).bytes });
  app.get(
    '/metrics',
    {
      preHandler: app.requireRole('viewer'),
      schema: {
        tags: ['metrics'],
        summary: 'Quality metrics over a date range from reviewed inspections: confusion counts, precision, recall, F1, escape and false-reject rates, AUROC, AP, IoU, pixel AUROC; volume, referral rate, review coverage, latency',
        querystring: MetricsQuerySchema,
        response: { 200: MetricsReportSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      if (!request.principal) throw unauthorized();
      return service.report(request.principal, request.query);
    },
  );
};
