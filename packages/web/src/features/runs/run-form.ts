/**
 * The "start training" form: its text fields turned into the body of `POST /runs`
 * (empty fields left out so the server's defaults apply), with the limits of the run
 * schema checked before sending.
 */

/** The form's state: every field as typed. */
export interface RunFormState {
  datasetId: string;
  task: 'classify' | 'segment' | 'anomaly';
  modelName: string;
  version: string;
  epochs: string;
  batchSize: string;
  lr: string;
  width: string;
  depth: string;
  size: string;
  seed: string;
  optimizer: '' | 'sgd' | 'adam' | 'adamw';
  patience: string;
  augment: boolean;
  /** Anomaly runs: the method ('' leaves the server's default, patchcore). */
  method: '' | 'patchcore' | 'simulated' | 'auto';
  /** Anomaly runs of method simulated or auto: seconds for the whole fit. */
  timeBudgetSeconds: string;
}

/** A fresh form. */
export const EMPTY_RUN_FORM: RunFormState = {
  datasetId: '',
  task: 'classify',
  modelName: '',
  version: '',
  epochs: '20',
  batchSize: '',
  lr: '',
  width: '',
  depth: '',
  size: '',
  seed: '',
  optimizer: '',
  patience: '',
  augment: true,
  method: '',
  timeBudgetSeconds: '',
};

/** Largest time budget of an anomaly run, in seconds (the run schema's: 24 hours). */
export const MAX_TIME_BUDGET_SECONDS = 86_400;

/** The body of `POST /runs` for a train run. */
export interface TrainRunBody {
  kind: 'train';
  datasetId: string;
  task: RunFormState['task'];
  modelName: string;
  version?: string;
  params: Record<string, number | string | boolean>;
}

type NumberField = 'epochs' | 'batchSize' | 'lr' | 'width' | 'depth' | 'size' | 'seed' | 'patience';

/** Limits of the numeric parameters (the run schema's): integer, min, max, exclusive min. */
const LIMITS: Record<NumberField, { int: boolean; min: number; max: number; exclusiveMin?: boolean }> = {
  epochs: { int: true, min: 1, max: 1000 },
  batchSize: { int: true, min: 1, max: 1024 },
  lr: { int: false, min: 0, max: 10, exclusiveMin: true },
  width: { int: true, min: 2, max: 256 },
  depth: { int: true, min: 1, max: 5 },
  size: { int: true, min: 8, max: 1024 },
  seed: { int: true, min: 0, max: 2 ** 31 - 1 },
  patience: { int: true, min: 0, max: 1000 },
};

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const VERSION = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

/**
 * The body, or the problems by field name (`datasetId`, `modelName`, `params.epochs`, ...:
 * the names the server's field errors use).
 */
export function buildRunBody(f: RunFormState): { body?: TrainRunBody; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  if (!f.datasetId) errors.datasetId = 'Choose the dataset to train on.';
  if (!f.modelName.trim()) errors.modelName = 'Name the model the new version joins (a new name creates it).';
  else if (!NAME.test(f.modelName) || f.modelName.length > 100) errors.modelName = 'Letters, digits, dot, dash and underscore; start with a letter or digit.';
  if (f.version && (!VERSION.test(f.version) || f.version.length > 64)) errors.version = 'Letters, digits and . _ + -; start with a letter or digit.';
  const params: Record<string, number | string | boolean> = {};
  for (const key of Object.keys(LIMITS) as NumberField[]) {
    const raw = f[key].trim();
    if (!raw) continue;
    const v = Number(raw);
    const lim = LIMITS[key];
    const low = lim.exclusiveMin ? v <= lim.min : v < lim.min;
    if (!Number.isFinite(v) || (lim.int && !Number.isInteger(v)) || low || v > lim.max) {
      errors[`params.${key}`] = `${lim.int ? 'A whole number' : 'A number'} ${lim.exclusiveMin ? 'above' : 'from'} ${lim.min} ${lim.exclusiveMin ? 'up ' : ''}to ${lim.max}.`;
      continue;
    }
    params[key] = v;
  }
  if (f.optimizer) params.optimizer = f.optimizer;
  if (!f.augment) params.augment = false;
  if (f.task === 'anomaly') anomalyParams(f, params, errors);
  if (Object.keys(errors).length) return { errors };
  const body: TrainRunBody = { kind: 'train', datasetId: f.datasetId, task: f.task, modelName: f.modelName, params };
  if (f.version) body.version = f.version;
  return { body, errors };
}

/**
 * The anomaly method and its time budget, checked as the server checks them: a budget is a
 * number of seconds above 0 up to {@link MAX_TIME_BUDGET_SECONDS}, for simulated or auto
 * only (PatchCore's fit takes none); the simulated method needs at least 2 crops per step.
 */
function anomalyParams(f: RunFormState, params: Record<string, number | string | boolean>, errors: Record<string, string>): void {
  if (f.method) params.method = f.method;
  const method = f.method || 'patchcore';
  const raw = f.timeBudgetSeconds.trim();
  if (raw) {
    const v = Number(raw);
    if (method === 'patchcore') errors['params.timeBudgetSeconds'] = 'PatchCore takes no time budget: choose simulated or auto, or leave it empty.';
    else if (!Number.isFinite(v) || v <= 0 || v > MAX_TIME_BUDGET_SECONDS) errors['params.timeBudgetSeconds'] = `A number of seconds above 0 up to ${MAX_TIME_BUDGET_SECONDS}.`;
    else params.timeBudgetSeconds = v;
  }
  if (method !== 'patchcore' && params.batchSize === 1) errors['params.batchSize'] = 'The simulated method trains on at least 2 crops per step.';
}
