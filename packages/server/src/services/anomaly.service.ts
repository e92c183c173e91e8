/**
 * The four answers of an anomaly inspection: where (its stored anomaly map, with statistics
 * and an overlay), which (Grad-CAM++ of the detector's score, through the explanation
 * service, which stores it once and reuses it),
 * why (the SHAP waterfall of the score surrogate fitted on the account's inspections of
 * that model version) and what (the account's most similar past inspections of that model
 * version through the embedding index). Every read is scoped to the caller's account: an
 * inspection of another account is a 404; an inspection of another task is a 409
 * `XQC_NOT_ANOMALY`. The heavy work runs in the anomaly worker thread.
 */
import { API_PREFIX } from '../api-prefix.ts';
import type { Principal } from '../auth/principal.ts';
import type { InspectionRow } from '../db/tables/inspections.tables.ts';
import { ApiError, notFound } from '../errors/api-error.ts';
import type { EmbeddingRepository } from '../repositories/embedding.repository.ts';
import type { InspectionRepository, ServingVersion } from '../repositories/inspection.repository.ts';
import type { AnomalyAnswers, AnomalyQuery, WhatAnswer, WhereAnswer, WhichAnswer, WhyAnswer } from '../schemas/anomaly.schema.ts';
import { ANSWER_NAMES } from '../schemas/anomaly.schema.ts';
import type { AnomalyCompute, AnomalyWork, WhyResult } from './anomaly-compute.ts';
import type { AnomalySurrogate } from './anomaly-core.ts';
import { ANOMALY_FEATURE_NAMES, minSurrogateSamples } from './anomaly-core.ts';
import type { AnomalyIndexer } from './anomaly-index.ts';
import { CATCH_UP_BATCH } from './anomaly-index.ts';
import type { AnomalyModels } from './anomaly-models.ts';
import type { ExplanationService } from './explanation.service.ts';

/** Newest inspections a surrogate is fitted on, at most. */
export const MAX_SURROGATE_SAMPLES = 128;
/** Similar inspections returned by default. */
export const DEFAULT_K = 5;

/** The current review of an inspection, as the what answer shows it. */
export interface ReviewSummary {
  verdict: string;
  label: string;
  decision: string;
  createdAt: string;
}

/** The current reviews of the caller's inspections `ids`, by inspection id (unreviewed ones absent). */
export interface ReviewLookup {
  current(principal: Principal, ids: readonly string[]): Promise<Map<string, ReviewSummary>>;
}

/** The review lookup of an app without reviews: every inspection is unreviewed. */
export const NO_REVIEWS: ReviewLookup = { current: async () => new Map() };

/** Blob reads of the service (the app's blob store). */
export interface AnomalyBlobs {
  get(sha256: string): Promise<Uint8Array>;
}

/** Dependencies of {@link AnomalyService}. */
export interface AnomalyServiceDeps {
  inspections: Pick<InspectionRepository, 'find' | 'versionById'>;
  repo: Pick<EmbeddingRepository, 'surrogate' | 'putSurrogate' | 'countScored' | 'samples' | 'inspections'>;
  /** Grad-CAM++ is an explanation like any other: stored once per inspection and reused. */
  explanations: Pick<ExplanationService, 'explain'>;
  indexer: Pick<AnomalyIndexer, 'catchUp' | 'similar'>;
  compute: Pick<AnomalyCompute, 'run'>;
  models: Pick<AnomalyModels, 'files'>;
  blobs: AnomalyBlobs;
  /** Starts the background catch-up of the account's embeddings of a version (deduplicated). */
  enqueueIndex(accountId: string, versionId: string): Promise<void>;
  reviews?: ReviewLookup;
  clock?: () => Date;
}

/** An anomaly inspection with its model version. */
interface Subject {
  row: InspectionRow & { anomaly_map_sha256: string };
  version: ServingVersion;
}

/** JSON keeps NaN as null; the chart and the API want NaN and null respectively. */
function reviveSurrogate(json: string): AnomalySurrogate {
  const s = JSON.parse(json) as AnomalySurrogate;
  const fit = s.surrogate.fit as unknown as Record<string, number | null>;
  for (const k of Object.keys(fit)) if (fit[k] === null) fit[k] = Number.NaN;
  return s;
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** See the module comment. */
export class AnomalyService {
  private readonly fitting = new Map<string, Promise<{ surrogate: AnomalySurrogate; samples: number; fittedAt: string } | undefined>>();
  private readonly clock: () => Date;

  constructor(private readonly deps: AnomalyServiceDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  private async subject(principal: Principal, id: string): Promise<Subject> {
    const r = await this.deps.inspections.find(principal.accountId, id);
    if (!r) throw notFound(`inspection ${id}`);
    const row = r.row;
    if (row.task !== 'anomaly' || row.anomaly_map_sha256 === null) {
      throw new ApiError(409, 'XQC_NOT_ANOMALY', `inspection ${id} was made by a ${row.task} model; the anomaly answers exist for anomaly models only`);
    }
    const version = await this.deps.inspections.versionById(row.model_version_id);
    if (!version) throw new ApiError(409, 'XQC_MODEL_VERSION_GONE', `model version ${row.model_version_id} of inspection ${id} is no longer registered`);
    return { row: row as Subject['row'], version };
  }

  private links(id: string): string {
    return `${API_PREFIX}/inspections/${id}/anomaly`;
  }

  /** The answers named in `query.include` (default all four). */
  async answers(principal: Principal, id: string, query: AnomalyQuery): Promise<AnomalyAnswers> {
    const s = await this.subject(principal, id);
    const wanted = new Set(query.include ? query.include.split(',') : ANSWER_NAMES);
    const out: AnomalyAnswers = {
      inspectionId: id,
      model: { versionId: s.version.id, name: s.row.model_name, version: s.row.model_version },
      score: s.row.defect_score,
      verdict: s.row.verdict,
    };
    if (wanted.has('where')) out.where = await this.whereAnswer(s);
    if (wanted.has('which')) out.which = await this.whichAnswer(principal, s);
    if (wanted.has('why')) out.why = await this.whyAnswer(principal, s);
    if (wanted.has('what')) out.what = await this.whatAnswer(principal, s, query.k ?? DEFAULT_K);
    return out;
  }

  private async whereAnswer(s: Subject): Promise<WhereAnswer> {
    const w = await this.where(s);
    const base = this.links(s.row.id);
    return { ...w.stats, links: { map: `${base}/map.png`, overlay: `${base}/where.png`, data: `${base}/map.npy` } };
  }

  private async where(s: Subject): Promise<AnomalyWork['where']['out']> {
    const [image, map] = await Promise.all([this.deps.blobs.get(s.row.image_sha256), this.deps.blobs.get(s.row.anomaly_map_sha256)]);
    return this.deps.compute.run('where', { image, map });
  }

  /** The stored normalised anomaly map (8-bit gray PNG). */
  async mapPng(principal: Principal, id: string): Promise<Uint8Array> {
    const s = await this.subject(principal, id);
    return this.deps.blobs.get(s.row.anomaly_map_sha256);
  }

  /** The anomaly map coloured over the image (PNG) or as float32 .npy. */
  async whereFile(principal: Principal, id: string, kind: 'png' | 'npy'): Promise<Uint8Array> {
    const w = await this.where(await this.subject(principal, id));
    return kind === 'png' ? w.overlayPng : w.npy;
  }

  /** A small PNG of the inspected image (the "what" list shows one per similar inspection). */
  async thumbnail(principal: Principal, id: string, size: number): Promise<Uint8Array> {
    const s = await this.subject(principal, id);
    return this.deps.compute.run('thumbnail', { image: await this.deps.blobs.get(s.row.image_sha256), size });
  }

  /**
   * Grad-CAM++ of the detector's score (the core's anomaly target, raw_score) through the
   * explanations: the stored result, or computed inline under their time budget, or their
   * explain job when it takes longer.
   */
  private async whichAnswer(principal: Principal, s: Subject): Promise<WhichAnswer> {
    const answer = await this.deps.explanations.explain(principal, { inspectionId: s.row.id, methods: ['gradcampp'] });
    if (answer.kind === 'job') return { status: 'pending', jobId: answer.job.id, location: `${API_PREFIX}/jobs/${answer.job.id}` };
    const e = answer.result.methods[0];
    return {
      status: 'ready',
      explanationId: e.id,
      method: 'gradcampp',
      target: e.target.reason,
      width: e.width,
      height: e.height,
      runtimeMs: e.runtimeMs,
      degenerate: e.degenerate ? e.degenerate.message : null,
      createdAt: e.createdAt,
      links: { explanation: `${API_PREFIX}/explanations/${e.id}`, overlay: e.links.overlay, heatmap: e.links.heatmapPng, data: e.links.heatmapNpy },
    };
  }

  /**
   * The account's surrogate of the version: fitted on the newest {@link MAX_SURROGATE_SAMPLES}
   * inspections with a map, refitted once their number has doubled since (below the cap);
   * undefined while there are fewer than the surrogate needs.
   */
  private async surrogate(accountId: string, versionId: string): Promise<{ surrogate: AnomalySurrogate; samples: number; fittedAt: string } | { needed: number; available: number }> {
    const needed = minSurrogateSamples(ANOMALY_FEATURE_NAMES.length);
    const [row, available] = await Promise.all([this.deps.repo.surrogate(accountId, versionId), this.deps.repo.countScored(accountId, versionId)]);
    const stale = !row || (row.samples < MAX_SURROGATE_SAMPLES && available >= 2 * row.samples);
    if (row && !stale) return { surrogate: reviveSurrogate(row.surrogate_json), samples: row.samples, fittedAt: row.fitted_at };
    if (available < needed) return { needed, available };
    const key = `${accountId}\u0000${versionId}`;
    let p = this.fitting.get(key);
    if (!p) {
      p = this.fit(accountId, versionId, needed).finally(() => this.fitting.delete(key));
      this.fitting.set(key, p);
    }
    return (await p) ?? { needed, available };
  }

  private async fit(accountId: string, versionId: string, needed: number): Promise<{ surrogate: AnomalySurrogate; samples: number; fittedAt: string } | undefined> {
    const samples = await this.deps.repo.samples(accountId, versionId, MAX_SURROGATE_SAMPLES);
    if (samples.length < needed) return undefined;
    const items = await Promise.all(
      samples.map(async (x) => ({ image: await this.deps.blobs.get(x.imageSha256), map: await this.deps.blobs.get(x.mapSha256), score: x.score })),
    );
    const surrogate = await this.deps.compute.run('fit', { items });
    const fittedAt = this.clock().toISOString();
    await this.deps.repo.putSurrogate({ account_id: accountId, model_version_id: versionId, surrogate_json: JSON.stringify(surrogate), samples: samples.length, fitted_at: fittedAt });
    return { surrogate: reviveSurrogate(JSON.stringify(surrogate)), samples: samples.length, fittedAt };
  }

  private async why(principal: Principal, s: Subject): Promise<{ result: WhyResult; samples: number; fittedAt: string } | { needed: number; available: number }> {
    const fitted = await this.surrogate(principal.accountId, s.version.id);
    if (!('surrogate' in fitted)) return fitted;
    const [image, map] = await Promise.all([this.deps.blobs.get(s.row.image_sha256), this.deps.blobs.get(s.row.anomaly_map_sha256)]);
    const result = await this.deps.compute.run('why', { image, map, score: s.row.defect_score, surrogate: fitted.surrogate });
    return { result, samples: fitted.samples, fittedAt: fitted.fittedAt };
  }

  private async whyAnswer(principal: Principal, s: Subject): Promise<WhyAnswer> {
    const w = await this.why(principal, s);
    if (!('result' in w)) return { status: 'insufficient-data', needed: w.needed, available: w.available };
    const r = w.result;
    return {
      status: 'ready',
      base: r.base,
      fx: r.fx,
      score: s.row.defect_score,
      features: { ...r.features },
      steps: r.waterfall.data.steps.map((x) => ({ ...x })),
      fit: { r2Train: finite(r.fit.r2Train), r2Holdout: finite(r.fit.r2Holdout), rmseHoldout: finite(r.fit.rmseHoldout), nTrain: r.fit.nTrain, nHoldout: r.fit.nHoldout },
      surrogate: { samples: w.samples, fittedAt: w.fittedAt },
      links: { png: `${this.links(s.row.id)}/waterfall.png` },
    };
  }

  /**
   * The waterfall chart (PNG).
   * @throws 409 XQC_TOO_FEW_INSPECTIONS while the surrogate cannot be fitted
   */
  async waterfallPng(principal: Principal, id: string): Promise<Uint8Array> {
    const w = await this.why(principal, await this.subject(principal, id));
    if (!('result' in w)) {
      throw new ApiError(409, 'XQC_TOO_FEW_INSPECTIONS', `the score surrogate needs ${w.needed} inspections of this model version in the account; there are ${w.available}`);
    }
    return w.result.waterfall.png;
  }

  private async whatAnswer(principal: Principal, s: Subject, k: number): Promise<WhatAnswer> {
    const accountId = principal.accountId;
    const { pending } = await this.deps.indexer.catchUp(accountId, s.version, CATCH_UP_BATCH, { id: s.row.id, imageSha256: s.row.image_sha256 });
    if (pending > 0) await this.deps.enqueueIndex(accountId, s.version.id);
    const { hits, indexed } = await this.deps.indexer.similar(accountId, s.version, s.row.id, k);
    const ids = hits.map((h) => h.id);
    const [rows, reviews] = await Promise.all([this.deps.repo.inspections(accountId, ids), (this.deps.reviews ?? NO_REVIEWS).current(principal, ids)]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const items = hits.flatMap((h) => {
      // An inspection deleted since the index was read is left out.
      const r = byId.get(h.id);
      if (!r) return [];
      const base = `${API_PREFIX}/inspections/${r.id}`;
      return [{ id: r.id, similarity: h.similarity, verdict: r.verdict, label: r.label, score: r.score, createdAt: r.createdAt, review: reviews.get(r.id) ?? null, links: { inspection: base, image: `${base}/image`, thumbnail: `${base}/anomaly/thumbnail.png` } }];
    });
    return { k, indexed, pending, items };
  }
}
