/**
 * Tables of inspections (migration 0003-inspections): one row per image run through one
 * model version, and one row per finding. Columns follow the app's portable conventions
 * (db/schema.ts): text UUIDs, ISO-8601 UTC text timestamps, 0/1 integers, JSON as text,
 * double precision scores. Every row carries its `account_id`; every query filters by it.
 */
import type { Insertable, Selectable } from 'kysely';

/** One inspection. */
export interface InspectionsTable {
  id: string;
  account_id: string;
  model_id: string;
  model_version_id: string;
  /** Model name and version string at the time of the inspection (the registry keeps them too). */
  model_name: string;
  model_version: string;
  task: string;
  created_at: string;
  /** The principal's subject. */
  created_by: string;
  image_sha256: string;
  image_media_type: string;
  image_width: number;
  image_height: number;
  image_size: number;
  /** The uploaded file name, when the client sent one. */
  image_name: string | null;
  verdict: string;
  label: string;
  class_index: number;
  /** Probability of `label`. */
  score: number;
  /** Defect probability (classify, segment) or normalised anomaly score (anomaly), 0..1: the score filters use it. */
  defect_score: number;
  /** 1 when the referral rule sent it to the review queue. */
  referred: number;
  /** Class probabilities, in the order of `labels_json`. */
  probabilities_json: string;
  labels_json: string;
  /** Uncertainty, conformal set, anomaly raw score, latency breakdown, batch size (JSON object). */
  details_json: string;
  /** Normalised anomaly map as a grayscale PNG blob, anomaly models only. */
  anomaly_map_sha256: string | null;
  /** Wall time of the request from arrival of the image to the result, ms. */
  latency_ms: number;
}

/** One finding of an inspection. */
export interface InspectionFindingsTable {
  inspection_id: string;
  /** Position in the inspection's findings, from 0. */
  idx: number;
  label: string;
  class_index: number;
  score: number;
  severity: string;
  /** [x0, y0, x1, y1) as JSON, region findings only. */
  box_json: string | null;
  area: number | null;
  rle_json: string | null;
  polygon_json: string | null;
  /** Binary mask PNG blob, region findings only. */
  mask_sha256: string | null;
}

/** The inspection tables, merged into the app's `Database`. */
export interface InspectionTables {
  inspections: InspectionsTable;
  inspection_findings: InspectionFindingsTable;
}

/** An inspection row. */
export type InspectionRow = Selectable<InspectionsTable>;
/** A new inspection row. */
export type NewInspectionRow = Insertable<InspectionsTable>;
/** A finding row. */
export type FindingRow = Selectable<InspectionFindingsTable>;
/** A new finding row. */
export type NewFindingRow = Insertable<InspectionFindingsTable>;
