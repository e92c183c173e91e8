/**
 * Webhook routes under the API prefix (engineer): `POST /webhooks` (the secret is in this
 * answer only), `GET /webhooks`, `DELETE /webhooks/:id`, `GET /webhooks/:id/deliveries`
 * (the delivery log). The account comes from the principal; another account's webhook is 404.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal.ts';
import { unauthorized } from '../errors/api-error.ts';
import { AlertRepository } from '../repositories/alert.repository.ts';
import { WebhookRepository } from '../repositories/webhook.repository.ts';
import { problems } from '../schemas/common.schema.ts';
import { DeliveryQuerySchema, WebhookCreatedSchema, WebhookDeliveryListSchema, WebhookDeliverySchema, WebhookInputSchema, WebhookListSchema, WebhookSchema } from '../schemas/alert.schema.ts';
import { WebhookService } from '../services/webhook.service.ts';

const TAGS = ['alerts'];
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

function callerOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}

/** Registers the webhook routes (mount under the API prefix). */
export const webhookRoutes: FastifyPluginAsyncTypebox<{ denyPrivate?: boolean }> = async (app, options) => {
  app.addSchema(WebhookSchema);
  app.addSchema(WebhookCreatedSchema);
  app.addSchema(WebhookDeliverySchema);
  const service = new WebhookService(new WebhookRepository(app.db), new AlertRepository(app.db), undefined, { denyPrivate: options.denyPrivate === true });

  app.post(
    '/webhooks',
    {
      preHandler: app.requireRole('engineer'),
      schema: {
        tags: TAGS,
        summary: 'Register a webhook for alerts: JSON POSTs signed with x-xqc-signature (HMAC-SHA256); the secret is in this answer only. 400 XQC_WEBHOOK_URL for a URL that is not http(s); 400 XQC_WEBHOOK_PRIVATE for a private, loopback or link-local target when the server refuses them (XQC_WEBHOOK_DENY_PRIVATE=1)',
        body: WebhookInputSchema,
        response: { 201: Type.Ref('WebhookCreated'), ...problems(400, 401, 403) },
      },
    },
    async (request, reply) => reply.code(201).send(await service.create(callerOf(request), request.body)),
  );

  app.get(
    '/webhooks',
    { preHandler: app.requireRole('engineer'), schema: { tags: TAGS, summary: "The account's webhooks (never their secrets)", response: { 200: WebhookListSchema, ...problems(401, 403) } } },
    async (request) => service.list(callerOf(request)),
  );

  app.delete(
    '/webhooks/:id',
    { preHandler: app.requireRole('engineer'), schema: { tags: TAGS, summary: 'Delete a webhook and its delivery log', params: IdParams, response: { 204: Type.Null(), ...problems(400, 401, 403, 404) } } },
    async (request, reply) => {
      await service.delete(callerOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/webhooks/:id/deliveries',
    {
      preHandler: app.requireRole('engineer'),
      schema: { tags: TAGS, summary: "A webhook's delivery attempts, newest first: status code, error, duration, attempt", params: IdParams, querystring: DeliveryQuerySchema, response: { 200: WebhookDeliveryListSchema, ...problems(400, 401, 403, 404) } },
    },
    async (request) => service.deliveries(callerOf(request), request.params.id, request.query.limit),
  );
};
