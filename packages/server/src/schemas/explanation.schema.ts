/**
 * Explanation schemas: the `POST /explain` body, a stored method result and aggregate as
 * the API shows them, the inline (200) and job (202) answers and the per-inspection list.
 * TypeBox; the Static types are exported for the service.
 */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { COLORMAP_NAMES, explainerNames } from '@xai-qc/core';
import { JobRef } from './job.schema.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const ParamValue = Type.Union([Type.Number(), Type.String(), Type.Boolean()]);

/** Body of `POST /explain`. */
export const ExplainBodySchema = Type.Object(
  {
    inspectionId: Type.String({ format: 'uuid', description: 'an inspection of the caller account' }),
    methods: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
      minItems: 1,
      maxItems: 16,
      description: `core registry names, each once: ${explainerNames().join(', ')}`,
    }),
    target: Type.Optional(
      Type.Union([Type.Integer({ description: 'class index (classify, segment); 0 for an anomaly detector' }), Type.Object({ finding: Type.Integer({ description: "index into the inspection's findings: explains that finding's class" }) }, { additionalProperties: false })], {
        description: "what to explain; default: the model's own choice (the predicted defect, else the most probable defect class)",
      }),
    ),
    params: Type.Optional(
      Type.Record(Type.String(), Type.Record(Type.String(), ParamValue), {
        description: 'parameters by method name, e.g. { "lime": { "samples": 200 } }; names and ranges as the core declares them',
      }),
    ),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647, description: 'seed of every sampling method (default 0)' })),
    colormap: Type.Optional(Type.Union(COLORMAP_NAMES.map((c) => Type.Literal(c)), { description: 'colormap of the stored PNGs (default jet)' })),
    opacity: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'heatmap opacity of the stored overlay (default 0.5)' })),
  },
  { additionalProperties: false },
);
/** The body of `POST /explain`. */
export type ExplainBody = Static<typeof ExplainBodySchema>;

const TargetSchema = Type.Object({
  key: Type.String({ description: '`default` or `class:<index>`: the target part of the stored key' }),
  index: Type.Integer({ description: 'class (or output element) index explained' }),
  label: Nullable(Type.String()),
  reason: Type.String({ description: 'given, predicted, top defect, top class, anomaly score or default' }),
});

/** One stored method result. */
export const ExplanationSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    inspectionId: Type.String({ format: 'uuid' }),
    method: Type.String(),
    target: TargetSchema,
    params: Type.Record(Type.String(), Type.Unknown(), { description: 'the parameters used, defaults filled in' }),
    seed: Type.Integer(),
    width: Type.Integer({ description: 'width of the heatmap (the image, longest side capped)' }),
    height: Type.Integer(),
    runtimeMs: Type.Number(),
    evaluations: Type.Integer({ description: 'model evaluations the method made' }),
    completenessError: Nullable(Type.Number({ description: '|sum of attributions - (f(x) - f(baseline))| (ig, kernelshap; gradshap: expected gap)' })),
    degenerate: Nullable(Type.Object({ reason: Type.String(), message: Type.String() }, { description: 'why the map carries no explanation; left out of the aggregate' })),
    quality: Nullable(Type.Record(Type.String(), Type.Unknown(), { description: 'pointing game and energy in mask against the reviewed mask' })),
    agreement: Type.Optional(Nullable(Type.Number({ description: "agreement with this answer's aggregate, in [0, 1]" }))),
    colormap: Type.String(),
    opacity: Type.Number(),
    extras: Type.Record(Type.String(), Type.Unknown()),
    jobId: Nullable(Type.String({ format: 'uuid' })),
    createdAt: Type.String({ format: 'date-time' }),
    links: Type.Object({ heatmapNpy: Type.String(), heatmapPng: Type.String(), overlay: Type.String() }),
  },
  { $id: 'Explanation', title: 'Explanation' },
);
/** A stored method result as the API shows it. */
export type ExplanationDto = Static<typeof ExplanationSchema>;

/** The aggregate of two usable results or more. */
export const ExplanationAggregateSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    inspectionId: Type.String({ format: 'uuid' }),
    targetKey: Type.String(),
    seed: Type.Integer(),
    members: Type.Array(Type.Object({ explanationId: Type.String({ format: 'uuid' }), method: Type.String(), agreement: Type.Number() })),
    excluded: Type.Array(Type.String(), { description: 'requested methods left out as degenerate' }),
    score: Type.Number({ description: 'consensus score in [0, 1]' }),
    meanSpearman: Type.Number(),
    meanIou: Type.Number(),
    width: Type.Integer(),
    height: Type.Integer(),
    colormap: Type.String(),
    opacity: Type.Number(),
    createdAt: Type.String({ format: 'date-time' }),
    links: Type.Object({ heatmapNpy: Type.String(), heatmapPng: Type.String(), overlay: Type.String() }),
  },
  { $id: 'ExplanationAggregate', title: 'ExplanationAggregate' },
);
/** An aggregate as the API shows it. */
export type ExplanationAggregateDto = Static<typeof ExplanationAggregateSchema>;

/** The stored answer to one explain request (200). */
export const ExplainResultSchema = Type.Object({
  inspectionId: Type.String({ format: 'uuid' }),
  seed: Type.Integer(),
  methods: Type.Array(Type.Ref('Explanation'), { description: 'one per requested method, in request order' }),
  aggregate: Nullable(Type.Ref('ExplanationAggregate')),
});
/** The 200 answer. */
export interface ExplainResultDto {
  inspectionId: string;
  seed: number;
  methods: ExplanationDto[];
  aggregate: ExplanationAggregateDto | null;
}

/** The job answer (202). */
export const ExplainAcceptedSchema = Type.Object({
  job: JobRef,
  location: Type.String({ description: 'GET this to poll the job (also the Location header)' }),
  events: Type.Array(Type.String(), { description: 'WebSocket event types that report this job: job.progress, job.finished, explanation.ready' }),
  pending: Type.Array(Type.String(), { description: 'methods the job computes; the others are stored already' }),
});

/** `GET /inspections/:id/explanations`. */
export const ExplanationListSchema = Type.Object({
  items: Type.Array(Type.Ref('Explanation')),
  aggregates: Type.Array(Type.Ref('ExplanationAggregate')),
});
/** The list body. */
export interface ExplanationListDto {
  items: ExplanationDto[];
  aggregates: ExplanationAggregateDto[];
}
