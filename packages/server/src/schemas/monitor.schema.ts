/**
 * Schemas of the monitor routes (TypeBox): monitors (what they watch, when, their last run)
 * and their results (drift per signal, overall level, performance before and after reviews).
 */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';

const NullableDate = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);
const NullableNumber = Type.Union([Type.Number(), Type.Null()]);

/** Smallest and largest window by count. */
const WindowCount = Type.Integer({ minimum: 5, maximum: 5000 });

/** The reference window: a date range, the first N inspections of the version, or a registered dataset's validation split. */
export const MonitorReferenceSchema = Type.Union(
  [
    Type.Object({ kind: Type.Literal('range'), from: Type.String({ format: 'date-time' }), to: Type.String({ format: 'date-time' }) }, { additionalProperties: false, description: "the version's inspections created in [from, to) (the newest 5000 when more)" }),
    Type.Object({ kind: Type.Literal('first'), count: WindowCount }, { additionalProperties: false, description: 'the first count inspections of the version' }),
    Type.Object(
      { kind: Type.Literal('dataset'), datasetId: Type.String({ format: 'uuid' }) },
      { additionalProperties: false, description: "the validation split of a registered dataset, drawn as the version's training drew it (its card's seed and shares); only image statistics" },
    ),
  ],
  { $id: 'MonitorReference', title: 'MonitorReference' },
);

/** A reference window. */
export type MonitorReference = Static<typeof MonitorReferenceSchema>;

/** The current window: the last N inspections or those of the last T minutes. */
export const MonitorCurrentSchema = Type.Union(
  [
    Type.Object({ kind: Type.Literal('count'), count: WindowCount }, { additionalProperties: false, description: 'the last count inspections of the version' }),
    Type.Object({ kind: Type.Literal('minutes'), minutes: Type.Integer({ minimum: 1, maximum: 525_600 }) }, { additionalProperties: false, description: 'the inspections of the last minutes (the newest 5000 when more)' }),
  ],
  { $id: 'MonitorCurrent', title: 'MonitorCurrent' },
);

/** A current window. */
export type MonitorCurrent = Static<typeof MonitorCurrentSchema>;

const SIGNALS_DESCRIPTION =
  'signals to check, a subset of brightness, contrast, sharpness, saturation, width, height, meanR, meanG, meanB, score, defectScore, uncertainty, latencyMs, predictedClass, embedding; ' +
  'an unknown name is 400 XQC_MONITOR_SIGNAL';

const MonitorFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  model: Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }), version: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
  reference: Type.Ref('MonitorReference'),
  current: Type.Ref('MonitorCurrent'),
  intervalMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 525_600, description: 'minutes between scheduled runs (default 60)' })),
  signals: Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { minItems: 1, maxItems: 20, uniqueItems: true, description: SIGNALS_DESCRIPTION }),
  enabled: Type.Optional(Type.Boolean({ description: 'scheduled runs on (default true); a disabled monitor still runs through POST /monitors/{id}/run' })),
};

/** Body of `POST /monitors`. */
export const MonitorInputSchema = Type.Object(MonitorFields, { additionalProperties: false });

/** A monitor body. */
export type MonitorInput = Static<typeof MonitorInputSchema>;

/** Body of `PATCH /monitors/{id}`: any field but the model. */
export const MonitorPatchSchema = Type.Object(
  {
    name: Type.Optional(MonitorFields.name),
    reference: Type.Optional(MonitorFields.reference),
    current: Type.Optional(MonitorFields.current),
    intervalMinutes: MonitorFields.intervalMinutes,
    signals: Type.Optional(MonitorFields.signals),
    enabled: MonitorFields.enabled,
  },
  { additionalProperties: false, minProperties: 1 },
);

/** A monitor patch. */
export type MonitorPatch = Static<typeof MonitorPatchSchema>;

/** A monitor as returned. */
export const MonitorSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    name: Type.String(),
    model: Type.Object({ name: Type.String(), version: Type.String(), versionId: Type.String() }),
    reference: Type.Ref('MonitorReference'),
    current: Type.Ref('MonitorCurrent'),
    intervalMinutes: Type.Integer(),
    signals: Type.Array(Type.String()),
    enabled: Type.Boolean(),
    createdBy: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    state: Type.Object({
      nextRunAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'when the scheduler runs it next; null: at its next check' }),
      lastRunAt: NullableDate,
      lastStatus: Type.Union([Type.Literal('ok'), Type.Literal('error'), Type.Null()], { description: 'null before the first run' }),
      lastError: Type.Union([Type.String(), Type.Null()], { description: 'why the last run stored no result' }),
    }),
  },
  { $id: 'Monitor', title: 'Monitor' },
);

/** A monitor as returned. */
export type Monitor = Static<typeof MonitorSchema>;

/** The account's monitors. */
export const MonitorListSchema = Type.Object({ items: Type.Array(Type.Ref('Monitor')) });

/** Answer of `POST /monitors/{id}/run`. */
export const MonitorRunQueuedSchema = Type.Object({ jobId: Type.String({ format: 'uuid', description: 'the monitor.run job (GET /jobs/{id}); its result is stored as the newest of GET /monitors/{id}/results' }) });

/** Performance figures of a window (estimated or realised); null where the denominator is 0. */
export const PerformanceFiguresSchema = Type.Object({
  count: Type.Integer({ description: 'inspections the figures are computed over' }),
  accuracy: Type.Number({ description: 'top-label accuracy' }),
  escapeRate: Type.Union([Type.Number(), Type.Null()], { description: 'FN / (TP + FN), positive class defect' }),
  falseRejectRate: Type.Union([Type.Number(), Type.Null()], { description: 'FP / (FP + TN)' }),
  passedDefectRate: Type.Union([Type.Number(), Type.Null()], { description: 'FN / passed: the defect share among the parts passed' }),
});

/** Performance figures. */
export type PerformanceFigures = Static<typeof PerformanceFiguresSchema>;

/** The performance block of a result. */
export const MonitorPerformanceSchema = Type.Object({
  inspections: Type.Integer({ description: 'inspections of the current window' }),
  reviewed: Type.Integer({ description: 'of them with a review' }),
  estimated: Type.Union([PerformanceFiguresSchema, Type.Null()], { description: 'CBPE from the calibrated probabilities over the whole window (before reviews)' }),
  realised: Type.Union([PerformanceFiguresSchema, Type.Null()], { description: 'from the reviews; null without any' }),
  estimatedOnReviewed: Type.Union([PerformanceFiguresSchema, Type.Null()], { description: 'CBPE over the reviewed inspections only, the like-for-like estimate' }),
  difference: Type.Union(
    [Type.Object({ accuracy: NullableNumber, escapeRate: NullableNumber, falseRejectRate: NullableNumber }), Type.Null()],
    { description: 'realised - estimatedOnReviewed; null without reviews' },
  ),
});

/** A performance block. */
export type MonitorPerformance = Static<typeof MonitorPerformanceSchema>;

const DRIFT_LEVEL = Type.Union([Type.Literal('none'), Type.Literal('possible'), Type.Literal('drift')]);

/** One signal's test, as the core's driftReport gives it. */
export const MonitorSignalResultSchema = Type.Object({
  signal: Type.String(),
  test: Type.Union([Type.Literal('ks'), Type.Literal('chi-squared'), Type.Literal('domain-classifier'), Type.Literal('mmd')]),
  statistic: Type.Number({ description: 'KS D, chi-squared statistic, domain-classifier AUC or MMD^2' }),
  pValue: Type.Optional(Type.Number()),
  adjustedPValue: Type.Optional(Type.Number({ description: 'Holm-corrected across the hypothesis tests of the result' })),
  threshold: Type.Optional(Type.Number({ description: 'AUC threshold of the domain classifier' })),
  level: DRIFT_LEVEL,
  psi: Type.Optional(Type.Number()),
  wassersteinNormalized: Type.Optional(Type.Number()),
});

const WindowBounds = Type.Object({ from: NullableDate, to: NullableDate, count: Type.Integer() });

/** One stored result of a monitor. */
export const MonitorResultSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    monitorId: Type.String({ format: 'uuid' }),
    computedAt: Type.String({ format: 'date-time' }),
    jobId: Type.Union([Type.String(), Type.Null()]),
    level: DRIFT_LEVEL,
    reference: Type.Object({ ...WindowBounds.properties }, { description: 'created_at of its first and last inspection (null for a dataset reference) and its size' }),
    current: Type.Object({ ...WindowBounds.properties }, { description: 'created_at of its first and last inspection and its size' }),
    signals: Type.Array(MonitorSignalResultSchema),
    notes: Type.Array(Type.String(), { description: 'tests that could not run, and why' }),
    performance: MonitorPerformanceSchema,
  },
  { $id: 'MonitorResult', title: 'MonitorResult' },
);

/** A result as returned. */
export type MonitorResult = Static<typeof MonitorResultSchema>;

/** Query of `GET /monitors/{id}/results`. */
export const MonitorResultQuerySchema = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'computed at or after' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'computed strictly before' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false },
);

/** Results query. */
export type MonitorResultQuery = Static<typeof MonitorResultQuerySchema>;

/** A page of results, newest first. */
export const MonitorResultPageSchema = Type.Object({ items: Type.Array(Type.Ref('MonitorResult')), nextCursor: Type.Union([Type.String(), Type.Null()]) });
