/**
 * Inspections: run an uploaded image through a model version and keep the record, list
 * and read an account's inspections, render their overlays, delete them. Every read and
 * write is scoped to the caller's account. An upload is checked before anything happens
 * (inference/image-upload.ts); an image that fails to decode fails in the worker; only a
 * successful result is stored: its blobs and the rows that reference them in one
 * transaction (bytes on disk before it commits), so a failed request leaves no row and no
 * referenced blob. With signals on (the default; `XQC_SIGNALS=off` turns them off), the
 * inference worker also measures the decoded image (core imageSignals) and the service
 * stores those statistics in the signal columns of the inspection row (the same insert; the
 * outputs and the latency the monitors read are the row's own columns); a request whose
 * inference step fails for another reason than its image (a model or runtime error, an
 * overloaded pool) is logged in `detect_failures` (the error rate's numerator) before its
 * error is answered.
 */
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { decodeImage, drawBoxes, encodePng, overlayMask, rleToMask } from '@xai-qc/core';
import type { Box, ImageU8 } from '@xai-qc/core';
import { API_PREFIX } from '../api-prefix.ts';
import type { Principal } from '../auth/principal.ts';
import type { Database } from '../db/schema.ts';
import { ApiError, badRequest, notFound } from '../errors/api-error.ts';
import type { FindingRow, InspectionRow, NewFindingRow } from '../db/tables/inspections.tables.ts';
import type { EventSink } from '../events/event-sink.ts';
import type { InferenceEngine } from '../inference/inference-engine.ts';
import { InferenceItemError } from '../inference/inference-pool.ts';
import { checkImageUpload, DEFAULT_MAX_IMAGE_PIXELS } from '../inference/image-upload.ts';
import type { InspectionCursor, InspectionListRecord, InspectionListSort, InspectionRepository, ServingVersion } from '../repositories/inspection.repository.ts';
import { signalColumns } from '../repositories/signal.repository.ts';
import type { SignalRepository } from '../repositories/signal.repository.ts';
import type { DetectQuery, Finding, Inspection, InspectionListItem, ListQuery } from '../schemas/inspection.schema.ts';

/** Blob operations the service needs (the app's blob store). */
export interface InspectionBlobs {
  /**
   * Stores `items` and runs `within` (the row inserts) in one transaction; resolves after the
   * commit, with the bytes on disk, to what `within` returned. `keys[i]` is the SHA-256 of `items[i]`.
   */
  storeWith<T>(items: readonly { bytes: Uint8Array; mediaType: string }[], within: (keys: string[], trx: Transaction<Database>) => Promise<T>): Promise<T>;
  get(sha256: string): Promise<Uint8Array>;
  /** Removes each key no row references any more (best effort; the sweeper catches the rest). */
  release(keys: readonly string[]): Promise<void>;
}

/** An uploaded file. */
export interface Upload {
  bytes: Uint8Array;
  filename: string | null;
}

/** Dependencies and limits of {@link InspectionService}. */
export interface InspectionServiceDeps {
  repo: Pick<InspectionRepository, 'insert' | 'find' | 'list' | 'delete' | 'activeVersions' | 'versionById' | 'activeVersionOf'>;
  blobs: InspectionBlobs;
  inference: Pick<InferenceEngine, 'detect' | 'countInspection'>;
  /** Largest accepted width x height (default {@link DEFAULT_MAX_IMAGE_PIXELS}). */
  maxPixels?: number;
  clock?: () => Date;
  /** Publishes `inspection.created` after each stored inspection commits (fire-and-forget). */
  events?: EventSink;
  /** Where failed requests are written; without it neither they nor the signal columns are recorded. */
  signals?: Pick<SignalRepository, 'recordFailure'>;
  /** Compute and store the per-inspection signals (default true when `signals` is given). */
  recordSignals?: boolean;
}

/** What `details_json` holds. */
interface StoredDetails {
  uncertainty?: Inspection['uncertainty'];
  conformal?: Inspection['conformal'];
  anomaly?: { score: number; rawScore: number };
  latency: Inspection['latency'];
}

/** A stored finding row as the API returns it. */
function findingOf(f: FindingRow): Finding {
  const out: Finding = { label: f.label, classIndex: f.class_index, score: f.score, severity: f.severity as Finding['severity'] };
  if (f.box_json) out.box = JSON.parse(f.box_json) as Finding['box'];
  if (f.area !== null) out.area = f.area;
  if (f.rle_json) out.rle = JSON.parse(f.rle_json) as Finding['rle'];
  if (f.polygon_json) out.polygon = JSON.parse(f.polygon_json) as number[];
  return out;
}

/** How long a resolved model version is reused before the registry is asked again, ms. */
export const VERSION_CACHE_MS = 1000;

/**
 * A cursor as the client sees it: base64url JSON `[createdAt, id]` for `newest` (the form
 * before sorts existed, still accepted), `[sort, key, createdAt, id]` for the sorts by score.
 */
function encodeCursor(sort: InspectionListSort, c: InspectionCursor): string {
  const parts = sort === 'newest' || c.key === undefined ? [c.createdAt, c.id] : [sort, c.key, c.createdAt, c.id];
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

/** The position a cursor names, or 400 XQC_INVALID_CURSOR when it is not one `sort` returned. */
function decodeCursor(sort: InspectionListSort, s: string): InspectionCursor {
  try {
    const parts = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(parts)) {
      if (sort === 'newest' && parts.length === 2) {
        const [createdAt, id] = parts as unknown[];
        if (typeof createdAt === 'string' && typeof id === 'string') return { createdAt, id };
      }
      if (sort !== 'newest' && parts.length === 4) {
        const [tag, key, createdAt, id] = parts as unknown[];
        if (tag === sort && typeof key === 'number' && Number.isFinite(key) && typeof createdAt === 'string' && typeof id === 'string') return { createdAt, id, key };
      }
    }
  } catch {
    // Falls through to the 400 below.
  }
  throw badRequest('XQC_INVALID_CURSOR', `cursor: not a cursor this API returned for sort=${sort}; pass nextCursor from the previous page with the same sort`);
}

/** Maps a worker's per-image error to the API status: unsupported 415, too large 413, otherwise 422. */
export function imageErrorToApi(e: InferenceItemError): ApiError {
  const reason = e.item.details?.reason;
  if (e.item.code === 'XQC_IMAGE_INVALID') {
    if (reason === 'too-large') return new ApiError(413, 'XQC_IMAGE_TOO_LARGE', e.item.message, { cause: e });
    if (reason === 'unsupported') return new ApiError(415, 'XQC_IMAGE_UNSUPPORTED', e.item.message, { cause: e });
    return new ApiError(422, 'XQC_IMAGE_INVALID', e.item.message, { cause: e });
  }
  return new ApiError(e.item.code.startsWith('XQC_MODEL') ? 422 : 500, e.item.code, e.item.message, { cause: e });
}

/** See the module comment. */
export class InspectionService {
  private readonly maxPixels: number;
  private readonly clock: () => Date;
  private readonly versions = new Map<string, { version: ServingVersion; until: number }>();

  constructor(private readonly deps: InspectionServiceDeps) {
    this.maxPixels = deps.maxPixels ?? DEFAULT_MAX_IMAGE_PIXELS;
    this.clock = deps.clock ?? (() => new Date());
  }

  /**
   * Picks the version a detect request runs: `version` id, else the active version of
   * `model`, else the only active model. Answers are kept for {@link VERSION_CACHE_MS}, so a
   * busy line does not query the registry per image; an activation takes effect within it.
   */
  async resolveVersion(query: Pick<DetectQuery, 'model' | 'version'>): Promise<ServingVersion> {
    const key = `${query.model ?? ''}|${query.version ?? ''}`;
    const now = Date.now();
    const hit = this.versions.get(key);
    if (hit && hit.until > now) return hit.version;
    const version = await this.lookUpVersion(query);
    if (this.versions.size > 256) this.versions.clear();
    this.versions.set(key, { version, until: now + VERSION_CACHE_MS });
    return version;
  }

  private async lookUpVersion(query: Pick<DetectQuery, 'model' | 'version'>): Promise<ServingVersion> {
    if (query.version !== undefined) {
      const v = await this.deps.repo.versionById(query.version);
      if (!v) throw notFound(`model version ${query.version}`);
      if (query.model !== undefined && query.model !== v.modelName && query.model !== v.modelId) {
        throw badRequest('XQC_MODEL_MISMATCH', `version ${query.version} belongs to model '${v.modelName}', not '${query.model}'`);
      }
      return v;
    }
    if (query.model !== undefined) {
      const v = await this.deps.repo.activeVersionOf(query.model);
      if (!v) throw notFound(`active version of model '${query.model}'`);
      return v;
    }
    const active = await this.deps.repo.activeVersions();
    if (active.length === 1) return active[0];
    if (active.length === 0) throw new ApiError(409, 'XQC_NO_ACTIVE_MODEL', 'no model is active; register and activate one');
    throw badRequest('XQC_MODEL_REQUIRED', `model: required when several models are active; one of ${active.map((v) => v.modelName).join(', ')}`);
  }

  /** Runs one upload and stores the inspection. */
  async detect(principal: Principal, upload: Upload, query: DetectQuery): Promise<Inspection> {
    const info = checkImageUpload(upload.bytes, this.maxPixels);
    const version = await this.resolveVersion(query);
    return this.runAndStore(principal, version, upload, info.mediaType, query);
  }

  /**
   * Runs several uploads through one version. Every upload is checked first: one that
   * fails the check refuses the whole batch (nothing runs, nothing is stored). An image
   * that then fails to decode gets its own error entry; the others are stored.
   */
  async detectBatch(principal: Principal, uploads: readonly Upload[], query: DetectQuery): Promise<{ index: number; filename: string | null; inspection?: Inspection; error?: { status: number; code: string; detail: string } }[]> {
    if (uploads.length === 0) throw badRequest('XQC_UPLOAD_MISSING', 'images: send at least one file field named image');
    const infos = uploads.map((u, i) => {
      try {
        return checkImageUpload(u.bytes, this.maxPixels, `image[${i}]${u.filename ? ` (${u.filename})` : ''}`);
      } catch (e) {
        throw e instanceof ApiError ? new ApiError(e.status, e.code, `${e.message}; the batch was refused, nothing was stored`) : e;
      }
    });
    const version = await this.resolveVersion(query);
    return Promise.all(
      uploads.map(async (u, index) => {
        try {
          return { index, filename: u.filename, inspection: await this.runAndStore(principal, version, u, infos[index].mediaType, query) };
        } catch (e) {
          if (!(e instanceof ApiError) || e.status >= 500) throw e;
          return { index, filename: u.filename, error: { status: e.status, code: e.code, detail: e.message } };
        }
      }),
    );
  }

  private async runAndStore(principal: Principal, v: ServingVersion, upload: Upload, mediaType: string, query: DetectQuery): Promise<Inspection> {
    const t0 = performance.now();
    const uncertainty = query.uncertainty === 'mc-dropout' ? { method: 'mc-dropout' as const, samples: query.samples ?? 20, seed: query.seed ?? 0 } : undefined;
    const signalStore = this.deps.signals;
    const recordSignals = signalStore !== undefined && this.deps.recordSignals !== false;
    let result;
    try {
      result = await this.deps.inference.detect(v, upload.bytes, { maxPixels: this.maxPixels, uncertainty, signals: recordSignals });
    } catch (e) {
      const answered = e instanceof InferenceItemError ? imageErrorToApi(e) : e;
      const status = answered instanceof ApiError ? answered.status : 500;
      const code = answered instanceof ApiError ? answered.code : 'XQC_INTERNAL';
      // The image's own faults (undecodable, too large) are the client's, not the model's.
      if (signalStore && !code.startsWith('XQC_IMAGE_')) {
        await signalStore.recordFailure({ id: randomUUID(), account_id: principal.accountId, model_version_id: v.id, model_name: v.modelName, model_version: v.version, created_at: this.clock().toISOString(), status, code });
      }
      throw answered;
    }
    const out = result.output;
    const signalsLater = result.signals;
    const tStore = performance.now();
    const maskBytes = out.findings.map((f) => (f.maskPng ? Buffer.from(f.maskPng, 'base64') : null));
    const items = [{ bytes: upload.bytes, mediaType }];
    for (const m of maskBytes) if (m) items.push({ bytes: m, mediaType: 'image/png' });
    if (out.anomaly) items.push({ bytes: Buffer.from(out.anomaly.mapPng, 'base64'), mediaType: 'image/png' });
    const id = randomUUID();
    const createdAt = this.clock().toISOString();
    const referred = out.conformal?.referred ?? false;
    const latency = {
      decodeMs: out.timings.decodeMs,
      preprocessMs: out.timings.preprocessMs,
      queueMs: result.queueMs,
      computeMs: out.timings.computeMs,
      postprocessMs: out.timings.postprocessMs,
      batchSize: out.timings.batchSize,
    };
    const { row, details } = await this.deps.blobs.storeWith(items, async (keys, trx) => {
      let next = 1;
      const masks = maskBytes.map((m) => (m ? keys[next++] : null));
      const mapKey = out.anomaly ? keys[next] : null;
      const rows: NewFindingRow[] = out.findings.map((f, idx) => ({
        inspection_id: id,
        idx,
        label: f.label,
        class_index: f.classIndex,
        score: f.score,
        severity: f.severity,
        box_json: f.box ? JSON.stringify(f.box) : null,
        area: f.area ?? null,
        rle_json: f.rle ? JSON.stringify(f.rle) : null,
        polygon_json: f.polygon ? JSON.stringify(f.polygon) : null,
        mask_sha256: masks[idx],
      }));
      const now = performance.now();
      const details: StoredDetails = {
        uncertainty: out.uncertainty,
        conformal: out.conformal,
        anomaly: out.anomaly ? { score: out.anomaly.score, rawScore: out.anomaly.rawScore } : undefined,
        latency: { ...latency, storeMs: now - tStore, totalMs: now - t0 },
      };
      const inspection: InspectionRow = {
        id,
        account_id: principal.accountId,
        model_id: v.modelId,
        model_version_id: v.id,
        model_name: v.modelName,
        model_version: v.version,
        task: out.task,
        created_at: createdAt,
        created_by: principal.subject,
        image_sha256: keys[0],
        image_media_type: mediaType,
        image_width: out.image.width,
        image_height: out.image.height,
        image_size: upload.bytes.length,
        image_name: upload.filename,
        verdict: out.verdict,
        label: out.label,
        class_index: out.classIndex,
        score: out.score,
        defect_score: out.defectProbability,
        referred: referred ? 1 : 0,
        probabilities_json: JSON.stringify(out.probabilities),
        labels_json: JSON.stringify(out.labels),
        details_json: JSON.stringify(details),
        anomaly_map_sha256: mapKey,
        latency_ms: now - t0,
      };
      // The signals are columns of the same row: no second statement in the transaction. The
      // worker measures them after it has answered, while this thread hashed and stored the
      // blobs, so they have usually arrived by now (inference-pool.ts PoolDetectOutput).
      const sig = recordSignals ? (out.signals ?? (await signalsLater)) : undefined;
      await this.deps.repo.insert(sig ? { ...inspection, ...signalColumns(sig, out.uncertainty?.predictiveEntropy ?? null) } : inspection, rows, trx);
      return { row: inspection, details };
    });
    this.deps.inference.countInspection(v.modelName, out.verdict);
    this.deps.events?.(principal.accountId, 'inspection.created', { inspectionId: id, modelName: v.modelName, modelVersion: v.version, verdict: out.verdict, score: out.score });
    // The answer is built from the values just stored, not parsed back from their JSON.
    const findings = out.findings.map((f): Finding => {
      const finding: Finding = { label: f.label, classIndex: f.classIndex, score: f.score, severity: f.severity };
      if (f.box) finding.box = f.box;
      if (f.area !== undefined) finding.area = f.area;
      if (f.rle) finding.rle = f.rle;
      if (f.polygon) finding.polygon = f.polygon;
      if (f.maskPng) finding.maskPng = f.maskPng;
      return finding;
    });
    const inspection = this.dtoOf(row, details, out.labels, out.probabilities, findings);
    if (inspection.anomaly && out.anomaly) inspection.anomaly.mapPng = out.anomaly.mapPng;
    return inspection;
  }

  /**
   * A page of the caller's inspections in `q.sort` order (default newest first), each with its
   * current review (null when unreviewed).
   * @throws 400 XQC_INVALID_RANGE when minScore is above maxScore; 400 XQC_INVALID_CURSOR for a cursor of another sort.
   */
  async list(principal: Principal, q: ListQuery): Promise<{ items: InspectionListItem[]; nextCursor: string | null }> {
    if (q.minScore !== undefined && q.maxScore !== undefined && q.minScore > q.maxScore) {
      throw badRequest('XQC_INVALID_RANGE', `minScore (${q.minScore}) is above maxScore (${q.maxScore})`);
    }
    const sort = q.sort ?? 'newest';
    const norm = (d: string | undefined): string | undefined => (d === undefined ? undefined : new Date(d).toISOString());
    const page = await this.deps.repo.list(
      principal.accountId,
      {
        from: norm(q.from),
        to: norm(q.to),
        model: q.model,
        versionId: q.version,
        verdict: q.verdict,
        label: q.class,
        referred: q.referred,
        minScore: q.minScore,
        maxScore: q.maxScore,
        reviewed: q.reviewed,
        reviewer: q.reviewer,
        outcome: q.outcome,
      },
      q.limit ?? 50,
      q.cursor === undefined ? undefined : decodeCursor(sort, q.cursor),
      sort,
    );
    return { items: page.items.map((r) => this.listItemOf(r)), nextCursor: page.next ? encodeCursor(sort, page.next) : null };
  }

  private listItemOf(r: InspectionListRecord): InspectionListItem {
    const review = r.review
      ? {
          id: r.review.id,
          verdict: r.review.verdict as 'pass' | 'reject',
          label: r.review.label,
          reviewer: { subject: r.review.reviewer, name: r.review.reviewer_name },
          createdAt: r.review.created_at,
        }
      : null;
    return { ...this.toDto(r.row, r.findings), review };
  }

  /** One inspection with its masks and anomaly map. */
  async get(principal: Principal, id: string): Promise<Inspection> {
    const r = await this.deps.repo.find(principal.accountId, id);
    if (!r) throw notFound(`inspection ${id}`);
    const dto = this.toDto(r.row, r.findings);
    for (let i = 0; i < r.findings.length; i++) {
      const sha = r.findings[i].mask_sha256;
      if (sha) dto.findings[i].maskPng = Buffer.from(await this.deps.blobs.get(sha)).toString('base64');
    }
    if (dto.anomaly && r.row.anomaly_map_sha256) dto.anomaly.mapPng = Buffer.from(await this.deps.blobs.get(r.row.anomaly_map_sha256)).toString('base64');
    return dto;
  }

  /** The stored image bytes and media type. */
  async image(principal: Principal, id: string): Promise<{ bytes: Uint8Array; mediaType: string }> {
    const r = await this.deps.repo.find(principal.accountId, id);
    if (!r) throw notFound(`inspection ${id}`);
    return { bytes: await this.deps.blobs.get(r.row.image_sha256), mediaType: r.row.image_media_type };
  }

  /**
   * The image with each region finding's mask blended at `opacity` (one palette colour per
   * finding) and its box outlined, as PNG.
   */
  async overlay(principal: Principal, id: string, opacity: number): Promise<Uint8Array> {
    const r = await this.deps.repo.find(principal.accountId, id);
    if (!r) throw notFound(`inspection ${id}`);
    let image: ImageU8 = await decodeImage(await this.deps.blobs.get(r.row.image_sha256), { channels: 3 });
    const masks = new Uint8Array(image.width * image.height);
    const boxes: Box[] = [];
    r.findings.forEach((f, i) => {
      if (f.rle_json) {
        const m = rleToMask(JSON.parse(f.rle_json) as { size: [number, number]; counts: number[] });
        if (m.length === masks.length) for (let p = 0; p < m.length; p++) if (m[p]) masks[p] = (i % 255) + 1;
      }
      if (f.box_json) {
        const [x0, y0, x1, y1] = JSON.parse(f.box_json) as number[];
        boxes.push({ x0, y0, x1, y1 });
      }
    });
    image = overlayMask(image, { width: image.width, height: image.height, channels: 1, data: masks }, { opacity });
    if (boxes.length) image = drawBoxes(image, boxes, { thickness: Math.max(1, Math.round(Math.min(image.width, image.height) / 200)) });
    return encodePng(image);
  }

  /** Deletes an inspection and releases its blobs that nothing else references. */
  async delete(principal: Principal, id: string): Promise<void> {
    const keys = await this.deps.repo.delete(principal.accountId, id);
    if (!keys) throw notFound(`inspection ${id}`);
    await this.deps.blobs.release(keys);
  }

  private toDto(row: InspectionRow, findings: readonly FindingRow[]): Inspection {
    const details = JSON.parse(row.details_json) as StoredDetails;
    return this.dtoOf(row, details, JSON.parse(row.labels_json) as string[], JSON.parse(row.probabilities_json) as number[], findings.map(findingOf));
  }

  private dtoOf(row: InspectionRow, details: StoredDetails, labels: string[], probabilities: number[], findings: Finding[]): Inspection {
    const base = `${API_PREFIX}/inspections/${row.id}`;
    const dto: Inspection = {
      id: row.id,
      createdAt: row.created_at,
      createdBy: row.created_by,
      model: { id: row.model_id, name: row.model_name, versionId: row.model_version_id, version: row.model_version, task: row.task },
      image: { sha256: row.image_sha256, mediaType: row.image_media_type, width: row.image_width, height: row.image_height, size: row.image_size, name: row.image_name },
      verdict: row.verdict as Inspection['verdict'],
      label: row.label,
      classIndex: row.class_index,
      score: row.score,
      defectScore: row.defect_score,
      labels,
      probabilities,
      findings,
      referred: row.referred === 1,
      latency: details.latency,
      links: { image: `${base}/image`, overlay: `${base}/overlay.png` },
    };
    if (details.anomaly) dto.anomaly = { ...details.anomaly };
    if (details.uncertainty) dto.uncertainty = details.uncertainty;
    if (details.conformal) dto.conformal = details.conformal;
    return dto;
  }
}
