/**
 * The audit log of administrative actions: who (the principal), what (a dotted action),
 * to which target, with which details (never a secret), from where (ip, request id).
 */
import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/principal.ts';
import { badRequest } from '../errors/api-error.ts';
import type { AuditRow } from '../db/tables/auth.tables.ts';
import type { AuditRepository } from '../repositories/audit.repository.ts';

/** Where an action came from. */
export interface AuditContext {
  readonly ip?: string;
  readonly requestId?: string;
}

/** One audit entry as the API returns it. */
export interface AuditEntry {
  readonly id: string;
  readonly at: string;
  readonly actor: { readonly kind: string; readonly id: string; readonly name: string | null };
  readonly action: string;
  readonly targetType: string | null;
  readonly targetId: string | null;
  readonly details: Record<string, unknown> | null;
  readonly ip: string | null;
  readonly requestId: string | null;
}

/** Records and lists audit entries of the caller's account. */
export class AuditService {
  constructor(
    private readonly repo: AuditRepository,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Appends an entry for `actor` in the actor's account.
   * @param action dotted name, e.g. `user.create`
   * @param target the affected resource, when there is one
   */
  async record(
    actor: Principal,
    action: string,
    target: { type: string; id: string } | undefined,
    details: Record<string, unknown> | undefined,
    context: AuditContext = {},
  ): Promise<void> {
    await this.repo.insert({
      id: randomUUID(),
      account_id: actor.accountId,
      at: this.now().toISOString(),
      actor_kind: actor.kind,
      actor_id: actor.subject,
      actor_name: actor.name ?? null,
      action,
      target_type: target?.type ?? null,
      target_id: target?.id ?? null,
      details_json: details === undefined ? null : JSON.stringify(details),
      ip: context.ip ?? null,
      request_id: context.requestId ?? null,
    });
  }

  /** Entries of the caller's account, newest first; `cursor` is the `nextCursor` of the previous page. */
  async list(principal: Principal, limit: number, cursor?: string): Promise<{ items: AuditEntry[]; nextCursor: string | undefined }> {
    const before = cursor === undefined ? undefined : decodeCursor(cursor);
    const rows = await this.repo.list(principal.accountId, limit + 1, before);
    const items = rows.slice(0, limit).map(toEntry);
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return { items, nextCursor: last ? Buffer.from(JSON.stringify([last.at, last.id])).toString('base64url') : undefined };
  }
}

function decodeCursor(cursor: string): { at: string; id: string } {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    v = undefined;
  }
  if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') return { at: v[0], id: v[1] };
  throw badRequest('XQC_CURSOR_INVALID', 'cursor must be the nextCursor of a previous page');
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    actor: { kind: row.actor_kind, id: row.actor_id, name: row.actor_name },
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    details: row.details_json === null ? null : (JSON.parse(row.details_json) as Record<string, unknown>),
    ip: row.ip,
    requestId: row.request_id,
  };
}
