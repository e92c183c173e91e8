/**
 * Tables of the monitoring signals (migration 0013-signals): the per-inspection signals
 * recorded by /detect (image statistics of the decoded image, the outputs, the latency) and
 * the failed /detect requests (for the error rate). Portable conventions (db/schema.ts);
 * every row carries its `account_id` and every read filters by it.
 */
import type { Insertable, Selectable } from 'kysely';

/** The signals of one inspection; removed with the inspection (foreign key, cascade). */
export interface InspectionSignalsTable {
  inspection_id: string;
  account_id: string;
  model_version_id: string;
  model_name: string;
  model_version: string;
  /** The inspection's created_at. */
  created_at: string;
  /** Mean BT.601 luma, 0..255 (core imageSignals). */
  brightness: number;
  /** Population std of the luma. */
  contrast: number;
  /** Variance of the 3x3 Laplacian of the luma. */
  sharpness: number;
  /** Mean HSV saturation, 0..1. */
  saturation: number;
  width: number;
  height: number;
  /** Channel means, 0..255; a gray image has its gray mean in all three. */
  mean_r: number;
  mean_g: number;
  mean_b: number;
  /** Probability of the predicted label. */
  score: number;
  /** Probability (or normalised anomaly score) of defect. */
  defect_score: number;
  /** Index of the predicted label. */
  predicted_class: number;
  /** MC-Dropout predictive entropy (nats) when the request asked for it, else null. */
  uncertainty: number | null;
  /** The request's latency from inference submission to storage, ms (the inspection's). */
  latency_ms: number;
}

/** A /detect whose inference step failed after the upload passed its checks. */
export interface DetectFailuresTable {
  id: string;
  account_id: string;
  model_version_id: string;
  model_name: string;
  model_version: string;
  created_at: string;
  /** HTTP status answered. */
  status: number;
  /** The stable error code answered. */
  code: string;
}

/** The tables of this module, merged into the app's `Database`. */
export interface SignalTables {
  inspection_signals: InspectionSignalsTable;
  detect_failures: DetectFailuresTable;
}

/** A signals row. */
export type SignalRow = Selectable<InspectionSignalsTable>;
/** A new signals row. */
export type NewSignalRow = Insertable<InspectionSignalsTable>;
/** A new failure row. */
export type NewDetectFailureRow = Insertable<DetectFailuresTable>;
