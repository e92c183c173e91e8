/** The only database IO for the audit log: append, and read one account's entries newest first. */
import type { Insertable, Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { AuditLogTable, AuditRow } from '../db/tables/auth.tables.ts';

/** Audit-log table access. */
export class AuditRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Appends one entry. */
  async insert(row: Insertable<AuditLogTable>): Promise<void> {
    await this.db.insertInto('audit_log').values(row).execute();
  }

  /**
   * Entries of `accountId`, newest first, at most `limit`, strictly older than the
   * `(at, id)` cursor when given.
   */
  async list(accountId: string, limit: number, before?: { at: string; id: string }): Promise<AuditRow[]> {
    let q = this.db.selectFrom('audit_log').selectAll().where('account_id', '=', accountId);
    if (before !== undefined) {
      q = q.where((eb) => eb.or([eb('at', '<', before.at), eb.and([eb('at', '=', before.at), eb('id', '<', before.id)])]));
    }
    return q.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  }
}
