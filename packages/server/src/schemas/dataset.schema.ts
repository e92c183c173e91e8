/** TypeBox schemas of the dataset routes: the dataset, its statistics and files, list query and page. */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';

/** The layouts the core reads. */
export const DatasetFormatSchema = Type.Union([Type.Literal('classification'), Type.Literal('segmentation'), Type.Literal('anomaly')], {
  description: 'classification: ROOT/<class>/*; segmentation: ROOT/images + ROOT/masks; anomaly: anomalib folder ROOT/good, ROOT/<defect>, ROOT/masks/<defect>',
});

const Spread = Type.Object({ min: Type.Integer(), max: Type.Integer(), median: Type.Number() }, { description: 'pixels' });
const FileProblem = Type.Object({ path: Type.String(), reason: Type.String() });

/** Figures of a dataset, computed at upload. */
export const DatasetStatsSchema = Type.Object(
  {
    classes: Type.Array(Type.String(), { description: 'labels in the reader order (mask-class order for segmentation)' }),
    images: Type.Integer({ description: 'usable images' }),
    masks: Type.Integer({ description: 'masks paired with images' }),
    countsPerClass: Type.Record(Type.String(), Type.Integer(), { description: 'images per label (segmentation: per dominant mask class)' }),
    width: Spread,
    height: Spread,
    formats: Type.Record(Type.String(), Type.Integer(), { description: 'images per decoded format (png, jpeg, ...)' }),
    corrupt: Type.Array(FileProblem, { description: 'files with an image extension that the core decoder (decodeImage) refused; not stored' }),
    skipped: Type.Array(FileProblem, { description: 'other files the layout reader passed over (unknown extension, mask without image, ...); not stored' }),
  },
  { $id: 'DatasetStats', title: 'DatasetStats' },
);

/** A dataset. */
export const DatasetSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    name: Type.String(),
    format: DatasetFormatSchema,
    manifestHash: Type.String({ description: "the core's dataset hash (manifest id): SHA-256 of the canonical manifest of format, classes and files; equals dataset.hash in the card of a model trained on it" }),
    manifestSha256: Type.String({ description: 'blob key of the stored manifest JSON' }),
    archiveKind: Type.Union([Type.Literal('zip'), Type.Literal('tar'), Type.Literal('tar.gz')]),
    fileCount: Type.Integer(),
    totalBytes: Type.Integer(),
    stats: Type.Ref('DatasetStats'),
    createdAt: Type.String({ format: 'date-time' }),
    createdBy: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'Dataset', title: 'Dataset' },
);

/** `$ref` to {@link DatasetSchema}. */
export const DatasetRef = Type.Ref('Dataset');

/** A stored file of a dataset. */
export const DatasetFileSchema = Type.Object({
  path: Type.String(),
  sha256: Type.String(),
  size: Type.Integer(),
  role: Type.Union([Type.Literal('image'), Type.Literal('mask'), Type.Literal('meta')]),
  label: Type.Union([Type.String(), Type.Null()]),
});

/** A dataset with its files. */
export const DatasetDetailSchema = Type.Intersect([DatasetRef, Type.Object({ files: Type.Array(DatasetFileSchema) })]);

/** The answer of an upload: the dataset and whether it already existed. */
export const DatasetUploadSchema = Type.Object({
  dataset: DatasetRef,
  deduplicated: Type.Boolean({ description: 'true when the account already had a dataset with this manifest hash (returned, nothing stored)' }),
});

/** Query of `GET /datasets`. */
export const DatasetListQuerySchema = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false },
);

/** A page of datasets, newest first. */
export const DatasetPageSchema = Type.Object({
  items: Type.Array(DatasetRef),
  nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'pass as cursor for the next page; null on the last' }),
});

/** `:id` of the dataset routes. */
export const DatasetIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** A dataset as the API returns it. */
export type DatasetView = Static<typeof DatasetSchema> & { stats: Static<typeof DatasetStatsSchema> };
/** Statistics of a dataset. */
export type DatasetStats = Static<typeof DatasetStatsSchema>;
/** A dataset with its files. */
export type DatasetDetailView = DatasetView & { files: Static<typeof DatasetFileSchema>[] };
/** A dataset format. */
export type DatasetFormatName = Static<typeof DatasetFormatSchema>;
