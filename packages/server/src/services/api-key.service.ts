/**
 * API keys for machines (line controllers, scripts). A key is `xqc_<prefix>_<secret>`,
 * shown once; the row keeps the prefix and the secret's SHA-256, compared in constant time.
 * A key acts with its role inside its account and with its scopes: `read` admits GET and
 * HEAD, `write` every other method.
 *
 * Who manages keys: engineers and admins create keys, with a role no higher than their own;
 * an admin lists and revokes every key of the account, an engineer only the keys it created.
 */
import { randomUUID } from 'node:crypto';
import { generateApiKey, parseApiKey, secretMatches } from '../auth/opaque-token.ts';
import { ROLES, roleAtLeast } from '../auth/principal.ts';
import type { Principal, Role } from '../auth/principal.ts';
import type { ApiKeyRow } from '../db/tables/auth.tables.ts';
import { badRequest, forbidden, notFound, unauthorized } from '../errors/api-error.ts';
import type { ApiKeyRepository } from '../repositories/api-key.repository.ts';
import type { AuditContext, AuditService } from './audit.service.ts';

/** Scopes a key can carry. */
export const API_KEY_SCOPES = ['read', 'write'] as const;
/** One of {@link API_KEY_SCOPES}. */
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** An API key as the API shows it (never the secret or its digest). */
export interface ApiKeyView {
  readonly id: string;
  readonly name: string;
  readonly prefix: string;
  readonly role: Role;
  readonly scopes: ApiKeyScope[];
  readonly createdBy: string;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
  readonly lastUsedAt: string | null;
}

/** How often a key's last use is written at most, ms: one write per key per minute keeps busy lines from writing on every request. */
const TOUCH_INTERVAL_MS = 60_000;

/** The row as the API shows it. */
export function toApiKeyView(row: ApiKeyRow): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    role: row.role as Role,
    scopes: JSON.parse(row.scopes_json) as ApiKeyScope[],
    createdBy: row.created_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}

/** Key management and key authentication. */
export class ApiKeyService {
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly audit: AuditService,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Creates a key in `principal`'s account. Role defaults to `operator` (capped at the
   * creator's), scopes to both.
   * @returns the key (shown once) and its view
   * @throws 400 for a bad name, role, scope or expiry; 403 for a role above the creator's
   */
  async create(
    principal: Principal,
    input: { name: string; role?: string; scopes?: string[]; expiresAt?: string },
    context: AuditContext = {},
  ): Promise<{ key: string; apiKey: ApiKeyView }> {
    const name = input.name.trim();
    if (name.length < 1 || name.length > 100) throw badRequest('XQC_API_KEY_INVALID', 'name must have 1 to 100 characters');
    const role = (input.role ?? (roleAtLeast(principal.role, 'operator') ? 'operator' : principal.role)) as Role;
    if (!(ROLES as readonly string[]).includes(role)) throw badRequest('XQC_ROLE_INVALID', `role must be one of ${ROLES.join(', ')}, got '${role}'`);
    if (!roleAtLeast(principal.role, role)) throw forbidden(`a key's role cannot exceed yours (${principal.role})`);
    const scopes = [...new Set(input.scopes ?? [...API_KEY_SCOPES])];
    const bad = scopes.filter((s) => !(API_KEY_SCOPES as readonly string[]).includes(s));
    if (scopes.length === 0 || bad.length > 0) throw badRequest('XQC_API_KEY_INVALID', `scopes must be a non-empty list of ${API_KEY_SCOPES.join(', ')}`);
    const now = this.now();
    let expiresAt: string | null = null;
    if (input.expiresAt !== undefined) {
      const t = Date.parse(input.expiresAt);
      if (!Number.isFinite(t) || t <= now.getTime()) throw badRequest('XQC_API_KEY_INVALID', 'expiresAt must be an ISO-8601 date-time in the future');
      expiresAt = new Date(t).toISOString();
    }
    const generated = generateApiKey();
    const row = await this.keys.insert({
      id: randomUUID(),
      account_id: principal.accountId,
      name,
      prefix: generated.prefix,
      secret_hash: generated.secretHash,
      role,
      scopes_json: JSON.stringify(scopes),
      created_by: principal.subject,
      created_at: now.toISOString(),
      expires_at: expiresAt,
      revoked_at: null,
      last_used_at: null,
    });
    await this.audit.record(principal, 'api-key.create', { type: 'api-key', id: row.id }, { name, role, scopes, prefix: row.prefix }, context);
    return { key: generated.key, apiKey: toApiKeyView(row) };
  }

  /** Keys the caller may see: all of the account for an admin, its own for anyone else. */
  async list(principal: Principal, limit: number): Promise<ApiKeyView[]> {
    const rows = await this.keys.list(principal.accountId, limit, principal.role === 'admin' ? undefined : principal.subject);
    return rows.map(toApiKeyView);
  }

  /**
   * Revokes a key the caller may see (as {@link list}); revoking twice is a no-op.
   * @throws 404 for a key of another account or, for a non-admin, of another creator
   */
  async revoke(principal: Principal, id: string, context: AuditContext = {}): Promise<ApiKeyView> {
    const row = await this.keys.findById(principal.accountId, id);
    if (!row || (principal.role !== 'admin' && row.created_by !== principal.subject)) throw notFound('API key');
    const revoked = await this.keys.revoke(principal.accountId, id, this.now().toISOString());
    if (!revoked) throw notFound('API key');
    if (row.revoked_at === null) await this.audit.record(principal, 'api-key.revoke', { type: 'api-key', id }, { name: row.name, prefix: row.prefix }, context);
    return toApiKeyView(revoked);
  }

  /**
   * The principal of a presented key, recording its use (at most once a minute per key).
   * @throws 401 XQC_UNAUTHENTICATED for an unknown, wrong, revoked or expired key
   */
  async authenticate(presented: string): Promise<Principal> {
    const parsed = parseApiKey(presented);
    const row = parsed ? await this.keys.findByPrefix(parsed.prefix) : undefined;
    if (!parsed || !row || !secretMatches(parsed.secret, row.secret_hash)) throw unauthorized('API key invalid');
    const now = this.now();
    if (row.revoked_at !== null) throw unauthorized('API key revoked');
    if (row.expires_at !== null && row.expires_at <= now.toISOString()) throw unauthorized('API key expired');
    const last = this.touched.get(row.id) ?? 0;
    if (now.getTime() - last >= TOUCH_INTERVAL_MS) {
      this.touched.set(row.id, now.getTime());
      await this.keys.touch(row.account_id, row.id, now.toISOString());
    }
    return { kind: 'api-key', subject: row.id, accountId: row.account_id, role: row.role as Role, scopes: JSON.parse(row.scopes_json) as string[], name: row.name };
  }
}
