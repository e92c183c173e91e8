/**
 * Run routes under the API prefix: `POST /runs` (engineer: train or evaluate as a job),
 * `GET /runs`, `GET /runs/:id` (viewer, with per-epoch figures and artifacts) and
 * `GET /runs/:id/artifacts/:name` (viewer). Cancellation is the job's:
 * `POST /jobs/{jobId}/cancel`. Another account's run is a 404.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal.ts';
import type { Config } from '../config/load-config.ts';
import { unauthorized } from '../errors/api-error.ts';
import { DatasetRepository } from '../repositories/dataset.repository.ts';
import { RunRepository } from '../repositories/run.repository.ts';
import { problems } from '../schemas/common.schema.ts';
import { CreateRunSchema, RunArtifactParams, RunDetailSchema, RunIdParams, RunListQuerySchema, RunPageSchema, RunSchema } from '../schemas/run.schema.ts';
import { DatasetService } from '../services/dataset.service.ts';
import { RunService } from '../services/run.service.ts';

/** Options of {@link runRoutes}. */
export interface RunRoutesOptions {
  config: Config;
}

const TAGS = ['runs'];

function callerOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}

const CREATE_DESCRIPTION =
  'Starts a run as a background job and answers 202 with the run: poll GET /runs/{id} (status, progress, per-epoch figures) or ' +
  'listen on the WebSocket for run.epoch, job.progress and job.finished of its jobId. train: task classify or segment trains the ' +
  "core's compact ResNet or U-Net from scratch (params.width, depth, size), anomaly fits the detector of params.method: patchcore " +
  '(default) on a backbone (modelVersionId of a classify model, default the demo surface-classifier), simulated (a U-Net trained ' +
  'from scratch on the good images with simulated defects, within params.timeBudgetSeconds) or auto (both, keeping the better on ' +
  'a validation split; metrics.choice says why); the result is a new version of modelName, ' +
  'not active until someone activates it, with its card, training curves and metrics as artifacts. evaluate: modelVersionId ' +
  "on every image of the dataset. Unknown fields are refused (400). Cancel with POST /jobs/{jobId}/cancel: training stops at " +
  'its next step.';

/** Registers the run routes (mount under the API prefix, after the jobs plugin). */
export const runRoutes: FastifyPluginAsyncTypebox<RunRoutesOptions> = async (app, { config }) => {
  app.blobs.addReference({ table: 'run_artifacts', column: 'blob_sha256' });
  const getBlob = async (sha256: string): Promise<Buffer> => (await app.blobs.get(sha256)).bytes;
  const datasets = new DatasetService({
    repo: new DatasetRepository(app.db),
    blobs: {
      storeWith: (items, within) => app.blobs.putWith(items, (infos, trx) => within(infos.map((i) => i.sha256), trx)),
      get: getBlob,
      release: async (keys) => {
        await app.blobs.release(keys);
      },
    },
  });
  const service = new RunService({ repo: new RunRepository(app.db), datasets, registry: app.modelRegistry, queue: app.jobQueue, modelsDir: config.modelsDir, getBlob });
  app.addSchema(RunSchema);

  app.post(
    '/runs',
    {
      preHandler: app.requireRole('engineer'),
      schema: { tags: TAGS, summary: 'Train or evaluate a model on a dataset, as a job', description: CREATE_DESCRIPTION, body: CreateRunSchema, response: { 202: RunDetailSchema, ...problems(400, 401, 403, 404, 409, 422) } },
    },
    async (request, reply) => reply.code(202).send(await service.create(callerOf(request), request.body)),
  );

  app.get(
    '/runs',
    {
      preHandler: app.requireRole('viewer'),
      schema: { tags: TAGS, summary: "List the account's runs, newest first, by dataset and kind, with cursor pagination", querystring: RunListQuerySchema, response: { 200: RunPageSchema, ...problems(400, 401, 403) } },
    },
    async (request) => service.list(callerOf(request), request.query),
  );

  app.get(
    '/runs/:id',
    {
      preHandler: app.requireRole('viewer'),
      schema: { tags: TAGS, summary: "One run: the job's status and progress, per-epoch figures, metrics, artifacts and the registered version", params: RunIdParams, response: { 200: RunDetailSchema, ...problems(400, 401, 403, 404) } },
    },
    async (request) => service.get(callerOf(request), request.params.id),
  );

  app.get(
    '/runs/:id/artifacts/:name',
    {
      preHandler: app.requireRole('viewer'),
      schema: {
        tags: TAGS,
        summary: 'One artifact of a run (training-curves.svg, metrics.json, run.json, dataset_card.yaml)',
        params: RunArtifactParams,
        response: { 200: { description: 'the artifact bytes', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } }, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const a = await service.artifact(callerOf(request), request.params.id, request.params.name);
      return reply.type(a.mediaType).send(a.bytes);
    },
  );
};
