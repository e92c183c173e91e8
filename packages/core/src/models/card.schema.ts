/**
 * The model card schema: one TypeBox definition that is both the TypeScript type of a
 * card and the JSON Schema Ajv validates it against (and the server publishes in its
 * OpenAPI document as `ModelCard`). One spelling per field; fields with a fixed default
 * carry it in `default` and are filled when a card is parsed.
 */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';

/** The tasks a card may declare. */
export const TASKS = ['classify', 'segment', 'detect', 'anomaly'] as const;

/** Default gap (model-input pixels) below which defect fragments of a segmenter merge into one finding. */
export const DEFAULT_MERGE_GAP_PIXELS = 2;

/** Default smallest finding area (model-input pixels) of a segmenter or anomaly map. */
export const DEFAULT_MIN_AREA_PIXELS = 4;

const Probability = (description: string, extra: Record<string, unknown> = {}) =>
  Type.Number({ minimum: 0, maximum: 1, description, ...extra });

const Label = Type.String({ minLength: 1, description: 'a class name' });

/** Task of the model. */
export const TaskSchema = Type.Union(TASKS.map((t) => Type.Literal(t)), {
  description: "what the model does: 'classify' (logits [N,K]), 'segment' (logits [N,K,H,W]), 'detect' (boxes taken from a segmenter's masks, logits [N,K,H,W]) or 'anomaly' (a PatchCore detector)",
});

/** How an image becomes the model's input tensor. */
export const InputSpecSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, description: "graph input name (default: the model's first non-initializer input)" })),
    height: Type.Integer({ minimum: 8, maximum: 8192, default: 224, description: 'model input height in pixels' }),
    width: Type.Integer({ minimum: 8, maximum: 8192, default: 224, description: 'model input width in pixels' }),
    resize: Type.Union([Type.Literal('stretch'), Type.Literal('letterbox'), Type.Literal('tile')], {
      default: 'stretch',
      description:
        "'stretch' resizes to height x width; 'letterbox' keeps the aspect ratio and pads with gray 114 (the YOLO convention); 'tile' (anomaly detectors only) keeps the aspect ratio, scales the image by tileScale and cuts it into overlapping height x width tiles whose maps are stitched back",
    }),
    tileOverlap: Type.Optional(Type.Number({ minimum: 0, maximum: 0.9, description: "with resize 'tile': least share of a tile that neighbouring tiles overlap (default 0.25)" })),
    tileScale: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 4, description: "with resize 'tile': linear scale applied to every image before tiling, the same for all images so that a defect keeps its size in pixels (default 1, native resolution; 0.5 halves it)" })),
    layout: Type.Literal('NCHW', { default: 'NCHW', description: 'tensor layout; only NCHW is supported' }),
    color: Type.Union([Type.Literal('rgb'), Type.Literal('bgr'), Type.Literal('gray')], {
      default: 'rgb',
      description: "channel order of the model input; 'gray' is one channel of BT.601 luma; an alpha channel is dropped",
    }),
    mean: Type.Array(Type.Number(), {
      minItems: 1,
      maxItems: 3,
      default: [0],
      description: 'per-channel mean in 0..1 units, one value or one per channel: v = (pixel / 255 - mean) / std',
    }),
    std: Type.Array(Type.Number({ exclusiveMinimum: 0 }), {
      minItems: 1,
      maxItems: 3,
      default: [1],
      description: 'per-channel standard deviation in 0..1 units (positive), one value or one per channel',
    }),
  },
  { additionalProperties: false, default: {}, description: 'how an image becomes the model input' },
);

/** A rule that grades a finding: the first matching rule (top to bottom) gives the severity. */
export const SeverityRuleSchema = Type.Object(
  {
    severity: Type.Union([Type.Literal('minor'), Type.Literal('major'), Type.Literal('critical')], { description: 'grade given when the rule matches' }),
    labels: Type.Optional(Type.Array(Label, { description: 'applies to these labels only (default: all defect labels)' })),
    minAreaFraction: Type.Optional(Probability('minimum defect area as a fraction of the image')),
    minScore: Type.Optional(Probability('minimum score (probability) of the finding')),
  },
  { additionalProperties: false },
);

/** Decision thresholds. */
export const ThresholdsSchema = Type.Object(
  {
    reject: Probability('reject when the defect probability is at least this', { default: 0.5 }),
    pixel: Type.Optional(Type.Number({ description: 'pixel threshold of an anomaly map (normalised score units)' })),
    minAreaPixels: Type.Optional(Type.Integer({
      minimum: 1,
      default: DEFAULT_MIN_AREA_PIXELS,
      description: 'smallest finding, in model-input pixels; smaller regions are dropped',
    })),
    mergeGapPixels: Type.Optional(Type.Integer({
      minimum: 0,
      default: DEFAULT_MERGE_GAP_PIXELS,
      description: 'defect fragments of a segmenter closer than this (model-input pixels, chessboard distance) are one finding; 0 merges only touching pixels',
    })),
  },
  { additionalProperties: false, default: {}, description: 'decision thresholds' },
);

/** Calibration recorded by `xaiqc calibrate`. */
export const CalibrationSchema = Type.Object(
  {
    temperature: Type.Number({ exclusiveMinimum: 0, description: 'softmax temperature T: p = softmax(logits / T)' }),
    ece: Type.Optional(Probability('expected calibration error before scaling')),
    eceAfter: Type.Optional(Probability('expected calibration error after scaling')),
    fittedOn: Type.Optional(Type.String({ description: 'what T was fitted on (dataset hash and split)' })),
    conformal: Type.Optional(
      Type.Object(
        {
          alpha: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, description: 'target miscoverage: sets hold the true label with probability >= 1 - alpha' }),
          score: Type.Union([Type.Literal('aps'), Type.Literal('lac')], { description: 'non-conformity score' }),
          threshold: Type.Number({ description: 'split-conformal quantile of the score on the validation split (calibrated probabilities)' }),
          referralThreshold: Type.Optional(Type.Number({ description: 'refer an item whose 1 - max probability exceeds this (fitted on the validation split)' })),
        },
        { additionalProperties: false, description: 'conformal prediction sets and the referral rule, served with every prediction' },
      ),
    ),
  },
  { additionalProperties: false },
);

/** The dataset a model was trained on. */
export const DatasetRefSchema = Type.Object(
  {
    name: Type.Optional(Type.String()),
    hash: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the dataset manifest' })),
    split: Type.Optional(Type.Record(Type.String(), Type.Integer({ minimum: 0 }), { description: 'items per split' })),
  },
  { additionalProperties: false },
);

const FreeForm = (description: string) =>
  Type.Record(Type.String(), Type.Unknown(), { description: `${description}; any nesting of strings, finite numbers, booleans, lists and mappings` });

/** The model card document, as stored in `model_card.yaml`. */
export const ModelCardSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, default: 'model', description: 'model name' }),
    version: Type.String({ minLength: 1, default: '0.0.0', description: 'model version' }),
    task: TaskSchema,
    labels: Type.Array(Label, {
      minItems: 1,
      uniqueItems: true,
      description: 'class names in output order; for segmenters index 0 is the background',
    }),
    goodLabels: Type.Array(Label, {
      uniqueItems: true,
      description: "labels that mean 'no defect' (filled when absent: ['good'] when a label is 'good', the first label for segmenters and detectors, else none)",
    }),
    input: InputSpecSchema,
    outputs: Type.Object(
      { logits: Type.Optional(Type.String({ minLength: 1, description: "output value name (default: the model's first output)" })) },
      { additionalProperties: false, default: {} },
    ),
    explain: Type.Object(
      { layer: Type.Optional(Type.String({ minLength: 1, description: 'the last spatial activation, for CAM methods' })) },
      { additionalProperties: false, default: {} },
    ),
    thresholds: ThresholdsSchema,
    severity: Type.Array(SeverityRuleSchema, {
      default: [
        { severity: 'critical', minAreaFraction: 0.05 },
        { severity: 'major', minAreaFraction: 0.01 },
        { severity: 'minor' },
      ],
      description: 'ordered severity rules; the first match grades a finding',
    }),
    calibration: Type.Optional(CalibrationSchema),
    dataset: Type.Optional(DatasetRefSchema),
    metrics: Type.Optional(FreeForm('measured figures')),
    training: Type.Optional(FreeForm('how the model was trained')),
    intendedUse: Type.Optional(Type.String({ description: 'what the model is for' })),
    limitations: Type.Optional(Type.Array(Type.String(), { description: 'known limitations' })),
  },
  { $id: 'ModelCard', additionalProperties: false, description: 'An XAI-QC model card: how to run, explain and judge one ONNX model' },
);

/** A validated model card with its defaults filled. */
export type ModelCard = Static<typeof ModelCardSchema>;
/** What a model does. */
export type Task = Static<typeof TaskSchema>;
/** How an image becomes the model's input tensor. */
export type InputSpec = Static<typeof InputSpecSchema>;
/** One severity rule. */
export type SeverityRule = Static<typeof SeverityRuleSchema>;
