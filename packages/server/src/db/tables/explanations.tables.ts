/**
 * Tables of stored explanations (migration 0005-explanations): one row per computed method
 * result of an inspection, keyed by (inspection, method, target, parameters, seed), and one
 * row per aggregate of a set of usable results. Portable conventions (db/schema.ts): text
 * UUIDs, ISO-8601 UTC text timestamps, 0/1 integers, JSON as text. Every row carries its
 * `account_id`; every read filters by it. Blob columns reference `blobs.sha256` and are
 * registered with the sweeper by the explanation routes.
 */
import type { Insertable, Selectable } from 'kysely';

/** One method's result for one inspection, target, parameter set and seed. */
export interface ExplanationsTable {
  id: string;
  account_id: string;
  inspection_id: string;
  /** Core registry name (gradcam, ig, lime, ...). */
  method: string;
  /** `default` (the model's own choice) or `class:<index>`. */
  target_key: string;
  /** The class (or output element) index explained. */
  target_index: number;
  target_label: string | null;
  /** Why that target: given, predicted, top defect, ... (core image-target.ts). */
  target_reason: string;
  /** SHA-256 of the canonical JSON of `params_json`. */
  params_hash: string;
  /** The method's parameters with defaults filled in, JSON. */
  params_json: string;
  seed: number;
  /** float32 .npy [height, width]: the map at the image's size. */
  heatmap_sha256: string;
  /** float32 .npy at model-input size: what aggregates are computed from. */
  model_map_sha256: string;
  /** The map coloured with `colormap`, PNG. */
  heatmap_png_sha256: string;
  /** The coloured map over the image at `opacity`, PNG. */
  overlay_sha256: string;
  colormap: string;
  opacity: number;
  width: number;
  height: number;
  runtime_ms: number;
  evaluations: number;
  /** |sum of attributions - (f(x) - f(baseline))| (ig, kernelshap; gradshap's expected gap). */
  completeness_error: number | null;
  /** Why the map carries no explanation (JSON), null when usable. */
  degenerate_json: string | null;
  /** Pointing game and energy in mask against the reviewed mask (JSON), null without one. */
  quality_json: string | null;
  extras_json: string;
  /** The job that computed it, null when answered inline. */
  job_id: string | null;
  created_at: string;
}

/** The aggregate of two usable method results or more (same inspection, target and seed). */
export interface ExplanationAggregatesTable {
  id: string;
  account_id: string;
  inspection_id: string;
  target_key: string;
  seed: number;
  /** SHA-256 of the sorted member explanation ids. */
  members_hash: string;
  /** [{ explanationId, method, agreement }] in method order, JSON. */
  members_json: string;
  /** Methods left out as degenerate, JSON array. */
  excluded_json: string;
  score: number;
  mean_spearman: number;
  mean_iou: number;
  /** float32 .npy [height, width] in [0, 1]. */
  map_sha256: string;
  map_png_sha256: string;
  overlay_sha256: string;
  colormap: string;
  opacity: number;
  width: number;
  height: number;
  created_at: string;
}

/** The explanation module's tables, merged into the app's `Database`. */
export interface ExplanationTables {
  explanations: ExplanationsTable;
  explanation_aggregates: ExplanationAggregatesTable;
}

/** An explanation row. */
export type ExplanationRow = Selectable<ExplanationsTable>;
/** An explanation row to insert. */
export type NewExplanationRow = Insertable<ExplanationsTable>;
/** An aggregate row. */
export type AggregateRow = Selectable<ExplanationAggregatesTable>;
/** An aggregate row to insert. */
export type NewAggregateRow = Insertable<ExplanationAggregatesTable>;
