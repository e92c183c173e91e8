/**
 * The model registry: models and their immutable versions (ONNX, card, anomaly detector artifacts),
 * upload with validation before anything is stored, activation (exactly one active version
 * per model), download, comparison of two versions' card figures, and guarded deletion.
 * Models and versions are named by id or by name / version string.
 */
import { randomUUID } from 'node:crypto';
import type { ModelCard } from '@xai-qc/core';
import { isForeignKeyViolation, isUniqueViolation } from '../db/connect.ts';
import type { ModelRow, ModelVersionRow } from '../db/tables/registry.tables.ts';
import { ApiError, conflict, notFound } from '../errors/api-error.ts';
import type { ModelListRow, ModelStore, VersionFileRow } from '../repositories/model.repository.ts';
import type { ModelComparisonView, ModelDetailView, ModelVersionView, ModelView } from '../schemas/model.schema.ts';
import type { BlobInfo } from '../storage/blobs.ts';
import { MODEL_FILES, validateModelUpload } from './model-validation.ts';
import type { ModelFilePart, ValidatedModel } from './model-validation.ts';

/** What the registry needs of the blob store. */
export interface RegistryBlobs {
  put(bytes: Uint8Array, mediaType: string): Promise<BlobInfo>;
  get(sha256: string): Promise<{ bytes: Buffer; info: BlobInfo }>;
}

/** Options of an upload. */
export interface UploadOptions {
  /** Make the new version active; default: only when the model has no active version. */
  activate?: boolean;
  /** Subject of the uploader (null for demo models). */
  createdBy?: string | null;
  /** Description of a model created by this upload. */
  description?: string;
}

/** A version with its card, as inference needs it. */
export interface ResolvedVersion {
  view: ModelVersionView;
  card: ModelCard;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toModelView(r: ModelListRow): ModelView {
  return {
    id: r.id,
    name: r.name,
    task: r.task as ModelView['task'],
    description: r.description,
    activeVersionId: r.active_version_id,
    activeVersion: r.active_version,
    versionCount: r.version_count,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toVersionView(v: ModelVersionRow, model: ModelRow, files: readonly VersionFileRow[]): ModelVersionView {
  const own = files.filter((f) => f.version_id === v.id).map((f) => ({ name: f.name, sha256: f.blob_sha256, size: f.size }));
  return {
    id: v.id,
    modelId: v.model_id,
    modelName: model.name,
    version: v.version,
    task: v.task as ModelVersionView['task'],
    active: v.is_active === 1,
    createdAt: v.created_at,
    createdBy: v.created_by,
    irVersion: v.ir_version,
    opset: v.opset,
    input: { name: v.input_name, shape: JSON.parse(v.input_shape_json) as (number | string | null)[] },
    card: JSON.parse(v.card_json) as Record<string, unknown>,
    files: own,
  };
}

type Figure = string | number | boolean | null;

/** Flattens the scalar leaves of `value` under `prefix` (lists of scalars joined by ', '). */
function flatten(value: unknown, prefix: string, out: Map<string, Figure>): void {
  if (value === undefined) return;
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    out.set(prefix, value);
  } else if (Array.isArray(value)) {
    if (value.every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v))) out.set(prefix, value.join(', '));
    else value.forEach((v, i) => flatten(v, `${prefix}.${i}`, out));
  } else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  }
}

/** Card sections compared side by side, in this order. */
export const COMPARED_SECTIONS = ['task', 'labels', 'input', 'thresholds', 'calibration', 'metrics', 'dataset'] as const;

/** The registry's logic over its repository and the blob store. */
export class ModelRegistryService {
  constructor(
    private readonly repo: ModelStore,
    private readonly blobs: RegistryBlobs,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Every model with its active version, by name. */
  async listModels(): Promise<ModelView[]> {
    return (await this.repo.listModels()).map(toModelView);
  }

  /** A model by id or name. @throws 404 */
  async findModel(ref: string): Promise<ModelRow> {
    const model = UUID.test(ref) ? ((await this.repo.findModelById(ref.toLowerCase())) ?? (await this.repo.findModelByName(ref))) : await this.repo.findModelByName(ref);
    if (!model) throw notFound(`model '${ref}'`);
    return model;
  }

  /** A model with its versions, newest first. @throws 404 */
  async getModel(ref: string): Promise<ModelDetailView> {
    const model = await this.findModel(ref);
    const summary = (await this.repo.listModels()).find((m) => m.id === model.id) as ModelListRow;
    const versions = await this.repo.listVersions(model.id);
    const files = await this.repo.listFiles(versions.map((v) => v.id));
    return { model: toModelView(summary), versions: versions.map((v) => toVersionView(v, model, files)) };
  }

  private async findVersionRow(modelRef: string, versionRef: string): Promise<{ model: ModelRow; version: ModelVersionRow }> {
    const model = await this.findModel(modelRef);
    const version = await this.repo.findVersion(model.id, versionRef);
    if (!version) throw notFound(`version '${versionRef}' of model '${model.name}'`);
    return { model, version };
  }

  /** One version. @throws 404 */
  async getVersion(modelRef: string, versionRef: string): Promise<ModelVersionView> {
    const { model, version } = await this.findVersionRow(modelRef, versionRef);
    return toVersionView(version, model, await this.repo.listFiles([version.id]));
  }

  /**
   * The version inference should use: `versionRef` of `modelRef`, else the model's active
   * version; with neither, the active version of the only model (or 400 when there are several).
   * @throws 404 unknown model or version, 409 XQC_NO_ACTIVE_VERSION, 400 XQC_MODEL_REQUIRED
   */
  async resolve(modelRef?: string, versionRef?: string): Promise<ResolvedVersion> {
    let model: ModelRow;
    if (modelRef === undefined) {
      if (versionRef !== undefined && UUID.test(versionRef)) {
        const v = await this.repo.findVersionById(versionRef.toLowerCase());
        if (!v) throw notFound(`model version '${versionRef}'`);
        model = (await this.repo.findModelById(v.model_id)) as ModelRow;
        return this.resolved(v, model);
      }
      const all = await this.repo.listModels();
      if (all.length !== 1) throw new ApiError(400, 'XQC_MODEL_REQUIRED', `name a model: ${all.length === 0 ? 'none is registered' : `one of ${all.map((m) => m.name).join(', ')}`}`);
      model = all[0];
    } else {
      model = await this.findModel(modelRef);
    }
    const v = versionRef === undefined ? await this.repo.findActiveVersion(model.id) : await this.repo.findVersion(model.id, versionRef);
    if (!v) {
      if (versionRef !== undefined) throw notFound(`version '${versionRef}' of model '${model.name}'`);
      throw conflict('XQC_NO_ACTIVE_VERSION', `model '${model.name}' has no active version`);
    }
    return this.resolved(v, model);
  }

  private async resolved(v: ModelVersionRow, model: ModelRow): Promise<ResolvedVersion> {
    return { view: toVersionView(v, model, await this.repo.listFiles([v.id])), card: JSON.parse(v.card_json) as ModelCard };
  }

  /** The bytes of every file of a version, by file name (model.onnx, model_card.yaml, ...). */
  async readVersionFiles(versionId: string): Promise<Map<string, Buffer>> {
    const files = await this.repo.listFiles([versionId]);
    const out = new Map<string, Buffer>();
    for (const f of files) out.set(f.name, (await this.blobs.get(f.blob_sha256)).bytes);
    return out;
  }

  /**
   * Validates an upload, then stores its blobs, then its rows (one transaction). The model is
   * the card's `name`; the version the card's `version`, which must be new for that model.
   * @throws 422 (validation, see model-validation.ts), 409 XQC_VERSION_EXISTS or XQC_TASK_MISMATCH
   */
  async upload(parts: ReadonlyMap<ModelFilePart, Uint8Array>, options: UploadOptions = {}): Promise<ModelVersionView> {
    const validated = await validateModelUpload(parts);
    return this.store(validated, options);
  }

  /** Stores an already validated version (blobs first, then rows). */
  async store(validated: ValidatedModel, options: UploadOptions = {}): Promise<ModelVersionView> {
    const { card } = validated;
    const existing = await this.repo.findModelByName(card.name);
    if (existing) {
      if (existing.task !== card.task) throw conflict('XQC_TASK_MISMATCH', `model '${card.name}' is a ${existing.task} model; this card's task is ${card.task}`);
      if (await this.repo.findVersion(existing.id, card.version)) {
        throw conflict('XQC_VERSION_EXISTS', `model '${card.name}' already has version '${card.version}'; versions are immutable, give the card a new version`);
      }
    }
    const stored = new Map<string, BlobInfo>();
    for (const f of validated.files) stored.set(f.name, await this.blobs.put(f.bytes, f.mediaType));
    const now = this.clock().toISOString();
    const modelId = existing?.id ?? randomUUID();
    const active = existing ? await this.repo.findActiveVersion(existing.id) : undefined;
    const activate = options.activate ?? active === undefined;
    const versionId = randomUUID();
    const onnx = stored.get(MODEL_FILES.model) as BlobInfo;
    try {
      await this.repo.insertVersion({
        model: existing ? undefined : { id: modelId, name: card.name, task: card.task, description: options.description ?? card.intendedUse ?? null, created_at: now, updated_at: now },
        version: {
          id: versionId,
          model_id: modelId,
          version: card.version,
          task: card.task,
          onnx_sha256: onnx.sha256,
          card_sha256: (stored.get(MODEL_FILES.card) as BlobInfo).sha256,
          card_json: JSON.stringify(card),
          onnx_size: onnx.size,
          ir_version: validated.irVersion,
          opset: validated.opset,
          input_name: validated.inputName,
          input_shape_json: JSON.stringify(validated.inputShape),
          is_active: 0,
          created_at: now,
          created_by: options.createdBy ?? null,
        },
        files: [...stored].map(([name, b]) => ({ version_id: versionId, name, blob_sha256: b.sha256, size: b.size })),
        activate,
      });
    } catch (e) {
      // A concurrent upload of the same name and version won the race.
      if (isUniqueViolation(e)) throw conflict('XQC_VERSION_EXISTS', `model '${card.name}' version '${card.version}' was registered concurrently`);
      throw e;
    }
    return this.getVersion(modelId, versionId);
  }

  /** Makes a version the model's only active one. @throws 404 */
  async activate(modelRef: string, versionRef: string): Promise<ModelVersionView> {
    const { model, version } = await this.findVersionRow(modelRef, versionRef);
    if (version.is_active !== 1) await this.repo.activate(model.id, version.id, this.clock().toISOString());
    return this.getVersion(model.id, version.id);
  }

  /** One file of a version. @throws 404 when the version has no such file */
  async download(modelRef: string, versionRef: string, file: string): Promise<{ bytes: Buffer; fileName: string; mediaType: string; sha256: string }> {
    const { model, version } = await this.findVersionRow(modelRef, versionRef);
    const row = (await this.repo.listFiles([version.id])).find((f) => f.name === file);
    if (!row) throw notFound(`file '${file}' of ${model.name} ${version.version}`);
    const { bytes, info } = await this.blobs.get(row.blob_sha256);
    return { bytes, fileName: `${model.name}-${version.version}-${file}`, mediaType: info.mediaType, sha256: info.sha256 };
  }

  /** Card figures of versions `a` and `b` side by side, with `b - a` for numbers. @throws 404 */
  async compare(modelRef: string, aRef: string, bRef: string): Promise<ModelComparisonView> {
    const a = await this.findVersionRow(modelRef, aRef);
    const b = await this.findVersionRow(modelRef, bRef);
    const figures = (v: ModelVersionRow): Map<string, Figure> => {
      const card = JSON.parse(v.card_json) as Record<string, unknown>;
      const out = new Map<string, Figure>();
      for (const s of COMPARED_SECTIONS) flatten(card[s], s, out);
      out.set('onnx.size', v.onnx_size);
      out.set('onnx.opset', v.opset);
      return out;
    };
    const fa = figures(a.version);
    const fb = figures(b.version);
    const fields = [...new Set([...fa.keys(), ...fb.keys()])];
    const rows = fields.map((field) => {
      const va = fa.get(field) ?? null;
      const vb = fb.get(field) ?? null;
      const delta = typeof va === 'number' && typeof vb === 'number' ? vb - va : null;
      return { field, a: va, b: vb, delta, changed: va !== vb };
    });
    const head = (v: ModelVersionRow) => ({ id: v.id, version: v.version, active: v.is_active === 1 });
    return { model: a.model.name, a: head(a.version), b: head(b.version), rows };
  }

  /**
   * Deletes an inactive version no inspection refers to; its blobs stay until the sweeper
   * finds them unreferenced.
   * @returns what the version was (for the audit log)
   * @throws 404, 409 XQC_MODEL_VERSION_ACTIVE, 409 XQC_MODEL_VERSION_IN_USE
   */
  async deleteVersion(modelRef: string, versionRef: string): Promise<ModelVersionView> {
    const { model, version } = await this.findVersionRow(modelRef, versionRef);
    const view = toVersionView(version, model, await this.repo.listFiles([version.id]));
    if (version.is_active === 1) {
      throw conflict('XQC_MODEL_VERSION_ACTIVE', `version '${version.version}' is the active version of '${model.name}'; activate another version first`);
    }
    try {
      const deleted = await this.repo.deleteInactiveVersion(version.id);
      if (!deleted) throw conflict('XQC_MODEL_VERSION_ACTIVE', `version '${version.version}' of '${model.name}' was activated meanwhile`);
    } catch (e) {
      if (isForeignKeyViolation(e)) throw conflict('XQC_MODEL_VERSION_IN_USE', `inspections refer to version '${version.version}' of '${model.name}'; it is kept with them`);
      throw e;
    }
    return view;
  }
}
