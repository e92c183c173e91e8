/**
 * Database IO of the monitoring signals: the signal columns /detect writes with the
 * inspection row (migration 0015: one statement, nothing more in the transaction), the failed
 * /detect log, and the windows a monitor reads (the signals of a version's inspections by
 * count or by time, each with the inspection's verdict and its current review, the latest per
 * inspection, as the metrics read it). Every query names the caller's `accountId`.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { ImageSignals } from '@xai-qc/core';
import type { Database } from '../db/schema.ts';
import type { InspectionSignalColumns, NewDetectFailureRow, SignalRow } from '../db/tables/signals.tables.ts';

/** A signals row with the inspection's verdict and its current review (null when unreviewed). */
export interface WindowRow extends SignalRow {
  verdict: string;
  image_sha256: string;
  review_verdict: string | null;
  review_class_index: number | null;
}

/** Which inspections of a version a window holds. */
export type WindowSelector =
  | { kind: 'first'; count: number }
  | { kind: 'last'; count: number }
  /** `[from, to)`, oldest first, at most `limit` (the newest `limit` when more match). */
  | { kind: 'range'; from: string; to: string; limit: number };

/**
 * The signal columns of an inspection row from the worker's image statistics and the MC-Dropout
 * predictive entropy (null when not computed). A gray image's mean is stored in all three
 * channel columns.
 */
export function signalColumns(sig: ImageSignals, uncertainty: number | null): InspectionSignalColumns {
  const [r, g = r, b = r] = sig.channelMeans;
  return {
    signal_brightness: sig.brightness,
    signal_contrast: sig.contrast,
    signal_sharpness: sig.sharpness,
    signal_saturation: sig.saturation,
    signal_mean_r: r,
    signal_mean_g: g,
    signal_mean_b: b,
    signal_uncertainty: uncertainty,
  };
}

/** See the module comment. */
export class SignalRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Records a failed /detect. */
  async recordFailure(row: NewDetectFailureRow): Promise<void> {
    await this.db.insertInto('detect_failures').values(row).execute();
  }

  /** The inspections of the account with signals, as signals rows (the inspection's columns under the names of {@link SignalRow}). */
  private signalRows(accountId: string) {
    return this.db
      .selectFrom('inspections as i')
      .select([
        'i.id as inspection_id',
        'i.account_id',
        'i.model_version_id',
        'i.model_name',
        'i.model_version',
        'i.created_at',
        'i.signal_brightness as brightness',
        'i.signal_contrast as contrast',
        'i.signal_sharpness as sharpness',
        'i.signal_saturation as saturation',
        'i.image_width as width',
        'i.image_height as height',
        'i.signal_mean_r as mean_r',
        'i.signal_mean_g as mean_g',
        'i.signal_mean_b as mean_b',
        'i.score',
        'i.defect_score',
        'i.class_index as predicted_class',
        'i.signal_uncertainty as uncertainty',
        'i.latency_ms',
      ])
      .where('i.account_id', '=', accountId)
      .where('i.signal_brightness', 'is not', null);
  }

  /** The signals of inspection `inspectionId` of the account; undefined when it has none (stored with signals off) or is not the account's. */
  async ofInspection(accountId: string, inspectionId: string): Promise<SignalRow | undefined> {
    return (await this.signalRows(accountId).where('i.id', '=', inspectionId).executeTakeFirst()) as SignalRow | undefined;
  }

  /** How many of the account's inspections have signals. */
  async count(accountId: string): Promise<number> {
    const row = await this.db
      .selectFrom('inspections')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('account_id', '=', accountId)
      .where('signal_brightness', 'is not', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** The rows of `selector` for the account's inspections of version `versionId` that have signals, oldest first. */
  async window(accountId: string, versionId: string, selector: WindowSelector): Promise<WindowRow[]> {
    let q = this.signalRows(accountId)
      .leftJoin('reviews as r', (join) =>
        join
          .onRef('r.inspection_id', '=', 'i.id')
          .on(({ eb, selectFrom }) => eb('r.created_at', '=', selectFrom('reviews as r2').select(sql<string>`max(r2.created_at)`.as('m')).whereRef('r2.inspection_id', '=', 'i.id'))),
      )
      .select(['i.verdict', 'i.image_sha256', 'r.verdict as review_verdict', 'r.class_index as review_class_index'])
      .where('i.model_version_id', '=', versionId);
    if (selector.kind === 'range') q = q.where('i.created_at', '>=', selector.from).where('i.created_at', '<', selector.to);
    const newestFirst = selector.kind !== 'first';
    const rows = (await q
      .orderBy('i.created_at', newestFirst ? 'desc' : 'asc')
      .orderBy('i.id', newestFirst ? 'desc' : 'asc')
      .limit(selector.kind === 'range' ? selector.limit : selector.count)
      .execute()) as WindowRow[];
    return newestFirst ? rows.reverse() : rows;
  }

  /**
   * Failed /detect requests and stored inspections of the account in `[from, to)`, for the
   * model (and version) when given: the error rate's numerator and the rest of its denominator.
   */
  async outcomeCounts(accountId: string, from: string, to: string, model?: string, version?: string): Promise<{ failures: number; inspections: number }> {
    let f = this.db.selectFrom('detect_failures').select((eb) => eb.fn.countAll<number | string>().as('n')).where('account_id', '=', accountId).where('created_at', '>=', from).where('created_at', '<', to);
    let i = this.db.selectFrom('inspections').select((eb) => eb.fn.countAll<number | string>().as('n')).where('account_id', '=', accountId).where('created_at', '>=', from).where('created_at', '<', to);
    if (model !== undefined) {
      f = f.where('model_name', '=', model);
      i = i.where('model_name', '=', model);
    }
    if (version !== undefined) {
      f = f.where('model_version', '=', version);
      i = i.where('model_version', '=', version);
    }
    const [a, b] = await Promise.all([f.executeTakeFirstOrThrow(), i.executeTakeFirstOrThrow()]);
    return { failures: Number(a.n), inspections: Number(b.n) };
  }
}
