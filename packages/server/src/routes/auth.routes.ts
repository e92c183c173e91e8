/**
 * Sign-in routes of local accounts under `/auth`: login, refresh, logout (open: their
 * credential is in the body, and they have their own tight rate limit), password change and
 * `me` (authenticated).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Config } from '../config/load-config.ts';
import { unauthorized } from '../errors/api-error.ts';
import { auditContext } from '../plugins/auth.ts';
import { loginRateLimit } from '../plugins/security.ts';
import { LoginBodySchema, MeSchema, PasswordChangeBodySchema, RefreshBodySchema, TokenPairSchema } from '../schemas/auth.schema.ts';
import { problems } from '../schemas/common.schema.ts';

/** Options of {@link authRoutes}. */
export interface AuthRoutesOptions {
  config: Config;
}

const TokenPairRef = { $ref: `${TokenPairSchema.$id}#` };

/** Registers `/auth/*` (mount under the API prefix). */
export const authRoutes: FastifyPluginAsyncTypebox<AuthRoutesOptions> = async (app, { config }) => {
  const sessions = app.authServices.sessions;
  const limited = loginRateLimit(config);

  app.post(
    '/auth/login',
    {
      config: limited,
      schema: {
        tags: ['auth'],
        summary: 'Sign in with a local username and password',
        description: 'Returns a short-lived access token (send as `Authorization: Bearer`) and a single-use refresh token.',
        security: [],
        body: LoginBodySchema,
        response: { 200: TokenPairRef, ...problems(400, 401, 429) },
      },
    },
    async (request) => sessions.login(request.body.username, request.body.password),
  );

  app.post(
    '/auth/refresh',
    {
      config: limited,
      schema: {
        tags: ['auth'],
        summary: 'Exchange a refresh token for a new pair',
        description: 'The presented refresh token is spent. Presenting a spent token again revokes the whole session (401 XQC_REFRESH_REUSED).',
        security: [],
        body: RefreshBodySchema,
        response: { 200: TokenPairRef, ...problems(400, 401, 429) },
      },
    },
    async (request) => sessions.refresh(request.body.refreshToken),
  );

  app.post(
    '/auth/logout',
    {
      config: limited,
      schema: {
        tags: ['auth'],
        summary: 'End the session a refresh token belongs to',
        description: 'Revokes the refresh token and its family; access tokens of the session stop working at once.',
        security: [],
        body: RefreshBodySchema,
        response: { 204: { type: 'null', description: 'signed out' }, ...problems(400, 429) },
      },
    },
    async (request, reply) => {
      await sessions.logout(request.body.refreshToken);
      return reply.code(204).send();
    },
  );

  app.post(
    '/auth/password',
    {
      schema: {
        tags: ['auth'],
        summary: 'Change your password (local accounts)',
        description: 'Ends all your sessions; sign in again with the new password.',
        body: PasswordChangeBodySchema,
        response: { 204: { type: 'null', description: 'changed' }, ...problems(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const principal = request.principal;
      if (!principal) throw unauthorized();
      await sessions.changePassword(principal, request.body.currentPassword, request.body.newPassword, auditContext(request));
      return reply.code(204).send();
    },
  );

  app.get(
    '/auth/me',
    { schema: { tags: ['auth'], summary: 'Who the credentials name: kind, subject, account, role', response: { 200: { $ref: `${MeSchema.$id}#` }, ...problems(401) } } },
    async (request) => {
      const p = request.principal;
      if (!p) throw unauthorized();
      return { kind: p.kind, subject: p.subject, accountId: p.accountId, role: p.role, ...(p.name === undefined ? {} : { name: p.name }), ...(p.scopes === undefined ? {} : { scopes: [...p.scopes] }) };
    },
  );
};
