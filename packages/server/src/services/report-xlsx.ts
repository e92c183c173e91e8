/**
 * The Excel report (exceljs, streamed writer: rows are written to `path` as they are
 * committed, so the workbook never holds the whole record):
 * - `Inspections`: one row per inspection, newest first, with its figures, uncertainty and
 *   current review;
 * - `Metrics`: the overall figures (key `all`), then one row per period (day or week), the
 *   values of `GET /metrics` with the same filters;
 * - `Versions`: one row per model version (`GET /metrics?groupBy=version`).
 * Figures are numbers (not text), exactly as the API returns them; undefined ones are empty.
 */
import ExcelJS from 'exceljs';
import type { ReportInspection } from '../repositories/report.repository.ts';
import type { MetricsBucket } from '../schemas/metrics.schema.ts';
import type { ReportData } from './report-data.ts';

/** Columns of the Metrics and Versions sheets: header and how to read it from a bucket. */
export const METRIC_COLUMNS: readonly [string, (b: MetricsBucket) => number | string | null | undefined][] = [
  ['key', (b) => b.key],
  ['volume', (b) => b.volume],
  ['referred', (b) => b.referred],
  ['referralRate', (b) => b.referralRate],
  ['reviewed', (b) => b.reviewed],
  ['reviewCoverage', (b) => b.reviewCoverage],
  ['tp', (b) => b.classification?.tp],
  ['fp', (b) => b.classification?.fp],
  ['tn', (b) => b.classification?.tn],
  ['fn', (b) => b.classification?.fn],
  ['accuracy', (b) => b.classification?.accuracy],
  ['precision', (b) => b.classification?.precision],
  ['recall', (b) => b.classification?.recall],
  ['f1', (b) => b.classification?.f1],
  ['escapeRate', (b) => b.classification?.escapeRate],
  ['falseRejectRate', (b) => b.classification?.falseRejectRate],
  ['costWeightedError', (b) => b.classification?.costWeightedError],
  ['auroc', (b) => b.ranking?.auroc],
  ['auprc', (b) => b.ranking?.auprc],
  ['averagePrecision', (b) => b.ranking?.averagePrecision],
  ['latencyP50Ms', (b) => b.latencyMs?.p50],
  ['latencyP90Ms', (b) => b.latencyMs?.p90],
  ['latencyP99Ms', (b) => b.latencyMs?.p99],
];

interface StoredDetails {
  uncertainty?: { predictiveEntropy: number; mutualInformation: number; disagreement: number };
  conformal?: { set: string[] };
}

/** Columns of the Inspections sheet. */
export const INSPECTION_COLUMNS: readonly [string, (r: ReportInspection) => number | string | null | undefined][] = [
  ['id', (r) => r.row.id],
  ['createdAt', (r) => r.row.created_at],
  ['model', (r) => r.row.model_name],
  ['version', (r) => r.row.model_version],
  ['task', (r) => r.row.task],
  ['imageName', (r) => r.row.image_name],
  ['width', (r) => r.row.image_width],
  ['height', (r) => r.row.image_height],
  ['verdict', (r) => r.row.verdict],
  ['label', (r) => r.row.label],
  ['score', (r) => r.row.score],
  ['defectScore', (r) => r.row.defect_score],
  ['referred', (r) => r.row.referred],
  ['findings', (r) => r.findings.length],
  ['predictiveEntropy', (r) => (JSON.parse(r.row.details_json) as StoredDetails).uncertainty?.predictiveEntropy],
  ['mutualInformation', (r) => (JSON.parse(r.row.details_json) as StoredDetails).uncertainty?.mutualInformation],
  ['conformalSet', (r) => (JSON.parse(r.row.details_json) as StoredDetails).conformal?.set.join(' ')],
  ['latencyMs', (r) => r.row.latency_ms],
  ['reviewVerdict', (r) => r.review?.verdict],
  ['reviewLabel', (r) => r.review?.label],
  ['reviewAgrees', (r) => r.review?.agrees],
  ['reviewer', (r) => (r.review ? (r.review.reviewer_name ?? r.review.reviewer) : undefined)],
  ['reviewedAt', (r) => r.review?.created_at],
  ['reviewComment', (r) => r.review?.comment],
];

function cells<T>(columns: readonly [string, (x: T) => number | string | null | undefined][], x: T): (number | string | null)[] {
  return columns.map(([, read]) => {
    const v = read(x);
    return v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? null : v;
  });
}

function header(sheet: ExcelJS.Worksheet, names: readonly string[]): void {
  const row = sheet.addRow([...names]);
  row.font = { bold: true };
  row.commit();
}

/** Writes the workbook to `path`; resolves to the number of inspection rows once the file is closed. */
export async function renderXlsx(path: string, data: ReportData, inspections: AsyncIterable<ReportInspection[]>, onInspection?: (done: number) => Promise<void>): Promise<{ inspections: number }> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useStyles: true, useSharedStrings: false });
  wb.creator = 'XAI-QC';
  wb.title = data.title;
  const sheet = wb.addWorksheet('Inspections', { views: [{ state: 'frozen', ySplit: 1 }] });
  header(sheet, INSPECTION_COLUMNS.map(([name]) => name));
  let count = 0;
  for await (const page of inspections) {
    for (const r of page) {
      sheet.addRow(cells(INSPECTION_COLUMNS, r)).commit();
      count++;
    }
    if (onInspection) await onInspection(count);
  }
  sheet.commit();
  for (const [name, report] of [
    ['Metrics', data.metrics],
    ['Versions', data.versions],
  ] as const) {
    const s = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
    header(s, METRIC_COLUMNS.map(([n]) => n));
    if (name === 'Metrics') s.addRow(cells(METRIC_COLUMNS, report.overall)).commit();
    for (const g of report.groups) s.addRow(cells(METRIC_COLUMNS, g)).commit();
    s.commit();
  }
  await wb.commit();
  return { inspections: count };
}
