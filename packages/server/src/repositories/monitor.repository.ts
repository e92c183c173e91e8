/**
 * Monitors and their results. Every query is scoped to an account (the scheduler's due list
 * excepted, which returns each monitor with its account): another account's monitor or
 * result is never found.
 */
import type { Kysely, Transaction, Updateable } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { MonitorResultRow, MonitorRow, MonitorsTable, NewMonitorResultRow } from '../db/tables/monitors.tables.ts';

/** Keyset position of a results page (newest first). */
export interface ResultCursor {
  computedAt: string;
  id: string;
}

/** See the module comment. */
export class MonitorRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The id of version `version` of model `model`, undefined when there is none. */
  async versionId(model: string, version: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('model_versions as v')
      .innerJoin('models as m', 'm.id', 'v.model_id')
      .select('v.id')
      .where('m.name', '=', model)
      .where('v.version', '=', version)
      .executeTakeFirst();
    return row?.id;
  }

  /** Stores a monitor. */
  async insert(row: MonitorRow): Promise<void> {
    await this.db.insertInto('monitors').values(row).execute();
  }

  /** The account's monitors, oldest first. */
  async list(accountId: string): Promise<MonitorRow[]> {
    return this.db.selectFrom('monitors').selectAll().where('account_id', '=', accountId).orderBy('created_at').orderBy('id').execute();
  }

  /** Monitor `id` of the account, if any. */
  async find(accountId: string, id: string): Promise<MonitorRow | undefined> {
    return this.db.selectFrom('monitors').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  }

  /** Updates monitor `id` of the account. @returns the monitor after the update, undefined when not found. */
  async update(accountId: string, id: string, set: Updateable<MonitorsTable>, trx?: Transaction<Database>): Promise<MonitorRow | undefined> {
    const db = trx ?? this.db;
    await db.updateTable('monitors').set(set).where('account_id', '=', accountId).where('id', '=', id).execute();
    return db.selectFrom('monitors').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  }

  /** Deletes monitor `id` of the account with its results. @returns true when one was deleted. */
  async delete(accountId: string, id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('monitor_results').where('account_id', '=', accountId).where('monitor_id', '=', id).execute();
      const res = await trx.deleteFrom('monitors').where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    });
  }

  /** Enabled monitors whose next run is due at `now` (never run, or next_run_at <= now), at most `limit`. */
  async due(now: string, limit: number): Promise<MonitorRow[]> {
    return this.db
      .selectFrom('monitors')
      .selectAll()
      .where('enabled', '=', 1)
      .where((eb) => eb.or([eb('next_run_at', 'is', null), eb('next_run_at', '<=', now)]))
      .orderBy('next_run_at')
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  /** Stores a result and the monitor's new run state in one transaction. */
  async storeResult(row: NewMonitorResultRow, state: Updateable<MonitorsTable>): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('monitor_results').values(row).execute();
      await trx.updateTable('monitors').set(state).where('account_id', '=', row.account_id).where('id', '=', row.monitor_id).execute();
    });
  }

  /** A page of monitor `id`'s results, newest first, `computed_at` in `[from, to)` when given. */
  async results(accountId: string, monitorId: string, f: { from?: string; to?: string }, limit: number, after?: ResultCursor): Promise<MonitorResultRow[]> {
    let q = this.db.selectFrom('monitor_results').selectAll().where('account_id', '=', accountId).where('monitor_id', '=', monitorId);
    if (f.from !== undefined) q = q.where('computed_at', '>=', f.from);
    if (f.to !== undefined) q = q.where('computed_at', '<', f.to);
    if (after) q = q.where((eb) => eb.or([eb('computed_at', '<', after.computedAt), eb.and([eb('computed_at', '=', after.computedAt), eb('id', '<', after.id)])]));
    return q.orderBy('computed_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  }

  /**
   * The latest result computed at or after `since` of each of the account's monitors of
   * `model` (and `version` when given): what a `driftLevel` alert rule reads.
   */
  async latestLevels(accountId: string, model: string, version: string | undefined, since: string): Promise<{ monitorId: string; level: string; computedAt: string }[]> {
    let q = this.db
      .selectFrom('monitor_results as r')
      .innerJoin('monitors as m', 'm.id', 'r.monitor_id')
      .select(['r.monitor_id', 'r.level', 'r.computed_at'])
      .where('r.account_id', '=', accountId)
      .where('m.account_id', '=', accountId)
      .where('m.model_name', '=', model)
      .where('r.computed_at', '>=', since)
      .where(({ eb, selectFrom }) => eb('r.computed_at', '=', selectFrom('monitor_results as r2').select((e) => e.fn.max('r2.computed_at').as('c')).whereRef('r2.monitor_id', '=', 'r.monitor_id')));
    if (version !== undefined) q = q.where('m.model_version', '=', version);
    const rows = await q.execute();
    return rows.map((r) => ({ monitorId: r.monitor_id, level: r.level, computedAt: r.computed_at }));
  }
}
