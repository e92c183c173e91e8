/**
 * Tables of reports (migration 0009-reports): one row per rendered report (PDF or Excel
 * workbook), inserted with its file blob in one transaction when the `report.render` job
 * succeeds. Portable conventions (db/schema.ts): text UUIDs, ISO-8601 UTC text timestamps,
 * JSON as text. Every row carries its `account_id`; every read filters by it.
 */
import type { Insertable, Selectable } from 'kysely';

/** One rendered report. */
export interface ReportsTable {
  id: string;
  account_id: string;
  /** The `report.render` job that rendered it. */
  job_id: string;
  /** `pdf` or `xlsx`. */
  format: string;
  title: string;
  /** The export request's filters (from, to, model, version, inspectionIds), JSON. */
  filters_json: string;
  /** The rendered file, a blob (registered with the sweeper). */
  file_sha256: string;
  media_type: string;
  /** Suggested download name. */
  file_name: string;
  size: number;
  /** PDF pages; null for workbooks. */
  pages: number | null;
  /** Inspections in the report's per-inspection part (PDF pages, the Inspections sheet). */
  inspections: number;
  /** Principal subject of the requester. */
  created_by: string;
  created_at: string;
}

/** The report module's tables, merged into the app's `Database`. */
export interface ReportTables {
  reports: ReportsTable;
}

/** A report row. */
export type ReportRow = Selectable<ReportsTable>;
/** A report row to insert. */
export type NewReportRow = Insertable<ReportsTable>;
