/**
 * API keys of the caller's account: engineers and admins create keys (role no higher than
 * their own); an admin lists and revokes every key of the account, an engineer only the
 * keys it created.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal.ts';
import { unauthorized } from '../errors/api-error.ts';
import { auditContext } from '../plugins/auth.ts';
import { ApiKeyListQuerySchema, ApiKeyListSchema, ApiKeySchema, CreateApiKeyBodySchema, CreatedApiKeySchema, IdParamsSchema } from '../schemas/auth.schema.ts';
import { problems } from '../schemas/common.schema.ts';

function principal(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}

/** Registers `/api-keys` (mount under the API prefix). */
export const apiKeyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const keys = app.authServices.apiKeys;
  const engineer = app.requireRole('engineer');

  app.post(
    '/api-keys',
    {
      preHandler: engineer,
      schema: {
        tags: ['api-keys'],
        summary: 'Create an API key for a machine',
        description: 'The key is in this response only. Role defaults to operator (capped at yours), scopes to read and write.',
        body: CreateApiKeyBodySchema,
        response: { 201: CreatedApiKeySchema, ...problems(400, 401, 403) },
      },
    },
    async (request, reply) => reply.code(201).send(await keys.create(principal(request), request.body, auditContext(request))),
  );

  app.get(
    '/api-keys',
    {
      preHandler: engineer,
      schema: { tags: ['api-keys'], summary: 'API keys you may manage, newest first', querystring: ApiKeyListQuerySchema, response: { 200: ApiKeyListSchema, ...problems(400, 401, 403) } },
    },
    async (request) => ({ items: await keys.list(principal(request), request.query.limit) }),
  );

  app.delete(
    '/api-keys/:id',
    {
      preHandler: engineer,
      schema: {
        tags: ['api-keys'],
        summary: 'Revoke an API key',
        description: 'Requests with the key are refused from now on; revoking twice is harmless.',
        params: IdParamsSchema,
        response: { 200: { $ref: `${ApiKeySchema.$id}#` }, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => keys.revoke(principal(request), request.params.id, auditContext(request)),
  );
};
