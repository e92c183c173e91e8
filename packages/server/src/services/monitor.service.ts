/**
 * Monitors: a model version watched for drift and for its performance, on a schedule.
 *
 * A monitor compares a reference window (a date range of the version's inspections, its
 * first N inspections, or the validation split of a registered dataset) with a current
 * window (the last N inspections, or those of the last T minutes) on the signals it names:
 * the scalars /detect recorded per inspection (its signal columns), the predicted-class mix
 * and the pooled embedding. `run` (the `monitor.run` job) reads both windows, runs the
 * core's `driftReport` (KS per scalar, chi-squared on classes, the domain classifier on
 * embeddings, Holm-corrected), adds the performance block (monitor-window.ts: CBPE before
 * reviews, realised figures from the reviews, their difference), and stores the result
 * with the monitor's run state in one transaction, then publishes `monitor.result`. A window
 * without data is a 422 (XQC_MONITOR_NO_REFERENCE, XQC_MONITOR_NO_CURRENT): the route checks
 * it before queueing, and a scheduled run stores it as the monitor's error state, never as a
 * result. Configuration is checked whole before anything is written.
 */
import { randomUUID } from 'node:crypto';
import { decodeImage, driftReport, imageSignals, parseModelCard, recordedSplit, stratifiedSplit } from '@xai-qc/core';
import type { DriftWindow } from '@xai-qc/core';
import type { Principal } from '../auth/principal.ts';
import type { MonitorResultRow, MonitorRow } from '../db/tables/monitors.tables.ts';
import { ApiError, badRequest, notFound } from '../errors/api-error.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { DatasetRepository } from '../repositories/dataset.repository.ts';
import type { InspectionRepository, ServingVersion } from '../repositories/inspection.repository.ts';
import type { MonitorRepository, ResultCursor } from '../repositories/monitor.repository.ts';
import type { SignalRepository, WindowRow, WindowSelector } from '../repositories/signal.repository.ts';
import type { Monitor, MonitorCurrent, MonitorInput, MonitorPatch, MonitorReference, MonitorResult, MonitorResultQuery } from '../schemas/monitor.schema.ts';
import { IMAGE_SIGNALS, isMonitorSignal, MONITOR_SIGNALS, performanceOf, rowScalars, scalarWindow } from './monitor-window.ts';
import type { ImageSignalRow, MonitorSignal } from './monitor-window.ts';

/** Largest window read by time or date range (the newest rows are kept). */
export const MAX_WINDOW = 5000;
/** Largest window whose embeddings a run computes and tests. */
export const MAX_EMBEDDING_WINDOW = 1000;
/** Default minutes between scheduled runs. */
export const DEFAULT_INTERVAL_MINUTES = 60;
/** Due monitors queued per scheduler tick at most. */
const DUE_BATCH = 100;
const MINUTE = 60_000;

/** Pooled embeddings of inspections, computed where missing (services/monitor-embeddings.ts). */
export interface MonitorEmbeddings {
  /**
   * The embeddings of `items` of version `v` in their order, each computed first when not yet
   * stored; a string says why the version has none (the embedding is then not tested).
   */
  vectors(accountId: string, v: ServingVersion, items: readonly { id: string; imageSha256: string }[]): Promise<{ dim: number; vectors: Float32Array } | string>;
}

/** Dependencies of {@link MonitorService}. */
export interface MonitorServiceDeps {
  repo: MonitorRepository;
  signals: Pick<SignalRepository, 'window'>;
  datasets: Pick<DatasetRepository, 'find' | 'files'>;
  versions: Pick<InspectionRepository, 'versionById'>;
  readBlob: (sha256: string) => Promise<Uint8Array>;
  embeddings?: MonitorEmbeddings;
  events?: Pick<EventBus, 'publish'>;
  clock?: () => Date;
}

type ReferenceRows = { kind: 'inspections'; rows: WindowRow[] } | { kind: 'images'; rows: ImageSignalRow[] };

function referenceOf(r: MonitorRow): MonitorReference {
  if (r.reference_kind === 'range') return { kind: 'range', from: r.reference_from as string, to: r.reference_to as string };
  if (r.reference_kind === 'first') return { kind: 'first', count: r.reference_count as number };
  return { kind: 'dataset', datasetId: r.reference_dataset_id as string };
}

function currentOf(r: MonitorRow): MonitorCurrent {
  return r.current_kind === 'count' ? { kind: 'count', count: r.current_count as number } : { kind: 'minutes', minutes: r.current_minutes as number };
}

function monitorOf(r: MonitorRow): Monitor {
  return {
    id: r.id,
    name: r.name,
    model: { name: r.model_name, version: r.model_version, versionId: r.model_version_id },
    reference: referenceOf(r),
    current: currentOf(r),
    intervalMinutes: r.interval_minutes,
    signals: JSON.parse(r.signals_json) as string[],
    enabled: r.enabled === 1,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    state: { nextRunAt: r.next_run_at, lastRunAt: r.last_run_at, lastStatus: r.last_status as Monitor['state']['lastStatus'], lastError: r.last_error },
  };
}

function resultOf(r: MonitorResultRow): MonitorResult {
  return {
    id: r.id,
    monitorId: r.monitor_id,
    computedAt: r.computed_at,
    jobId: r.job_id,
    level: r.level as MonitorResult['level'],
    reference: { from: r.reference_from, to: r.reference_to, count: r.reference_count },
    current: { from: r.current_from, to: r.current_to, count: r.current_count },
    signals: JSON.parse(r.signals_json) as MonitorResult['signals'],
    notes: JSON.parse(r.notes_json) as string[],
    performance: JSON.parse(r.performance_json) as MonitorResult['performance'],
  };
}

function referenceColumns(ref: MonitorReference): Pick<MonitorRow, 'reference_kind' | 'reference_from' | 'reference_to' | 'reference_count' | 'reference_dataset_id'> {
  return {
    reference_kind: ref.kind,
    reference_from: ref.kind === 'range' ? new Date(ref.from).toISOString() : null,
    reference_to: ref.kind === 'range' ? new Date(ref.to).toISOString() : null,
    reference_count: ref.kind === 'first' ? ref.count : null,
    reference_dataset_id: ref.kind === 'dataset' ? ref.datasetId : null,
  };
}

function currentColumns(cur: MonitorCurrent): Pick<MonitorRow, 'current_kind' | 'current_count' | 'current_minutes'> {
  return { current_kind: cur.kind, current_count: cur.kind === 'count' ? cur.count : null, current_minutes: cur.kind === 'minutes' ? cur.minutes : null };
}

function encodeCursor(c: ResultCursor): string {
  return Buffer.from(JSON.stringify([c.computedAt, c.id])).toString('base64url');
}

function decodeCursor(s: string): ResultCursor {
  try {
    const [computedAt, id] = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown[];
    if (typeof computedAt === 'string' && typeof id === 'string') return { computedAt, id };
  } catch {
    // Falls through to the 400 below.
  }
  throw badRequest('XQC_INVALID_CURSOR', 'cursor: not a cursor this API returned; pass nextCursor from the previous page');
}

/** The 422 of a window without data. */
function emptyWindow(which: 'reference' | 'current', detail: string): ApiError {
  return new ApiError(422, which === 'reference' ? 'XQC_MONITOR_NO_REFERENCE' : 'XQC_MONITOR_NO_CURRENT', `the ${which} window has no data: ${detail}`);
}

/** See the module comment. */
export class MonitorService {
  private readonly clock: () => Date;

  constructor(private readonly deps: MonitorServiceDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  /** Checks a whole configuration; resolves the version id. @throws 400 XQC_MONITOR_SIGNAL, XQC_INVALID_RANGE; 404 for an unknown model version or dataset. */
  private async check(accountId: string, model: { name: string; version: string }, reference: MonitorReference, signals: readonly string[]): Promise<string> {
    const unknown = signals.filter((s) => !isMonitorSignal(s));
    if (unknown.length > 0) throw badRequest('XQC_MONITOR_SIGNAL', `signals: ${unknown.map((s) => `'${s}'`).join(', ')} ${unknown.length === 1 ? 'is not a signal' : 'are not signals'} a monitor can check; use any of ${MONITOR_SIGNALS.join(', ')}`);
    if (reference.kind === 'range') {
      const from = Date.parse(reference.from);
      const to = Date.parse(reference.to);
      if (!(from < to)) throw badRequest('XQC_INVALID_RANGE', `reference: from (${reference.from}) must be before to (${reference.to})`);
    }
    if (reference.kind === 'dataset') {
      const imageOnly = signals.filter((s) => !(IMAGE_SIGNALS as readonly string[]).includes(s));
      if (imageOnly.length > 0) throw badRequest('XQC_MONITOR_SIGNAL', `signals: ${imageOnly.join(', ')} cannot be checked against a dataset reference, which has image statistics only (${IMAGE_SIGNALS.join(', ')})`);
      if (!(await this.deps.datasets.find(accountId, reference.datasetId))) throw notFound(`dataset ${reference.datasetId}`);
    }
    const versionId = await this.deps.repo.versionId(model.name, model.version);
    if (versionId === undefined) throw notFound(`version ${model.version} of model ${model.name}`);
    return versionId;
  }

  /** Creates a monitor, due at the scheduler's next check. */
  async create(principal: Principal, input: MonitorInput): Promise<Monitor> {
    const reference = input.reference as MonitorReference;
    const current = input.current as MonitorCurrent;
    const versionId = await this.check(principal.accountId, input.model, reference, input.signals);
    const now = this.clock().toISOString();
    const row: MonitorRow = {
      id: randomUUID(),
      account_id: principal.accountId,
      name: input.name,
      model_name: input.model.name,
      model_version: input.model.version,
      model_version_id: versionId,
      ...referenceColumns(reference),
      ...currentColumns(current),
      interval_minutes: input.intervalMinutes ?? DEFAULT_INTERVAL_MINUTES,
      signals_json: JSON.stringify(input.signals),
      enabled: input.enabled === false ? 0 : 1,
      created_by: principal.subject,
      created_at: now,
      updated_at: now,
      next_run_at: null,
      last_run_at: null,
      last_status: null,
      last_error: null,
    };
    await this.deps.repo.insert(row);
    return monitorOf(row);
  }

  /** The caller's monitors. */
  async list(principal: Principal): Promise<{ items: Monitor[] }> {
    return { items: (await this.deps.repo.list(principal.accountId)).map(monitorOf) };
  }

  private async find(accountId: string, id: string): Promise<MonitorRow> {
    const row = await this.deps.repo.find(accountId, id);
    if (!row) throw notFound(`monitor ${id}`);
    return row;
  }

  /** One monitor. @throws 404 */
  async get(principal: Principal, id: string): Promise<Monitor> {
    return monitorOf(await this.find(principal.accountId, id));
  }

  /** Changes a monitor; the merged configuration is checked whole first. A new interval takes effect after the next run. @throws 404, 400 as create. */
  async update(principal: Principal, id: string, patch: MonitorPatch): Promise<Monitor> {
    const current = await this.find(principal.accountId, id);
    const reference = (patch.reference as MonitorReference | undefined) ?? referenceOf(current);
    const window = (patch.current as MonitorCurrent | undefined) ?? currentOf(current);
    const signals = patch.signals ?? (JSON.parse(current.signals_json) as string[]);
    await this.check(principal.accountId, { name: current.model_name, version: current.model_version }, reference, signals);
    const updated = await this.deps.repo.update(principal.accountId, id, {
      name: patch.name ?? current.name,
      ...referenceColumns(reference),
      ...currentColumns(window),
      interval_minutes: patch.intervalMinutes ?? current.interval_minutes,
      signals_json: JSON.stringify(signals),
      enabled: patch.enabled === undefined ? current.enabled : patch.enabled ? 1 : 0,
      updated_at: this.clock().toISOString(),
    });
    if (!updated) throw notFound(`monitor ${id}`);
    return monitorOf(updated);
  }

  /** Deletes a monitor and its results. @throws 404 */
  async delete(principal: Principal, id: string): Promise<void> {
    if (!(await this.deps.repo.delete(principal.accountId, id))) throw notFound(`monitor ${id}`);
  }

  /** A page of a monitor's results, newest first. @throws 404; 400 XQC_INVALID_RANGE, XQC_INVALID_CURSOR */
  async results(principal: Principal, id: string, q: MonitorResultQuery): Promise<{ items: MonitorResult[]; nextCursor: string | null }> {
    await this.find(principal.accountId, id);
    const from = q.from === undefined ? undefined : new Date(q.from).toISOString();
    const to = q.to === undefined ? undefined : new Date(q.to).toISOString();
    if (from !== undefined && to !== undefined && from > to) throw badRequest('XQC_INVALID_RANGE', `from (${from}) is after to (${to})`);
    const limit = q.limit ?? 50;
    const rows = await this.deps.repo.results(principal.accountId, id, { from, to }, limit + 1, q.cursor === undefined ? undefined : decodeCursor(q.cursor));
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(resultOf), nextCursor: rows.length > limit && last ? encodeCursor({ computedAt: last.computed_at, id: last.id }) : null };
  }

  /**
   * Checks that both windows of monitor `id` have data now (what `POST /monitors/{id}/run`
   * does before queueing). @throws 404; 422 XQC_MONITOR_NO_REFERENCE, XQC_MONITOR_NO_CURRENT
   */
  async checkRunnable(principal: Principal, id: string): Promise<void> {
    const m = await this.find(principal.accountId, id);
    if (m.reference_kind === 'dataset') await this.validationImages(m);
    else if ((await this.deps.signals.window(m.account_id, m.model_version_id, this.referenceSelector(m, 1))).length === 0) throw emptyWindow('reference', this.describeReference(m));
    if ((await this.deps.signals.window(m.account_id, m.model_version_id, this.currentSelector(m, 1))).length === 0) throw emptyWindow('current', this.describeCurrent(m));
  }

  /** The reference window's selector; `cap` reads at most that many rows (a check for data). */
  private referenceSelector(m: MonitorRow, cap?: number): WindowSelector {
    if (m.reference_kind === 'range') return { kind: 'range', from: m.reference_from as string, to: m.reference_to as string, limit: cap ?? MAX_WINDOW };
    return { kind: 'first', count: cap ?? (m.reference_count as number) };
  }

  /** The current window's selector at the clock's now; `cap` as {@link referenceSelector}. */
  private currentSelector(m: MonitorRow, cap?: number): WindowSelector {
    if (m.current_kind === 'count') return { kind: 'last', count: cap ?? (m.current_count as number) };
    const now = this.clock();
    return { kind: 'range', from: new Date(now.getTime() - (m.current_minutes as number) * MINUTE).toISOString(), to: new Date(now.getTime() + 1).toISOString(), limit: cap ?? MAX_WINDOW };
  }

  private describeReference(m: MonitorRow): string {
    const v = `${m.model_name} ${m.model_version}`;
    if (m.reference_kind === 'range') return `no recorded inspection of ${v} in [${m.reference_from}, ${m.reference_to})`;
    return `no recorded inspection of ${v} yet`;
  }

  private describeCurrent(m: MonitorRow): string {
    const v = `${m.model_name} ${m.model_version}`;
    return m.current_kind === 'count' ? `no recorded inspection of ${v} yet` : `no recorded inspection of ${v} in the last ${m.current_minutes} minutes`;
  }

  /** The validation images of a dataset reference, as the version's training split them. @throws 404, 422 */
  private async validationImages(m: MonitorRow): Promise<{ path: string; blob_sha256: string }[]> {
    const id = m.reference_dataset_id as string;
    if (!(await this.deps.datasets.find(m.account_id, id))) throw notFound(`dataset ${id}`);
    const version = await this.deps.versions.versionById(m.model_version_id);
    if (!version) throw notFound(`model version ${m.model_version_id}`);
    const card = parseModelCard(JSON.parse(version.cardJson) as unknown);
    const { seed, ratios } = recordedSplit(card.training as Record<string, unknown> | undefined);
    const images = (await this.deps.datasets.files(id)).filter((f) => f.role === 'image');
    const split = stratifiedSplit(images.map((f) => ({ key: f.path, label: f.label ?? '' })), seed, ratios);
    const val = images.filter((f) => split.get(f.path) === 'val').slice(0, MAX_WINDOW);
    if (val.length === 0) throw emptyWindow('reference', `dataset ${id} has no image in its validation split`);
    return val;
  }

  private async referenceRows(m: MonitorRow): Promise<ReferenceRows> {
    if (m.reference_kind !== 'dataset') {
      const rows = await this.deps.signals.window(m.account_id, m.model_version_id, this.referenceSelector(m));
      if (rows.length === 0) throw emptyWindow('reference', this.describeReference(m));
      return { kind: 'inspections', rows };
    }
    const rows: ImageSignalRow[] = [];
    for (const f of await this.validationImages(m)) {
      const s = imageSignals(await decodeImage(await this.deps.readBlob(f.blob_sha256)));
      const [r, g = r, b = r] = s.channelMeans;
      rows.push({ brightness: s.brightness, contrast: s.contrast, sharpness: s.sharpness, saturation: s.saturation, width: s.width, height: s.height, meanR: r, meanG: g, meanB: b });
    }
    return { kind: 'images', rows };
  }

  /**
   * Computes and stores one result of monitor `id` of `accountId` (see the module comment).
   * @throws 404; 422 XQC_MONITOR_NO_REFERENCE, XQC_MONITOR_NO_CURRENT (nothing stored)
   */
  async run(accountId: string, id: string, jobId: string | null = null): Promise<MonitorResult> {
    const m = await this.find(accountId, id);
    const signals = (JSON.parse(m.signals_json) as string[]).filter(isMonitorSignal) as MonitorSignal[];
    const reference = await this.referenceRows(m);
    const current = await this.deps.signals.window(accountId, m.model_version_id, this.currentSelector(m));
    if (current.length === 0) throw emptyWindow('current', this.describeCurrent(m));
    const notes: string[] = [];
    const refWindow: DriftWindow = { scalars: scalarWindow(reference.kind === 'inspections' ? reference.rows.map(rowScalars) : reference.rows, signals, 'reference', notes) };
    const curWindow: DriftWindow = { scalars: scalarWindow(current.map(rowScalars), signals, 'current', notes) };
    let classCount: number | undefined;
    let embeddingDim: number | undefined;
    const version = await this.deps.versions.versionById(m.model_version_id);
    if (!version) throw notFound(`model version ${m.model_version_id}`);
    if (signals.includes('predictedClass') && reference.kind === 'inspections') {
      const refClasses = reference.rows.map((r) => r.predicted_class);
      const curClasses = current.map((r) => r.predicted_class);
      refWindow.predictedClass = refClasses;
      curWindow.predictedClass = curClasses;
      const card = parseModelCard(JSON.parse(version.cardJson) as unknown);
      classCount = card.task === 'anomaly' ? 2 : card.labels.length;
      for (const c of [...refClasses, ...curClasses]) classCount = Math.max(classCount, c + 1);
    }
    if (signals.includes('embedding') && reference.kind === 'inspections') {
      if (reference.rows.length > MAX_EMBEDDING_WINDOW || current.length > MAX_EMBEDDING_WINDOW) notes.push(`embedding: a window has more than ${MAX_EMBEDDING_WINDOW} inspections, not tested`);
      else if (!this.deps.embeddings) notes.push('embedding: no embedder in this process, not tested');
      else {
        const item = (r: WindowRow) => ({ id: r.inspection_id, imageSha256: r.image_sha256 });
        const ref = await this.deps.embeddings.vectors(accountId, version, reference.rows.map(item));
        const cur = typeof ref === 'string' ? ref : await this.deps.embeddings.vectors(accountId, version, current.map(item));
        if (typeof ref === 'string' || typeof cur === 'string') notes.push(`embedding: ${typeof ref === 'string' ? ref : cur}, not tested`);
        else {
          refWindow.embeddings = ref.vectors;
          curWindow.embeddings = cur.vectors;
          embeddingDim = ref.dim;
        }
      }
    }
    const hasSignal = Object.keys(refWindow.scalars).length > 0 || refWindow.predictedClass !== undefined || refWindow.embeddings !== undefined;
    const report = hasSignal
      ? driftReport(refWindow, curWindow, { classCount, embeddingDim, seed: 0 })
      : { level: 'none' as const, signals: [], notes: [] as string[] };
    const computedAt = this.clock();
    const refRows = reference.kind === 'inspections' ? reference.rows : undefined;
    const row: MonitorResultRow = {
      id: randomUUID(),
      monitor_id: m.id,
      account_id: accountId,
      computed_at: computedAt.toISOString(),
      job_id: jobId,
      level: report.level,
      reference_from: refRows ? refRows[0].created_at : null,
      reference_to: refRows ? refRows[refRows.length - 1].created_at : null,
      reference_count: reference.rows.length,
      current_from: current[0].created_at,
      current_to: current[current.length - 1].created_at,
      current_count: current.length,
      signals_json: JSON.stringify(report.signals),
      notes_json: JSON.stringify([...notes, ...report.notes, ...(hasSignal ? [] : ['no signal could be tested'])]),
      performance_json: JSON.stringify(performanceOf(current)),
    };
    await this.deps.repo.storeResult(row, {
      last_run_at: row.computed_at,
      last_status: 'ok',
      last_error: null,
      next_run_at: new Date(computedAt.getTime() + m.interval_minutes * MINUTE).toISOString(),
    });
    const result = resultOf(row);
    await this.deps.events?.publish(accountId, 'monitor.result', {
      monitorId: m.id,
      resultId: row.id,
      modelName: m.model_name,
      modelVersion: m.model_version,
      level: result.level,
      driftedSignals: result.signals.filter((s) => s.level === 'drift').map((s) => s.signal),
      computedAt: row.computed_at,
    });
    return result;
  }

  /** Stores why a scheduled run of monitor `id` stored no result (its error state), and when it runs next. */
  async recordFailure(accountId: string, id: string, error: string): Promise<void> {
    const m = await this.deps.repo.find(accountId, id);
    if (!m) return;
    const now = this.clock();
    await this.deps.repo.update(accountId, id, { last_run_at: now.toISOString(), last_status: 'error', last_error: error, next_run_at: new Date(now.getTime() + m.interval_minutes * MINUTE).toISOString() });
  }

  /**
   * Queues a `monitor.run` job for each enabled monitor that is due (the scheduler's tick),
   * moving its next run one interval on first, so a later tick does not queue it again.
   * @returns how many were queued
   */
  async queueDue(queue: Pick<JobQueue, 'enqueue'>): Promise<number> {
    const now = this.clock();
    const due = await this.deps.repo.due(now.toISOString(), DUE_BATCH);
    for (const m of due) {
      await this.deps.repo.update(m.account_id, m.id, { next_run_at: new Date(now.getTime() + m.interval_minutes * MINUTE).toISOString() });
      await queue.enqueue('monitor.run', { monitorId: m.id, scheduled: true }, { accountId: m.account_id, dedupeKey: `monitor.run:${m.id}` });
    }
    return due.length;
  }
}
