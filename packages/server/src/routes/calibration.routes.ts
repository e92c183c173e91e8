/**
 * `GET /calibration` (viewer): calibration status of a classifier version on the account's
 * reviews; `POST /calibration` (engineer): refit on the reviews as a `calibration.fit` job
 * whose result is a new, inactive version (services/calibration.service.ts).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { unauthorized } from '../errors/api-error.ts';
import { problems } from '../schemas/common.schema.ts';
import { CalibrationFitSchema, CalibrationQuerySchema, CalibrationStatusSchema } from '../schemas/calibration.schema.ts';
import { JobRef } from '../schemas/job.schema.ts';
import { CalibrationService } from '../services/calibration.service.ts';

/** Registers the calibration routes (mount under the API prefix). */
export const calibrationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = new CalibrationService(app.db, app.modelRegistry);
  app.get(
    '/calibration',
    {
      preHandler: app.requireRole('viewer'),
      schema: {
        tags: ['calibration'],
        summary: "Calibration of a classifier version on the account's reviews: ECE (equal-width and equal-mass), MCE, Brier, NLL, reliability bins before and after the card's temperature, and a status",
        querystring: CalibrationQuerySchema,
        response: { 200: CalibrationStatusSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      if (!request.principal) throw unauthorized();
      return service.status(request.principal, request.query);
    },
  );
  app.post(
    '/calibration',
    {
      preHandler: app.requireRole('engineer'),
      schema: {
        tags: ['calibration'],
        summary: 'Refit the temperature (and conformal threshold) on the reviews as a job; the result is a new version, not activated',
        body: CalibrationFitSchema,
        response: { 202: JobRef, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const principal = request.principal;
      if (!principal) throw unauthorized();
      const b = request.body;
      const { version } = await service.checkFit(b.model, b.version, b.from, b.to);
      const job = await app.jobQueue.enqueue(
        'calibration.fit',
        { model: b.model, version, ...(b.from ? { from: b.from } : {}), ...(b.to ? { to: b.to } : {}), ...(b.alpha !== undefined ? { alpha: b.alpha } : {}), createdBy: principal.subject },
        { accountId: principal.accountId, maxAttempts: 1, dedupeKey: `calibration:${b.model}@${version}` },
      );
      return reply.code(202).header('location', `/api/xai-qc/jobs/${job.id}`).send(job);
    },
  );
};
