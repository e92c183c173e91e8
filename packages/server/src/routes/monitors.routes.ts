/**
 * Monitor routes under the API prefix: `POST /monitors`, `PATCH /monitors/:id`,
 * `DELETE /monitors/:id`, `POST /monitors/:id/run` (engineer); `GET /monitors`,
 * `GET /monitors/:id`, `GET /monitors/:id/results` (viewer). `POST /monitors/:id/run`
 * checks that both windows have data (422 otherwise) and queues a `monitor.run` job. With
 * `XQC_MONITOR_INTERVAL_MINUTES` > 0 (default 1) the API process checks for due monitors on
 * that interval and queues their runs, as it does for alert evaluations.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal.ts';
import type { Config } from '../config/load-config.ts';
import { unauthorized } from '../errors/api-error.ts';
import { DatasetRepository } from '../repositories/dataset.repository.ts';
import { InspectionRepository } from '../repositories/inspection.repository.ts';
import { MonitorRepository } from '../repositories/monitor.repository.ts';
import { SignalRepository } from '../repositories/signal.repository.ts';
import { problems } from '../schemas/common.schema.ts';
import {
  MonitorCurrentSchema,
  MonitorInputSchema,
  MonitorListSchema,
  MonitorPatchSchema,
  MonitorReferenceSchema,
  MonitorResultPageSchema,
  MonitorResultQuerySchema,
  MonitorResultSchema,
  MonitorRunQueuedSchema,
  MonitorSchema,
} from '../schemas/monitor.schema.ts';
import { MonitorService } from '../services/monitor.service.ts';

const TAGS = ['monitors'];
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

function callerOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}

/** Registers the monitor routes (mount under the API prefix). */
export const monitorRoutes: FastifyPluginAsyncTypebox<{ config: Config }> = async (app, { config }) => {
  app.addSchema(MonitorReferenceSchema);
  app.addSchema(MonitorCurrentSchema);
  app.addSchema(MonitorSchema);
  app.addSchema(MonitorResultSchema);
  const service = new MonitorService({
    repo: new MonitorRepository(app.db),
    signals: new SignalRepository(app.db),
    datasets: new DatasetRepository(app.db),
    versions: new InspectionRepository(app.db),
    readBlob: async (sha256) => (await app.blobs.get(sha256)).bytes,
  });

  if (config.monitorIntervalMs > 0) {
    const timer = setInterval(() => {
      service.queueDue(app.jobQueue).catch((e: unknown) => app.log.error({ err: e }, 'queueing due monitor runs failed'));
    }, config.monitorIntervalMs);
    timer.unref();
    app.addHook('onClose', async () => clearInterval(timer));
  }

  app.post(
    '/monitors',
    {
      preHandler: app.requireRole('engineer'),
      schema: {
        tags: TAGS,
        summary: 'Create a monitor of a model version: a reference window, a current window, the signals to check and a schedule',
        body: MonitorInputSchema,
        response: { 201: Type.Ref('Monitor'), ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => reply.code(201).send(await service.create(callerOf(request), request.body)),
  );

  app.get(
    '/monitors',
    { preHandler: app.requireRole('viewer'), schema: { tags: TAGS, summary: "The account's monitors with their last run state", response: { 200: MonitorListSchema, ...problems(401, 403) } } },
    async (request) => service.list(callerOf(request)),
  );

  app.get(
    '/monitors/:id',
    { preHandler: app.requireRole('viewer'), schema: { tags: TAGS, summary: 'One monitor', params: IdParams, response: { 200: Type.Ref('Monitor'), ...problems(400, 401, 403, 404) } } },
    async (request) => service.get(callerOf(request), request.params.id),
  );

  app.patch(
    '/monitors/:id',
    {
      preHandler: app.requireRole('engineer'),
      schema: { tags: TAGS, summary: 'Change a monitor (not its model); the merged configuration is checked whole', params: IdParams, body: MonitorPatchSchema, response: { 200: Type.Ref('Monitor'), ...problems(400, 401, 403, 404) } },
    },
    async (request) => service.update(callerOf(request), request.params.id, request.body),
  );

  app.delete(
    '/monitors/:id',
    { preHandler: app.requireRole('engineer'), schema: { tags: TAGS, summary: 'Delete a monitor and its results', params: IdParams, response: { 204: Type.Null(), ...problems(400, 401, 403, 404) } } },
    async (request, reply) => {
      await service.delete(callerOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/monitors/:id/run',
    {
      preHandler: app.requireRole('engineer'),
      schema: {
        tags: TAGS,
        summary: 'Run a monitor now (a monitor.run job); 422 when its reference or current window has no data',
        params: IdParams,
        response: { 202: MonitorRunQueuedSchema, ...problems(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      await service.checkRunnable(caller, request.params.id);
      const job = await app.jobQueue.enqueue('monitor.run', { monitorId: request.params.id, requestedBy: caller.subject }, { accountId: caller.accountId, dedupeKey: `monitor.run:${request.params.id}` });
      return reply.code(202).send({ jobId: job.id });
    },
  );

  app.get(
    '/monitors/:id/results',
    {
      preHandler: app.requireRole('viewer'),
      schema: { tags: TAGS, summary: "A monitor's results, newest first, with from/to filters and cursor pages", params: IdParams, querystring: MonitorResultQuerySchema, response: { 200: MonitorResultPageSchema, ...problems(400, 401, 403, 404) } },
    },
    async (request) => service.results(callerOf(request), request.params.id, request.query),
  );
};
