/** Schemas of the threshold-tuning routes (TypeBox). */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';

/** Query of `GET .../thresholds`. */
export const ThresholdQuerySchema = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    escapeCost: Type.Optional(Type.Number({ minimum: 0, maximum: 1e6, description: 'cost of a missed defect (default 1)' })),
    falseRejectCost: Type.Optional(Type.Number({ minimum: 0, maximum: 1e6, description: 'cost of a good part rejected (default 1)' })),
  },
  { additionalProperties: false },
);

/** Threshold query. */
export type ThresholdQuery = Static<typeof ThresholdQuerySchema>;

const Point = Type.Object({
  threshold: Type.Union([Type.Number(), Type.Null()], { description: 'reject when the defect score is at least this; null: reject nothing' }),
  tp: Type.Integer(),
  fp: Type.Integer(),
  tn: Type.Integer(),
  fn: Type.Integer(),
  precision: Type.Number(),
  recall: Type.Number(),
  f1: Type.Number(),
  escapeRate: Type.Number(),
  falseRejectRate: Type.Number(),
  cost: Type.Number({ description: '(escapeCost FN + falseRejectCost FP) / N' }),
});

/** One point of the curve. */
export type ThresholdPoint = Omit<Static<typeof Point>, 'threshold'> & { threshold: number };

const NullablePoint = Type.Union([Point, Type.Null()]);

/** The response of `GET .../thresholds`. */
export const ThresholdReportSchema = Type.Object({
  model: Type.String(),
  version: Type.String(),
  versionId: Type.String(),
  range: Type.Object({ from: Type.Union([Type.String(), Type.Null()]), to: Type.Union([Type.String(), Type.Null()]) }),
  reviewed: Type.Integer(),
  defects: Type.Integer({ description: 'reviewed inspections whose truth is reject' }),
  costs: Type.Object({ escapeCost: Type.Number(), falseRejectCost: Type.Number() }),
  current: Point,
  f1Optimal: NullablePoint,
  costOptimal: NullablePoint,
  histogram: Type.Object({ edges: Type.Array(Type.Number()), good: Type.Array(Type.Integer()), defect: Type.Array(Type.Integer()) }, { description: 'defect-score histograms of reviewed good and defective parts, 50 bins over [0, 1]' }),
  points: Type.Array(Point, { description: 'one per distinct score, highest threshold first' }),
});

/** Threshold report. */
export type ThresholdReport = Omit<Static<typeof ThresholdReportSchema>, 'current' | 'f1Optimal' | 'costOptimal'> & { current: ThresholdPoint; f1Optimal: ThresholdPoint | null; costOptimal: ThresholdPoint | null };

/** Body of `POST .../thresholds`. */
export const ThresholdSaveSchema = Type.Object(
  { threshold: Type.Number({ minimum: 0, maximum: 1, description: 'the new reject threshold on the defect score' }), note: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);
