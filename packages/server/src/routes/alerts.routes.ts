/**
 * Alert routes under the API prefix: `POST /alert-rules`, `GET /alert-rules`,
 * `PATCH /alert-rules/:id`, `DELETE /alert-rules/:id`, `POST /alert-rules/evaluate`
 * (engineer); `GET /alerts` (viewer); `POST /alerts/:id/acknowledge` and
 * `POST /alerts/:id/resolve` (operator). `POST /alert-rules/evaluate` queues an
 * `alerts.evaluate` job for the caller's account: a scheduler (cron, Kubernetes CronJob)
 * calls it every few minutes. With `XQC_ALERT_INTERVAL_MINUTES` > 0 the API process also
 * queues one per account with enabled rules on that interval (off by default).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal.ts';
import type { Config } from '../config/load-config.ts';
import { notFound, unauthorized } from '../errors/api-error.ts';
import { AlertRepository } from '../repositories/alert.repository.ts';
import { MetricsRepository } from '../repositories/metrics.repository.ts';
import { WebhookRepository } from '../repositories/webhook.repository.ts';
import { problems } from '../schemas/common.schema.ts';
import { AlertListSchema, AlertQuerySchema, AlertRuleInputSchema, AlertRuleListSchema, AlertRulePatchSchema, AlertRuleSchema, AlertSchema, EvaluateQueuedSchema } from '../schemas/alert.schema.ts';
import { AlertService, bindAlertQueue, metricsFigureSource } from '../services/alert.service.ts';

const RULE_TAGS = ['alerts'];
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

function callerOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}

/** Registers the alert routes (mount under the API prefix). */
export const alertRoutes: FastifyPluginAsyncTypebox<{ config: Config }> = async (app, { config }) => {
  app.addSchema(AlertRuleSchema);
  app.addSchema(AlertSchema);
  bindAlertQueue(app.db, app.jobQueue);
  const repo = new AlertRepository(app.db);
  const models = new MetricsRepository(app.db);
  const service = new AlertService({
    repo,
    webhooks: new WebhookRepository(app.db),
    figures: metricsFigureSource(app.db, app.blobs, app.modelRegistry),
    events: app.events,
    queue: app.jobQueue,
    checkModel: async (model, version) => {
      if (!(await models.modelExists(model))) throw notFound(`model ${model}`);
      if (version !== undefined && !(await models.versionExists(model, version))) throw notFound(`version ${version} of model ${model}`);
    },
  });

  if (config.alertIntervalMs > 0) {
    const tick = async (): Promise<void> => {
      for (const accountId of await repo.accountsWithEnabledRules()) await app.jobQueue.enqueue('alerts.evaluate', {}, { accountId, dedupeKey: 'alerts.evaluate' });
    };
    const timer = setInterval(() => {
      tick().catch((e: unknown) => app.log.error({ err: e }, 'queueing alert evaluations failed'));
    }, config.alertIntervalMs);
    timer.unref();
    app.addHook('onClose', async () => clearInterval(timer));
  }

  app.post(
    '/alert-rules',
    {
      preHandler: app.requireRole('engineer'),
      schema: {
        tags: RULE_TAGS,
        summary: 'Create an alert rule on escapeRate, falseRejectRate, referralRate, latencyP99, ece, driftLevel or errorRate over a trailing window, with a duration and a cooldown',
        body: AlertRuleInputSchema,
        response: { 201: Type.Ref('AlertRule'), ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => reply.code(201).send(await service.createRule(callerOf(request), request.body)),
  );

  app.get(
    '/alert-rules',
    { preHandler: app.requireRole('engineer'), schema: { tags: RULE_TAGS, summary: "The account's alert rules with their evaluation state", response: { 200: AlertRuleListSchema, ...problems(401, 403) } } },
    async (request) => service.listRules(callerOf(request)),
  );

  app.post(
    '/alert-rules/evaluate',
    {
      preHandler: app.requireRole('engineer'),
      schema: { tags: RULE_TAGS, summary: "Queue an evaluation of the account's enabled rules (an alerts.evaluate job); a scheduler calls this every few minutes", response: { 202: EvaluateQueuedSchema, ...problems(401, 403) } },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const job = await app.jobQueue.enqueue('alerts.evaluate', { requestedBy: caller.subject }, { accountId: caller.accountId, dedupeKey: 'alerts.evaluate' });
      return reply.code(202).send({ jobId: job.id });
    },
  );

  app.patch(
    '/alert-rules/:id',
    {
      preHandler: app.requireRole('engineer'),
      schema: { tags: RULE_TAGS, summary: 'Change an alert rule; changing what it watches resets its state', params: IdParams, body: AlertRulePatchSchema, response: { 200: Type.Ref('AlertRule'), ...problems(400, 401, 403, 404) } },
    },
    async (request) => service.updateRule(callerOf(request), request.params.id, request.body),
  );

  app.delete(
    '/alert-rules/:id',
    { preHandler: app.requireRole('engineer'), schema: { tags: RULE_TAGS, summary: 'Delete an alert rule (its alerts stay)', params: IdParams, response: { 204: Type.Null(), ...problems(400, 401, 403, 404) } } },
    async (request, reply) => {
      await service.deleteRule(callerOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/alerts',
    { preHandler: app.requireRole('viewer'), schema: { tags: RULE_TAGS, summary: "The account's alerts, newest first, by status", querystring: AlertQuerySchema, response: { 200: AlertListSchema, ...problems(400, 401, 403) } } },
    async (request) => service.listAlerts(callerOf(request), request.query),
  );

  app.post(
    '/alerts/:id/acknowledge',
    { preHandler: app.requireRole('operator'), schema: { tags: RULE_TAGS, summary: 'Acknowledge an open alert', params: IdParams, response: { 200: Type.Ref('Alert'), ...problems(400, 401, 403, 404, 409) } } },
    async (request) => service.acknowledge(callerOf(request), request.params.id),
  );

  app.post(
    '/alerts/:id/resolve',
    { preHandler: app.requireRole('operator'), schema: { tags: RULE_TAGS, summary: 'Resolve an alert', params: IdParams, response: { 200: Type.Ref('Alert'), ...problems(400, 401, 403, 404) } } },
    async (request) => service.resolve(callerOf(request), request.params.id),
  );
};
