/**
 * Tables of datasets and runs (migration 0006-datasets-runs). A dataset is a content-addressed
 * file set: one row, one `dataset_files` row per file (each file a blob), and the manifest as
 * a blob. A run trains or evaluates a model on a dataset as a background job; its status,
 * progress and error are the job's (`runs.job_id`), its results are here. Portable
 * conventions (db/schema.ts); every row carries its `account_id` and every read filters by it.
 */
import type { Insertable, Selectable } from 'kysely';

/** One uploaded dataset. */
export interface DatasetsTable {
  id: string;
  account_id: string;
  name: string;
  /** classification, segmentation or anomaly (core's layouts). */
  format: string;
  /** The core's dataset hash (manifest id): SHA-256 of the canonical manifest of format, classes and files. Unique per account. */
  manifest_hash: string;
  /** Blob of the manifest JSON (sorted files with sha256, size, role, label). */
  manifest_sha256: string;
  /** zip, tar or tar.gz. */
  archive_kind: string;
  file_count: number;
  total_bytes: number;
  /** Statistics JSON: counts per class, image sizes, formats, corrupt and skipped files. */
  stats_json: string;
  created_at: string;
  created_by: string | null;
}

/** One file of a dataset. */
export interface DatasetFilesTable {
  dataset_id: string;
  /** Relative, `/`-separated. */
  path: string;
  blob_sha256: string;
  size: number;
  /** image, mask or meta. */
  role: string;
  label: string | null;
}

/** One training or evaluation run. */
export interface RunsTable {
  id: string;
  account_id: string;
  /** train or evaluate. */
  kind: string;
  /** classify, segment or anomaly. */
  task: string;
  /** Null once the dataset was deleted (the run keeps `dataset_hash`). */
  dataset_id: string | null;
  dataset_hash: string;
  job_id: string;
  /** Validated request parameters, JSON. */
  params_json: string;
  /** Name of the model a train run registers a version of. */
  model_name: string | null;
  /** Version evaluated (evaluate) or used as backbone (anomaly training). */
  source_version_id: string | null;
  /** Version a train run registered (inactive). */
  result_version_id: string | null;
  /** Evaluate: the report; train: the test-split figures; JSON. */
  metrics_json: string | null;
  /** Train: the core's run record (run.json), JSON. */
  record_json: string | null;
  mlflow_run_id: string | null;
  created_at: string;
  created_by: string | null;
  finished_at: string | null;
}

/** Figures of one epoch of a train run, written as the epoch ends. */
export interface RunEpochsTable {
  run_id: string;
  epoch: number;
  train_loss: number;
  val_metric: number;
  lr: number;
  seconds: number;
  /** The validation report of the epoch, JSON. */
  val_json: string;
}

/** A file a run produced (curves, metrics, run record), stored as a blob. */
export interface RunArtifactsTable {
  run_id: string;
  name: string;
  blob_sha256: string;
  size: number;
  media_type: string;
}

/** The dataset module's tables, merged into the app's `Database`. */
export interface DatasetTables {
  datasets: DatasetsTable;
  dataset_files: DatasetFilesTable;
  runs: RunsTable;
  run_epochs: RunEpochsTable;
  run_artifacts: RunArtifactsTable;
}

/** A dataset row. */
export type DatasetRow = Selectable<DatasetsTable>;
/** A run row. */
export type RunRow = Selectable<RunsTable>;
/** A run row to insert. */
export type NewRunRow = Insertable<RunsTable>;
/** An epoch row. */
export type RunEpochRow = Selectable<RunEpochsTable>;
/** An artifact row. */
export type RunArtifactRow = Selectable<RunArtifactsTable>;
