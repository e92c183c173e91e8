/**
 * Tables of the blob store and the model registry (migration 0001-registry). Columns are
 * snake_case as in SQL; ids are text UUIDs, timestamps ISO-8601 UTC text (sortable as text),
 * booleans integers 0/1 and JSON text, so SQLite and PostgreSQL return identical rows.
 */
import type { Selectable } from 'kysely';

/** One content-addressed blob: the file lives at `blobs/<aa>/<sha256>` in the blob store. */
export interface BlobsTable {
  sha256: string;
  size: number;
  media_type: string;
  created_at: string;
  /** Last time a writer stored these bytes; the sweeper leaves blobs younger than its grace period. */
  last_put_at: string;
}

/** A registered model: a name and a task; its versions hold the files. */
export interface ModelsTable {
  id: string;
  name: string;
  task: string;
  description: string | null;
  created_at: string;
  updated_at: string;
}

/** An immutable model version. At most one per model has `is_active = 1` (a partial unique index). */
export interface ModelVersionsTable {
  id: string;
  model_id: string;
  version: string;
  task: string;
  onnx_sha256: string;
  card_sha256: string;
  /** The validated card (core ModelCard) as JSON. */
  card_json: string;
  onnx_size: number;
  ir_version: number;
  opset: number;
  input_name: string;
  input_shape_json: string;
  is_active: number;
  created_at: string;
  created_by: string | null;
}

/** Extra files of a version (anomaly detectors: `anomaly.json` with PatchCore's `features.onnx` and `bank.npy`, or `network.onnx` of one trained on simulated defects). */
export interface ModelVersionFilesTable {
  version_id: string;
  name: string;
  blob_sha256: string;
  size: number;
}

/** The registry's tables, merged into the app's `Database`. */
export interface RegistryTables {
  blobs: BlobsTable;
  models: ModelsTable;
  model_versions: ModelVersionsTable;
  model_version_files: ModelVersionFilesTable;
}

/** A model row. */
export type ModelRow = Selectable<ModelsTable>;
/** A model version row. */
export type ModelVersionRow = Selectable<ModelVersionsTable>;
