/**
 * Schemas of the anomaly answers (`GET /inspections/{id}/anomaly` and its images): where
 * (the anomaly map), which (Grad-CAM++ of the detector's score), why (the feature
 * waterfall of the score surrogate) and what (the most similar past inspections of the
 * account, with their verdicts and reviews).
 */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';

/** The answers a client may ask for. */
export const ANSWER_NAMES = ['where', 'which', 'why', 'what'] as const;

/** Query of `GET /inspections/{id}/anomaly`. */
export const AnomalyQuerySchema = Type.Object(
  {
    include: Type.Optional(Type.String({ pattern: '^(where|which|why|what)(,(where|which|why|what))*$', description: 'comma-separated answers to compute (default all four)' })),
    k: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, description: 'similar inspections to return (default 5)' })),
  },
  { additionalProperties: false },
);
/** {@link AnomalyQuerySchema}. */
export type AnomalyQuery = Static<typeof AnomalyQuerySchema>;

/** Query of the thumbnail route. */
export const ThumbnailQuerySchema = Type.Object({ size: Type.Optional(Type.Integer({ minimum: 16, maximum: 512, description: 'longest side in pixels (default 128)' })) }, { additionalProperties: false });

const Where = Type.Object(
  {
    width: Type.Integer({ description: 'map width (the image as read, at most 1024 on the longer side)' }),
    height: Type.Integer(),
    max: Type.Number({ description: 'largest normalised map value; 0.5 is the pixel threshold' }),
    mean: Type.Number(),
    defectArea: Type.Number({ description: 'share of pixels at or above 0.5' }),
    links: Type.Object({
      map: Type.String({ description: 'the stored normalised map, 8-bit gray PNG at the image size' }),
      overlay: Type.String({ description: 'the map coloured (jet, 0..1) over the image, PNG' }),
      data: Type.String({ description: 'the map as float32 .npy [height, width], values 0..1' }),
    }),
  },
  { description: 'where: the anomaly map' },
);

const Which = Type.Object(
  {
    status: Type.Literal('ready'),
    explanationId: Type.String({ format: 'uuid', description: 'the stored explanation (GET /explanations/{id})' }),
    method: Type.Literal('gradcampp'),
    target: Type.String({ description: "why this target: 'anomaly score' (the detector's raw_score, in distance units)" }),
    width: Type.Integer(),
    height: Type.Integer(),
    runtimeMs: Type.Number(),
    degenerate: Type.Union([Type.String(), Type.Null()], { description: 'why the map carries no explanation, null when usable' }),
    createdAt: Type.String({ format: 'date-time' }),
    links: Type.Object({
      explanation: Type.String(),
      overlay: Type.String({ description: 'the map over the image, PNG' }),
      heatmap: Type.String({ description: 'the map coloured, PNG' }),
      data: Type.String({ description: 'the map as float32 .npy [height, width]' }),
    }),
  },
  { description: 'which: Grad-CAM++ of the detector score through the explanations (stored once, reused)' },
);

const WhichPending = Type.Object(
  {
    status: Type.Literal('pending'),
    jobId: Type.String({ format: 'uuid' }),
    location: Type.String({ description: 'GET this to poll the explain job' }),
  },
  { description: 'which: Grad-CAM++ did not finish within the inline budget and runs as an explain job' },
);

const WaterfallStep = Type.Object({
  name: Type.String(),
  label: Type.String(),
  value: Type.Number(),
  valueText: Type.String(),
  contribution: Type.Number({ description: 'Shapley value of the feature' }),
  start: Type.Number(),
  end: Type.Number({ description: 'start + contribution' }),
});

const Why = Type.Object(
  {
    status: Type.Literal('ready'),
    base: Type.Number({ description: 'E[f]: the surrogate at the background mean' }),
    fx: Type.Number({ description: 'the surrogate at this image: base + sum(contributions)' }),
    score: Type.Number({ description: 'the model score explained (normalised anomaly score)' }),
    features: Type.Record(Type.String(), Type.Number()),
    steps: Type.Array(WaterfallStep, { description: 'by decreasing |contribution|' }),
    fit: Type.Object({
      r2Train: Type.Union([Type.Number(), Type.Null()]),
      r2Holdout: Type.Union([Type.Number(), Type.Null()], { description: 'read this first: how far the surrogate follows the score (null when undefined)' }),
      rmseHoldout: Type.Union([Type.Number(), Type.Null()]),
      nTrain: Type.Integer(),
      nHoldout: Type.Integer(),
    }),
    surrogate: Type.Object({ samples: Type.Integer(), fittedAt: Type.String({ format: 'date-time' }) }),
    links: Type.Object({ png: Type.String() }),
  },
  { description: 'why: the feature waterfall of the score surrogate' },
);

const WhyPending = Type.Object(
  {
    status: Type.Literal('insufficient-data'),
    needed: Type.Integer({ description: 'inspections of this model version the surrogate needs' }),
    available: Type.Integer(),
  },
  { description: 'why: too few inspections of this model version in the account to fit the surrogate' },
);

const Similar = Type.Object({
  id: Type.String({ format: 'uuid' }),
  similarity: Type.Number({ description: 'cosine of the pooled embeddings, -1..1' }),
  verdict: Type.String(),
  label: Type.String(),
  score: Type.Number({ description: 'normalised anomaly score' }),
  createdAt: Type.String({ format: 'date-time' }),
  review: Type.Union(
    [
      Type.Object({
        verdict: Type.String({ description: 'the true verdict the reviewer gave' }),
        label: Type.String(),
        decision: Type.String({ description: "confirm (the model's verdict and label) or override" }),
        createdAt: Type.String({ format: 'date-time' }),
      }),
      Type.Null(),
    ],
    { description: 'the current review of that inspection, null while not reviewed' },
  ),
  links: Type.Object({ inspection: Type.String(), image: Type.String(), thumbnail: Type.String() }),
});

const What = Type.Object(
  {
    k: Type.Integer(),
    indexed: Type.Integer({ description: 'inspections of the account and model version in the index' }),
    pending: Type.Integer({ description: 'inspections not embedded yet (an embedding.index job is catching up)' }),
    items: Type.Array(Similar, { description: 'most similar first; the inspection itself is left out' }),
  },
  { description: "what: the account's most similar past inspections of the same model version" },
);

/** Response of `GET /inspections/{id}/anomaly`. */
export const AnomalyAnswersSchema = Type.Object(
  {
    inspectionId: Type.String({ format: 'uuid' }),
    model: Type.Object({ versionId: Type.String(), name: Type.String(), version: Type.String() }),
    score: Type.Number(),
    verdict: Type.String(),
    where: Type.Optional(Where),
    which: Type.Optional(Type.Union([Which, WhichPending])),
    why: Type.Optional(Type.Union([Why, WhyPending])),
    what: Type.Optional(What),
  },
  { $id: 'AnomalyAnswers', title: 'AnomalyAnswers' },
);
/** {@link AnomalyAnswersSchema}. */
export type AnomalyAnswers = Static<typeof AnomalyAnswersSchema>;
/** The where answer. */
export type WhereAnswer = Static<typeof Where>;
/** The which answer (stored or running as a job). */
export type WhichAnswer = Static<typeof Which> | Static<typeof WhichPending>;
/** The why answer (ready or waiting for data). */
export type WhyAnswer = Static<typeof Why> | Static<typeof WhyPending>;
/** The what answer. */
export type WhatAnswer = Static<typeof What>;
