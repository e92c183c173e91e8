/**
 * Dataset quality reports: the core's `datasetQualityReport` over a stored dataset's images,
 * measured in a worker thread (dataset-quality-compute.ts) from their blobs, with the split a
 * run with the same seed and shares draws (the stored layouts have no split folders), the
 * corrupt files the upload recorded, and the dataset's classes. A dataset never changes once
 * stored, so each report is computed once per (dataset, split options, report version) and
 * kept in `dataset_quality_reports`; concurrent requests for the same report share one
 * computation in this process.
 */
import type { DatasetQualityReport, QualityItem } from '@xai-qc/core';
import { datasetQualityReport, splitRatiosFor } from '@xai-qc/core';
import type { Principal } from '../auth/principal.ts';
import { notFound } from '../errors/api-error.ts';
import type { DatasetQualityRepository } from '../repositories/dataset-quality.repository.ts';
import type { DatasetRepository } from '../repositories/dataset.repository.ts';
import type { DatasetQualityQuery } from '../schemas/dataset-quality.schema.ts';
import type { DatasetStats } from '../schemas/dataset.schema.ts';
import type { QualityFile, QualityMeasure } from './dataset-quality-compute.ts';
import { QualityMeasurer } from './dataset-quality-compute.ts';

/** Bump when the report changes shape or meaning: older stored reports are then computed again. */
export const QUALITY_REPORT_VERSION = 1;

/** Files read from the blob store and sent to the thread at a time. */
const BATCH = 32;

/** What the service needs to measure files (the worker thread; tests may pass another). */
export interface QualityMeasuring {
  measure(files: QualityFile[]): Promise<QualityMeasure[]>;
  close(): Promise<void>;
}

/** Options of {@link DatasetQualityService}. */
export interface DatasetQualityServiceOptions {
  datasets: DatasetRepository;
  reports: DatasetQualityRepository;
  blob: (sha256: string) => Promise<Uint8Array>;
  /** Starts a measurer per report (default: a {@link QualityMeasurer} thread). */
  measurer?: () => Promise<QualityMeasuring>;
  clock?: () => Date;
}

/** The answer of the route. */
export interface DatasetQualityView {
  datasetId: string;
  computedAt: string;
  cached: boolean;
  report: DatasetQualityReport;
}

/** Quality reports over the dataset and report repositories and the blob store. */
export class DatasetQualityService {
  private readonly inFlight = new Map<string, Promise<DatasetQualityView>>();
  private readonly clock: () => Date;

  constructor(private readonly o: DatasetQualityServiceOptions) {
    this.clock = o.clock ?? (() => new Date());
  }

  /**
   * The quality report of dataset `id` of the caller's account, computed on first request.
   * @throws 404 for a dataset of another account or none; 400 XQC_INVALID_ARGUMENT for shares that leave no training share
   */
  async get(principal: Principal, id: string, q: DatasetQualityQuery): Promise<DatasetQualityView> {
    const seed = q.seed ?? 0;
    const ratios = splitRatiosFor(q.valSplit ?? 0.15, q.testSplit ?? 0.15);
    const row = await this.o.datasets.find(principal.accountId, id);
    if (!row) throw notFound(`dataset ${id}`);
    const key = `v${QUALITY_REPORT_VERSION}:seed=${seed}:val=${ratios.val}:test=${ratios.test}`;
    const stored = await this.o.reports.find(principal.accountId, id, key);
    if (stored) return { datasetId: id, computedAt: stored.created_at, cached: true, report: JSON.parse(stored.report_json) as DatasetQualityReport };
    const flight = `${id}|${key}`;
    let p = this.inFlight.get(flight);
    if (!p) {
      p = this.compute(principal.accountId, id, key, seed, ratios, JSON.parse(row.stats_json) as DatasetStats).finally(() => this.inFlight.delete(flight));
      this.inFlight.set(flight, p);
    }
    return p;
  }

  private async compute(accountId: string, id: string, key: string, seed: number, ratios: ReturnType<typeof splitRatiosFor>, stats: DatasetStats): Promise<DatasetQualityView> {
    const files = (await this.o.datasets.files(id)).filter((f) => f.role === 'image');
    const items: QualityItem[] = [];
    const corrupt = [...stats.corrupt];
    const measurer = await (this.o.measurer ?? QualityMeasurer.start)();
    try {
      for (let i = 0; i < files.length; i += BATCH) {
        const batch = files.slice(i, i + BATCH);
        const bytes = await Promise.all(batch.map((f) => this.o.blob(f.blob_sha256)));
        const measured = await measurer.measure(batch.map((f, k) => ({ path: f.path, bytes: bytes[k] })));
        measured.forEach((m, k) => {
          const f = batch[k];
          if (m.ok) items.push({ path: f.path, label: f.label ?? '', sha256: f.blob_sha256, format: m.format, signals: m.signals });
          else corrupt.push({ path: f.path, reason: m.reason });
        });
      }
    } finally {
      await measurer.close();
    }
    const report = datasetQualityReport(items, { seed, ratios, corrupt, classes: stats.classes });
    const row = await this.o.reports.insert({ dataset_id: id, account_id: accountId, options_key: key, report_json: JSON.stringify(report), images: items.length, created_at: this.clock().toISOString() });
    return { datasetId: id, computedAt: row.created_at, cached: false, report: JSON.parse(row.report_json) as DatasetQualityReport };
  }
}

