/**
 * Schemas of the review routes (TypeBox): a review as sent and as returned, the review
 * queue's query and page, and a claim.
 */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { QUEUE_REASONS, UNCERTAINTY_STRATEGIES } from '../services/review-queue.ts';

const Box = Type.Tuple([Type.Number(), Type.Number(), Type.Number(), Type.Number()], { description: '[x0, y0, x1, y1) in image pixels, x0 < x1, y0 < y1, inside the image' });

const ReviewBox = Type.Object({ label: Type.String({ minLength: 1, maxLength: 200 }), box: Box }, { additionalProperties: false });

const MaskInput = Type.Union(
  [
    Type.Object({ png: Type.String({ minLength: 1, maxLength: 50_000_000, description: 'a PNG of exactly the image size, base64; nonzero pixels are defect' }) }, { additionalProperties: false }),
    Type.Object(
      {
        rle: Type.Object(
          { size: Type.Tuple([Type.Integer({ minimum: 1 }), Type.Integer({ minimum: 1 })], { description: '[height, width], the image size' }), counts: Type.Array(Type.Integer({ minimum: 0 }), { maxItems: 10_000_000 }) },
          { additionalProperties: false, description: 'COCO uncompressed RLE: column-major runs, starting with zeros' },
        ),
      },
      { additionalProperties: false },
    ),
  ],
  { description: 'the corrected defect mask: a PNG or an RLE; an empty mask says the part has no defect region' },
);

/** Body of `POST /inspections/{id}/reviews`. */
export const ReviewInputSchema = Type.Object(
  {
    verdict: Type.Union([Type.Literal('pass'), Type.Literal('reject')], { description: 'the true verdict' }),
    label: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "the true class, one of the inspection's labels; default: the model's label when the verdict agrees" })),
    mask: Type.Optional(MaskInput),
    boxes: Type.Optional(Type.Array(ReviewBox, { maxItems: 1000, description: 'corrected boxes' })),
    comment: Type.Optional(Type.String({ maxLength: 4000 })),
  },
  { additionalProperties: false },
);

/** A review body. */
export type ReviewInput = Static<typeof ReviewInputSchema>;

/** One review as the API returns it. */
export const ReviewSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    inspectionId: Type.String({ format: 'uuid' }),
    supersedesId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], { description: 'the review this one replaced; null for the first' }),
    reviewer: Type.Object({ subject: Type.String(), name: Type.Union([Type.String(), Type.Null()]) }),
    createdAt: Type.String({ format: 'date-time' }),
    verdict: Type.Union([Type.Literal('pass'), Type.Literal('reject')]),
    label: Type.String(),
    classIndex: Type.Integer(),
    decision: Type.Union([Type.Literal('confirm'), Type.Literal('override')], { description: "confirm: verdict and label equal the model's" }),
    maskUrl: Type.Union([Type.String(), Type.Null()], { description: 'the corrected mask as PNG, when one was given' }),
    boxes: Type.Array(Type.Object({ label: Type.String(), box: Box })),
    comment: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'Review', title: 'Review' },
);

/** A review as returned. */
export type Review = Static<typeof ReviewSchema>;

/** `$ref` to {@link ReviewSchema}. */
export const ReviewRef = Type.Unsafe<Review>(Type.Ref('Review'));

/** The history of an inspection's reviews. */
export const ReviewHistorySchema = Type.Object({ items: Type.Array(ReviewRef, { description: 'newest first; the first is the current review' }) });

/** Query of `GET /review-queue`. */
export const QueueQuerySchema = Type.Object(
  {
    reason: Type.Optional(Type.Union(QUEUE_REASONS.map((r) => Type.Literal(r)))),
    model: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    strategy: Type.Optional(Type.Union(UNCERTAINTY_STRATEGIES.map((s) => Type.Literal(s)), { description: 'active-learning score (default entropy)' })),
    uncertainMin: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'score from which an inspection is uncertain (default 0.5)' })),
    auditRate: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'share drawn for the random audit sample (default 0.01)' })),
    confidentRate: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'share of confident inspections drawn (default 0.02)' })),
    includeClaimed: Type.Optional(Type.Boolean({ description: "also list items another reviewer holds (default false; the caller's own are always listed)" })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

/** Queue query. */
export type QueueQuery = Static<typeof QueueQuerySchema>;

const Claim = Type.Object({ inspectionId: Type.String({ format: 'uuid' }), reviewer: Type.String(), claimedAt: Type.String({ format: 'date-time' }), expiresAt: Type.String({ format: 'date-time' }) });

/** A claim as returned. */
export const ClaimSchema = Type.Object(Claim.properties, { $id: 'ReviewClaim', title: 'ReviewClaim' });

/** A claim. */
export type ClaimOut = Static<typeof ClaimSchema>;

/** One item of the queue. */
const QueueItem = Type.Object({
  inspectionId: Type.String({ format: 'uuid' }),
  createdAt: Type.String({ format: 'date-time' }),
  model: Type.Object({ name: Type.String(), version: Type.String() }),
  verdict: Type.String(),
  label: Type.String(),
  score: Type.Number(),
  reason: Type.Union(QUEUE_REASONS.map((r) => Type.Literal(r))),
  uncertainty: Type.Number({ description: 'the strategy\'s score, 0..1' }),
  claim: Type.Union([Type.Object({ reviewer: Type.String(), expiresAt: Type.String({ format: 'date-time' }), mine: Type.Boolean() }), Type.Null()]),
});

/** A page of the review queue. */
export const QueuePageSchema = Type.Object({
  items: Type.Array(QueueItem),
  counts: Type.Object(Object.fromEntries(QUEUE_REASONS.map((r) => [r, Type.Integer()])) as Record<(typeof QUEUE_REASONS)[number], ReturnType<typeof Type.Integer>>, {
    description: 'items per reason over the whole queue (not this page)',
  }),
  total: Type.Integer(),
  /** Window the queue was drawn from. */
  window: Type.Object({ size: Type.Integer(), limit: Type.Integer(), truncated: Type.Boolean({ description: 'more unreviewed inspections match than the window holds; narrow the filters' }) }),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

/** A queue page. */
export type QueuePage = Static<typeof QueuePageSchema>;
