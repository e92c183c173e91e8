/**
 * Threshold tuning under the API prefix: `GET /models/:model/versions/:version/thresholds`
 * (engineer) and `POST` the same path (engineer) to save a threshold as a new, inactive
 * version (services/threshold.service.ts).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { unauthorized } from '../errors/api-error.ts';
import { problems } from '../schemas/common.schema.ts';
import { VersionParams } from '../schemas/model.schema.ts';
import { ThresholdQuerySchema, ThresholdReportSchema, ThresholdSaveSchema } from '../schemas/threshold.schema.ts';
import { ThresholdService } from '../services/threshold.service.ts';

/** Registers the threshold routes (mount under the API prefix, after the registry). */
export const thresholdRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = new ThresholdService(app.db, app.modelRegistry);
  app.get(
    '/models/:model/versions/:version/thresholds',
    {
      preHandler: app.requireRole('engineer'),
      schema: {
        tags: ['models'],
        summary: 'Defect-score histograms of reviewed good and defective parts and precision, recall, F1, escape and false-reject rates at every threshold, F1- and cost-optimal marked',
        params: VersionParams,
        querystring: ThresholdQuerySchema,
        response: { 200: ThresholdReportSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      if (!request.principal) throw unauthorized();
      return service.report(request.principal, request.params.model, request.params.version, request.query);
    },
  );
  app.post(
    '/models/:model/versions/:version/thresholds',
    {
      preHandler: app.requireRole('engineer'),
      schema: {
        tags: ['models'],
        summary: 'Save a reject threshold as a new version of the model (not activated)',
        params: VersionParams,
        body: ThresholdSaveSchema,
        response: { 201: Type.Ref('ModelVersion'), ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      if (!request.principal) throw unauthorized();
      return reply.code(201).send(await service.save(request.principal, request.params.model, request.params.version, request.body.threshold, request.body.note));
    },
  );
};
