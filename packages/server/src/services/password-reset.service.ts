/**
 * Password reset of local accounts by mail. `request` never tells whether an account
 * exists (the route always answers 202): for each enabled user whose username or e-mail
 * matches and who has an e-mail, it stores the SHA-256 of a fresh random token (valid
 * {@link RESET_TOKEN_TTL_MINUTES} minutes, single-use; a newer request voids older links)
 * and mails a link `<publicUrl>/reset-password?token=<token>`. The mail is sent after the
 * answer (so its time does not reveal whether a user matched); a failure is logged.
 * `confirm` spends the token, sets the password (policy checked) and revokes every
 * refresh token of the user.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { sha256Hex } from '../auth/opaque-token.ts';
import { checkPasswordPolicy, hashPassword } from '../auth/password.ts';
import type { Role } from '../auth/principal.ts';
import { ApiError } from '../errors/api-error.ts';
import type { PasswordResetRepository } from '../repositories/password-reset.repository.ts';
import type { RefreshTokenRepository } from '../repositories/refresh-token.repository.ts';
import type { UserRepository } from '../repositories/user.repository.ts';
import type { AuditService } from './audit.service.ts';
import type { Mailer } from './mail.service.ts';
import { isEmail, mailDisabled } from './mail.service.ts';

/** Minutes a reset link stays valid. */
export const RESET_TOKEN_TTL_MINUTES = 30;

/** Dependencies of {@link PasswordResetService}. */
export interface PasswordResetDeps {
  repo: PasswordResetRepository;
  users: UserRepository;
  tokens: RefreshTokenRepository;
  audit: AuditService;
  mailer: Mailer | undefined;
  /** Base URL of links in mails. */
  publicUrl: string;
  log: { warn(obj: unknown, msg: string): void; info(obj: unknown, msg: string): void };
  now?: () => Date;
}

const INVALID = 'reset token invalid, expired or already used; ask for a new link';

/** See the module comment. */
export class PasswordResetService {
  constructor(private readonly deps: PasswordResetDeps) {}

  private now(): Date {
    return (this.deps.now ?? (() => new Date()))();
  }

  /**
   * Issues reset links for the users `identifier` names (a username or an e-mail) and mails
   * them in the background; resolves to the number of mails queued (never shown to callers).
   * @throws 503 XQC_MAIL_DISABLED when the server has no SMTP.
   */
  async request(identifier: string): Promise<{ sent: Promise<number> }> {
    const mailer = this.deps.mailer;
    if (mailer === undefined) throw mailDisabled('password reset');
    const id = identifier.trim();
    const users = (await this.deps.repo.usersFor(id.toLowerCase(), id)).filter((u) => isEmail(u.email));
    const now = this.now();
    const links: { to: string; link: string; userId: string }[] = [];
    for (const u of users) {
      const token = randomBytes(32).toString('base64url');
      await this.deps.repo.issue({
        id: randomUUID(),
        account_id: u.account_id,
        user_id: u.id,
        token_hash: sha256Hex(token),
        created_at: now.toISOString(),
        expires_at: new Date(now.getTime() + RESET_TOKEN_TTL_MINUTES * 60_000).toISOString(),
        used_at: null,
      });
      links.push({ to: u.email as string, link: `${this.deps.publicUrl}/reset-password?token=${token}`, userId: u.id });
    }
    const sent = (async () => {
      let n = 0;
      for (const l of links) {
        try {
          await mailer.send({
            to: l.to,
            subject: 'XAI-QC password reset',
            text: `Someone asked to reset the password of your XAI-QC account. If it was you, open this link within ${RESET_TOKEN_TTL_MINUTES} minutes and choose a new password:\n\n${l.link}\n\nThe link works once. If you did not ask, ignore this mail: your password stays as it is.\n`,
          });
          n++;
        } catch (err) {
          this.deps.log.warn({ err, userId: l.userId }, 'password-reset mail failed');
        }
      }
      return n;
    })();
    return { sent };
  }

  /**
   * Sets a new password with a reset token and revokes the user's sessions.
   * @throws 400 XQC_RESET_TOKEN_INVALID for an unknown, expired or spent token or a disabled
   * user; 400 XQC_PASSWORD_POLICY for a weak password (the token stays usable then).
   */
  async confirm(token: string, newPassword: string, context: { ip?: string; requestId?: string } = {}): Promise<void> {
    const row = await this.deps.repo.findByHash(sha256Hex(token));
    const now = this.now().toISOString();
    if (!row || row.used_at !== null || row.expires_at <= now) throw new ApiError(400, 'XQC_RESET_TOKEN_INVALID', INVALID);
    const user = await this.deps.users.findById(row.account_id, row.user_id);
    if (!user || user.disabled_at !== null) throw new ApiError(400, 'XQC_RESET_TOKEN_INVALID', INVALID);
    checkPasswordPolicy(newPassword);
    if (!(await this.deps.repo.spend(row.id, now))) throw new ApiError(400, 'XQC_RESET_TOKEN_INVALID', INVALID);
    await this.deps.users.update(user.account_id, user.id, { password_hash: await hashPassword(newPassword), password_changed_at: now, updated_at: now });
    await this.deps.tokens.revokeAllForUser(user.account_id, user.id, now);
    await this.deps.audit.record({ kind: 'user', subject: user.id, accountId: user.account_id, role: user.role as Role, name: user.username }, 'user.password-reset', { type: 'user', id: user.id }, undefined, context);
  }
}
