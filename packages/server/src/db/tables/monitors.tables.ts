/**
 * Tables of monitors (migration 0014-monitors): what a monitor watches and when, and the
 * time series of its results. Portable conventions (db/schema.ts); every row carries its
 * `account_id` and every read filters by it.
 */
import type { Insertable, Selectable } from 'kysely';

/** A monitor of one model version. */
export interface MonitorsTable {
  id: string;
  account_id: string;
  name: string;
  model_name: string;
  model_version: string;
  /** The version's id, resolved at creation. */
  model_version_id: string;
  /** `range` (reference_from, reference_to), `first` (reference_count) or `dataset` (reference_dataset_id). */
  reference_kind: string;
  reference_from: string | null;
  reference_to: string | null;
  reference_count: number | null;
  reference_dataset_id: string | null;
  /** `count` (current_count) or `minutes` (current_minutes). */
  current_kind: string;
  current_count: number | null;
  current_minutes: number | null;
  interval_minutes: number;
  /** JSON array of signal names (MONITOR_SIGNALS). */
  signals_json: string;
  enabled: number;
  created_by: string;
  created_at: string;
  updated_at: string;
  /** When the scheduler runs it next; null: at its next tick. */
  next_run_at: string | null;
  last_run_at: string | null;
  /** `ok` or `error` after a run, null before the first. */
  last_status: string | null;
  last_error: string | null;
}

/** One computed result of a monitor. */
export interface MonitorResultsTable {
  id: string;
  monitor_id: string;
  account_id: string;
  computed_at: string;
  /** The monitor.run job that computed it. */
  job_id: string | null;
  /** Overall drift level: none, possible or drift. */
  level: string;
  /** Null for a dataset reference. */
  reference_from: string | null;
  reference_to: string | null;
  reference_count: number;
  current_from: string;
  current_to: string;
  current_count: number;
  /** JSON array of the core's DriftSignalResult. */
  signals_json: string;
  /** JSON array of notes (tests that could not run, and why). */
  notes_json: string;
  /** JSON of the performance block (estimated, realised, their difference). */
  performance_json: string;
}

/** The tables of this module, merged into the app's `Database`. */
export interface MonitorTables {
  monitors: MonitorsTable;
  monitor_results: MonitorResultsTable;
}

/** A monitor row. */
export type MonitorRow = Selectable<MonitorsTable>;
/** A result row. */
export type MonitorResultRow = Selectable<MonitorResultsTable>;
/** A new result row. */
export type NewMonitorResultRow = Insertable<MonitorResultsTable>;
