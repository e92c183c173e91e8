/**
 * Outgoing mail (nodemailer over SMTP): on only when both `SMTP_URL` (smtp:// or smtps://)
 * and `XQC_MAIL_FROM` are configured. Used for password-reset links and finished reports.
 * Without them {@link createMailer} returns undefined and callers say mail is off.
 */
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { Config } from '../config/load-config.ts';
import { ApiError } from '../errors/api-error.ts';

/** One message. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  attachments?: { filename: string; content: Uint8Array; contentType: string }[];
}

/** Sends mail from the configured sender. */
export class Mailer {
  constructor(
    private readonly transport: Pick<Transporter, 'sendMail' | 'close'>,
    /** The `From` address. */
    readonly from: string,
  ) {}

  /** Sends `message`; resolves to the SMTP message id. */
  async send(message: MailMessage): Promise<string> {
    const info = (await this.transport.sendMail({
      from: this.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      attachments: message.attachments?.map((a) => ({ filename: a.filename, content: Buffer.from(a.content), contentType: a.contentType })),
    })) as { messageId: string };
    return info.messageId;
  }

  /** Closes pooled connections. */
  close(): void {
    this.transport.close();
  }
}

/** A mailer for `config`, or undefined when mail is not configured. */
export function createMailer(config: Pick<Config, 'mail'>): Mailer | undefined {
  if (config.mail === undefined) return undefined;
  return new Mailer(nodemailer.createTransport(config.mail.smtpUrl), config.mail.from);
}

/** 503 XQC_MAIL_DISABLED: the server has no SMTP configured. */
export function mailDisabled(what: string): ApiError {
  return new ApiError(503, 'XQC_MAIL_DISABLED', `${what} needs mail, and this server has none configured (set SMTP_URL and XQC_MAIL_FROM)`);
}

/** A plausible e-mail address (one @, no spaces, a dot in the domain). */
export function isEmail(s: string | null | undefined): s is string {
  return typeof s === 'string' && s.length <= 320 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s);
}
