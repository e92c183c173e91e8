/**
 * The anomaly answers under the API prefix: `GET /inspections/{id}/anomaly` (where, which,
 * why, what) and the files they link to (`map.png`, `map.npy`, `where.png`,
 * `waterfall.png`, `thumbnail.png`; the Grad-CAM++ files are the explanation's own). Viewers may read them; each route calls
 * one service method. Another account's inspection is a 404, an inspection of another task
 * a 409 `XQC_NOT_ANOMALY`.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/load-config.ts';
import type { Principal } from '../auth/principal.ts';
import { unauthorized } from '../errors/api-error.ts';
import { ExplainRunner } from '../inference/explain-runner.ts';
import { EmbeddingRepository } from '../repositories/embedding.repository.ts';
import { ExplanationRepository } from '../repositories/explanation.repository.ts';
import { InspectionRepository } from '../repositories/inspection.repository.ts';
import { AnomalyAnswersSchema, AnomalyQuerySchema, ThumbnailQuerySchema } from '../schemas/anomaly.schema.ts';
import { problems } from '../schemas/common.schema.ts';
import { AnomalyCompute } from '../services/anomaly-compute.ts';
import { AnomalyIndexer } from '../services/anomaly-index.ts';
import { AnomalyModels } from '../services/anomaly-models.ts';
import { AnomalyService } from '../services/anomaly.service.ts';
import type { ReviewSummary } from '../services/anomaly.service.ts';
import { explanationBlobs, ExplanationService } from '../services/explanation.service.ts';

/** Options of {@link anomalyRoutes}. */
export interface AnomalyRoutesOptions {
  config: Config;
}

function callerOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const binary = (description: string) => Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description });

function send(reply: FastifyReply, mediaType: string, bytes: Uint8Array): FastifyReply {
  return reply.header('content-type', mediaType).header('cache-control', 'private, no-cache').send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

/** Registers the anomaly answer routes (mount under the API prefix). */
export const anomalyRoutes: FastifyPluginAsyncTypebox<AnomalyRoutesOptions> = async (app, { config }) => {
  const compute = new AnomalyCompute();
  app.addHook('onClose', async () => compute.close());
  const readBlob = async (sha256: string): Promise<Uint8Array> => (await app.blobs.get(sha256)).bytes;
  const repo = new EmbeddingRepository(app.db);
  const models = new AnomalyModels(config.dataDir, readBlob);
  // The explanation service of this plugin: the same tables and rules as POST /explain, its own worker thread.
  const runner = new ExplainRunner();
  app.addHook('onClose', async () => runner.close());
  const explanations = new ExplanationService({
    repo: new ExplanationRepository(app.db),
    inspections: new InspectionRepository(app.db),
    blobs: explanationBlobs(app.blobs),
    runner,
    events: app.events,
    queue: app.jobQueue,
    groundTruthMask: (accountId, id) => app.reviews.groundTruthMaskPng(accountId, id),
    onBackgroundError: (err) => app.log.error({ err }, 'inline Grad-CAM++ of an anomaly answer failed after its request was answered'),
  });
  const service = new AnomalyService({
    inspections: new InspectionRepository(app.db),
    repo,
    indexer: new AnomalyIndexer({ repo, compute, models, readBlob }),
    compute,
    models,
    blobs: { get: readBlob },
    explanations,
    enqueueIndex: async (accountId, versionId) => {
      await app.jobQueue.enqueue('embedding.index', { versionId }, { accountId, dedupeKey: versionId, priority: -1 });
    },
    // Reviews (plugins/reviews.ts) when the app has them; the current review is the newest.
    reviews: {
      current: async (principal, ids) => {
        const out = new Map<string, ReviewSummary>();
        if (!app.hasDecorator('reviews')) return out;
        for (const id of ids) {
          const [r] = (await app.reviews.history(principal, id)).items;
          if (r) out.set(id, { verdict: r.verdict, label: r.label, decision: r.decision, createdAt: r.createdAt });
        }
        return out;
      },
    },
  });
  app.addSchema(AnomalyAnswersSchema);

  app.get(
    '/inspections/:id/anomaly',
    {
      preHandler: app.requireRole('viewer'),
      schema: {
        tags: ['inspections'],
        summary: 'The four answers of an anomaly inspection: where (map), which (Grad-CAM++), why (feature waterfall), what (similar past inspections)',
        params: IdParams,
        querystring: AnomalyQuerySchema,
        response: { 200: Type.Ref('AnomalyAnswers'), ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => service.answers(callerOf(request), request.params.id, request.query),
  );

  const file = (path: string, summary: string, mediaType: string, load: (p: Principal, id: string) => Promise<Uint8Array>): void => {
    app.get(
      `/inspections/:id/anomaly/${path}`,
      {
        preHandler: app.requireRole('viewer'),
        schema: { tags: ['inspections'], summary, params: IdParams, produces: [mediaType], response: { 200: binary(summary), ...problems(400, 401, 403, 404, 409, 422) } },
      },
      async (request, reply) => send(reply, mediaType, await load(callerOf(request), request.params.id)),
    );
  };
  file('map.png', 'The stored normalised anomaly map, 8-bit gray PNG (128 = the pixel threshold)', 'image/png', (p, id) => service.mapPng(p, id));
  file('map.npy', 'The anomaly map as float32 .npy [height, width], values 0..1', 'application/octet-stream', (p, id) => service.whereFile(p, id, 'npy'));
  file('where.png', 'The anomaly map coloured over the image, PNG', 'image/png', (p, id) => service.whereFile(p, id, 'png'));
  file('waterfall.png', 'The SHAP waterfall of the score surrogate, PNG (409 XQC_TOO_FEW_INSPECTIONS while it cannot be fitted)', 'image/png', (p, id) => service.waterfallPng(p, id));

  app.get(
    '/inspections/:id/anomaly/thumbnail.png',
    {
      preHandler: app.requireRole('viewer'),
      schema: {
        tags: ['inspections'],
        summary: 'A small PNG of an anomaly inspection image (the what answer links one per similar inspection)',
        params: IdParams,
        querystring: ThumbnailQuerySchema,
        produces: ['image/png'],
        response: { 200: binary('the image, at most size pixels on its longer side, PNG'), ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => send(reply, 'image/png', await service.thumbnail(callerOf(request), request.params.id, request.query.size ?? 128)),
  );
};
