/**
 * Reports of an account (`POST /export`, `/reports`): checks an export request and queues
 * its `report.render` job; lists, reads, downloads and deletes stored reports. Every read
 * is scoped to the caller's account: another account's report is a 404.
 */
import { randomUUID } from 'node:crypto';
import { API_PREFIX } from '../api-prefix.ts';
import type { Principal } from '../auth/principal.ts';
import type { ReportRow } from '../db/tables/reports.tables.ts';
import { badRequest, notFound } from '../errors/api-error.ts';
import type { Job, JobQueue } from '../jobs/job-queue.ts';
import type { ReportCursor, ReportRepository } from '../repositories/report.repository.ts';
import type { ExportBody, Report, ReportListQuery } from '../schemas/report.schema.ts';
import { isEmail, mailDisabled } from './mail.service.ts';

/** Title of a report when the request gives none. */
export const DEFAULT_REPORT_TITLE = 'Quality report';

/** What the service needs besides its repository. */
export interface ReportServiceDeps {
  repo: ReportRepository;
  queue: Pick<JobQueue, 'enqueue'>;
  blobs: { get(sha256: string): Promise<Uint8Array>; release(keys: readonly string[]): Promise<void> };
  /** True when the server can send mail. */
  mailEnabled: boolean;
  /** The e-mail of a local user (users table), for notifications. */
  userEmail(accountId: string, userId: string): Promise<string | null>;
}

function encodeCursor(c: ReportCursor): string {
  return Buffer.from(JSON.stringify([c.createdAt, c.id])).toString('base64url');
}

function decodeCursor(s: string): ReportCursor {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt === 'string' && typeof id === 'string') return { createdAt, id };
  } catch {
    // fall through to the 400 below
  }
  throw badRequest('XQC_INVALID_CURSOR', 'cursor: not a cursor of this list');
}

function iso(s: string | undefined, name: string): string | undefined {
  if (s === undefined) return undefined;
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw badRequest('XQC_INVALID_ARGUMENT', `${name}: not a date-time`);
  return new Date(t).toISOString();
}

/** See the module comment. */
export class ReportService {
  constructor(private readonly deps: ReportServiceDeps) {}

  /**
   * Checks an export request and queues its job.
   * @throws 400 XQC_INVALID_RANGE (from > to), XQC_INVALID_ARGUMENT, XQC_NO_EMAIL (notify
   * without an address); 404 for an unknown model or version, or an inspection id that is
   * not the caller's; 503 XQC_MAIL_DISABLED (notify without SMTP). Nothing is queued then.
   */
  async export(principal: Principal, body: ExportBody): Promise<{ reportId: string; url: string; reportUrl: string; job: Job }> {
    const from = iso(body.from, 'from');
    const to = iso(body.to, 'to');
    if (from !== undefined && to !== undefined && from > to) throw badRequest('XQC_INVALID_RANGE', `from (${from}) is after to (${to})`);
    if (body.version !== undefined && body.model === undefined) throw badRequest('XQC_INVALID_ARGUMENT', 'version: give the model too');
    if (body.model !== undefined && !(await this.deps.repo.modelExists(body.model))) throw notFound(`model ${body.model}`);
    if (body.model !== undefined && body.version !== undefined && !(await this.deps.repo.versionExists(body.model, body.version))) throw notFound(`version ${body.version} of model ${body.model}`);
    if (body.inspectionIds !== undefined) {
      const owned = await this.deps.repo.countOwned(principal.accountId, body.inspectionIds);
      if (owned !== body.inspectionIds.length) throw notFound(`${body.inspectionIds.length - owned} of the listed inspections`);
    }
    let notifyEmail: string | undefined;
    if (body.notify === true) {
      if (!this.deps.mailEnabled) throw mailDisabled('notify');
      notifyEmail = (await this.emailOf(principal)) ?? undefined;
      if (notifyEmail === undefined) throw badRequest('XQC_NO_EMAIL', 'notify: your account has no e-mail address to send the report to');
    }
    const reportId = randomUUID();
    const job = await this.deps.queue.enqueue(
      'report.render',
      {
        reportId,
        format: body.format,
        title: body.title ?? DEFAULT_REPORT_TITLE,
        ...(from !== undefined ? { from } : {}),
        ...(to !== undefined ? { to } : {}),
        ...(body.model !== undefined ? { model: body.model } : {}),
        ...(body.version !== undefined ? { version: body.version } : {}),
        ...(body.inspectionIds !== undefined ? { inspectionIds: [...body.inspectionIds] } : {}),
        createdBy: principal.subject,
        ...(notifyEmail !== undefined ? { notifyEmail } : {}),
      },
      { accountId: principal.accountId, maxAttempts: 2 },
    );
    const base = `${API_PREFIX}/reports/${reportId}`;
    return { reportId, url: `${base}/download`, reportUrl: base, job };
  }

  /**
   * The address a notification goes to: a local user's e-mail (users table); for a token
   * or API key, the principal's name when it is an e-mail (tokens carry their `email` claim
   * there). Null when none.
   */
  async emailOf(principal: Principal): Promise<string | null> {
    if (principal.kind === 'user') {
      const email = await this.deps.userEmail(principal.accountId, principal.subject);
      return isEmail(email) ? email : null;
    }
    return isEmail(principal.name) ? principal.name : null;
  }

  /** A page of the caller's reports, newest first. */
  async list(principal: Principal, q: ReportListQuery): Promise<{ items: Report[]; nextCursor: string | null }> {
    const page = await this.deps.repo.list(principal.accountId, q.limit ?? 50, q.cursor === undefined ? undefined : decodeCursor(q.cursor));
    return { items: page.items.map(toReport), nextCursor: page.next ? encodeCursor(page.next) : null };
  }

  /** The caller's report `id`. */
  async get(principal: Principal, id: string): Promise<Report> {
    const row = await this.deps.repo.find(principal.accountId, id);
    if (!row) throw notFound(`report ${id}`);
    return toReport(row);
  }

  /** The file of the caller's report `id`. */
  async download(principal: Principal, id: string): Promise<{ bytes: Uint8Array; mediaType: string; fileName: string }> {
    const row = await this.deps.repo.find(principal.accountId, id);
    if (!row) throw notFound(`report ${id}`);
    return { bytes: await this.deps.blobs.get(row.file_sha256), mediaType: row.media_type, fileName: row.file_name };
  }

  /** Deletes the caller's report `id` and releases its file. */
  async delete(principal: Principal, id: string): Promise<void> {
    const key = await this.deps.repo.delete(principal.accountId, id);
    if (key === undefined) throw notFound(`report ${id}`);
    await this.deps.blobs.release([key]);
  }
}

/** A row as the API returns it. */
export function toReport(row: ReportRow): Report {
  const base = `${API_PREFIX}/reports/${row.id}`;
  return {
    id: row.id,
    jobId: row.job_id,
    format: row.format as Report['format'],
    title: row.title,
    filters: JSON.parse(row.filters_json) as Report['filters'],
    mediaType: row.media_type,
    fileName: row.file_name,
    size: Number(row.size),
    sha256: row.file_sha256,
    pages: row.pages,
    inspections: row.inspections,
    createdBy: row.created_by,
    createdAt: row.created_at,
    links: { self: base, download: `${base}/download` },
  };
}
