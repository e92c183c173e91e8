/**
 * The whole database as Kysely sees it: one interface per module's tables, merged here.
 * Columns are snake_case; ids text UUIDs; timestamps ISO-8601 UTC text; booleans 0/1
 * integers; JSON as text, so the same queries return the same rows on SQLite and PostgreSQL.
 */
import type { AlertTables } from './tables/alerts.tables.ts';
import type { AskTables } from './tables/ask.tables.ts';
import type { AuthTables } from './tables/auth.tables.ts';
import type { EmbeddingTables } from './tables/embeddings.tables.ts';
import type { DatasetTables } from './tables/datasets.tables.ts';
import type { DatasetQualityTables } from './tables/dataset-quality.tables.ts';
import type { ExplanationTables } from './tables/explanations.tables.ts';
import type { InspectionsTable, InspectionTables } from './tables/inspections.tables.ts';
import type { JobTables } from './tables/jobs.tables.ts';
import type { MonitorTables } from './tables/monitors.tables.ts';
import type { PasswordResetTables } from './tables/password-resets.tables.ts';
import type { RegistryTables } from './tables/registry.tables.ts';
import type { ReportTables } from './tables/reports.tables.ts';
import type { ReviewTables } from './tables/reviews.tables.ts';
import type { InspectionSignalColumns, SignalTables } from './tables/signals.tables.ts';

/** Every table of the app. */
export interface Database extends AlertTables, AskTables, AuthTables, EmbeddingTables, DatasetTables, DatasetQualityTables, ExplanationTables, InspectionTables, JobTables, MonitorTables, PasswordResetTables, RegistryTables, ReportTables, ReviewTables, SignalTables {
  /** The inspection row with the monitoring signal columns (migration 0015). */
  inspections: InspectionsTable & InspectionSignalColumns;
}
