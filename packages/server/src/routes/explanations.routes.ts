/**
 * Explanation routes under the API prefix: `POST /explain` (operator) answers with the
 * stored results (200) or an `explain` job (202, Location of the job);
 * `GET /inspections/:id/explanations`, `GET /explanations/:id` and the blobs of a result
 * or an aggregate (`heatmap.npy`, `heatmap.png`, `overlay.png`) for viewers. Another
 * account's inspection or explanation is a 404.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { API_PREFIX } from '../api-prefix.ts';
import type { Principal } from '../auth/principal.ts';
import { unauthorized } from '../errors/api-error.ts';
import { ExplainRunner } from '../inference/explain-runner.ts';
import { ExplanationRepository } from '../repositories/explanation.repository.ts';
import { InspectionRepository } from '../repositories/inspection.repository.ts';
import { problems } from '../schemas/common.schema.ts';
import { ExplainAcceptedSchema, ExplainBodySchema, ExplainResultSchema, ExplanationAggregateSchema, ExplanationListSchema, ExplanationSchema } from '../schemas/explanation.schema.ts';
import { EXPLAIN_EVENTS, explanationBlobs, ExplanationService, INLINE_BUDGET_MS } from '../services/explanation.service.ts';
import type { ExplanationFile } from '../services/explanation-views.ts';

/** Options of {@link explanationRoutes}. */
export interface ExplanationRoutesOptions {
  /** Inline time budget of fast methods, ms (default {@link INLINE_BUDGET_MS}). */
  inlineBudgetMs?: number;
}

/** Blob columns of the explanation tables; the sweeper never removes a blob they name. */
export const EXPLANATION_BLOB_COLUMNS = [
  { table: 'explanations', column: 'heatmap_sha256' },
  { table: 'explanations', column: 'model_map_sha256' },
  { table: 'explanations', column: 'heatmap_png_sha256' },
  { table: 'explanations', column: 'overlay_sha256' },
  { table: 'explanation_aggregates', column: 'map_sha256' },
  { table: 'explanation_aggregates', column: 'map_png_sha256' },
  { table: 'explanation_aggregates', column: 'overlay_sha256' },
] as const;

const FILES: readonly ExplanationFile[] = ['heatmap.npy', 'heatmap.png', 'overlay.png'];
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const Binary = (description: string) => Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description });
const FILE_DESCRIPTIONS: Record<ExplanationFile, string> = {
  'heatmap.npy': 'the map as float32 .npy [height, width] at the image size',
  'heatmap.png': 'the map coloured with the stored colormap, PNG',
  'overlay.png': 'the coloured map over the image at the stored opacity, PNG',
};

function callerOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}

/** Registers the explanation routes (mount under the API prefix, after the jobs plugin). */
export const explanationRoutes: FastifyPluginAsyncTypebox<ExplanationRoutesOptions> = async (app, options) => {
  for (const ref of EXPLANATION_BLOB_COLUMNS) app.blobs.addReference(ref);
  const runner = new ExplainRunner();
  app.addHook('onClose', async () => runner.close());
  const service = new ExplanationService({
    repo: new ExplanationRepository(app.db),
    inspections: new InspectionRepository(app.db),
    blobs: explanationBlobs(app.blobs),
    runner,
    events: app.events,
    queue: app.jobQueue,
    groundTruthMask: (accountId, id) => app.reviews.groundTruthMaskPng(accountId, id),
    inlineBudgetMs: options.inlineBudgetMs,
    onBackgroundError: (err) => app.log.error({ err }, 'inline explanation failed after its request was answered'),
  });
  app.addSchema(ExplanationSchema);
  app.addSchema(ExplanationAggregateSchema);

  app.post(
    '/explain',
    {
      preHandler: app.requireRole('operator'),
      schema: {
        tags: ['explanations'],
        summary: 'Explain an inspection with core methods: stored results (200) or a job (202)',
        description:
          `Fast methods (gradcam, gradcampp, saliency, gradxinput) answer inline (200) when they finish within ${INLINE_BUDGET_MS} ms; ` +
          'the rest run as an `explain` job (202, Location of GET /jobs/{id}; listen to job.progress, job.finished, explanation.ready). ' +
          'Each method result is stored once per inspection, method, target, parameters and seed; asking again returns it. ' +
          'Refused before anything runs: unknown method (400 XQC_EXPLAIN_METHOD), unknown or ill-typed parameter (400 XQC_EXPLAIN_PARAM), ' +
          'target out of range (400 XQC_EXPLAIN_TARGET), another account\'s inspection (404).',
        body: ExplainBodySchema,
        response: { 200: ExplainResultSchema, 202: ExplainAcceptedSchema, ...problems(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const answer = await service.explain(callerOf(request), request.body);
      if (answer.kind === 'stored') return reply.code(200).send(answer.result);
      const location = `${API_PREFIX}/jobs/${answer.job.id}`;
      return reply.code(202).header('location', location).send({ job: answer.job, location, events: [...EXPLAIN_EVENTS], pending: answer.pending });
    },
  );

  app.get(
    '/inspections/:id/explanations',
    {
      preHandler: app.requireRole('viewer'),
      schema: { tags: ['explanations'], summary: 'Every stored explanation and aggregate of an inspection', params: IdParams, response: { 200: ExplanationListSchema, ...problems(400, 401, 403, 404) } },
    },
    async (request) => service.list(callerOf(request), request.params.id),
  );

  app.get(
    '/explanations/:id',
    { preHandler: app.requireRole('viewer'), schema: { tags: ['explanations'], summary: 'One stored explanation', params: IdParams, response: { 200: Type.Ref('Explanation'), ...problems(400, 401, 403, 404) } } },
    async (request) => service.get(callerOf(request), request.params.id),
  );

  for (const file of FILES) {
    const produces = [file.endsWith('.png') ? 'image/png' : 'application/octet-stream'];
    app.get(
      `/explanations/:id/${file}`,
      { preHandler: app.requireRole('viewer'), schema: { tags: ['explanations'], summary: `A stored explanation's ${file}`, params: IdParams, produces, response: { 200: Binary(FILE_DESCRIPTIONS[file]), ...problems(400, 401, 403, 404) } } },
      async (request, reply) => {
        const { bytes, mediaType } = await service.blob(callerOf(request), request.params.id, file);
        return reply.header('content-type', mediaType).header('cache-control', 'private, max-age=31536000, immutable').send(Buffer.from(bytes));
      },
    );
    app.get(
      `/explanations/aggregates/:id/${file}`,
      {
        preHandler: app.requireRole('viewer'),
        schema: { tags: ['explanations'], summary: `A stored aggregate's ${file}`, params: IdParams, produces, response: { 200: Binary(FILE_DESCRIPTIONS[file].replace('the map', 'the aggregate map in [0, 1]')), ...problems(400, 401, 403, 404) } },
      },
      async (request, reply) => {
        const { bytes, mediaType } = await service.aggregateBlob(callerOf(request), request.params.id, file);
        return reply.header('content-type', mediaType).header('cache-control', 'private, max-age=31536000, immutable').send(Buffer.from(bytes));
      },
    );
  }
};
