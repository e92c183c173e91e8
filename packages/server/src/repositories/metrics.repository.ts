/**
 * Reads for the metrics: inspections of an account in a range, page by page in
 * (created_at, id) order (keyset pagination, so a year of inspections streams through in
 * bounded memory), and for the reviewed ones their current review (the latest per
 * inspection) and their findings' mask blobs.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

/** Range and model filters. */
export interface MetricsFilter {
  accountId: string;
  from?: string;
  to?: string;
  model?: string;
  version?: string;
}

/** The columns every inspection contributes (volume, referral, latency, review coverage). */
export interface MetricsRow {
  id: string;
  created_at: string;
  model_name: string;
  model_version: string;
  task: string;
  verdict: string;
  defect_score: number;
  referred: number;
  latency_ms: number;
  image_width: number;
  image_height: number;
  anomaly_map_sha256: string | null;
  /** The current review, null when unreviewed. */
  review_verdict: string | null;
  review_mask_sha256: string | null;
  /** The current review's corrected boxes (JSON), null when it gave none. */
  review_boxes_json: string | null;
}

/** Keyset position. */
export interface MetricsCursor {
  createdAt: string;
  id: string;
}

/** See the module comment. */
export class MetricsRepository {
  constructor(private readonly db: Kysely<Database>) {}

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

  /** The next `limit` inspections after `after` matching `f`, oldest first, with their current review. */
  async page(f: MetricsFilter, limit: number, after?: MetricsCursor): Promise<MetricsRow[]> {
    let q = this.db
      .selectFrom('inspections as i')
      .leftJoin('reviews as r', (join) =>
        join
          .onRef('r.inspection_id', '=', 'i.id')
          .on(({ eb, selectFrom }) => eb('r.created_at', '=', selectFrom('reviews as r2').select(sql<string>`max(r2.created_at)`.as('m')).whereRef('r2.inspection_id', '=', 'i.id'))),
      )
      .select([
        'i.id',
        'i.created_at',
        'i.model_name',
        'i.model_version',
        'i.task',
        'i.verdict',
        'i.defect_score',
        'i.referred',
        'i.latency_ms',
        'i.image_width',
        'i.image_height',
        'i.anomaly_map_sha256',
        'r.verdict as review_verdict',
        'r.mask_sha256 as review_mask_sha256',
        'r.boxes_json as review_boxes_json',
      ])
      .where('i.account_id', '=', f.accountId);
    if (f.from !== undefined) q = q.where('i.created_at', '>=', f.from);
    if (f.to !== undefined) q = q.where('i.created_at', '<', f.to);
    if (f.model !== undefined) q = q.where('i.model_name', '=', f.model);
    if (f.version !== undefined) q = q.where('i.model_version', '=', f.version);
    if (after) q = q.where((eb) => eb.or([eb('i.created_at', '>', after.createdAt), eb.and([eb('i.created_at', '=', after.createdAt), eb('i.id', '>', after.id)])]));
    return (await q.orderBy('i.created_at').orderBy('i.id').limit(limit).execute()) as MetricsRow[];
  }

  /** Mask blob keys of the findings of inspection `id` (region findings only). */
  async findingMasks(id: string): Promise<string[]> {
    const rows = await this.db.selectFrom('inspection_findings').select('mask_sha256').where('inspection_id', '=', id).where('mask_sha256', 'is not', null).execute();
    return rows.map((r) => r.mask_sha256 as string);
  }

  /** Boxes of the findings of inspection `id` with their label and score. */
  async findingBoxes(id: string): Promise<{ label: string; score: number; box: [number, number, number, number] }[]> {
    const rows = await this.db.selectFrom('inspection_findings').select(['label', 'score', 'box_json']).where('inspection_id', '=', id).where('box_json', 'is not', null).orderBy('idx').execute();
    return rows.map((r) => ({ label: r.label, score: r.score, box: JSON.parse(r.box_json as string) as [number, number, number, number] }));
  }
}
