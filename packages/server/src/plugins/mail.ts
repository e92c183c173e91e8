/**
 * Outgoing mail (`app.mail`): a nodemailer transport when `SMTP_URL` and `XQC_MAIL_FROM`
 * are configured, undefined otherwise (services/mail.service.ts). Password-reset links and
 * report notifications go through it.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config/load-config.ts';
import { createMailer } from '../services/mail.service.ts';
import type { Mailer } from '../services/mail.service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The mailer, or undefined when mail is off. */
    mail: Mailer | undefined;
  }
}

/** Options of the mail plugin. */
export interface MailPluginOptions {
  config: Config;
}

async function mailPlugin(app: FastifyInstance, { config }: MailPluginOptions): Promise<void> {
  const mailer = createMailer(config);
  app.decorate('mail', mailer);
  if (mailer) {
    app.log.info({ from: mailer.from }, 'mail on');
    app.addHook('onClose', async () => mailer.close());
  } else app.log.info('mail off: set SMTP_URL and XQC_MAIL_FROM to send password-reset links and report notifications');
}

/** Decorates `app.mail`. */
export default fp(mailPlugin, { name: 'xqc-mail', fastify: '5.x' });
