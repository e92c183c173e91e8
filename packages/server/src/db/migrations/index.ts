/**
 * Every migration, in order, listed explicitly (no globbing): the name is the sort key Kysely
 * records in `kysely_migration`. Each module adds its own line; never rename a shipped one.
 */
import type { Migration } from 'kysely';
import * as registry from './0001-registry.ts';
import * as auth from './0002-auth.ts';
import * as inspections from './0003-inspections.ts';
import * as jobs from './0004-jobs.ts';
import * as explanations from './0005-explanations.ts';
import * as datasetsRuns from './0006-datasets-runs.ts';
import * as embeddings from './0007-embeddings.ts';
import * as reviews from './0008-reviews.ts';
import * as reports from './0009-reports.ts';
import * as passwordResets from './0010-password-resets.ts';
import * as datasetQuality from './0011-dataset-quality.ts';
import * as alerts from './0012-alerts.ts';
import * as signals from './0013-signals.ts';
import * as monitors from './0014-monitors.ts';
import * as inspectionSignalColumns from './0015-inspection-signal-columns.ts';
import * as ask from './0016-ask.ts';

/** Migrations by name, applied in key order at start. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = Object.freeze({
  '0001-registry': registry,
  '0002-auth': auth,
  '0003-inspections': inspections,
  '0004-jobs': jobs,
  '0005-explanations': explanations,
  '0006-datasets-runs': datasetsRuns,
  '0007-embeddings': embeddings,
  '0008-reviews': reviews,
  '0009-reports': reports,
  '0010-password-resets': passwordResets,
  '0011-dataset-quality': datasetQuality,
  '0012-alerts': alerts,
  '0013-signals': signals,
  '0014-monitors': monitors,
  '0015-inspection-signal-columns': inspectionSignalColumns,
  '0016-ask': ask,
});
