/** Schemas of the model registry routes (TypeBox; the Static types are the service's views). */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';

/** `$ref` to core's ModelCard schema (registered by the registry plugin). */
export const ModelCardRef = Type.Ref('ModelCard', { description: 'the validated model card, defaults filled' });

const Task = Type.Union([Type.Literal('classify'), Type.Literal('segment'), Type.Literal('detect'), Type.Literal('anomaly')]);

/** One stored file of a version. */
export const VersionFileSchema = Type.Object({
  name: Type.String({ description: 'model.onnx, model_card.yaml, and for anomaly models anomaly.json with features.onnx and bank.npy (PatchCore) or network.onnx (trained on simulated defects)' }),
  sha256: Type.String({ description: 'SHA-256 of the bytes (the blob key)' }),
  size: Type.Integer({ description: 'bytes' }),
});

/** An immutable model version. */
export const ModelVersionSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    modelId: Type.String({ format: 'uuid' }),
    modelName: Type.String(),
    version: Type.String({ description: "the card's version, unique within the model" }),
    task: Task,
    active: Type.Boolean({ description: 'exactly one version of a model is active' }),
    createdAt: Type.String({ format: 'date-time' }),
    createdBy: Type.Union([Type.String(), Type.Null()], { description: 'subject of the uploader; null for demo models' }),
    irVersion: Type.Integer(),
    opset: Type.Integer({ description: 'default-domain opset' }),
    input: Type.Object({
      name: Type.String(),
      shape: Type.Array(Type.Union([Type.Integer(), Type.String(), Type.Null()]), { description: 'declared graph input shape; symbolic dims as names' }),
    }),
    card: ModelCardRef,
    files: Type.Array(VersionFileSchema),
  },
  { $id: 'ModelVersion', title: 'ModelVersion' },
);
/** A version view. */
export type ModelVersionView = Omit<Static<typeof ModelVersionSchema>, 'card'> & { card: Record<string, unknown> };

/** A model with its active version. */
export const ModelSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    name: Type.String(),
    task: Task,
    description: Type.Union([Type.String(), Type.Null()]),
    activeVersionId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
    activeVersion: Type.Union([Type.String(), Type.Null()]),
    versionCount: Type.Integer(),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Model', title: 'Model' },
);
/** A model view. */
export type ModelView = Static<typeof ModelSchema>;

/** `GET /models`. */
export const ModelListSchema = Type.Object({ items: Type.Array(Type.Ref('Model')) }, { $id: 'ModelList', title: 'ModelList' });

/** `GET /models/:model`: the model and its versions, newest first. */
export const ModelDetailSchema = Type.Object(
  {
    model: Type.Ref('Model'),
    versions: Type.Array(Type.Ref('ModelVersion')),
  },
  { $id: 'ModelDetail', title: 'ModelDetail' },
);
/** A model detail view. */
export interface ModelDetailView {
  model: ModelView;
  versions: ModelVersionView[];
}

const Figure = Type.Union([Type.Number(), Type.String(), Type.Boolean(), Type.Null()]);

/** `GET /models/:model/compare`: card figures of two versions side by side. */
export const ModelComparisonSchema = Type.Object(
  {
    model: Type.String({ description: 'model name' }),
    a: Type.Object({ id: Type.String(), version: Type.String(), active: Type.Boolean() }),
    b: Type.Object({ id: Type.String(), version: Type.String(), active: Type.Boolean() }),
    rows: Type.Array(
      Type.Object({
        field: Type.String({ description: 'dotted card path, e.g. metrics.accuracy, calibration.ece, thresholds.reject' }),
        a: Figure,
        b: Figure,
        delta: Type.Union([Type.Number(), Type.Null()], { description: 'b - a when both are numbers' }),
        changed: Type.Boolean(),
      }),
    ),
  },
  { $id: 'ModelComparison', title: 'ModelComparison' },
);
/** A comparison view. */
export type ModelComparisonView = Static<typeof ModelComparisonSchema>;

/** Path parameters naming a model by id or name. */
export const ModelParams = Type.Object({ model: Type.String({ minLength: 1, maxLength: 200, description: 'model id or name' }) });
/** Path parameters naming a version by id or version string. */
export const VersionParams = Type.Object({
  model: Type.String({ minLength: 1, maxLength: 200, description: 'model id or name' }),
  version: Type.String({ minLength: 1, maxLength: 200, description: 'version id or version string' }),
});

/** Query of the download route. */
export const DownloadQuery = Type.Object({
  file: Type.Optional(
    Type.Union(
      ['model.onnx', 'model_card.yaml', 'features.onnx', 'bank.npy', 'anomaly.json', 'network.onnx'].map((f) => Type.Literal(f)),
      { default: 'model.onnx', description: 'which file of the version' },
    ),
  ),
});

/** Query of the compare route. */
export const CompareQuery = Type.Object({
  a: Type.String({ minLength: 1, description: 'first version (id or version string)' }),
  b: Type.String({ minLength: 1, description: 'second version (id or version string)' }),
});

/** The multipart upload, as documented (parts are read as a stream, not validated by Ajv). */
export const ModelUploadSchema = Type.Object({
  model: Type.String({ format: 'binary', description: 'the ONNX file' }),
  card: Type.String({ format: 'binary', description: 'model_card.yaml' }),
  features: Type.Optional(Type.String({ format: 'binary', description: 'PatchCore anomaly models: features.onnx' })),
  bank: Type.Optional(Type.String({ format: 'binary', description: 'PatchCore anomaly models: bank.npy' })),
  anomaly: Type.Optional(Type.String({ format: 'binary', description: "anomaly models: anomaly.json (its format, xai-qc.patchcore or xai-qc.simulated, says which other parts belong)" })),
  network: Type.Optional(Type.String({ format: 'binary', description: 'anomaly models trained on simulated defects: network.onnx' })),
  activate: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')], { description: 'make the new version active (default: only when the model has none)' })),
  description: Type.Optional(Type.String({ maxLength: 2000, description: 'model description, set when the model is created' })),
});
