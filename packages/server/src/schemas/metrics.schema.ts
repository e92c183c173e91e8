/** Schemas of `GET /metrics` (TypeBox). */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';

/** Query of `GET /metrics`. */
export const MetricsQuerySchema = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'inclusive start (created_at >= from)' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'exclusive end (created_at < to)' })),
    model: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'model name; 404 when unknown' })),
    version: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'version of `model`' })),
    groupBy: Type.Optional(Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('version')], { description: 'also report each day (UTC), week (from Monday, UTC) or model version' })),
    escapeCost: Type.Optional(Type.Number({ minimum: 0, maximum: 1e6, description: 'cost of a missed defect in the cost-weighted error (default 1)' })),
    falseRejectCost: Type.Optional(Type.Number({ minimum: 0, maximum: 1e6, description: 'cost of a good part rejected (default 1)' })),
  },
  { additionalProperties: false },
);

/** Metrics query. */
export type MetricsQuery = Static<typeof MetricsQuerySchema>;

const Nullable = <T extends ReturnType<typeof Type.Number>>(t: T) => Type.Union([t, Type.Null()]);
const Bounded = Type.Object({ estimate: Type.Number(), lower: Type.Number(), upper: Type.Number() }, { description: 'binned figure with an interval that holds the exact one' });

/** The figures of one bucket (or of the whole range). */
export const MetricsBucketSchema = Type.Object(
  {
    key: Type.String({ description: '`all`, a day (YYYY-MM-DD), a week (its Monday) or model@version' }),
    volume: Type.Integer({ description: 'inspections' }),
    referred: Type.Integer(),
    referralRate: Nullable(Type.Number()),
    reviewed: Type.Integer({ description: 'inspections with a review (the current one is the ground truth)' }),
    reviewCoverage: Nullable(Type.Number()),
    latencyMs: Type.Union([Type.Object({ p50: Type.Number(), p90: Type.Number(), p99: Type.Number(), mean: Type.Number() }, { description: 'request latency; percentiles within 0.5 %' }), Type.Null()]),
    classification: Type.Union([
      Type.Object(
        {
          tp: Type.Integer(),
          fp: Type.Integer(),
          tn: Type.Integer(),
          fn: Type.Integer(),
          accuracy: Type.Number(),
          precision: Type.Number(),
          recall: Type.Number(),
          f1: Type.Number(),
          escapeRate: Type.Number({ description: 'FN / (TP + FN): defects passed' }),
          falseRejectRate: Type.Number({ description: 'FP / (FP + TN): good parts rejected' }),
          costWeightedError: Type.Number({ description: '(escapeCost FN + falseRejectCost FP) / N' }),
        },
        { description: 'reviewed inspections, defect (reject) positive; 0/0 ratios are 0' },
      ),
      Type.Null(),
    ]),
    ranking: Type.Union([Type.Object({ auroc: Type.Number(), auprc: Type.Number(), averagePrecision: Type.Number() }, { description: 'of the defect score; null unless both classes were reviewed' }), Type.Null()]),
    segmentation: Type.Union([
      Type.Object(
        { images: Type.Integer(), iou: Nullable(Type.Number()), dice: Nullable(Type.Number()), meanIou: Nullable(Type.Number()), meanImageIou: Nullable(Type.Number()) },
        { description: 'reviewed masks against the union of the predicted finding masks; iou and dice of the defect class over all pixels' },
      ),
      Type.Null(),
    ]),
    anomalyMaps: Type.Union([
      Type.Object(
        {
          images: Type.Integer(),
          pixelAuroc: Type.Union([Bounded, Type.Null()]),
          pro: Nullable(Type.Number({ description: 'area under the per-region overlap curve up to a 30 % false-positive rate, normalised (the core auPro)' })),
          proImages: Type.Union([Type.Integer(), Type.Null()], { description: 'maps PRO was computed on; null when the bucket has more than 500 (PRO not reported)' }),
        },
        { description: 'anomaly maps against reviewed masks' },
      ),
      Type.Null(),
    ]),
    detection: Type.Union([
      Type.Object(
        {
          images: Type.Integer({ description: 'reviewed inspections whose review gives boxes (an empty list counts: no defect)' }),
          boxes: Type.Integer(),
          detections: Type.Integer(),
          map: Nullable(Type.Number({ description: 'COCO mAP@[.5:.95] of the finding boxes against the reviewed boxes' })),
          map50: Nullable(Type.Number()),
          map75: Nullable(Type.Number()),
        },
        { description: 'box findings against reviewed boxes, by label (pycocotools-equal evaluation of the core)' },
      ),
      Type.Null(),
    ]),
  },
  { $id: 'MetricsBucket', title: 'MetricsBucket' },
);

/** One bucket. */
export type MetricsBucket = Static<typeof MetricsBucketSchema>;

/** The response of `GET /metrics`. */
export const MetricsReportSchema = Type.Object({
  range: Type.Object({ from: Type.Union([Type.String(), Type.Null()]), to: Type.Union([Type.String(), Type.Null()]) }),
  filters: Type.Object({ model: Type.Union([Type.String(), Type.Null()]), version: Type.Union([Type.String(), Type.Null()]) }),
  groupBy: Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('version'), Type.Null()]),
  costs: Type.Object({ escapeCost: Type.Number(), falseRejectCost: Type.Number() }),
  positiveClass: Type.Literal('reject'),
  overall: Type.Unsafe<MetricsBucket>(Type.Ref('MetricsBucket')),
  groups: Type.Array(Type.Unsafe<MetricsBucket>(Type.Ref('MetricsBucket')), { description: 'by key, ascending; empty without groupBy' }),
});

/** The metrics response. */
export type MetricsReport = Static<typeof MetricsReportSchema>;
