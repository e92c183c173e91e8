/**
 * Local accounts: the first admin, and the admin operations on users (list, create,
 * change role, disable, reset password). Every operation stays inside the caller's
 * account; another account's user is "not found", never shown. Admin actions are audited.
 */
import { randomUUID } from 'node:crypto';
import { checkPasswordPolicy, generatePassword, hashPassword } from '../auth/password.ts';
import { ROLES } from '../auth/principal.ts';
import type { Principal, Role } from '../auth/principal.ts';
import { isUniqueViolation } from '../db/connect.ts';
import type { UserRow } from '../db/tables/auth.tables.ts';
import { ApiError, badRequest, conflict, notFound } from '../errors/api-error.ts';
import type { RefreshTokenRepository } from '../repositories/refresh-token.repository.ts';
import type { UserRepository } from '../repositories/user.repository.ts';
import type { AuditContext, AuditService } from './audit.service.ts';

/** A user as the API shows it (never the password hash). */
export interface UserView {
  readonly id: string;
  readonly username: string;
  readonly email: string | null;
  readonly role: Role;
  readonly disabled: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Username of the admin created on first start. */
export const INITIAL_ADMIN_USERNAME = 'admin';

const USERNAME_RE = /^[a-z0-9][a-z0-9._@-]{1,63}$/;

/** The first admin as created: the password is shown once and never stored in clear. */
export interface InitialAdmin {
  readonly username: string;
  readonly password: string;
  /** True when the password was generated (not taken from XQC_ADMIN_PASSWORD). */
  readonly generated: boolean;
  readonly accountId: string;
}

/** The row as the API shows it. */
export function toUserView(row: UserRow): UserView {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    role: row.role as Role,
    disabled: row.disabled_at !== null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * A login name, lower-cased.
 * @throws 400 XQC_USERNAME_INVALID naming the accepted form
 */
export function normaliseUsername(username: string): string {
  const u = username.trim().toLowerCase();
  if (!USERNAME_RE.test(u)) {
    throw badRequest('XQC_USERNAME_INVALID', 'a username has 2 to 64 characters: letters, digits and . _ @ -, starting with a letter or digit');
  }
  return u;
}

function checkRole(role: string): Role {
  if (!(ROLES as readonly string[]).includes(role)) throw badRequest('XQC_ROLE_INVALID', `role must be one of ${ROLES.join(', ')}, got '${role}'`);
  return role as Role;
}

/** User administration. */
export class UserService {
  constructor(
    private readonly users: UserRepository,
    private readonly tokens: RefreshTokenRepository,
    private readonly audit: AuditService,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Creates the admin of `accountId` when the account has no user yet: with `password`
   * (XQC_ADMIN_PASSWORD) when given, else a generated one. Idempotent.
   * @returns the created admin with its password, undefined when users already exist
   */
  async ensureInitialAdmin(accountId: string, password?: string): Promise<InitialAdmin | undefined> {
    if ((await this.users.count(accountId)) > 0) return undefined;
    const generated = password === undefined;
    const pw = password ?? generatePassword();
    checkPasswordPolicy(pw);
    try {
      await this.insert(accountId, INITIAL_ADMIN_USERNAME, null, 'admin', pw);
    } catch (e) {
      // Another process created it between the count and the insert.
      if (e instanceof ApiError && e.code === 'XQC_USERNAME_TAKEN') return undefined;
      throw e;
    }
    return { username: INITIAL_ADMIN_USERNAME, password: pw, generated, accountId };
  }

  /** Users of the caller's account by username. */
  async list(principal: Principal, limit: number, cursor?: string): Promise<{ items: UserView[]; nextCursor: string | undefined }> {
    const page = await this.users.list(principal.accountId, limit, cursor);
    return { items: page.items.map(toUserView), nextCursor: page.nextCursor };
  }

  /** One user of the caller's account. @throws 404 otherwise */
  async get(principal: Principal, id: string): Promise<UserView> {
    const row = await this.users.findById(principal.accountId, id);
    if (!row) throw notFound('user');
    return toUserView(row);
  }

  /**
   * Creates a user in the caller's account; without `password` one is generated and
   * returned once.
   * @throws 400 for a bad username, role or password; 409 XQC_USERNAME_TAKEN
   */
  async create(
    principal: Principal,
    input: { username: string; email?: string; role: string; password?: string },
    context: AuditContext = {},
  ): Promise<{ user: UserView; password?: string }> {
    const role = checkRole(input.role);
    const password = input.password ?? generatePassword();
    const row = await this.insert(principal.accountId, input.username, input.email ?? null, role, password);
    await this.audit.record(principal, 'user.create', { type: 'user', id: row.id }, { username: row.username, role }, context);
    return { user: toUserView(row), ...(input.password === undefined ? { password } : {}) };
  }

  /**
   * Changes the role or the disabled state of a user of the caller's account. Disabling
   * revokes the user's sessions. The last enabled admin can be neither demoted nor disabled.
   * @throws 404; 409 XQC_LAST_ADMIN
   */
  async update(principal: Principal, id: string, changes: { role?: string; disabled?: boolean }, context: AuditContext = {}): Promise<UserView> {
    const row = await this.users.findById(principal.accountId, id);
    if (!row) throw notFound('user');
    const role = changes.role === undefined ? undefined : checkRole(changes.role);
    const losesAdmin = row.role === 'admin' && row.disabled_at === null && ((role !== undefined && role !== 'admin') || changes.disabled === true);
    if (losesAdmin && (await this.users.countActiveAdmins(principal.accountId)) <= 1) {
      throw conflict('XQC_LAST_ADMIN', 'the last enabled admin of an account can be neither demoted nor disabled');
    }
    const now = this.now().toISOString();
    const disabledAt = changes.disabled === undefined ? undefined : changes.disabled ? (row.disabled_at ?? now) : null;
    const updated = await this.users.update(principal.accountId, id, {
      ...(role === undefined ? {} : { role }),
      ...(disabledAt === undefined ? {} : { disabled_at: disabledAt }),
      updated_at: now,
    });
    if (!updated) throw notFound('user');
    if (changes.disabled === true) await this.tokens.revokeAllForUser(principal.accountId, id, now);
    await this.audit.record(principal, 'user.update', { type: 'user', id }, { ...(role === undefined ? {} : { role }), ...(changes.disabled === undefined ? {} : { disabled: changes.disabled }) }, context);
    return toUserView(updated);
  }

  /**
   * Sets a new password for `username` of `accountId` (generated when not given) and revokes
   * the user's sessions. Used by `xaiqc admin reset-password`.
   * @returns the password, to show once
   * @throws 404 when no such user
   */
  async resetPassword(accountId: string, username: string, password?: string): Promise<string> {
    const row = await this.users.findByUsername(accountId, normaliseUsername(username));
    if (!row) throw notFound('user');
    const pw = password ?? generatePassword();
    checkPasswordPolicy(pw);
    const now = this.now().toISOString();
    await this.users.update(accountId, row.id, { password_hash: await hashPassword(pw), password_changed_at: now, updated_at: now });
    await this.tokens.revokeAllForUser(accountId, row.id, now);
    return pw;
  }

  private async insert(accountId: string, username: string, email: string | null, role: Role, password: string): Promise<UserRow> {
    const name = normaliseUsername(username);
    checkPasswordPolicy(password);
    const now = this.now().toISOString();
    try {
      return await this.users.insert({
        id: randomUUID(),
        account_id: accountId,
        username: name,
        email,
        role,
        password_hash: await hashPassword(password),
        created_at: now,
        updated_at: now,
        password_changed_at: now,
        disabled_at: null,
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict('XQC_USERNAME_TAKEN', `username '${name}' is taken`);
      throw e;
    }
  }
}
