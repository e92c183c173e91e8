/**
 * Alert rules (with their evaluation state) and alerts. Every query is scoped to an account:
 * another account's rule or alert is never found.
 */
import type { Kysely, Transaction, Updateable } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { AlertRow, AlertRuleRow, AlertRulesTable } from '../db/tables/alerts.tables.ts';

/** See the module comment. */
export class AlertRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Runs `fn` in one transaction. */
  transaction<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  /** Stores a rule. */
  async insertRule(row: AlertRuleRow): Promise<void> {
    await this.db.insertInto('alert_rules').values(row).execute();
  }

  /** The account's rules, oldest first (only the enabled ones when asked). */
  async rules(accountId: string, enabledOnly = false): Promise<AlertRuleRow[]> {
    let q = this.db.selectFrom('alert_rules').selectAll().where('account_id', '=', accountId);
    if (enabledOnly) q = q.where('enabled', '=', 1);
    return q.orderBy('created_at').orderBy('id').execute();
  }

  /** Rule `id` of the account, if any. */
  async findRule(accountId: string, id: string): Promise<AlertRuleRow | undefined> {
    return this.db.selectFrom('alert_rules').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  }

  /** Updates rule `id` of the account. @returns the rule after the update, undefined when not found. */
  async updateRule(accountId: string, id: string, set: Updateable<AlertRulesTable>, trx?: Transaction<Database>): Promise<AlertRuleRow | undefined> {
    const db = trx ?? this.db;
    await db.updateTable('alert_rules').set(set).where('account_id', '=', accountId).where('id', '=', id).execute();
    return db.selectFrom('alert_rules').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  }

  /** Deletes rule `id` of the account (its alerts stay, without the rule). @returns true when one was deleted. */
  async deleteRule(accountId: string, id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx.updateTable('alerts').set({ rule_id: null }).where('account_id', '=', accountId).where('rule_id', '=', id).execute();
      const res = await trx.deleteFrom('alert_rules').where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    });
  }

  /** Accounts with at least one enabled rule (for the scheduled evaluation). */
  async accountsWithEnabledRules(): Promise<string[]> {
    const rows = await this.db.selectFrom('alert_rules').select('account_id').where('enabled', '=', 1).distinct().execute();
    return rows.map((r) => r.account_id);
  }

  /** Stores an alert. */
  async insertAlert(row: AlertRow, trx?: Transaction<Database>): Promise<void> {
    await (trx ?? this.db).insertInto('alerts').values(row).execute();
  }

  /** Alert `id` of the account, if any. */
  async findAlert(accountId: string, id: string): Promise<AlertRow | undefined> {
    return this.db.selectFrom('alerts').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  }

  /** The account's alerts, newest first. */
  async alerts(accountId: string, status: string | undefined, limit: number): Promise<AlertRow[]> {
    let q = this.db.selectFrom('alerts').selectAll().where('account_id', '=', accountId);
    if (status !== undefined) q = q.where('status', '=', status);
    return q.orderBy('fired_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  }

  /** Updates alert `id` of the account. @returns the alert after the update. */
  async updateAlert(accountId: string, id: string, set: Partial<AlertRow>): Promise<AlertRow | undefined> {
    await this.db.updateTable('alerts').set(set).where('account_id', '=', accountId).where('id', '=', id).execute();
    return this.findAlert(accountId, id);
  }
}
