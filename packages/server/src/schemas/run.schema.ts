/** TypeBox schemas of the run routes: the request, a run with its epochs and artifacts, list query and page. */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';

const TrainTaskSchema = Type.Union([Type.Literal('classify'), Type.Literal('segment'), Type.Literal('anomaly')]);

/** Largest time budget of an anomaly run of method simulated or auto, in seconds (24 hours). */
export const MAX_TIME_BUDGET_SECONDS = 86_400;

/** Hyper-parameters of a train run; each has the core's default when left out. */
export const RunParamsSchema = Type.Object(
  {
    epochs: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'classify, segment (default 20)' })),
    batchSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 1024, description: 'default 32 (anomaly: feature batch)' })),
    lr: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 10, description: 'peak learning rate (default 3e-3)' })),
    width: Type.Optional(Type.Integer({ minimum: 2, maximum: 256, description: 'base channel width of the architecture (compact ResNet for classify, U-Net for segment)' })),
    depth: Type.Optional(Type.Integer({ minimum: 1, maximum: 5, description: 'stages of the architecture' })),
    size: Type.Optional(Type.Integer({ minimum: 8, maximum: 1024, description: 'square input size in pixels (default 64; anomaly: the backbone card)' })),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1, description: 'split, initialisation and augmentation seed (default 0)' })),
    optimizer: Type.Optional(Type.Union([Type.Literal('sgd'), Type.Literal('adam'), Type.Literal('adamw')])),
    schedule: Type.Optional(Type.Union([Type.Literal('cosine'), Type.Literal('step'), Type.Literal('constant')])),
    labelSmoothing: Type.Optional(Type.Number({ minimum: 0, maximum: 0.5 })),
    patience: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000, description: 'stop after this many epochs without a better validation figure (0: never)' })),
    augment: Type.Optional(Type.Boolean({ description: 'default true' })),
    valSplit: Type.Optional(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, description: 'share of each label for validation (default 0.15)' })),
    testSplit: Type.Optional(Type.Number({ minimum: 0, exclusiveMaximum: 1, description: "share of each label for the test figures of the card (default 0.15; 0: none)" })),
    threads: Type.Optional(Type.Integer({ minimum: 1, maximum: 64, description: 'ONNX Runtime intra-op threads' })),
    coreset: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'anomaly: share of patches kept in the memory bank (default 0.1)' })),
    quantile: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'anomaly: quantile of good validation scores for the thresholds (default 0.99)' })),
    imageScore: Type.Optional(Type.Union([Type.Literal('reweighted'), Type.Literal('max')], { description: 'anomaly' })),
    dim: Type.Optional(Type.Integer({ minimum: 1, maximum: 4096, description: 'anomaly: projected feature dimension' })),
    layers: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 8, description: 'anomaly: backbone feature layers by value name' })),
    method: Type.Optional(
      Type.Union([Type.Literal('patchcore'), Type.Literal('simulated'), Type.Literal('auto')], {
        description:
          'anomaly: patchcore (default; a memory bank of backbone features), simulated (a U-Net trained from scratch on the good images with simulated defects; no backbone), or auto (both, keeping the one that ranks a validation set better; the run metrics name the choice and why)',
      }),
    ),
    timeBudgetSeconds: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: MAX_TIME_BUDGET_SECONDS,
        description: `anomaly, method simulated or auto: seconds for the whole fit, thresholds included (default 600 for simulated, 900 for auto; at most ${MAX_TIME_BUDGET_SECONDS})`,
      }),
    ),
  },
  { additionalProperties: false },
);

/** Body of `POST /runs`. */
export const CreateRunSchema = Type.Object(
  {
    kind: Type.Union([Type.Literal('train'), Type.Literal('evaluate')]),
    datasetId: Type.String({ format: 'uuid' }),
    task: Type.Optional(TrainTaskSchema),
    modelName: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', description: 'train: the model the new version joins (created when new)' })),
    version: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._+-]*$', description: 'train: version of the new model version (default run-<first 8 characters of the run id>)' })),
    modelVersionId: Type.Optional(Type.String({ format: 'uuid', description: 'evaluate: the version to evaluate; train anomaly: the backbone (default the demo surface-classifier)' })),
    params: Type.Optional(RunParamsSchema),
  },
  { additionalProperties: false },
);

const EpochSchema = Type.Object({
  epoch: Type.Integer(),
  trainLoss: Type.Number(),
  valMetric: Type.Number({ description: 'accuracy (classify) or defect Dice (segment) on the validation split' }),
  lr: Type.Number(),
  seconds: Type.Number(),
  val: Type.Unknown({ description: 'the validation report of the epoch' }),
});

const ArtifactSchema = Type.Object({ name: Type.String(), sha256: Type.String(), size: Type.Integer(), mediaType: Type.String() });

/** A run. */
export const RunSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    kind: Type.Union([Type.Literal('train'), Type.Literal('evaluate')]),
    task: Type.String({ description: 'classify, segment, anomaly (evaluate: also detect)' }),
    status: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('cancelled')], { description: "the job's status" }),
    progress: Type.Number({ minimum: 0, maximum: 1 }),
    progressMessage: Type.Union([Type.String(), Type.Null()]),
    error: Type.Union([Type.String(), Type.Null()]),
    jobId: Type.String({ format: 'uuid', description: 'cancel through POST /jobs/{jobId}/cancel' }),
    datasetId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], { description: 'null once the dataset was deleted' }),
    datasetHash: Type.String(),
    params: Type.Unknown({ description: 'the validated request' }),
    modelName: Type.Union([Type.String(), Type.Null()]),
    sourceVersionId: Type.Union([Type.String(), Type.Null()], { description: 'evaluated version, or the backbone of an anomaly run' }),
    resultVersionId: Type.Union([Type.String(), Type.Null()], { description: 'the inactive version a train run registered' }),
    metrics: Type.Unknown({ description: 'evaluate: the report; train: the test-split figures; null until finished' }),
    mlflowRunId: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
    createdBy: Type.Union([Type.String(), Type.Null()]),
    startedAt: Type.Union([Type.String(), Type.Null()]),
    finishedAt: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'Run', title: 'Run' },
);

/** `$ref` to {@link RunSchema}. */
export const RunRef = Type.Ref('Run');

/** A run with its epochs and artifacts. */
export const RunDetailSchema = Type.Intersect([RunRef, Type.Object({ epochs: Type.Array(EpochSchema), artifacts: Type.Array(ArtifactSchema) })]);

/** Query of `GET /runs`. */
export const RunListQuerySchema = Type.Object(
  {
    datasetId: Type.Optional(Type.String({ format: 'uuid' })),
    kind: Type.Optional(Type.Union([Type.Literal('train'), Type.Literal('evaluate')])),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false },
);

/** A page of runs, newest first. */
export const RunPageSchema = Type.Object({ items: Type.Array(RunRef), nextCursor: Type.Union([Type.String(), Type.Null()]) });

/** `:id` of the run routes. */
export const RunIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** `:id` and `:name` of an artifact download. */
export const RunArtifactParams = Type.Object({ id: Type.String({ format: 'uuid' }), name: Type.String({ pattern: '^[A-Za-z0-9._-]{1,100}$' }) });

/** Body of `POST /runs`. */
export type CreateRunDto = Static<typeof CreateRunSchema>;
/** Hyper-parameters of a run. */
export type RunParamsDto = Static<typeof RunParamsSchema>;
/** A run as the API returns it. */
export type RunView = Static<typeof RunSchema>;
/** A run with epochs and artifacts. */
export type RunDetailView = RunView & { epochs: Static<typeof EpochSchema>[]; artifacts: Static<typeof ArtifactSchema>[] };
