/**
 * Database IO of inspections: insert an inspection with its findings in one transaction,
 * read one, list with filters, sorts and keyset (cursor) pagination, each listed inspection
 * with its current review (the newest by (created_at, id), as `ReviewRepository.history`
 * orders them), delete. Every query names
 * the caller's `accountId`. Also the read side of the registry that serving needs (which
 * model version runs a request and where its files are); the registry module owns writes.
 */
import { sql } from 'kysely';
import type { Expression, Kysely, SqlBool, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { FindingRow, InspectionRow, NewFindingRow, NewInspectionRow } from '../db/tables/inspections.tables.ts';
import type { ReviewRow } from '../db/tables/reviews.tables.ts';

/** List filters; every field optional. Dates are ISO-8601 strings, compared as UTC text. */
export interface InspectionFilter {
  /** Created at or after. */
  from?: string;
  /** Created strictly before. */
  to?: string;
  /** Model name or model id. */
  model?: string;
  /** Model version id. */
  versionId?: string;
  verdict?: string;
  /** Image label or the label of any finding. */
  label?: string;
  referred?: boolean;
  /** Bounds on `defect_score`, inclusive. */
  minScore?: number;
  maxScore?: number;
  /** true: with at least one review; false: without any. */
  reviewed?: boolean;
  /** The current review's reviewer subject. */
  reviewer?: string;
  /**
   * The model against the current review (reject is positive): `fp` model reject, review pass;
   * `fn` model pass, review reject; `wrongClass` both reject, labels differ; `correct` verdicts
   * and labels equal. Unreviewed inspections match none.
   */
  outcome?: 'fp' | 'fn' | 'wrongClass' | 'correct';
}

/** List orders: newest first, `defect_score` ascending or descending, or `|defect_score - 0.5|` ascending (most uncertain first). Ties newest first. */
export type InspectionListSort = 'newest' | 'score' | '-score' | 'uncertainty';

/**
 * Position after the last row of a page: the row's (created_at, id) and, for the sorts by
 * score, its sort key (`defect_score`, or `|defect_score - 0.5|` for `uncertainty`).
 */
export interface InspectionCursor {
  createdAt: string;
  id: string;
  key?: number;
}

/** An inspection and its findings, in order. */
export interface InspectionRecord {
  row: InspectionRow;
  findings: FindingRow[];
}

/** A listed inspection: its record and its current review (undefined when unreviewed). */
export interface InspectionListRecord extends InspectionRecord {
  review?: Pick<ReviewRow, 'id' | 'verdict' | 'label' | 'reviewer' | 'reviewer_name' | 'created_at'>;
}

/** The sort key of `sort` for an inspection row (undefined for `newest`). */
export function sortKeyOf(sort: InspectionListSort, defectScore: number): number | undefined {
  if (sort === 'score' || sort === '-score') return defectScore;
  if (sort === 'uncertainty') return Math.abs(defectScore - 0.5);
  return undefined;
}

/** A registered model version as serving sees it. */
export interface ServingVersion {
  id: string;
  modelId: string;
  modelName: string;
  version: string;
  task: string;
  isActive: boolean;
  onnxSha256: string;
  cardJson: string;
  /** Extra files (anomaly detector artifacts: PatchCore or simulated-defect) by name. */
  files: { name: string; sha256: string }[];
}

async function insertRows(db: Kysely<Database>, row: NewInspectionRow, findings: readonly NewFindingRow[]): Promise<void> {
  await db.insertInto('inspections').values(row).execute();
  if (findings.length) await db.insertInto('inspection_findings').values([...findings]).execute();
}

/** See the module comment. */
export class InspectionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Inserts an inspection and its findings atomically. Blobs they name must be stored first.
   * @param trx a transaction to insert in (the caller commits); without it, the rows commit on their own.
   */
  async insert(row: NewInspectionRow, findings: readonly NewFindingRow[], trx?: Transaction<Database>): Promise<void> {
    if (trx) return insertRows(trx, row, findings);
    // One statement is atomic by itself; a transaction is only needed with findings.
    if (findings.length === 0) return insertRows(this.db, row, findings);
    await this.db.transaction().execute((t) => insertRows(t, row, findings));
  }

  /** The inspection `id` of `accountId`, or undefined (also for another account's id). */
  async find(accountId: string, id: string): Promise<InspectionRecord | undefined> {
    const row = await this.db.selectFrom('inspections').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const findings = await this.db.selectFrom('inspection_findings').selectAll().where('inspection_id', '=', id).orderBy('idx').execute();
    return { row, findings };
  }

  /**
   * Inspections of `accountId` matching `filter` in `sort` order (ties newest first: created_at,
   * then id, descending), `limit` per page, starting after `cursor` (which must carry the
   * `key` of `sort` for the sorts by score), each with its current review.
   * @returns the page and the cursor of the next one (undefined on the last page).
   */
  async list(
    accountId: string,
    filter: InspectionFilter,
    limit: number,
    cursor?: InspectionCursor,
    sort: InspectionListSort = 'newest',
  ): Promise<{ items: InspectionListRecord[]; next?: InspectionCursor }> {
    // The current review: the newest by (created_at, id), one row at most per inspection.
    let q = this.db
      .selectFrom('inspections')
      .leftJoin('reviews as r', (join) =>
        join
          .onRef('r.inspection_id', '=', 'inspections.id')
          .on('r.id', '=', (eb) =>
            eb
              .selectFrom('reviews as r2')
              .select('r2.id')
              .whereRef('r2.inspection_id', '=', 'inspections.id')
              .orderBy('r2.created_at', 'desc')
              .orderBy('r2.id', 'desc')
              .limit(1),
          ),
      )
      .selectAll('inspections')
      .select(['r.id as review_id', 'r.verdict as review_verdict', 'r.label as review_label', 'r.reviewer as review_reviewer', 'r.reviewer_name as review_reviewer_name', 'r.created_at as review_created_at'])
      .where('inspections.account_id', '=', accountId);
    if (filter.from !== undefined) q = q.where('inspections.created_at', '>=', filter.from);
    if (filter.to !== undefined) q = q.where('inspections.created_at', '<', filter.to);
    const model = filter.model;
    if (model !== undefined) q = q.where((eb) => eb.or([eb('inspections.model_name', '=', model), eb('inspections.model_id', '=', model)]));
    if (filter.versionId !== undefined) q = q.where('inspections.model_version_id', '=', filter.versionId);
    if (filter.verdict !== undefined) q = q.where('inspections.verdict', '=', filter.verdict);
    if (filter.referred !== undefined) q = q.where('inspections.referred', '=', filter.referred ? 1 : 0);
    if (filter.minScore !== undefined) q = q.where('inspections.defect_score', '>=', filter.minScore);
    if (filter.maxScore !== undefined) q = q.where('inspections.defect_score', '<=', filter.maxScore);
    const label = filter.label;
    if (label !== undefined) {
      q = q.where((eb) =>
        eb.or([
          eb('inspections.label', '=', label),
          eb.exists(eb.selectFrom('inspection_findings as f').select('f.idx').whereRef('f.inspection_id', '=', 'inspections.id').where('f.label', '=', label)),
        ]),
      );
    }
    if (filter.reviewed !== undefined) q = q.where('r.id', filter.reviewed ? 'is not' : 'is', null);
    if (filter.reviewer !== undefined) q = q.where('r.reviewer', '=', filter.reviewer);
    switch (filter.outcome) {
      case 'fp':
        q = q.where('inspections.verdict', '=', 'reject').where('r.verdict', '=', 'pass');
        break;
      case 'fn':
        q = q.where('inspections.verdict', '=', 'pass').where('r.verdict', '=', 'reject');
        break;
      case 'wrongClass':
        q = q.where('inspections.verdict', '=', 'reject').where('r.verdict', '=', 'reject').whereRef('r.label', '<>', 'inspections.label');
        break;
      case 'correct':
        q = q.whereRef('r.verdict', '=', 'inspections.verdict').whereRef('r.label', '=', 'inspections.label');
        break;
      case undefined:
        break;
    }
    // The sort key as SQL: the uncertainty key is computed the same way (IEEE doubles) on both engines and in sortKeyOf.
    const key = sort === 'uncertainty' ? sql<number>`abs(${sql.ref('inspections.defect_score')} - 0.5)` : sql<number>`${sql.ref('inspections.defect_score')}`;
    if (cursor) {
      q = q.where((eb) => {
        const older = eb.or([eb('inspections.created_at', '<', cursor.createdAt), eb.and([eb('inspections.created_at', '=', cursor.createdAt), eb('inspections.id', '<', cursor.id)])]);
        if (sort === 'newest' || cursor.key === undefined) return older;
        const after: Expression<SqlBool> = eb(key, sort === '-score' ? '<' : '>', cursor.key);
        return eb.or([after, eb.and([eb(key, '=', cursor.key), older])]);
      });
    }
    if (sort !== 'newest') q = q.orderBy(key, sort === '-score' ? 'desc' : 'asc');
    const rows = await q.orderBy('inspections.created_at', 'desc').orderBy('inspections.id', 'desc').limit(limit + 1).execute();
    const page = rows.slice(0, limit);
    const findings = page.length
      ? await this.db.selectFrom('inspection_findings').selectAll().where('inspection_id', 'in', page.map((r) => r.id)).orderBy('inspection_id').orderBy('idx').execute()
      : [];
    const byId = new Map<string, FindingRow[]>();
    for (const f of findings) byId.set(f.inspection_id, [...(byId.get(f.inspection_id) ?? []), f]);
    const last = page[page.length - 1];
    return {
      items: page.map(({ review_id, review_verdict, review_label, review_reviewer, review_reviewer_name, review_created_at, ...row }) => ({
        row,
        findings: byId.get(row.id) ?? [],
        review:
          review_id === null
            ? undefined
            : { id: review_id, verdict: review_verdict as string, label: review_label as string, reviewer: review_reviewer as string, reviewer_name: review_reviewer_name, created_at: review_created_at as string },
      })),
      next: rows.length > limit && last ? { createdAt: last.created_at, id: last.id, key: sortKeyOf(sort, last.defect_score) } : undefined,
    };
  }

  /**
   * Deletes the inspection `id` of `accountId` with its findings.
   * @returns the blob keys the deleted rows named (image, anomaly map, masks), or undefined when there was no such inspection.
   */
  async delete(accountId: string, id: string): Promise<string[] | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('inspections').select(['image_sha256', 'anomaly_map_sha256']).where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
      if (!row) return undefined;
      const masks = await trx.selectFrom('inspection_findings').select('mask_sha256').where('inspection_id', '=', id).execute();
      await trx.deleteFrom('inspection_findings').where('inspection_id', '=', id).execute();
      await trx.deleteFrom('inspections').where('account_id', '=', accountId).where('id', '=', id).execute();
      const keys = [row.image_sha256, row.anomaly_map_sha256, ...masks.map((m) => m.mask_sha256)].filter((k): k is string => typeof k === 'string');
      return [...new Set(keys)];
    });
  }

  /** Every active model version (the ones loaded at start). */
  async activeVersions(): Promise<ServingVersion[]> {
    const rows = await this.versionQuery().where('v.is_active', '=', 1).orderBy('m.name').execute();
    return this.withFiles(rows);
  }

  /** The version `id`, active or not. */
  async versionById(id: string): Promise<ServingVersion | undefined> {
    const rows = await this.versionQuery().where('v.id', '=', id).execute();
    return (await this.withFiles(rows))[0];
  }

  /** The active version of the model named `name` (or with id `name`). */
  async activeVersionOf(name: string): Promise<ServingVersion | undefined> {
    const rows = await this.versionQuery()
      .where('v.is_active', '=', 1)
      .where((eb) => eb.or([eb('m.name', '=', name), eb('m.id', '=', name)]))
      .execute();
    return (await this.withFiles(rows))[0];
  }

  private versionQuery() {
    return this.db
      .selectFrom('model_versions as v')
      .innerJoin('models as m', 'm.id', 'v.model_id')
      .select(['v.id', 'v.model_id', 'm.name', 'v.version', 'v.task', 'v.is_active', 'v.onnx_sha256', 'v.card_json']);
  }

  private async withFiles(
    rows: { id: string; model_id: string; name: string; version: string; task: string; is_active: number; onnx_sha256: string; card_json: string }[],
  ): Promise<ServingVersion[]> {
    if (rows.length === 0) return [];
    const files = await this.db
      .selectFrom('model_version_files')
      .select(['version_id', 'name', 'blob_sha256'])
      .where('version_id', 'in', rows.map((r) => r.id))
      .orderBy('name')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      modelId: r.model_id,
      modelName: r.name,
      version: r.version,
      task: r.task,
      isActive: r.is_active === 1,
      onnxSha256: r.onnx_sha256,
      cardJson: r.card_json,
      files: files.filter((f) => f.version_id === r.id).map((f) => ({ name: f.name, sha256: f.blob_sha256 })),
    }));
  }
}
