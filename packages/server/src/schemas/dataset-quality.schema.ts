/** TypeBox schemas of `GET /datasets/{id}/quality`: the query and the core's DatasetQualityReport. */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';

const SplitSchema = Type.Union([Type.Literal('train'), Type.Literal('val'), Type.Literal('test')]);
const LevelSchema = Type.Union([Type.Literal('ok'), Type.Literal('warning'), Type.Literal('error')]);
const PerSplit = Type.Object({ train: Type.Integer(), val: Type.Integer(), test: Type.Integer() });
const Member = { path: Type.String(), label: Type.String(), split: SplitSchema };
const MemberSchema = Type.Object(Member);
const SizeSpread = Type.Object({ min: Type.Number(), max: Type.Number(), median: Type.Number() });
const Check = Type.Object({ level: LevelSchema, count: Type.Integer({ description: 'findings (groups for duplicates and leakage)' }) });

/** Query of the quality route: the split as a run with the same parameters draws it. */
export const DatasetQualityQuerySchema = Type.Object(
  {
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1, default: 0, description: "split seed, as a run's seed (default 0)" })),
    valSplit: Type.Optional(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.15, description: 'validation share of each label, as a run (default 0.15)' })),
    testSplit: Type.Optional(Type.Number({ minimum: 0, exclusiveMaximum: 1, default: 0.15, description: 'test share of each label, as a run (default 0.15)' })),
  },
  { additionalProperties: false },
);

/** The core's dataset quality report. */
export const DatasetQualityReportSchema = Type.Object(
  {
    images: Type.Integer({ description: 'usable images measured' }),
    classes: Type.Array(Type.String()),
    split: Type.Object({
      source: Type.Union([Type.Literal('dataset'), Type.Literal('drawn')], { description: "drawn: the core's seeded stratified split, as training draws it" }),
      seed: Type.Union([Type.Integer(), Type.Null()]),
      ratios: Type.Union([Type.Object({ train: Type.Number(), val: Type.Number(), test: Type.Number() }), Type.Null()]),
    }),
    countsPerClass: Type.Record(Type.String(), Type.Integer()),
    countsPerSplit: PerSplit,
    countsPerClassAndSplit: Type.Record(Type.String(), PerSplit),
    sizes: Type.Object({
      width: SizeSpread,
      height: SizeSpread,
      distinct: Type.Array(Type.Object({ width: Type.Integer(), height: Type.Integer(), count: Type.Integer() }), { description: 'the 20 most common sizes' }),
    }),
    formats: Type.Record(Type.String(), Type.Integer()),
    exactDuplicates: Type.Array(
      Type.Object({ sha256: Type.String(), members: Type.Array(MemberSchema), labels: Type.Array(Type.String(), { description: 'more than one: a label conflict (error)' }), splits: Type.Array(SplitSchema) }),
      { description: 'files with identical bytes (SHA-256)' },
    ),
    nearDuplicates: Type.Array(
      Type.Object({
        hash: Type.Union([Type.Literal('phash'), Type.Literal('dhash')]),
        members: Type.Array(Type.Object({ ...Member, distance: Type.Integer({ description: 'smallest Hamming distance to another member' }) })),
        labels: Type.Array(Type.String()),
        splits: Type.Array(SplitSchema),
      }),
      { description: 'connected groups of images within the Hamming distance of the perceptual hash (byte-identical pairs left out)' },
    ),
    leakage: Type.Array(Type.Object({ kind: Type.Union([Type.Literal('exact'), Type.Literal('near')]), splits: Type.Array(SplitSchema), members: Type.Array(MemberSchema) }), {
      description: 'duplicate groups whose members sit in more than one split',
    }),
    corrupt: Type.Array(Type.Object({ path: Type.String(), reason: Type.String() })),
    outliers: Type.Array(
      Type.Object({
        ...Member,
        metric: Type.Union([Type.Literal('brightness'), Type.Literal('blur'), Type.Literal('size')]),
        value: Type.Number({ description: 'brightness: mean gray 0..255; blur: variance of the Laplacian; size: pixels' }),
        median: Type.Number({ description: "the class's median of the figure" }),
        z: Type.Number({ description: 'robust z-score (blur: of log10(1 + variance))' }),
        direction: Type.Union([Type.Literal('low'), Type.Literal('high')]),
      }),
    ),
    balance: Type.Array(Type.Object({ rule: Type.Union([Type.Literal('ratio'), Type.Literal('minimum'), Type.Literal('empty')]), label: Type.String(), count: Type.Integer(), message: Type.String() })),
    thresholds: Type.Object({
      hash: Type.Union([Type.Literal('phash'), Type.Literal('dhash')]),
      maxHashDistance: Type.Integer(),
      outlierZ: Type.Number(),
      minClassSizeForOutliers: Type.Integer(),
      balanceRatio: Type.Number(),
      minImagesPerClass: Type.Integer(),
    }),
    summary: Type.Object({
      level: LevelSchema,
      checks: Type.Object({ exactDuplicates: Check, nearDuplicates: Check, leakage: Check, corrupt: Check, outliers: Check, balance: Check }),
    }),
  },
  { $id: 'DatasetQualityReport', title: 'DatasetQualityReport' },
);

/** The answer of the quality route. */
export const DatasetQualitySchema = Type.Object({
  datasetId: Type.String({ format: 'uuid' }),
  computedAt: Type.String({ format: 'date-time' }),
  cached: Type.Boolean({ description: 'true when the stored report was returned without measuring again' }),
  report: Type.Ref('DatasetQualityReport'),
});

/** Query of the quality route. */
export type DatasetQualityQuery = Static<typeof DatasetQualityQuerySchema>;
