/**
 * `run.evaluate`: evaluates the model version of a run on its whole dataset in a worker
 * thread and stores the report (services/run-executor.ts). Stops between images when cancelled.
 * Result: `{ runId, versionId }`.
 */
import { executeEvaluate } from '../../services/run-executor.ts';
import { defineJob } from '../job-definition.ts';

/** The `run.evaluate` handler. */
export const runEvaluateJob = defineJob('run.evaluate', (deps) => (ctx) => executeEvaluate(deps, ctx));
