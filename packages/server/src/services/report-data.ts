/**
 * What a report shows, gathered once per render: the figures of `GET /metrics` for the
 * report's filters (overall and per period, and per model version), the calibration status
 * of each classifier version in it, and a streaming reader of its inspections (newest
 * first, in pages, each with its images downscaled to display size), so that neither the
 * PDF nor the workbook holds more than one page of inspections at a time.
 */
import { decodeImage, encodeJpeg, resizeBilinear } from '@xai-qc/core';
import type { ImageU8 } from '@xai-qc/core';
import type { Kysely } from 'kysely';
import type { Principal } from '../auth/principal.ts';
import type { Database } from '../db/schema.ts';
import { ApiError } from '../errors/api-error.ts';
import { MetricsRepository } from '../repositories/metrics.repository.ts';
import type { MetricsCursor, MetricsFilter, MetricsRow } from '../repositories/metrics.repository.ts';
import type { ReportCursor, ReportInspection, ReportInspectionFilter, ReportRepository } from '../repositories/report.repository.ts';
import type { CalibrationStatus } from '../schemas/calibration.schema.ts';
import type { MetricsReport } from '../schemas/metrics.schema.ts';
import { CalibrationService } from './calibration.service.ts';
import { MetricsService } from './metrics.service.ts';
import type { ModelRegistryService } from './model-registry.service.ts';

/** Ranges longer than this many days are charted per week, shorter ones per day. */
export const DAILY_CHART_MAX_DAYS = 62;
/** Model versions whose calibration a report shows at most. */
export const MAX_CALIBRATION_VERSIONS = 6;

/** The filters of one report (ISO date-times already normalised). */
export interface ReportFilters {
  from?: string;
  to?: string;
  model?: string;
  version?: string;
  inspectionIds?: readonly string[];
}

/** One model version's calibration, or why there is none. */
export interface ReportCalibration {
  model: string;
  version: string;
  status: CalibrationStatus | null;
  /** Why `status` is null or has no reliability data. */
  note: string | null;
}

/** Everything but the inspections. */
export interface ReportData {
  title: string;
  generatedAt: string;
  filters: ReportFilters;
  /** The period shown: the filters' bounds, or the first and last inspection's time. */
  period: { from: string | null; to: string | null };
  /** Inspections matching the filters. */
  total: number;
  groupBy: 'day' | 'week';
  /** `GET /metrics` with the report's filters and `groupBy`. */
  metrics: MetricsReport;
  /** `GET /metrics` with the report's filters and `groupBy=version`. */
  versions: MetricsReport;
  calibration: ReportCalibration[];
}

/**
 * The metrics repository restricted to a set of inspection ids: the same query, rows of
 * other inspections dropped; pages keep their keyset order, so the metrics service's
 * paging (a short page ends the stream) stays correct.
 */
export class IdsMetricsRepository extends MetricsRepository {
  constructor(
    db: Kysely<Database>,
    private readonly ids: ReadonlySet<string>,
  ) {
    super(db);
  }

  override async page(f: MetricsFilter, limit: number, after?: MetricsCursor): Promise<MetricsRow[]> {
    const out: MetricsRow[] = [];
    let cursor = after;
    for (;;) {
      const rows = await super.page(f, limit, cursor);
      for (const r of rows) if (this.ids.has(r.id)) out.push(r);
      if (rows.length < limit || out.length >= limit) return out.slice(0, limit);
      const last = rows[rows.length - 1];
      cursor = { createdAt: last.created_at, id: last.id };
    }
  }
}

/** Blob reads a report needs. */
export interface ReportBlobs {
  get(sha256: string): Promise<Uint8Array>;
}

/**
 * Gathers {@link ReportData}: the metrics through {@link MetricsService} (so the report's
 * figures are those of `GET /metrics` for the same filters) and the calibration through
 * {@link CalibrationService}.
 */
export async function gatherReportData(
  deps: { db: Kysely<Database>; registry: ModelRegistryService; repo: ReportRepository; blobs: ReportBlobs },
  principal: Principal,
  title: string,
  filters: ReportFilters,
  now: Date = new Date(),
): Promise<ReportData> {
  const span = await deps.repo.span({ accountId: principal.accountId, ...filters, ids: filters.inspectionIds });
  const from = filters.from ?? span.first;
  const to = filters.to ?? span.last;
  const days = from !== null && to !== null ? (Date.parse(to) - Date.parse(from)) / 86_400_000 : 0;
  const groupBy = days > DAILY_CHART_MAX_DAYS ? 'week' : 'day';
  const repo = filters.inspectionIds ? new IdsMetricsRepository(deps.db, new Set(filters.inspectionIds)) : new MetricsRepository(deps.db);
  const metricsService = new MetricsService(repo, deps.blobs);
  const q = { from: filters.from, to: filters.to, model: filters.model, version: filters.version };
  const metrics = await metricsService.report(principal, { ...q, groupBy });
  const versions = await metricsService.report(principal, { ...q, groupBy: 'version' });
  const calibrationService = new CalibrationService(deps.db, deps.registry);
  const calibration: ReportCalibration[] = [];
  for (const g of versions.groups.slice(0, MAX_CALIBRATION_VERSIONS)) {
    const at = g.key.lastIndexOf('@');
    const model = g.key.slice(0, at);
    const version = g.key.slice(at + 1);
    if (g.reviewed === 0) {
      calibration.push({ model, version, status: null, note: 'no reviewed inspections of this version in the report' });
      continue;
    }
    try {
      const status = await calibrationService.status(principal, { model, version, from: filters.from, to: filters.to });
      calibration.push({ model, version, status, note: status.reliability === null ? 'no reviews of this version in the period' : null });
    } catch (e) {
      if (!(e instanceof ApiError) || (e.code !== 'XQC_CALIBRATION_TASK' && e.status !== 404)) throw e;
      calibration.push({ model, version, status: null, note: e.code === 'XQC_CALIBRATION_TASK' ? 'not a classifier: no reliability diagram' : e.message });
    }
  }
  return { title, generatedAt: now.toISOString(), filters, period: { from, to }, total: span.count, groupBy, metrics, versions, calibration };
}

/** Downscales an image so that its longer side is at most `maxSide`, as RGB. */
export function fitImage(image: ImageU8, maxSide: number): ImageU8 {
  const scale = Math.min(1, maxSide / Math.max(image.width, image.height));
  if (scale >= 1) return image;
  return resizeBilinear(image, Math.max(1, Math.round(image.width * scale)), Math.max(1, Math.round(image.height * scale)));
}

/** JPEG quality of pictures in reports: photos and heatmaps, where PNG of a textured surface costs ten times the bytes. */
export const REPORT_JPEG_QUALITY = 80;

/** Decodes PNG/JPEG bytes as RGB, downscales to `maxSide` and encodes JPEG (pdfkit embeds it as is). */
export async function displayJpeg(bytes: Uint8Array, maxSide: number): Promise<Uint8Array> {
  return encodeJpeg(fitImage(await decodeImage(bytes, { channels: 3 }), maxSide), { quality: REPORT_JPEG_QUALITY });
}

/** Pages through a report's inspections, newest first, at most `cap` of them. */
export async function* reportInspections(repo: ReportRepository, filter: ReportInspectionFilter, cap: number, pageSize = 100): AsyncGenerator<ReportInspection[]> {
  let after: ReportCursor | undefined;
  let seen = 0;
  while (seen < cap) {
    const wanted = Math.min(pageSize, cap - seen);
    const page = await repo.inspectionPage(filter, wanted, after);
    if (page.length === 0) return;
    seen += page.length;
    yield page;
    if (page.length < wanted) return;
    const last = page[page.length - 1].row;
    after = { createdAt: last.created_at, id: last.id };
  }
}
