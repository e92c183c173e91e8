/**
 * Password reset of local accounts by mail (open routes, with the sign-in rate limit):
 * `POST /auth/password-reset` always answers 202 whether or not an account matches (no
 * user enumeration), or 503 XQC_MAIL_DISABLED when the server has no SMTP (a link could
 * never arrive); `POST /auth/password-reset/confirm` sets the password with the mailed
 * token and ends every session of the user (services/password-reset.service.ts).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Config } from '../config/load-config.ts';
import { auditContext } from '../plugins/auth.ts';
import { loginRateLimit } from '../plugins/security.ts';
import { PasswordResetRepository } from '../repositories/password-reset.repository.ts';
import { RefreshTokenRepository } from '../repositories/refresh-token.repository.ts';
import { UserRepository } from '../repositories/user.repository.ts';
import { problems } from '../schemas/common.schema.ts';
import { PasswordResetAcceptedSchema, PasswordResetConfirmSchema, PasswordResetRequestSchema } from '../schemas/password-reset.schema.ts';
import { PasswordResetService } from '../services/password-reset.service.ts';

/** Options of {@link passwordResetRoutes}. */
export interface PasswordResetRoutesOptions {
  config: Config;
}

/** Registers the password-reset routes (mount under the API prefix, after the auth and mail plugins). */
export const passwordResetRoutes: FastifyPluginAsyncTypebox<PasswordResetRoutesOptions> = async (app, { config }) => {
  const service = new PasswordResetService({
    repo: new PasswordResetRepository(app.db),
    users: new UserRepository(app.db),
    tokens: new RefreshTokenRepository(app.db),
    audit: app.authServices.audit,
    mailer: app.mail,
    publicUrl: config.publicUrl,
    log: app.log,
  });
  const limited = loginRateLimit(config);

  app.post(
    '/auth/password-reset',
    {
      config: limited,
      schema: {
        tags: ['auth'],
        summary: 'Mail a password-reset link to a local account',
        description: `Always 202, whether or not an account matches; the link (valid 30 minutes, single use) goes to the account's e-mail. 503 XQC_MAIL_DISABLED when the server has no SMTP configured.`,
        security: [],
        body: PasswordResetRequestSchema,
        response: { 202: PasswordResetAcceptedSchema, ...problems(400, 429, 503) },
      },
    },
    async (request, reply) => {
      const { sent } = await service.request(request.body.username ?? request.body.email ?? '');
      sent.then(
        (n) => request.log.info({ mails: n }, 'password-reset request handled'),
        (err: unknown) => request.log.warn({ err }, 'password-reset mails failed'),
      );
      return reply.code(202).send({ status: 'accepted' as const });
    },
  );

  app.post(
    '/auth/password-reset/confirm',
    {
      config: limited,
      schema: {
        tags: ['auth'],
        summary: 'Set a new password with the token of a reset link',
        description: 'Spends the token, sets the password and ends every session of the user. 400 XQC_RESET_TOKEN_INVALID for an unknown, expired or used token.',
        security: [],
        body: PasswordResetConfirmSchema,
        response: { 204: { type: 'null', description: 'password set' }, ...problems(400, 429) },
      },
    },
    async (request, reply) => {
      await service.confirm(request.body.token, request.body.newPassword, auditContext(request));
      return reply.code(204).send();
    },
  );
};
