/**
 * Schemas of the inspection routes (TypeBox): what `POST /detect` returns, the list
 * filters and page, and the overlay options. Uploads are multipart (`image` fields); the
 * bytes are checked by content (inference/image-upload.ts), not by a JSON schema.
 */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';

const Box = Type.Tuple([Type.Number(), Type.Number(), Type.Number(), Type.Number()], { description: '[x0, y0, x1, y1) in original image pixels' });

/** A defect found in the image. */
export const FindingSchema = Type.Object(
  {
    label: Type.String(),
    classIndex: Type.Integer(),
    score: Type.Number({ description: 'probability-like score of the finding, 0..1' }),
    severity: Type.Union([Type.Literal('minor'), Type.Literal('major'), Type.Literal('critical')]),
    box: Type.Optional(Box),
    area: Type.Optional(Type.Integer({ description: 'pixels in the original image' })),
    rle: Type.Optional(
      Type.Object(
        { size: Type.Tuple([Type.Integer(), Type.Integer()], { description: '[height, width]' }), counts: Type.Array(Type.Integer()) },
        { description: 'COCO uncompressed RLE: column-major runs, starting with zeros' },
      ),
    ),
    polygon: Type.Optional(Type.Array(Type.Number(), { description: 'outer outline, flat [x0, y0, x1, y1, ...] at pixel corners' })),
    maskPng: Type.Optional(Type.String({ description: 'binary mask (0/255) as a grayscale PNG, base64' })),
  },
  { $id: 'Finding', title: 'Finding' },
);

const Uncertainty = Type.Object(
  {
    method: Type.Literal('mc-dropout'),
    samples: Type.Integer(),
    seed: Type.Integer(),
    meanProbabilities: Type.Array(Type.Number()),
    variance: Type.Array(Type.Number()),
    predictiveEntropy: Type.Number({ description: 'nats' }),
    expectedEntropy: Type.Number({ description: 'nats' }),
    mutualInformation: Type.Number({ description: 'nats; the epistemic part' }),
    disagreement: Type.Number({ description: 'share of passes whose top class differs from the mean top class' }),
  },
  { description: 'MC-Dropout uncertainty (image means for segmenters)' },
);

const Conformal = Type.Object(
  {
    alpha: Type.Number(),
    set: Type.Array(Type.String(), { description: 'labels in the conformal prediction set' }),
    referred: Type.Boolean(),
    reason: Type.Union([Type.Literal('ambiguous-set'), Type.Literal('empty-set'), Type.Literal('uncertain'), Type.Null()]),
  },
  { description: 'present when the model card is conformally calibrated' },
);

const Latency = Type.Object(
  {
    totalMs: Type.Number({ description: 'from the end of the upload until the blobs are stored (the row insert follows)' }),
    decodeMs: Type.Number(),
    preprocessMs: Type.Number({ description: 'the batch; 0 for anomaly models, which preprocess inside compute' }),
    queueMs: Type.Number({ description: 'waiting in the micro-batcher' }),
    computeMs: Type.Number({ description: "the batch's model run" }),
    postprocessMs: Type.Number({ description: 'the batch: probabilities, regions, masks, polygons' }),
    storeMs: Type.Number({ description: 'blobs and rows' }),
    batchSize: Type.Integer(),
  },
  { description: 'wall time by stage, ms' },
);

const FindingRef = Type.Unsafe<Static<typeof FindingSchema>>(Type.Ref('Finding'));

/** One inspection as the API returns it. */
export const InspectionSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    createdAt: Type.String({ format: 'date-time' }),
    createdBy: Type.String(),
    model: Type.Object({ id: Type.String(), name: Type.String(), versionId: Type.String(), version: Type.String(), task: Type.String() }),
    image: Type.Object({
      sha256: Type.String(),
      mediaType: Type.String(),
      width: Type.Integer(),
      height: Type.Integer(),
      size: Type.Integer({ description: 'bytes' }),
      name: Type.Union([Type.String(), Type.Null()]),
    }),
    verdict: Type.Union([Type.Literal('pass'), Type.Literal('reject')]),
    label: Type.String(),
    classIndex: Type.Integer(),
    score: Type.Number({ description: 'probability of `label`' }),
    defectScore: Type.Number({ description: 'defect probability (classify, segment) or normalised anomaly score (anomaly); the list filters use it' }),
    labels: Type.Array(Type.String()),
    probabilities: Type.Array(Type.Number(), { description: "class probabilities with the card's temperature applied, in the order of labels" }),
    findings: Type.Array(FindingRef),
    anomaly: Type.Optional(
      Type.Object({
        score: Type.Number({ description: 'normalised: >= 0.5 rejects' }),
        rawScore: Type.Number(),
        mapPng: Type.Optional(Type.String({ description: 'normalised anomaly map (0..1 as 0..255) as a grayscale PNG, base64' })),
      }),
    ),
    uncertainty: Type.Optional(Uncertainty),
    conformal: Type.Optional(Conformal),
    referred: Type.Boolean({ description: 'sent to the review queue by the referral rule' }),
    latency: Latency,
    links: Type.Object({ image: Type.String(), overlay: Type.String() }),
  },
  { $id: 'Inspection', title: 'Inspection' },
);

/** An inspection response body. */
export type Inspection = Static<typeof InspectionSchema>;

/** `$ref` to {@link InspectionSchema} (added to the app by the inspection routes). */
export const InspectionRef = Type.Unsafe<Inspection>(Type.Ref('Inspection'));
/** A finding of an inspection. */
export type Finding = Static<typeof FindingSchema>;

/** Query of `POST /detect` and `POST /detect/batch`. */
export const DetectQuerySchema = Type.Object(
  {
    model: Type.Optional(Type.String({ minLength: 1, description: "model name or id; its active version runs (required when more than one model is active, unless version is given)" })),
    version: Type.Optional(Type.String({ format: 'uuid', description: 'model version id (active or not)' })),
    uncertainty: Type.Optional(Type.Literal('mc-dropout', { description: 'add MC-Dropout uncertainty' })),
    samples: Type.Optional(Type.Integer({ minimum: 2, maximum: 200, default: 20, description: 'MC-Dropout passes' })),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647, default: 0, description: 'MC-Dropout mask seed' })),
  },
  { additionalProperties: false },
);
/** Query of the detect routes. */
export type DetectQuery = Static<typeof DetectQuerySchema>;

/** One entry of a batch answer: the inspection, or the problem of that image. */
export const BatchItemSchema = Type.Object({
  index: Type.Integer({ description: 'position of the image in the upload' }),
  filename: Type.Union([Type.String(), Type.Null()]),
  inspection: Type.Optional(InspectionRef),
  error: Type.Optional(Type.Object({ status: Type.Integer(), code: Type.String(), detail: Type.String() })),
});

/** Answer of `POST /detect/batch`. */
export const BatchResponseSchema = Type.Object({ items: Type.Array(BatchItemSchema) });

/** Sort orders of `GET /inspections`. */
export const INSPECTION_SORTS = ['newest', 'score', '-score', 'uncertainty'] as const;
/** A sort order of the list. */
export type InspectionSort = (typeof INSPECTION_SORTS)[number];

/** Ground-truth outcomes the list filters on. */
export const INSPECTION_OUTCOMES = ['fp', 'fn', 'wrongClass', 'correct'] as const;
/** An outcome filter. */
export type InspectionOutcome = (typeof INSPECTION_OUTCOMES)[number];

const CURRENT_REVIEW =
  "the inspection's current review: the newest one by (createdAt, id), the one no later review supersedes (as in GET /inspections/{id}/reviews, whose first item it is)";

/** Filters, sort and page of `GET /inspections`. */
export const ListQuerySchema = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'created at or after' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'created before' })),
    model: Type.Optional(Type.String({ minLength: 1, description: 'model name or id' })),
    version: Type.Optional(Type.String({ format: 'uuid', description: 'model version id' })),
    verdict: Type.Optional(Type.Union([Type.Literal('pass'), Type.Literal('reject')])),
    class: Type.Optional(Type.String({ minLength: 1, description: 'image label or the label of any finding' })),
    referred: Type.Optional(Type.Boolean()),
    minScore: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'lowest defectScore' })),
    maxScore: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'highest defectScore' })),
    reviewed: Type.Optional(Type.Boolean({ description: 'true: only inspections with at least one review (review is not null); false: only those without any' })),
    reviewer: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: `only inspections whose current review (${CURRENT_REVIEW}) was made by this principal subject (review.reviewer.subject, exact match); an earlier, superseded review by them does not count` }),
    ),
    outcome: Type.Optional(
      Type.Union(
        INSPECTION_OUTCOMES.map((o) => Type.Literal(o)),
        {
          description:
            "the model's verdict and label against the current review's (reject is the positive class); only reviewed inspections match. " +
            'fp (false positive): model reject, review pass. fn (false negative): model pass, review reject. ' +
            'wrongClass: model and review both reject, with different labels. correct: same verdict and same label (the review confirms). ' +
            'An inspection both sides pass with different labels matches none of them.',
        },
      ),
    ),
    sort: Type.Optional(
      Type.Union(
        INSPECTION_SORTS.map((s) => Type.Literal(s)),
        {
          default: 'newest',
          description:
            'newest: createdAt descending. score: defectScore ascending. -score: defectScore descending. ' +
            'uncertainty: most uncertain first, by |defectScore - 0.5| ascending (rows store no other uncertainty figure; MC-Dropout figures exist only on some). ' +
            'Ties go newest first (createdAt, then id, descending). A cursor is only valid for the sort that returned it (400 XQC_INVALID_CURSOR otherwise).',
        },
      ),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'nextCursor of the previous page, with the same sort' })),
  },
  { additionalProperties: false },
);
/** Query of the list route. */
export type ListQuery = Static<typeof ListQuerySchema>;

/** The current review of a listed inspection, in the field names of the Review schema. */
export const CurrentReviewSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    verdict: Type.Union([Type.Literal('pass'), Type.Literal('reject')], { description: 'the true verdict' }),
    label: Type.String({ description: 'the true class' }),
    reviewer: Type.Object({ subject: Type.String(), name: Type.Union([Type.String(), Type.Null()]) }),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'CurrentReview', title: 'CurrentReview', description: `${CURRENT_REVIEW}; GET /inspections/{id}/reviews has all of it and the history` },
);
/** The current review of a listed inspection. */
export type CurrentReview = Static<typeof CurrentReviewSchema>;

/** One item of `GET /inspections`: the inspection (without masks and maps) and its current review. */
export const InspectionListItemSchema = Type.Object(
  {
    ...InspectionSchema.properties,
    review: Type.Union([Type.Unsafe<CurrentReview>(Type.Ref('CurrentReview')), Type.Null()], { description: `${CURRENT_REVIEW}; null when the inspection has no review` }),
  },
  { $id: 'InspectionListItem', title: 'InspectionListItem' },
);
/** A list item. */
export type InspectionListItem = Static<typeof InspectionListItemSchema>;

/** A page of inspections (masks and maps left out; get one inspection for them). */
export const InspectionPageSchema = Type.Object({
  items: Type.Array(Type.Unsafe<InspectionListItem>(Type.Ref('InspectionListItem'))),
  nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'pass as cursor for the next page (with the same sort); null on the last' }),
});

/** Query of the overlay route. */
export const OverlayQuerySchema = Type.Object(
  { opacity: Type.Optional(Type.Number({ minimum: 0, maximum: 1, default: 0.5, description: 'mask opacity' })) },
  { additionalProperties: false },
);
