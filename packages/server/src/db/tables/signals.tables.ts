/**
 * Tables of the monitoring signals: the per-inspection signals recorded by /detect (image
 * statistics of the decoded image, the outputs, the latency) as columns of the inspection
 * row (migration 0015-inspection-signal-columns; 0013-signals had kept them in a table of
 * their own) and the failed /detect requests (for the error rate). Portable conventions
 * (db/schema.ts); every row carries its `account_id` and every read filters by it.
 */
import type { Insertable, Selectable } from 'kysely';

/**
 * The signal columns of `inspections` (merged into its table in db/schema.ts): the image
 * statistics (core imageSignals) and the uncertainty. All null when the inspection was
 * stored with signals off; otherwise the image statistics are set (`signal_brightness is not
 * null` marks an inspection with signals). The size, outputs and latency the monitors read
 * are the inspection's own columns (image_width, image_height, score, defect_score,
 * class_index, latency_ms).
 */
export interface InspectionSignalColumns {
  /** Mean BT.601 luma, 0..255. */
  signal_brightness: number | null;
  /** Population std of the luma. */
  signal_contrast: number | null;
  /** Variance of the 3x3 Laplacian of the luma. */
  signal_sharpness: number | null;
  /** Mean HSV saturation, 0..1. */
  signal_saturation: number | null;
  /** Channel means, 0..255; a gray image has its gray mean in all three. */
  signal_mean_r: number | null;
  signal_mean_g: number | null;
  signal_mean_b: number | null;
  /** MC-Dropout predictive entropy (nats) when the request asked for it, else null. */
  signal_uncertainty: number | null;
}

/** The signals of one inspection as the monitors read them (the shape the former `inspection_signals` row had). */
export interface SignalRow {
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

/** The tables of this module, merged into the app's `Database` (the signal columns of `inspections` are merged there too). */
export interface SignalTables {
  detect_failures: DetectFailuresTable;
}

/** A failure row. */
export type DetectFailureRow = Selectable<DetectFailuresTable>;
/** A new failure row. */
export type NewDetectFailureRow = Insertable<DetectFailuresTable>;
