/**
 * Tables of the anomaly answers (migration 0007-embeddings): per anomaly inspection its
 * pooled embedding (the retrieval trace of "what") and per account and model version the
 * fitted score surrogate (the "why" waterfall); "which" is stored by the explanations
 * (0005-explanations). Portable conventions (db/schema.ts): text UUIDs, ISO-8601
 * UTC text timestamps, JSON as text; the embedding is float32 little-endian bytes in a
 * binary column (`bytea`: a BLOB on SQLite, bytea on PostgreSQL). Every row carries its
 * `account_id`; every read filters by it.
 */
import type { Insertable, Selectable } from 'kysely';

/** The embedding of one inspection; removed with the inspection (foreign key, cascade). */
export interface InspectionEmbeddingsTable {
  inspection_id: string;
  account_id: string;
  model_version_id: string;
  /** Backbone value that was pooled (embeddings of different layers are not comparable). */
  layer: string;
  /** Number of float32 values in `vector`. */
  dim: number;
  /** [dim] float32 little-endian, unit length. */
  vector: Uint8Array;
  /** When the embedding was computed (not when the inspection was made). */
  embedded_at: string;
}

/** The surrogate of the anomaly score of one model version, fitted on one account's inspections. */
export interface AnomalySurrogatesTable {
  account_id: string;
  model_version_id: string;
  /** The core's AnomalySurrogate (surrogate, background, pixel threshold, feature options) as JSON. */
  surrogate_json: string;
  /** Inspections it was fitted on. */
  samples: number;
  fitted_at: string;
}

/** The tables of this module, merged into the app's `Database`. */
export interface EmbeddingTables {
  inspection_embeddings: InspectionEmbeddingsTable;
  anomaly_surrogates: AnomalySurrogatesTable;
}

/** An embedding row. */
export type EmbeddingRow = Selectable<InspectionEmbeddingsTable>;
/** A new embedding row. */
export type NewEmbeddingRow = Insertable<InspectionEmbeddingsTable>;
/** A surrogate row. */
export type SurrogateRow = Selectable<AnomalySurrogatesTable>;
