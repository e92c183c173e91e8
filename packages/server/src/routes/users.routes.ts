/**
 * Admin routes of the caller's account: users (list, create, read, change role or disable)
 * and the audit log. Another account's user is 404, never shown.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { unauthorized } from '../errors/api-error.ts';
import { auditContext } from '../plugins/auth.ts';
import { AuditPageSchema, CreatedUserSchema, CreateUserBodySchema, IdParamsSchema, ListQuerySchema, UpdateUserBodySchema, UserPageSchema, UserSchema } from '../schemas/auth.schema.ts';
import { problems } from '../schemas/common.schema.ts';
import type { Principal } from '../auth/principal.ts';
import type { FastifyRequest } from 'fastify';

const UserRef = { $ref: `${UserSchema.$id}#` };

function principal(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}

/** Registers `/users` and `/audit-log` (mount under the API prefix). */
export const userRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const users = app.authServices.users;
  const audit = app.authServices.audit;
  const adminOnly = app.requireRole('admin');

  app.get(
    '/users',
    { preHandler: adminOnly, schema: { tags: ['users'], summary: 'Users of your account, by username', querystring: ListQuerySchema, response: { 200: UserPageSchema, ...problems(400, 401, 403) } } },
    async (request) => users.list(principal(request), request.query.limit, request.query.cursor),
  );

  app.post(
    '/users',
    {
      preHandler: adminOnly,
      schema: {
        tags: ['users'],
        summary: 'Create a user in your account',
        description: 'Without a password one is generated and returned once.',
        body: CreateUserBodySchema,
        response: { 201: CreatedUserSchema, ...problems(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const created = await users.create(principal(request), request.body, auditContext(request));
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/users/:id',
    { preHandler: adminOnly, schema: { tags: ['users'], summary: 'One user of your account', params: IdParamsSchema, response: { 200: UserRef, ...problems(400, 401, 403, 404) } } },
    async (request) => users.get(principal(request), request.params.id),
  );

  app.patch(
    '/users/:id',
    {
      preHandler: adminOnly,
      schema: {
        tags: ['users'],
        summary: 'Change the role of a user or disable it',
        description: 'The last enabled admin can be neither demoted nor disabled (409 XQC_LAST_ADMIN).',
        params: IdParamsSchema,
        body: UpdateUserBodySchema,
        response: { 200: UserRef, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => users.update(principal(request), request.params.id, request.body, auditContext(request)),
  );

  app.get(
    '/audit-log',
    {
      preHandler: adminOnly,
      schema: {
        tags: ['users'],
        summary: 'Admin actions in your account, newest first',
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }), cursor: Type.Optional(Type.String({ maxLength: 512 })) }, { additionalProperties: false }),
        response: { 200: AuditPageSchema, ...problems(400, 401, 403) },
      },
    },
    async (request) => audit.list(principal(request), request.query.limit, request.query.cursor),
  );
};
