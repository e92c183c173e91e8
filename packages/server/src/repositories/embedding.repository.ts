/**
 * Database IO of the anomaly answers: inspection embeddings (the catch-up's backlog, the
 * rows an in-memory index is built from) and the fitted score surrogate per account and
 * model version. Every query names the caller's
 * `accountId`, so nothing of another account is ever read, let alone searched.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { NewEmbeddingRow, SurrogateRow } from '../db/tables/embeddings.tables.ts';

/** An inspection whose image still has to be embedded. */
export interface PendingInspection {
  id: string;
  imageSha256: string;
}

/** A stored embedding with what the index keeps beside it. */
export interface StoredEmbedding {
  inspectionId: string;
  verdict: string;
  embeddedAt: string;
  /** [dim] float32, unit length. */
  vector: Float32Array;
}

/** What the answer shows of a similar inspection. */
export interface SimilarInspectionRow {
  id: string;
  verdict: string;
  label: string;
  score: number;
  createdAt: string;
  imageName: string | null;
}

/** An inspection the surrogate is fitted on. */
export interface SurrogateSample {
  id: string;
  imageSha256: string;
  mapSha256: string;
  score: number;
}

/** Float32 little-endian bytes of a vector. */
export function vectorBytes(v: Float32Array): Buffer {
  const out = Buffer.alloc(v.length * 4);
  for (let i = 0; i < v.length; i++) out.writeFloatLE(v[i], i * 4);
  return out;
}

/** The vector of {@link vectorBytes}. */
export function bytesVector(b: Uint8Array): Float32Array {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  const out = new Float32Array(b.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = buf.readFloatLE(i * 4);
  return out;
}

/** See the module comment. */
export class EmbeddingRepository {
  constructor(private readonly db: Kysely<Database>) {}

  private pendingQuery(accountId: string, versionId: string) {
    return this.db
      .selectFrom('inspections as i')
      .leftJoin('inspection_embeddings as e', 'e.inspection_id', 'i.id')
      .where('i.account_id', '=', accountId)
      .where('i.model_version_id', '=', versionId)
      .where('e.inspection_id', 'is', null);
  }

  /** Up to `limit` inspections of `accountId` and version `versionId` without an embedding, oldest first. */
  async pending(accountId: string, versionId: string, limit: number): Promise<PendingInspection[]> {
    const rows = await this.pendingQuery(accountId, versionId).select(['i.id', 'i.image_sha256']).orderBy('i.created_at').orderBy('i.id').limit(limit).execute();
    return rows.map((r) => ({ id: r.id, imageSha256: r.image_sha256 }));
  }

  /** How many inspections of the account and version have no embedding yet. */
  async countPending(accountId: string, versionId: string): Promise<number> {
    const r = await this.pendingQuery(accountId, versionId).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** True when inspection `id` of `accountId` has an embedding. */
  async has(accountId: string, id: string): Promise<boolean> {
    const r = await this.db.selectFrom('inspection_embeddings').select('inspection_id').where('account_id', '=', accountId).where('inspection_id', '=', id).executeTakeFirst();
    return r !== undefined;
  }

  /**
   * Inserts embeddings; one that exists already (another process embedded it first) is
   * kept as it is. An inspection deleted meanwhile fails its foreign key: such rows are
   * inserted one by one and the missing inspections skipped.
   */
  async insert(rows: readonly NewEmbeddingRow[]): Promise<void> {
    if (rows.length === 0) return;
    try {
      await this.db.insertInto('inspection_embeddings').values([...rows]).onConflict((oc) => oc.column('inspection_id').doNothing()).execute();
    } catch (e) {
      if (rows.length === 1) {
        if (await this.inspectionExists(rows[0].account_id, rows[0].inspection_id)) throw e;
        return;
      }
      for (const r of rows) await this.insert([r]);
    }
  }

  private async inspectionExists(accountId: string, id: string): Promise<boolean> {
    return (await this.db.selectFrom('inspections').select('id').where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst()) !== undefined;
  }

  /** Count and latest `embedded_at` of the account's embeddings of a version and layer: an index built from them is current while both are unchanged. */
  async state(accountId: string, versionId: string, layer: string): Promise<{ count: number; latest: string | null }> {
    const r = await this.db
      .selectFrom('inspection_embeddings')
      .select((eb) => [eb.fn.countAll<number | string>().as('n'), eb.fn.max('embedded_at').as('latest')])
      .where('account_id', '=', accountId)
      .where('model_version_id', '=', versionId)
      .where('layer', '=', layer)
      .executeTakeFirstOrThrow();
    return { count: Number(r.n), latest: (r.latest as string | null) ?? null };
  }

  /**
   * The account's embeddings of a version and layer, in (embedded_at, inspection id) order,
   * with each inspection's verdict; only those embedded at or after `since` when given.
   */
  async load(accountId: string, versionId: string, layer: string, since?: string): Promise<StoredEmbedding[]> {
    let q = this.db
      .selectFrom('inspection_embeddings as e')
      .innerJoin('inspections as i', 'i.id', 'e.inspection_id')
      .select(['e.inspection_id', 'e.vector', 'e.embedded_at', 'i.verdict'])
      .where('e.account_id', '=', accountId)
      .where('i.account_id', '=', accountId)
      .where('e.model_version_id', '=', versionId)
      .where('e.layer', '=', layer);
    if (since !== undefined) q = q.where('e.embedded_at', '>=', since);
    const rows = await q.orderBy('e.embedded_at').orderBy('e.inspection_id').execute();
    return rows.map((r) => ({ inspectionId: r.inspection_id, verdict: r.verdict, embeddedAt: r.embedded_at, vector: bytesVector(r.vector) }));
  }

  /** The stored vector of inspection `id` of `accountId`, if embedded. */
  async vector(accountId: string, id: string): Promise<Float32Array | undefined> {
    const r = await this.db.selectFrom('inspection_embeddings').select('vector').where('account_id', '=', accountId).where('inspection_id', '=', id).executeTakeFirst();
    return r ? bytesVector(r.vector) : undefined;
  }

  /** The inspections `ids` of `accountId` (others' ids are simply absent). */
  async inspections(accountId: string, ids: readonly string[]): Promise<SimilarInspectionRow[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('inspections')
      .select(['id', 'verdict', 'label', 'defect_score', 'created_at', 'image_name'])
      .where('account_id', '=', accountId)
      .where('id', 'in', [...ids])
      .execute();
    return rows.map((r) => ({ id: r.id, verdict: r.verdict, label: r.label, score: r.defect_score, createdAt: r.created_at, imageName: r.image_name }));
  }

  /** Number of the account's inspections of a version that have an anomaly map. */
  async countScored(accountId: string, versionId: string): Promise<number> {
    const r = await this.db
      .selectFrom('inspections')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('account_id', '=', accountId)
      .where('model_version_id', '=', versionId)
      .where('anomaly_map_sha256', 'is not', null)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** The newest `limit` inspections of the account and version with an anomaly map (the surrogate's data). */
  async samples(accountId: string, versionId: string, limit: number): Promise<SurrogateSample[]> {
    const rows = await this.db
      .selectFrom('inspections')
      .select(['id', 'image_sha256', 'anomaly_map_sha256', 'defect_score'])
      .where('account_id', '=', accountId)
      .where('model_version_id', '=', versionId)
      .where('anomaly_map_sha256', 'is not', null)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ id: r.id, imageSha256: r.image_sha256, mapSha256: r.anomaly_map_sha256 as string, score: r.defect_score }));
  }

  /** The account's surrogate of a version, if fitted. */
  async surrogate(accountId: string, versionId: string): Promise<SurrogateRow | undefined> {
    return this.db.selectFrom('anomaly_surrogates').selectAll().where('account_id', '=', accountId).where('model_version_id', '=', versionId).executeTakeFirst();
  }

  /** Stores (or replaces) the account's surrogate of a version. */
  async putSurrogate(row: SurrogateRow): Promise<void> {
    await this.db
      .insertInto('anomaly_surrogates')
      .values(row)
      .onConflict((oc) => oc.columns(['account_id', 'model_version_id']).doUpdateSet({ surrogate_json: row.surrogate_json, samples: row.samples, fitted_at: row.fitted_at }))
      .execute();
  }

}
