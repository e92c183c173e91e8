/**
 * Explanations of stored inspections: check a request against the core's method registry
 * and parameter tables, answer from what is stored, compute what is missing with the
 * core's `explainImage` on an explain worker thread (inference/explain-runner.ts), store
 * each method result once per (inspection, method, target, parameters, seed) with its
 * blobs (heatmap .npy at image and model size, colour heatmap PNG, overlay PNG) and the
 * aggregate of two usable maps or more, all in one transaction, and publish
 * `explanation.ready` per stored result. Fast methods answer inline under a time budget;
 * the rest run as the `explain` job (jobs/handlers/explain.job.ts), which calls
 * {@link ExplanationService.compute}. Every read and write is scoped to the caller's account.
 */
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { parseModelCard, XqcError } from '@xai-qc/core';
import type { ExplainProgress, ModelCard } from '@xai-qc/core';
import type { Principal } from '../auth/principal.ts';
import type { Database } from '../db/schema.ts';
import type { AggregateRow, ExplanationRow, NewAggregateRow, NewExplanationRow } from '../db/tables/explanations.tables.ts';
import { ApiError, notFound } from '../errors/api-error.ts';
import { statusOfCoreCode } from '../errors/status-table.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { ExplainModel, ExplainOutput, ExplainTask } from '../inference/explain.types.ts';
import { ExplainWorkerError } from '../inference/explain-runner.ts';
import type { ExplainRunner } from '../inference/explain-runner.ts';
import type { Job, JobQueue } from '../jobs/job-queue.ts';
import type { JobPayloads } from '../jobs/job-names.ts';
import type { Blobs } from '../storage/blobs.ts';
import type { ExplanationKey, ExplanationRepository } from '../repositories/explanation.repository.ts';
import type { InspectionRecord, InspectionRepository, ServingVersion } from '../repositories/inspection.repository.ts';
import type { ExplainResultDto, ExplanationDto, ExplanationListDto } from '../schemas/explanation.schema.ts';
import { canonical, checkExplainRequest, checkMethodsFit, resolveTarget, sha256 } from './explanation-request.ts';
import { aggregateView, EXPLANATION_MEDIA_TYPES, explanationView } from './explanation-views.ts';
import type { ExplanationFile } from './explanation-views.ts';

/** Methods that may answer inline: one or two backward passes each. */
export const FAST_METHODS: ReadonlySet<string> = new Set(['gradcam', 'gradcampp', 'saliency', 'gradxinput']);
/** Default time an inline answer may take before the request turns into a job, ms. */
export const INLINE_BUDGET_MS = 2000;
/** Longest side of the decoded image the maps are drawn at (as the CLI's default display size). */
export const EXPLAIN_MAX_SIDE = 1024;
/** WebSocket event types that report an explain job. */
export const EXPLAIN_EVENTS = ['job.progress', 'job.finished', 'explanation.ready'] as const;

/** What a `POST /explain` asks (the body; also the `explain` job's payload). */
export type ExplainRequest = JobPayloads['explain'];

/** Blob operations the service needs (the app's blob store). */
export interface ExplanationBlobs {
  /** Stores `items` and runs `within` in one transaction; `keys[i]` is the SHA-256 of `items[i]`. */
  storeWith<T>(items: readonly { bytes: Uint8Array; mediaType: string }[], within: (keys: string[], trx: Transaction<Database>) => Promise<T>): Promise<T>;
  get(sha256: string): Promise<Uint8Array>;
}

/** Dependencies of {@link ExplanationService}. */
export interface ExplanationServiceDeps {
  repo: ExplanationRepository;
  inspections: Pick<InspectionRepository, 'find' | 'versionById'>;
  blobs: ExplanationBlobs;
  runner: Pick<ExplainRunner, 'run'>;
  events: Pick<EventBus, 'publish'>;
  /** Where slow requests go; without it (inside a job) every request is computed in place. */
  queue?: Pick<JobQueue, 'enqueue'>;
  /** Inline time budget, ms (default {@link INLINE_BUDGET_MS}). */
  inlineBudgetMs?: number;
  /** Largest accepted width x height of a stored image (default 40 megapixels). */
  maxPixels?: number;
  /**
   * The reviewed defect mask of an inspection as an encoded image of the inspection image's
   * size (nonzero = defect), or undefined: the current review's mask (plugins/reviews.ts).
   * Quality figures are computed with the explanation when a provider returns a mask; an
   * explanation stored before the review keeps none (ask with another seed to recompute).
   */
  groundTruthMask?: (accountId: string, inspectionId: string) => Promise<Uint8Array | undefined>;
  clock?: () => Date;
  /** Logs failures of inline computations that outlived their request. */
  onBackgroundError?: (err: unknown) => void;
}

/** The answer of {@link ExplanationService.explain}: stored results (200) or a job (202). */
export type ExplainAnswer = { kind: 'stored'; result: ExplainResultDto } | { kind: 'job'; job: Job; pending: string[] };

/** Context of a computation (the job handler passes its job). */
export interface ComputeContext {
  jobId: string | null;
  signal?: AbortSignal;
  onProgress?: (e: ExplainProgress) => void;
}

/** A request checked against the inspection, its model and the core's tables. */
interface Plan {
  accountId: string;
  inspection: InspectionRecord;
  version: ServingVersion;
  card: ModelCard;
  target: number | undefined;
  targetKey: string;
  seed: number;
  colormap: string;
  opacity: number;
  /** Per requested method, in request order. */
  methods: { method: string; params: Record<string, unknown>; key: ExplanationKey }[];
  /** The caller's parameters by method (what explainImage is given). */
  given: Record<string, Record<string, unknown>>;
}

/** The members hash of an aggregate: its member explanation ids, sorted. */
export function membersHash(ids: readonly string[]): string {
  return sha256([...ids].sort().join(','));
}

/** A worker failure as the API reports it: the core's code with its status (a 400 from the core becomes 422 here: the request passed the checks). */
function workerErrorToApi(e: unknown): unknown {
  if (e instanceof ExplainWorkerError) {
    const status = statusOfCoreCode(e.code);
    return new ApiError(status === 400 ? 422 : status, e.code, e.message, { cause: e });
  }
  return e;
}

/** See the module comment. */
export class ExplanationService {
  private readonly clock: () => Date;
  /**
   * Computations under way in this process, by account and request key, shared by every
   * instance: the route's service and the job handler's, so the job of an inline request that
   * overran its budget waits for that computation instead of repeating it.
   */
  private static readonly inFlight = new Map<string, Promise<ExplainResultDto>>();

  constructor(private readonly deps: ExplanationServiceDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  /**
   * Answers `request` for `principal`: the stored results when every method (and the
   * aggregate) is stored; computed inline when every missing method is fast and the work
   * ends within the budget; else an `explain` job (deduplicated while queued or running).
   * @throws ApiError 400 XQC_EXPLAIN_METHOD, XQC_EXPLAIN_PARAM, XQC_EXPLAIN_TARGET; 404 for
   *   an unknown inspection or one of another account
   */
  async explain(principal: Principal, request: ExplainRequest): Promise<ExplainAnswer> {
    const plan = await this.plan(principal.accountId, request);
    const stored = await this.storedRows(plan);
    const missing = plan.methods.filter((m) => !stored.has(m.method)).map((m) => m.method);
    if (missing.length === 0) {
      const done = await this.readIfComplete(plan, stored);
      if (done) return { kind: 'stored', result: done };
    }
    const queue = this.deps.queue;
    if (!queue) return { kind: 'stored', result: await this.computeShared(plan, { jobId: null }) };
    if (missing.every((m) => FAST_METHODS.has(m))) {
      // The budget counts from the start of the computation in the worker thread (its first
      // progress step, or at once when only the aggregate is missing), so a thread start or a
      // model load after a restart does not turn a fast request into a job.
      let timer: NodeJS.Timeout | undefined;
      let startBudget = (): void => undefined;
      const late = new Promise<'late'>((resolve) => {
        startBudget = () => (timer ??= setTimeout(() => resolve('late'), this.deps.inlineBudgetMs ?? INLINE_BUDGET_MS));
      });
      if (missing.length === 0) startBudget();
      const work = this.computeShared(plan, { jobId: null, onProgress: () => startBudget() });
      const first = await Promise.race([work, late]).finally(() => clearTimeout(timer));
      if (first !== 'late') return { kind: 'stored', result: first };
      // Over budget: the computation goes on and stores its results; the job returns them.
      work.catch((e: unknown) => this.deps.onBackgroundError?.(e));
    }
    const job = await queue.enqueue('explain', this.payloadOf(plan), { accountId: plan.accountId, dedupeKey: this.requestKey(plan) });
    return { kind: 'job', job, pending: missing };
  }

  /**
   * Computes and stores what `request` lacks, then returns every result (the job handler
   * calls this; so does the inline path).
   */
  async compute(accountId: string, request: ExplainRequest, ctx: ComputeContext): Promise<ExplainResultDto> {
    return this.computeShared(await this.plan(accountId, request), ctx);
  }

  /** The stored results and aggregates of an inspection of the caller. @throws 404 */
  async list(principal: Principal, inspectionId: string): Promise<ExplanationListDto> {
    if (!(await this.deps.inspections.find(principal.accountId, inspectionId))) throw notFound(`inspection ${inspectionId}`);
    const { explanations, aggregates } = await this.deps.repo.listForInspection(principal.accountId, inspectionId);
    return { items: explanations.map((r) => explanationView(r)), aggregates: aggregates.map(aggregateView) };
  }

  /** One stored result of the caller. @throws 404 */
  async get(principal: Principal, id: string): Promise<ExplanationDto> {
    const row = await this.deps.repo.findById(principal.accountId, id);
    if (!row) throw notFound(`explanation ${id}`);
    return explanationView(row);
  }

  /** A blob of a stored result (`heatmap.npy`, `heatmap.png`, `overlay.png`). @throws 404 */
  async blob(principal: Principal, id: string, file: ExplanationFile): Promise<{ bytes: Uint8Array; mediaType: string }> {
    const row = await this.deps.repo.findById(principal.accountId, id);
    if (!row) throw notFound(`explanation ${id}`);
    const sha = file === 'heatmap.npy' ? row.heatmap_sha256 : file === 'heatmap.png' ? row.heatmap_png_sha256 : row.overlay_sha256;
    return { bytes: await this.deps.blobs.get(sha), mediaType: EXPLANATION_MEDIA_TYPES[file] };
  }

  /** A blob of a stored aggregate (same file names). @throws 404 */
  async aggregateBlob(principal: Principal, id: string, file: ExplanationFile): Promise<{ bytes: Uint8Array; mediaType: string }> {
    const row = await this.deps.repo.findAggregateById(principal.accountId, id);
    if (!row) throw notFound(`explanation aggregate ${id}`);
    const sha = file === 'heatmap.npy' ? row.map_sha256 : file === 'heatmap.png' ? row.map_png_sha256 : row.overlay_sha256;
    return { bytes: await this.deps.blobs.get(sha), mediaType: EXPLANATION_MEDIA_TYPES[file] };
  }

  /** The reviewed mask seam (see {@link ExplanationServiceDeps.groundTruthMask}). */
  async groundTruthMask(accountId: string, inspectionId: string): Promise<Uint8Array | undefined> {
    return this.deps.groundTruthMask?.(accountId, inspectionId);
  }

  /** Checks the request; resolves the inspection, its model version and every key. */
  private async plan(accountId: string, request: ExplainRequest): Promise<Plan> {
    const checked = checkExplainRequest(request);
    const inspection = await this.deps.inspections.find(accountId, request.inspectionId);
    if (!inspection) throw notFound(`inspection ${request.inspectionId}`);
    const version = await this.deps.inspections.versionById(inspection.row.model_version_id);
    if (!version) throw new ApiError(409, 'XQC_MODEL_VERSION_GONE', `the model version of inspection ${request.inspectionId} was deleted; it cannot be explained any more`);
    const card = parseModelCard(JSON.parse(version.cardJson) as unknown);
    checkMethodsFit(card, checked.methods.map((m) => m.method));
    const target = resolveTarget(card, inspection.findings, request.target);
    const targetKey = target === undefined ? 'default' : `class:${target}`;
    const seed = request.seed ?? 0;
    return {
      accountId,
      inspection,
      version,
      card,
      target,
      targetKey,
      seed,
      colormap: checked.colormap,
      opacity: checked.opacity,
      methods: checked.methods.map((m) => ({ method: m.method, params: m.params, key: { method: m.method, targetKey, paramsHash: m.paramsHash, seed } })),
      given: checked.given,
    };
  }

  /** Stored rows of the plan's keys, by method. */
  private async storedRows(plan: Plan): Promise<Map<string, ExplanationRow>> {
    const rows = await this.deps.repo.findByKeys(plan.accountId, plan.inspection.row.id, plan.methods.map((m) => m.key));
    return new Map(rows.map((r) => [r.method, r]));
  }

  /** The full answer when every method and the aggregate they call for are stored, else undefined. */
  private async readIfComplete(plan: Plan, stored: Map<string, ExplanationRow>): Promise<ExplainResultDto | undefined> {
    if (plan.methods.some((m) => !stored.has(m.method))) return undefined;
    const rows = plan.methods.map((m) => stored.get(m.method) as ExplanationRow);
    const usable = rows.filter((r) => r.degenerate_json === null);
    let aggregate: AggregateRow | undefined;
    if (usable.length >= 2) {
      aggregate = await this.deps.repo.findAggregate(plan.accountId, plan.inspection.row.id, plan.targetKey, plan.seed, membersHash(usable.map((r) => r.id)));
      if (!aggregate) return undefined;
    }
    const agreement = new Map<string, number>(aggregate ? (JSON.parse(aggregate.members_json) as { explanationId: string; agreement: number }[]).map((m) => [m.explanationId, m.agreement]) : []);
    return {
      inspectionId: plan.inspection.row.id,
      seed: plan.seed,
      methods: rows.map((r) => explanationView(r, aggregate ? (agreement.get(r.id) ?? null) : undefined)),
      aggregate: aggregate ? aggregateView(aggregate) : null,
    };
  }

  /** One computation per identical request in this process; concurrent callers (and the job of an overrun) share it. */
  private computeShared(plan: Plan, ctx: ComputeContext): Promise<ExplainResultDto> {
    const key = `${plan.accountId}|${this.requestKey(plan)}`;
    const inFlight = ExplanationService.inFlight;
    let p = inFlight.get(key);
    if (!p) {
      p = this.computePlan(plan, ctx).finally(() => inFlight.delete(key));
      inFlight.set(key, p);
    }
    return p;
  }

  private async computePlan(plan: Plan, ctx: ComputeContext): Promise<ExplainResultDto> {
    ctx.signal?.throwIfAborted();
    const stored = await this.storedRows(plan);
    const done = await this.readIfComplete(plan, stored);
    if (done) return done;
    const missing = plan.methods.filter((m) => !stored.has(m.method));
    const usableStored = plan.methods.map((m) => stored.get(m.method)).filter((r): r is ExplanationRow => r !== undefined && r.degenerate_json === null);
    const task: Omit<ExplainTask, 'model'> = {
      key: plan.version.id,
      image: await this.deps.blobs.get(plan.inspection.row.image_sha256),
      maxSide: EXPLAIN_MAX_SIDE,
      maxPixels: this.deps.maxPixels ?? 40_000_000,
      methods: missing.map((m) => m.method),
      target: plan.target,
      seed: plan.seed,
      params: Object.fromEntries(missing.filter((m) => plan.given[m.method]).map((m) => [m.method, plan.given[m.method]])),
      mask: missing.length ? await this.groundTruthMask(plan.accountId, plan.inspection.row.id) : undefined,
      colormap: plan.colormap,
      opacity: plan.opacity,
      aggregate: plan.methods.length >= 2 ? { stored: await Promise.all(usableStored.map(async (r) => ({ method: r.method, modelMapNpy: await this.deps.blobs.get(r.model_map_sha256) }))) } : undefined,
    };
    const model = async (): Promise<ExplainModel> => ({ onnx: await this.deps.blobs.get(plan.version.onnxSha256), cardJson: plan.version.cardJson });
    let output: ExplainOutput;
    try {
      output = await this.deps.runner.run(task, model, ctx.onProgress);
    } catch (e) {
      throw workerErrorToApi(e);
    }
    ctx.signal?.throwIfAborted();
    const fresh = await this.store(plan, stored, output, ctx.jobId);
    for (const row of fresh) {
      await this.deps.events.publish(plan.accountId, 'explanation.ready', { inspectionId: plan.inspection.row.id, explanationId: row.id, method: row.method, jobId: ctx.jobId });
    }
    const result = await this.readIfComplete(plan, await this.storedRows(plan));
    if (!result) throw new ApiError(500, 'XQC_EXPLAIN_STORE', `explanations of inspection ${plan.inspection.row.id} were computed but are not all stored`);
    return result;
  }

  /**
   * Stores the computed results and the aggregate: blobs and rows in one transaction.
   * @returns the rows this call inserted (a row another writer stored first is not among them)
   */
  private async store(plan: Plan, stored: Map<string, ExplanationRow>, output: ExplainOutput, jobId: string | null): Promise<ExplanationRow[]> {
    const items: { bytes: Uint8Array; mediaType: string }[] = [];
    for (const m of output.methods) {
      items.push({ bytes: m.heatmapNpy, mediaType: EXPLANATION_MEDIA_TYPES['heatmap.npy'] }, { bytes: m.modelMapNpy, mediaType: EXPLANATION_MEDIA_TYPES['heatmap.npy'] });
      items.push({ bytes: m.heatmapPng, mediaType: 'image/png' }, { bytes: m.overlayPng, mediaType: 'image/png' });
    }
    const agg = output.aggregate;
    if (agg) items.push({ bytes: agg.npy, mediaType: EXPLANATION_MEDIA_TYPES['heatmap.npy'] }, { bytes: agg.png, mediaType: 'image/png' }, { bytes: agg.overlayPng, mediaType: 'image/png' });
    if (items.length === 0) return [];
    const createdAt = this.clock().toISOString();
    const target = output.target;
    return this.deps.blobs.storeWith(items, async (keys, trx) => {
      const rows: NewExplanationRow[] = output.methods.map((m, i) => {
        const planned = plan.methods.find((p) => p.method === m.method);
        if (!planned || !target) throw new XqcError('XQC_RUNTIME', `the explain worker returned method '${m.method}', which was not asked for`);
        return {
          id: randomUUID(),
          account_id: plan.accountId,
          inspection_id: plan.inspection.row.id,
          method: m.method,
          target_key: plan.targetKey,
          target_index: target.index,
          target_label: target.label,
          target_reason: target.reason,
          params_hash: planned.key.paramsHash,
          params_json: JSON.stringify(planned.params),
          seed: plan.seed,
          heatmap_sha256: keys[4 * i],
          model_map_sha256: keys[4 * i + 1],
          heatmap_png_sha256: keys[4 * i + 2],
          overlay_sha256: keys[4 * i + 3],
          colormap: plan.colormap,
          opacity: plan.opacity,
          width: m.width,
          height: m.height,
          runtime_ms: m.runtimeMs,
          evaluations: m.evaluations,
          completeness_error: m.completenessError ?? null,
          degenerate_json: m.degenerate ? JSON.stringify(m.degenerate) : null,
          quality_json: m.quality ? JSON.stringify(m.quality) : null,
          extras_json: JSON.stringify(m.extras),
          job_id: jobId,
          created_at: createdAt,
        };
      });
      await this.deps.repo.insertExplanations(rows, trx);
      const now = await this.deps.repo.findByKeys(plan.accountId, plan.inspection.row.id, plan.methods.map((m) => m.key), trx);
      const byMethod = new Map(now.map((r) => [r.method, r]));
      if (agg) {
        const base = 4 * output.methods.length;
        const members = agg.members.map((m) => ({ explanationId: (byMethod.get(m.method) ?? stored.get(m.method))?.id as string, method: m.method, agreement: m.agreement }));
        const row: NewAggregateRow = {
          id: randomUUID(),
          account_id: plan.accountId,
          inspection_id: plan.inspection.row.id,
          target_key: plan.targetKey,
          seed: plan.seed,
          members_hash: membersHash(members.map((m) => m.explanationId)),
          members_json: JSON.stringify(members),
          excluded_json: JSON.stringify(plan.methods.map((m) => byMethod.get(m.method)).filter((r) => r && r.degenerate_json !== null).map((r) => r?.method)),
          score: agg.score,
          mean_spearman: agg.meanSpearman,
          mean_iou: agg.meanIou,
          map_sha256: keys[base],
          map_png_sha256: keys[base + 1],
          overlay_sha256: keys[base + 2],
          colormap: plan.colormap,
          opacity: plan.opacity,
          width: agg.width,
          height: agg.height,
          created_at: createdAt,
        };
        await this.deps.repo.insertAggregate(row, trx);
      }
      const mine = new Set(rows.map((r) => r.id));
      return now.filter((r) => mine.has(r.id));
    });
  }

  /** Identifies the work of a request: inspection, target, seed, and each method with its parameters. */
  private requestKey(plan: Plan): string {
    const methods = plan.methods.map((m) => `${m.method}:${m.key.paramsHash}`).sort();
    return sha256(canonical([plan.inspection.row.id, plan.targetKey, plan.seed, methods]));
  }

  /** The job payload: the request with the target resolved to a class index. */
  private payloadOf(plan: Plan): ExplainRequest {
    const payload: ExplainRequest = { inspectionId: plan.inspection.row.id, methods: plan.methods.map((m) => m.method), seed: plan.seed, colormap: plan.colormap, opacity: plan.opacity };
    if (plan.target !== undefined) payload.target = plan.target;
    if (Object.keys(plan.given).length) payload.params = plan.given as ExplainRequest['params'];
    return payload;
  }
}

/** The service's blob operations over the app's {@link Blobs}. */
export function explanationBlobs(blobs: Blobs): ExplanationBlobs {
  return {
    storeWith: (items, within) => blobs.putWith(items, (infos, trx) => within(infos.map((i) => i.sha256), trx)),
    get: async (sha) => (await blobs.get(sha)).bytes,
  };
}

