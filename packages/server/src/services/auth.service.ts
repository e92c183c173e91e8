/**
 * Sign-in sessions of local accounts: login with a password issues a short-lived access
 * token and a refresh token; refreshing rotates the refresh token (the used one is spent;
 * presenting a spent one again is taken as theft and revokes the whole family); logout
 * revokes the family, and with it the access tokens issued in it.
 */
import { randomUUID } from 'node:crypto';
import { signLocalAccessToken } from '../auth/local-token.ts';
import type { LocalTokenClaims } from '../auth/local-token.ts';
import { generateRefreshToken, isRefreshToken, sha256Hex } from '../auth/opaque-token.ts';
import { checkPasswordPolicy, hashPassword, verifyPassword } from '../auth/password.ts';
import type { Principal, Role } from '../auth/principal.ts';
import type { UserRow } from '../db/tables/auth.tables.ts';
import { ApiError, badRequest, unauthorized } from '../errors/api-error.ts';
import type { RefreshTokenRepository } from '../repositories/refresh-token.repository.ts';
import type { UserRepository } from '../repositories/user.repository.ts';
import type { AuditContext, AuditService } from './audit.service.ts';
import { normaliseUsername, toUserView } from './user.service.ts';
import type { UserView } from './user.service.ts';

/** Lifetimes and the signing secret of local sessions. */
export interface SessionOptions {
  /** HS256 secret of local access tokens (at least 32 bytes). */
  readonly tokenSecret: Uint8Array;
  /** Access-token lifetime, seconds (default 900). */
  readonly accessTokenTtlSeconds?: number;
  /** Refresh-token lifetime, seconds (default 14 days). */
  readonly refreshTokenTtlSeconds?: number;
}

/** What login and refresh return. */
export interface TokenPair {
  readonly accessToken: string;
  readonly tokenType: 'Bearer';
  /** Seconds until the access token expires. */
  readonly expiresIn: number;
  readonly refreshToken: string;
  /** Seconds until the refresh token expires. */
  readonly refreshExpiresIn: number;
  readonly user: UserView;
}

const BAD_LOGIN = 'username or password incorrect';

/** Login, refresh, logout and password change of local accounts. */
export class AuthService {
  private readonly accessTtl: number;
  private readonly refreshTtl: number;

  constructor(
    private readonly users: UserRepository,
    private readonly tokens: RefreshTokenRepository,
    private readonly audit: AuditService,
    private readonly options: SessionOptions,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.accessTtl = options.accessTokenTtlSeconds ?? 900;
    this.refreshTtl = options.refreshTokenTtlSeconds ?? 14 * 24 * 3600;
  }

  /**
   * Checks a username and password and starts a session. Unknown users, wrong passwords and
   * disabled users get the same 401, in about the same time.
   * @throws 401 XQC_UNAUTHENTICATED
   */
  async login(username: string, password: string): Promise<TokenPair> {
    let name: string | undefined;
    try {
      name = normaliseUsername(username);
    } catch {
      name = undefined;
    }
    const row = name === undefined ? undefined : await this.users.findForLogin(name);
    const ok = await verifyPassword(password, row?.password_hash);
    if (!row || !ok || row.disabled_at !== null) throw unauthorized(BAD_LOGIN);
    return this.issue(row, randomUUID());
  }

  /**
   * Spends a refresh token and returns a new pair in the same family.
   * @throws 401 XQC_UNAUTHENTICATED for an unknown, expired or revoked token or a disabled
   * user; 401 XQC_REFRESH_REUSED (family revoked) for a token already spent
   */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const row = isRefreshToken(refreshToken) ? await this.tokens.findByHash(sha256Hex(refreshToken)) : undefined;
    if (!row) throw unauthorized('refresh token invalid');
    const now = this.now().toISOString();
    if (row.used_at !== null || row.revoked_at !== null) {
      await this.tokens.revokeFamily(row.account_id, row.family_id, now);
      throw new ApiError(401, 'XQC_REFRESH_REUSED', 'refresh token already used; the session is revoked, sign in again');
    }
    if (row.expires_at <= now) throw unauthorized('refresh token expired');
    const user = await this.users.findById(row.account_id, row.user_id);
    if (!user || user.disabled_at !== null) throw unauthorized('refresh token invalid');
    if (!(await this.tokens.markUsed(row.id, now))) {
      await this.tokens.revokeFamily(row.account_id, row.family_id, now);
      throw new ApiError(401, 'XQC_REFRESH_REUSED', 'refresh token already used; the session is revoked, sign in again');
    }
    return this.issue(user, row.family_id);
  }

  /** Revokes the session a refresh token belongs to. Unknown tokens are ignored (nothing to revoke, nothing to tell). */
  async logout(refreshToken: string): Promise<void> {
    const row = isRefreshToken(refreshToken) ? await this.tokens.findByHash(sha256Hex(refreshToken)) : undefined;
    if (row) await this.tokens.revokeFamily(row.account_id, row.family_id, this.now().toISOString());
  }

  /**
   * Changes the caller's password after checking the current one, and revokes all the
   * caller's sessions (sign in again with the new password).
   * @throws 400 XQC_PASSWORD_POLICY; 401 when the current password is wrong; 403 for a
   * caller that is not a local user
   */
  async changePassword(principal: Principal, current: string, next: string, context: AuditContext = {}): Promise<void> {
    if (principal.kind !== 'user') throw new ApiError(403, 'XQC_FORBIDDEN', 'only local accounts have a password here; change it at your identity provider');
    const row = await this.users.findById(principal.accountId, principal.subject);
    if (!row || !(await verifyPassword(current, row.password_hash))) throw unauthorized('current password incorrect');
    checkPasswordPolicy(next);
    if (next === current) throw badRequest('XQC_PASSWORD_POLICY', 'the new password must differ from the current one');
    const now = this.now().toISOString();
    await this.users.update(principal.accountId, row.id, { password_hash: await hashPassword(next), password_changed_at: now, updated_at: now });
    await this.tokens.revokeAllForUser(principal.accountId, row.id, now);
    await this.audit.record(principal, 'user.password-change', { type: 'user', id: row.id }, undefined, context);
  }

  /**
   * The principal of a verified local access token: the user must still exist, be enabled
   * and the session not be revoked; role and name are read now, so changes apply at once.
   * @throws 401 XQC_UNAUTHENTICATED otherwise
   */
  async principalOf(claims: LocalTokenClaims): Promise<Principal> {
    const user = await this.users.findById(claims.acct, claims.sub);
    if (!user || user.disabled_at !== null) throw unauthorized('token invalid');
    if (!(await this.tokens.isFamilyActive(claims.acct, claims.sub, claims.sid, this.now().toISOString()))) throw unauthorized('session revoked');
    return { kind: 'user', subject: user.id, accountId: user.account_id, role: user.role as Role, name: user.username };
  }

  private async issue(user: UserRow, familyId: string): Promise<TokenPair> {
    const now = this.now();
    const { token, tokenHash } = generateRefreshToken();
    await this.tokens.insert({
      id: randomUUID(),
      family_id: familyId,
      user_id: user.id,
      account_id: user.account_id,
      token_hash: tokenHash,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + this.refreshTtl * 1000).toISOString(),
      used_at: null,
      revoked_at: null,
    });
    const accessToken = await signLocalAccessToken(this.options.tokenSecret, { sub: user.id, sid: familyId, acct: user.account_id }, this.accessTtl, now);
    return { accessToken, tokenType: 'Bearer', expiresIn: this.accessTtl, refreshToken: token, refreshExpiresIn: this.refreshTtl, user: toUserView(user) };
  }
}
