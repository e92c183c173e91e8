/**
 * `run.train`: trains the model of a run on its dataset in a worker thread, publishing each
 * epoch as `run.epoch`, and registers the result as a new inactive model version with its
 * curves and metrics (services/run-executor.ts). Stops between steps when cancelled.
 * Result: `{ runId, versionId, modelName, version }`.
 */
import { executeTrain } from '../../services/run-executor.ts';
import { defineJob } from '../job-definition.ts';

/** The `run.train` handler. */
export const runTrainJob = defineJob('run.train', (deps) => (ctx) => executeTrain(deps, ctx));
