/**
 * Every job handler, listed explicitly (no globbing). A new job is one import and one entry
 * in {@link JOB_DEFINITIONS}. {@link buildJobHandlers} refuses to start unless every name of
 * job-names.ts has exactly one handler and every handler names a known job.
 */
import { ApiError } from '../errors/api-error.ts';
import type { JobDefinition, JobDeps } from './job-definition.ts';
import type { JobHandler, JobHandlers } from './job-queue.ts';
import { JOB_NAMES, isJobName } from './job-names.ts';
import { blobSweepJob } from './handlers/blob-sweep.job.ts';
import { calibrationFitJob } from './handlers/calibration-fit.job.ts';
import { runEvaluateJob } from './handlers/run-evaluate.job.ts';
import { runTrainJob } from './handlers/run-train.job.ts';
import { embeddingIndexJob } from './handlers/embedding-index.job.ts';
import { explainJob } from './handlers/explain.job.ts';
import { reportRenderJob } from './handlers/report-render.job.ts';
import { alertsEvaluateJob } from './handlers/alerts-evaluate.job.ts';
import { webhookDeliverJob } from './handlers/webhook-deliver.job.ts';
import { monitorRunJob } from './handlers/monitor-run.job.ts';

/** The app's handlers, one per job name. */
export const JOB_DEFINITIONS: readonly JobDefinition[] = Object.freeze([blobSweepJob, explainJob, embeddingIndexJob, runTrainJob, runEvaluateJob, calibrationFitJob, reportRenderJob, alertsEvaluateJob, webhookDeliverJob, monitorRunJob] as JobDefinition[]);

/**
 * Builds the handler map from `definitions`.
 * @throws ApiError 500 XQC_JOB_HANDLERS naming every job without a handler, with two, or unknown.
 */
export function buildJobHandlers(deps: JobDeps, definitions: readonly JobDefinition[] = JOB_DEFINITIONS): JobHandlers {
  const problems: string[] = [];
  const byName = new Map<string, JobHandler>();
  const seen = new Map<string, number>();
  for (const d of definitions) seen.set(d.name, (seen.get(d.name) ?? 0) + 1);
  for (const [name, count] of seen) {
    if (!isJobName(name)) problems.push(`'${name}' is not a job name (the names are ${JOB_NAMES.join(', ')})`);
    else if (count > 1) problems.push(`'${name}' has ${count} handlers; register exactly one`);
  }
  for (const name of JOB_NAMES) if (!seen.has(name)) problems.push(`'${name}' has no handler; add handlers/${name.replace(/\./g, '-')}.job.ts to register-jobs.ts`);
  if (problems.length > 0) throw new ApiError(500, 'XQC_JOB_HANDLERS', `job handlers: ${problems.join('; ')}`);
  for (const d of definitions) byName.set(d.name, d.create(deps) as JobHandler);
  return Object.freeze(Object.fromEntries(byName)) as unknown as JobHandlers;
}
