/**
 * The only database IO of reports: the `reports` rows (insert inside the blob transaction,
 * find, list newest first with a keyset cursor, delete), and the reads a report renders
 * from: the account's inspections matching its filters, newest first, with their findings,
 * current review (the latest per inspection) and stored explanations. Every query filters
 * by the account.
 */
import { sql } from 'kysely';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { FindingRow, InspectionRow } from '../db/tables/inspections.tables.ts';
import type { NewReportRow, ReportRow } from '../db/tables/reports.tables.ts';
import type { ReviewRow } from '../db/tables/reviews.tables.ts';

/** Keyset position (created_at, id), newest first. */
export interface ReportCursor {
  createdAt: string;
  id: string;
}

/** What selects a report's inspections. */
export interface ReportInspectionFilter {
  accountId: string;
  from?: string;
  to?: string;
  model?: string;
  version?: string;
  ids?: readonly string[];
}

/** An inspection with what a report shows of it. */
export interface ReportInspection {
  row: InspectionRow;
  findings: FindingRow[];
  /** The current review, undefined when unreviewed. */
  review: ReviewRow | undefined;
}

/** A stored explanation's images (method result or aggregate). */
export interface ReportExplanation {
  method: string;
  targetLabel: string | null;
  heatmapPngSha256: string;
  overlaySha256: string;
  createdAt: string;
}

/** See the module comment. */
export class ReportRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Inserts a report row (inside the blob transaction of `Blobs.putWith`). */
  async insert(row: NewReportRow, trx: Transaction<Database> | Kysely<Database> = this.db): Promise<void> {
    await trx.insertInto('reports').values(row).execute();
  }

  /** The report `id` of `accountId`, or undefined. */
  async find(accountId: string, id: string): Promise<ReportRow | undefined> {
    return this.db.selectFrom('reports').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  }

  /** A page of `accountId`'s reports, newest first, after `cursor`. */
  async list(accountId: string, limit: number, cursor?: ReportCursor): Promise<{ items: ReportRow[]; next?: ReportCursor }> {
    let q = this.db.selectFrom('reports').selectAll().where('account_id', '=', accountId);
    if (cursor) q = q.where((eb) => eb.or([eb('created_at', '<', cursor.createdAt), eb.and([eb('created_at', '=', cursor.createdAt), eb('id', '<', cursor.id)])]));
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items, next: rows.length > limit && last ? { createdAt: last.created_at, id: last.id } : undefined };
  }

  /** Deletes the report `id` of `accountId`; returns its file key, or undefined when there was none. */
  async delete(accountId: string, id: string): Promise<string | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('reports').select('file_sha256').where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
      if (!row) return undefined;
      await trx.deleteFrom('reports').where('account_id', '=', accountId).where('id', '=', id).execute();
      return row.file_sha256;
    });
  }

  /** True when a model named `name` is registered. */
  async modelExists(name: string): Promise<boolean> {
    return (await this.db.selectFrom('models').select('id').where('name', '=', name).executeTakeFirst()) !== undefined;
  }

  /** True when model `name` has a version `version`. */
  async versionExists(name: string, version: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('model_versions as v')
      .innerJoin('models as m', 'm.id', 'v.model_id')
      .select('v.id')
      .where('m.name', '=', name)
      .where('v.version', '=', version)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** The e-mail of local user `id` of `accountId`, or null. */
  async userEmail(accountId: string, id: string): Promise<string | null> {
    const row = await this.db.selectFrom('users').select('email').where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
    return row?.email ?? null;
  }

  /** How many of `ids` are inspections of `accountId`. */
  async countOwned(accountId: string, ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const row = await this.db
      .selectFrom('inspections')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('account_id', '=', accountId)
      .where('id', 'in', [...ids])
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Earliest and latest `created_at` of the inspections matching `f` (null when none). */
  async span(f: ReportInspectionFilter): Promise<{ first: string | null; last: string | null; count: number }> {
    const row = await this.filtered(f)
      .select((eb) => [eb.fn.min<string>('i.created_at').as('first'), eb.fn.max<string>('i.created_at').as('last'), eb.fn.countAll<number | string>().as('n')])
      .executeTakeFirstOrThrow();
    return { first: row.first ?? null, last: row.last ?? null, count: Number(row.n) };
  }

  /** The next `limit` inspections matching `f` after `after`, newest first, with findings and current review. */
  async inspectionPage(f: ReportInspectionFilter, limit: number, after?: ReportCursor): Promise<ReportInspection[]> {
    let q = this.filtered(f).selectAll('i');
    if (after) q = q.where((eb) => eb.or([eb('i.created_at', '<', after.createdAt), eb.and([eb('i.created_at', '=', after.createdAt), eb('i.id', '<', after.id)])]));
    const rows = (await q.orderBy('i.created_at', 'desc').orderBy('i.id', 'desc').limit(limit).execute()) as InspectionRow[];
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const findings = await this.db.selectFrom('inspection_findings').selectAll().where('inspection_id', 'in', ids).orderBy('inspection_id').orderBy('idx').execute();
    const reviews = await this.db
      .selectFrom('reviews as r')
      .selectAll('r')
      .where('r.account_id', '=', f.accountId)
      .where('r.inspection_id', 'in', ids)
      .where(({ eb, selectFrom }) => eb('r.created_at', '=', selectFrom('reviews as r2').select(sql<string>`max(r2.created_at)`.as('m')).whereRef('r2.inspection_id', '=', 'r.inspection_id')))
      .execute();
    const byId = new Map<string, FindingRow[]>();
    for (const x of findings) byId.set(x.inspection_id, [...(byId.get(x.inspection_id) ?? []), x]);
    const reviewOf = new Map<string, ReviewRow>();
    for (const r of reviews) {
      const seen = reviewOf.get(r.inspection_id);
      if (!seen || seen.id < r.id) reviewOf.set(r.inspection_id, r);
    }
    return rows.map((row) => ({ row, findings: byId.get(row.id) ?? [], review: reviewOf.get(row.id) }));
  }

  /** The stored explanations of an inspection of `accountId` (method results, then aggregates), oldest first. */
  async explanations(accountId: string, inspectionId: string): Promise<ReportExplanation[]> {
    const methods = await this.db
      .selectFrom('explanations')
      .select(['method', 'target_label', 'heatmap_png_sha256', 'overlay_sha256', 'created_at'])
      .where('account_id', '=', accountId)
      .where('inspection_id', '=', inspectionId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    const aggregates = await this.db
      .selectFrom('explanation_aggregates')
      .select(['map_png_sha256', 'overlay_sha256', 'created_at'])
      .where('account_id', '=', accountId)
      .where('inspection_id', '=', inspectionId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return [
      ...methods.map((m) => ({ method: m.method, targetLabel: m.target_label, heatmapPngSha256: m.heatmap_png_sha256, overlaySha256: m.overlay_sha256, createdAt: m.created_at })),
      ...aggregates.map((a) => ({ method: 'aggregate', targetLabel: null, heatmapPngSha256: a.map_png_sha256, overlaySha256: a.overlay_sha256, createdAt: a.created_at })),
    ];
  }

  private filtered(f: ReportInspectionFilter) {
    let q = this.db.selectFrom('inspections as i').where('i.account_id', '=', f.accountId);
    if (f.from !== undefined) q = q.where('i.created_at', '>=', f.from);
    if (f.to !== undefined) q = q.where('i.created_at', '<', f.to);
    if (f.model !== undefined) q = q.where('i.model_name', '=', f.model);
    if (f.version !== undefined) q = q.where('i.model_version', '=', f.version);
    if (f.ids !== undefined) q = q.where('i.id', 'in', f.ids.length > 0 ? [...f.ids] : ['']);
    return q;
  }
}
