/**
 * The `report.render` job's work: gather the report's data (services/report-data.ts),
 * render the PDF or workbook to a temporary file, store the file as a blob and the
 * `reports` row in one transaction (Blobs.putWith: a failure stores nothing), and mail the
 * report when the requester asked. A mail failure is logged and reported in the result, it
 * does not fail the job (the report is stored and downloadable).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { API_PREFIX } from '../api-prefix.ts';
import type { Principal } from '../auth/principal.ts';
import type { Database } from '../db/schema.ts';
import type { JobPayloads } from '../jobs/job-names.ts';
import { InspectionRepository } from '../repositories/inspection.repository.ts';
import type { ReportInspection } from '../repositories/report.repository.ts';
import { ReportRepository } from '../repositories/report.repository.ts';
import type { Blobs } from '../storage/blobs.ts';
import { InspectionService } from './inspection.service.ts';
import type { Mailer } from './mail.service.ts';
import type { ModelRegistryService } from './model-registry.service.ts';
import { displayJpeg, gatherReportData, reportInspections } from './report-data.ts';
import { renderPdf, TILE_PX } from './report-pdf.ts';
import type { ReportImages } from './report-pdf.ts';
import { renderXlsx } from './report-xlsx.ts';

/** Inspections a PDF shows at most (newest first). */
export const PDF_MAX_INSPECTIONS = 1000;
/** Rows of the workbook's Inspections sheet at most (newest first). */
export const XLSX_MAX_INSPECTIONS = 100_000;
/** Reports up to this size are attached to the notification mail; larger ones are linked. */
export const MAIL_ATTACH_MAX_BYTES = 10 * 1024 * 1024;

/** Media type and extension per format. */
export const REPORT_MEDIA: Readonly<Record<'pdf' | 'xlsx', { mediaType: string; ext: string }>> = Object.freeze({
  pdf: { mediaType: 'application/pdf', ext: 'pdf' },
  xlsx: { mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', ext: 'xlsx' },
});

/** A file name from a title: letters, digits, dashes. */
export function fileNameOf(title: string, createdAt: string, ext: string): string {
  const base = title.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'report';
  return `${base}-${createdAt.slice(0, 10)}.${ext}`;
}

/** What a render produced (the job's result). */
export interface ReportRenderResult {
  reportId: string;
  url: string;
  format: 'pdf' | 'xlsx';
  size: number;
  pages: number | null;
  inspections: number;
  mailed: boolean;
}

/** Dependencies of {@link renderReport}. */
export interface ReportRenderDeps {
  db: Kysely<Database>;
  blobs: Blobs;
  registry: ModelRegistryService;
  mailer?: Mailer;
  /** Base URL for links in mails. */
  publicUrl: string;
  log?: { warn(obj: unknown, msg: string): void };
  clock?: () => Date;
}

/** Inference is never needed to draw an overlay: the report's inspection service has none. */
const NO_INFERENCE = {
  detect: () => Promise.reject(new Error('report rendering runs no inference')),
  countInspection: () => undefined,
};

/** Pictures of an inspection at display size, read through the blob store. */
function reportImages(deps: ReportRenderDeps, principal: Principal, repo: ReportRepository): ReportImages {
  const get = async (sha: string) => (await deps.blobs.get(sha)).bytes;
  const inspections = new InspectionService({
    repo: new InspectionRepository(deps.db),
    blobs: { storeWith: () => Promise.reject(new Error('report rendering stores no inspection')), get, release: async () => undefined },
    inference: NO_INFERENCE as unknown as ConstructorParameters<typeof InspectionService>[0]['inference'],
  });
  return {
    image: async (r: ReportInspection) => displayJpeg(await get(r.row.image_sha256), TILE_PX),
    overlay: async (r: ReportInspection) => displayJpeg(await inspections.overlay(principal, r.row.id, 0.5), TILE_PX),
    explanations: async (r: ReportInspection) => {
      const out = [];
      for (const e of await repo.explanations(principal.accountId, r.row.id)) out.push({ explanation: e, picture: await displayJpeg(await get(e.overlaySha256), TILE_PX) });
      return out;
    },
  };
}

/**
 * Renders and stores the report of `payload` for `accountId`.
 * @param progress 0..1 and what is being done.
 */
export async function renderReport(
  deps: ReportRenderDeps,
  job: { id: string; accountId: string },
  payload: JobPayloads['report.render'],
  progress: (fraction: number, message: string) => Promise<void>,
): Promise<ReportRenderResult> {
  const principal: Principal = { kind: 'token', subject: payload.createdBy, accountId: job.accountId, role: 'viewer' };
  const repo = new ReportRepository(deps.db);
  const now = (deps.clock ?? (() => new Date()))();
  await progress(0.02, 'computing metrics');
  const filters = { from: payload.from, to: payload.to, model: payload.model, version: payload.version, inspectionIds: payload.inspectionIds };
  const data = await gatherReportData({ db: deps.db, registry: deps.registry, repo, blobs: { get: async (sha) => (await deps.blobs.get(sha)).bytes } }, principal, payload.title, filters, now);
  const cap = payload.format === 'pdf' ? PDF_MAX_INSPECTIONS : XLSX_MAX_INSPECTIONS;
  const expected = Math.max(1, Math.min(cap, data.total));
  const pages = reportInspections(repo, { accountId: job.accountId, from: payload.from, to: payload.to, model: payload.model, version: payload.version, ids: payload.inspectionIds }, cap);
  let lastReported = 0;
  const onInspection = async (done: number) => {
    if (done - lastReported < 50 && done !== expected) return;
    lastReported = done;
    await progress(0.1 + 0.8 * (done / expected), `${done} of ${expected} inspections`);
  };
  const dir = await mkdtemp(join(tmpdir(), 'xqc-report-'));
  try {
    const file = join(dir, `report.${payload.format}`);
    await progress(0.1, 'rendering');
    const rendered =
      payload.format === 'pdf'
        ? await renderPdf(file, data, pages, reportImages(deps, principal, repo), onInspection)
        : { pages: null, ...(await renderXlsx(file, data, pages, onInspection)) };
    await progress(0.92, 'storing');
    const bytes = await readFile(file);
    const media = REPORT_MEDIA[payload.format];
    const createdAt = now.toISOString();
    const fileName = fileNameOf(payload.title, createdAt, media.ext);
    await deps.blobs.putWith([{ bytes, mediaType: media.mediaType }], async ([info], trx) =>
      repo.insert(
        {
          id: payload.reportId,
          account_id: job.accountId,
          job_id: job.id,
          format: payload.format,
          title: payload.title,
          filters_json: JSON.stringify({ from: payload.from ?? null, to: payload.to ?? null, model: payload.model ?? null, version: payload.version ?? null, inspectionIds: payload.inspectionIds ?? null }),
          file_sha256: info.sha256,
          media_type: media.mediaType,
          file_name: fileName,
          size: bytes.length,
          pages: rendered.pages,
          inspections: rendered.inspections,
          created_by: payload.createdBy,
          created_at: createdAt,
        },
        trx,
      ),
    );
    const url = `${API_PREFIX}/reports/${payload.reportId}/download`;
    let mailed = false;
    if (payload.notifyEmail !== undefined && deps.mailer !== undefined) {
      try {
        await deps.mailer.send({
          to: payload.notifyEmail,
          subject: `XAI-QC report ready: ${payload.title}`,
          text: `Your ${payload.format.toUpperCase()} report "${payload.title}" is ready (${rendered.inspections} inspections${rendered.pages === null ? '' : `, ${rendered.pages} pages`}).\n\nDownload: ${deps.publicUrl}${url}\n${bytes.length <= MAIL_ATTACH_MAX_BYTES ? 'It is attached to this mail too.\n' : ''}`,
          attachments: bytes.length <= MAIL_ATTACH_MAX_BYTES ? [{ filename: fileName, content: bytes, contentType: media.mediaType }] : undefined,
        });
        mailed = true;
      } catch (err) {
        deps.log?.warn({ err, reportId: payload.reportId }, 'report stored, but the notification mail failed');
      }
    }
    await progress(1, 'stored');
    return { reportId: payload.reportId, url, format: payload.format, size: bytes.length, pages: rendered.pages, inspections: rendered.inspections, mailed };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
