/**
 * The cached dataset quality reports (migration 0011-dataset-quality). A dataset never
 * changes once stored, so a report is computed once per (dataset, split options, report
 * version) and kept as JSON text in the row, not as a blob: reports are a few kilobytes to
 * a few hundred, read whole, and go with their dataset (foreign key, on delete cascade).
 */
import type { Selectable } from 'kysely';

/** One computed report. */
export interface DatasetQualityReportsTable {
  dataset_id: string;
  account_id: string;
  /** The report version and split options it was computed with, e.g. `v1:seed=0:val=0.15:test=0.15`. */
  options_key: string;
  /** The core's DatasetQualityReport, JSON. */
  report_json: string;
  /** Images measured. */
  images: number;
  created_at: string;
}

/** The module's tables, merged into the app's `Database`. */
export interface DatasetQualityTables {
  dataset_quality_reports: DatasetQualityReportsTable;
}

/** A stored report row. */
export type DatasetQualityReportRow = Selectable<DatasetQualityReportsTable>;
