import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { encodePng } from '@xai-qc/core';
import type { Role } from '../auth/principal.ts';
import type { Inspection } from '../schemas/inspection.schema.ts';
import type { MetricsBucket, MetricsReport } from '../schemas/metrics.schema.ts';
import type { Report } from '../schemas/report.schema.ts';
import { createTestApp } from '../test/test-app.ts';
import type { TestApp } from '../test/test-app.ts';
import { bearer } from '../test/test-tokens.ts';
import { fmt, headline } from '../services/report-pdf.ts';
import { METRIC_COLUMNS } from '../services/report-xlsx.ts';
import { multipartBody, registerModelFolder } from './inspections.test-helpers.ts';

const MODELS = fileURLToPath(new URL('../../../../models/', import.meta.url));
const API = '/api/xai-qc';
const ACCOUNT = 'acct-rep';
const STANDARD_FONTS = fileURLToPath(new URL('../../../../node_modules/pdfjs-dist/standard_fonts/', import.meta.url));

/** A 64 x 64 RGB PNG: a texture from `seed`, with a dark blob when `spot`. */
async function png(seed: number, spot: boolean): Promise<Uint8Array> {
  const data = new Uint8Array(64 * 64 * 3);
  let s = seed + 1;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = 110 + ((s >>> 16) % 50);
  }
  if (spot) for (let y = 18 + (seed % 12); y < 34 + (seed % 12); y++) for (let x = 16; x < 40; x++) data.fill(10, (y * 64 + x) * 3, (y * 64 + x) * 3 + 3);
  return encodePng({ width: 64, height: 64, channels: 3, data });
}

/** Text of every page of a PDF, one string per page. */
async function pdfText(bytes: Uint8Array): Promise<{ pages: number; text: string[] }> {
  const doc = await getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, isEvalSupported: false, standardFontDataUrl: STANDARD_FONTS }).promise;
  const text: string[] = [];
  for (let p = 1; p <= doc.numPages; p++) {
    const content = await (await doc.getPage(p)).getTextContent();
    text.push(content.items.map((i) => ('str' in i ? i.str : '')).join(' ').replace(/\s+/g, ' '));
  }
  await doc.destroy();
  return { pages: doc.numPages, text };
}

/** Rows of a worksheet as arrays of cell values (1-based columns dropped to 0-based). */
function rowsOf(ws: ExcelJS.Worksheet): unknown[][] {
  const out: unknown[][] = [];
  ws.eachRow({ includeEmpty: false }, (row) => out.push((row.values as unknown[]).slice(1)));
  return out;
}

/** What a bucket's row in the workbook must hold: the API's values, undefined ones empty. */
function expectedRow(b: MetricsBucket): unknown[] {
  return METRIC_COLUMNS.map(([, read]) => {
    const v = read(b);
    return v === undefined || v === null ? undefined : v;
  });
}

describe('reports: POST /export, /reports (SQLite, embedded jobs)', () => {
  let t: TestApp;
  const auth = (role: Role, account = ACCOUNT) => bearer(role, account);
  const inspections: Inspection[] = [];
  let from: string;
  let to: string;

  async function waitForJob(id: string): Promise<{ status: string; error: string | null; result: { reportId: string; url: string; pages: number | null; inspections: number } }> {
    for (let i = 0; i < 1200; i++) {
      const job = (await t.app.inject({ method: 'GET', url: `${API}/jobs/${id}`, headers: await auth('viewer') })).json();
      if (['succeeded', 'failed', 'cancelled'].includes(job.status)) return job;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`job ${id} did not finish`);
  }
  async function exportReport(body: Record<string, unknown>): Promise<{ report: Report; bytes: Buffer; headers: Record<string, unknown> }> {
    const res = await t.app.inject({ method: 'POST', url: `${API}/export`, payload: body, headers: await auth('operator') });
    expect(res.statusCode, res.body).toBe(202);
    const accepted = res.json<{ reportId: string; url: string; reportUrl: string; job: { id: string } }>();
    expect(accepted.url).toBe(`${API}/reports/${accepted.reportId}/download`);
    const job = await waitForJob(accepted.job.id);
    expect(job.status, job.error ?? '').toBe('succeeded');
    expect(job.result.reportId).toBe(accepted.reportId);
    const report = (await t.app.inject({ method: 'GET', url: accepted.reportUrl, headers: await auth('viewer') })).json<Report>();
    const dl = await t.app.inject({ method: 'GET', url: accepted.url, headers: await auth('viewer') });
    expect(dl.statusCode).toBe(200);
    return { report, bytes: dl.rawPayload, headers: dl.headers };
  }
  /** This account's inspections, newest first (ties by id, descending), as reports order them. */
  const newestFirst = () =>
    inspections.slice(0, 100).sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1));
  const metrics = async (query: string): Promise<MetricsReport> => {
    const res = await t.app.inject({ method: 'GET', url: `${API}/metrics?${query}`, headers: await auth('viewer') });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<MetricsReport>();
  };

  beforeAll(async () => {
    t = await createTestApp('sqlite', { jobConcurrency: 1 });
    await registerModelFolder(t.app, `${MODELS}surface-classifier`, 'surface-classifier');
    from = new Date(Date.now() - 1000).toISOString();
    for (let b = 0; b < 10; b++) {
      const files = [];
      for (let i = 0; i < 10; i++) files.push({ filename: `part-${b * 10 + i}.png`, bytes: await png(b * 10 + i, (b * 10 + i) % 3 === 0) });
      const body = multipartBody(files);
      const res = await t.app.inject({ method: 'POST', url: `${API}/detect/batch?model=surface-classifier`, payload: body.payload, headers: { ...body.headers, ...(await auth('operator')) } });
      expect(res.statusCode, res.body).toBe(200);
      for (const item of res.json<{ items: { inspection?: Inspection }[] }>().items) inspections.push(item.inspection as Inspection);
    }
    to = new Date(Date.now() + 1000).toISOString();
    // Reviews through the API: the truth is the spot, except on every seventh part (the model's
    // misses and false rejects); every fifth stays unreviewed.
    for (let i = 0; i < 100; i++) {
      if (i % 5 === 4) continue;
      const insp = inspections[i];
      const verdict = (i % 3 === 0) !== (i % 7 === 1) ? 'reject' : 'pass';
      const label = insp.verdict === verdict ? insp.label : verdict === 'reject' ? insp.labels.find((l) => l !== 'good') : 'good';
      const res = await t.app.inject({ method: 'POST', url: `${API}/inspections/${insp.id}/reviews`, payload: { verdict, label, comment: i === 0 ? 'checked under the lamp' : undefined }, headers: await auth('operator') });
      expect(res.statusCode, res.body).toBe(201);
    }
    // Stored heatmaps of one inspection: two methods and their aggregate.
    const ex = await t.app.inject({ method: 'POST', url: `${API}/explain`, payload: { inspectionId: inspections[99].id, methods: ['gradcam', 'saliency'] }, headers: await auth('operator') });
    expect(ex.statusCode, ex.body).toBe(200);
    // Another account's inspection.
    const other = multipartBody([{ filename: 'other.png', bytes: await png(500, true) }]);
    const res = await t.app.inject({ method: 'POST', url: `${API}/detect?model=surface-classifier`, payload: other.payload, headers: { ...other.headers, ...(await auth('operator', 'acct-other')) } });
    expect(res.statusCode).toBe(201);
    inspections.push(res.json<Inspection>());
  }, 120_000);
  afterAll(async () => t?.close());

  it('renders a PDF of 100 inspections whose cover figures equal GET /metrics, with every inspection, its review and its stored heatmaps', async () => {
    const range = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
    const expected = await metrics(`${range}&model=surface-classifier&groupBy=day`);
    expect(expected.overall.volume).toBe(100);
    expect(expected.overall.reviewed).toBe(80);
    const c = expected.overall.classification;
    expect(c?.tp).toBeGreaterThan(0);
    expect((c?.fp ?? 0) + (c?.fn ?? 0)).toBeGreaterThan(0);
    expect(expected.overall.ranking).not.toBeNull();

    const { report, bytes, headers } = await exportReport({ format: 'pdf', from, to, model: 'surface-classifier', title: 'Line 4 weekly' });
    expect(headers['content-type']).toBe('application/pdf');
    expect(headers['content-disposition']).toMatch(/^attachment; filename="Line-4-weekly-\d{4}-\d{2}-\d{2}\.pdf"$/);
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(report).toMatchObject({ format: 'pdf', title: 'Line 4 weekly', inspections: 100, size: bytes.length, filters: { model: 'surface-classifier', inspectionIds: null } });

    const pdf = await pdfText(bytes);
    expect(pdf.pages).toBe(report.pages);
    // Cover, charts, confusion and calibration, then 100 inspection blocks of at least one tile row each.
    expect(pdf.pages).toBeGreaterThan(3 + 100 / 6);
    const cover = pdf.text[0];
    expect(cover).toContain('Line 4 weekly');
    expect(cover).toContain(`surface-classifier@${inspections[0].model.version}: 100 inspections, 80 reviewed`);
    for (const [label, value] of headline(expected.overall)) expect(cover, label).toContain(`${label}: ${value}`);
    expect(cover).toContain(`Escape rate: ${fmt(c?.escapeRate)}`);
    expect(cover).toContain(`AUROC: ${fmt(expected.overall.ranking?.auroc)}`);
    const all = pdf.text.join('\n');
    expect(pdf.text[1]).toContain('Escape rate and false-reject rate');
    expect(all).toContain(`TP ${c?.tp}`);
    expect(all).toContain(`FN ${c?.fn}`);
    expect(all).toMatch(/Status: (ok|drifting|uncalibrated|not enough reviews); 80 reviewed/);
    for (const insp of inspections.slice(0, 100)) expect(all).toContain(`Inspection ${insp.id}`);
    expect(all.match(/Review: not reviewed\./g)).toHaveLength(20);
    expect(all.match(/Review: (pass|reject), label/g)).toHaveLength(80);
    expect(all).toContain('comment: checked under the lamp');
    for (const caption of ['gradcam', 'saliency', 'aggregate']) expect(all).toContain(caption);
    // Newest first.
    const order = newestFirst().map((i) => all.indexOf(`Inspection ${i.id}`));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  }, 120_000);

  it('renders a workbook whose Metrics and Versions sheets equal GET /metrics and whose Inspections sheet has every inspection with its review', async () => {
    const range = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
    const byDay = await metrics(`${range}&groupBy=day`);
    const byVersion = await metrics(`${range}&groupBy=version`);
    const { report, bytes, headers } = await exportReport({ format: 'xlsx', from, to });
    expect(headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(headers['content-disposition']).toMatch(/^attachment; filename="Quality-report-.*\.xlsx"$/);
    expect(report).toMatchObject({ format: 'xlsx', pages: null, inspections: 100 });

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Inspections', 'Metrics', 'Versions']);
    const metricRows = rowsOf(wb.getWorksheet('Metrics') as ExcelJS.Worksheet);
    expect(metricRows[0]).toEqual(METRIC_COLUMNS.map(([n]) => n));
    expect(metricRows.slice(1)).toEqual([byDay.overall, ...byDay.groups].map(expectedRow));
    const versionRows = rowsOf(wb.getWorksheet('Versions') as ExcelJS.Worksheet);
    expect(versionRows.slice(1)).toEqual(byVersion.groups.map(expectedRow));

    const rows = rowsOf(wb.getWorksheet('Inspections') as ExcelJS.Worksheet);
    const head = rows[0] as string[];
    const col = (name: string) => head.indexOf(name);
    expect(rows).toHaveLength(101);
    expect(rows.slice(1).map((r) => r[col('id')])).toEqual(newestFirst().map((i) => i.id));
    const first = rows.find((r) => r[col('id')] === inspections[0].id) as unknown[];
    expect(first[col('defectScore')]).toBe(inspections[0].defectScore);
    expect(first[col('reviewVerdict')]).toBe('reject');
    expect(first[col('verdict')]).toBe(inspections[0].verdict);
    expect(first[col('reviewComment')]).toBe('checked under the lamp');
    const unreviewed = rows.find((r) => r[col('id')] === inspections[4].id) as unknown[];
    expect(unreviewed[col('reviewVerdict')]).toBeUndefined();
  }, 120_000);

  it('limits a report to listed inspections: their rows only, and the figures of those inspections', async () => {
    const ids = inspections.slice(10, 20).map((i) => i.id);
    const { report, bytes } = await exportReport({ format: 'xlsx', inspectionIds: ids });
    expect(report.inspections).toBe(10);
    expect(report.filters.inspectionIds).toEqual(ids);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
    const rows = rowsOf(wb.getWorksheet('Inspections') as ExcelJS.Worksheet).slice(1);
    expect(rows.map((r) => r[0]).sort()).toEqual([...ids].sort());
    const overall = rowsOf(wb.getWorksheet('Metrics') as ExcelJS.Worksheet)[1];
    expect(overall.slice(0, 2)).toEqual(['all', 10]);
    // Reviews of 10..19: all but 14 and 19.
    expect(overall[4]).toBe(8);
  }, 60_000);

  it('renders a report of an empty range: zero volume, undefined rates, no inspection pages', async () => {
    const { report, bytes } = await exportReport({ format: 'pdf', from: '2020-01-01T00:00:00Z', to: '2020-02-01T00:00:00Z' });
    expect(report.inspections).toBe(0);
    const pdf = await pdfText(bytes);
    expect(pdf.pages).toBe(4);
    expect(pdf.text[0]).toContain('Volume: 0');
    expect(pdf.text[0]).toContain('Escape rate: n/a');
    expect(pdf.text[0]).toContain('No reviewed inspections');
    expect(pdf.text[3]).toContain('No inspections match the filters.');
  }, 60_000);

  it('refuses bad export requests with a clear 4xx and queues nothing', async () => {
    const jobsBefore = (await t.app.db.selectFrom('jobs').select('id').execute()).length;
    const cases: [Record<string, unknown>, number, string, Role?][] = [
      [{ format: 'pdf', from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }, 400, 'XQC_INVALID_RANGE'],
      [{ format: 'pdf', model: 'no-such-model' }, 404, 'XQC_NOT_FOUND'],
      [{ format: 'pdf', model: 'surface-classifier', version: '9.9.9' }, 404, 'XQC_NOT_FOUND'],
      [{ format: 'xlsx', inspectionIds: [inspections[0].id, inspections[100].id] }, 404, 'XQC_NOT_FOUND'],
      [{ format: 'doc' }, 400, 'XQC_VALIDATION'],
      [{ format: 'pdf', inspectionIds: Array.from({ length: 1001 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`) }, 400, 'XQC_VALIDATION'],
      [{ format: 'pdf', notify: true }, 503, 'XQC_MAIL_DISABLED'],
      [{ format: 'pdf' }, 403, 'XQC_FORBIDDEN', 'viewer'],
    ];
    for (const [payload, status, code, role] of cases) {
      const res = await t.app.inject({ method: 'POST', url: `${API}/export`, payload, headers: await auth(role ?? 'operator') });
      expect(res.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(status);
      expect(res.json<{ code: string }>().code).toBe(code);
    }
    expect((await t.app.db.selectFrom('jobs').select('id').execute()).length).toBe(jobsBefore);
  });

  it("another account neither lists, reads, downloads nor deletes a report; an engineer deletes one and its file goes", async () => {
    const list = (await t.app.inject({ method: 'GET', url: `${API}/reports?limit=2`, headers: await auth('viewer') })).json<{ items: Report[]; nextCursor: string | null }>();
    expect(list.items).toHaveLength(2);
    expect(list.nextCursor).not.toBeNull();
    const next = (await t.app.inject({ method: 'GET', url: `${API}/reports?limit=2&cursor=${list.nextCursor}`, headers: await auth('viewer') })).json<{ items: Report[] }>();
    expect(next.items.map((r) => r.id)).not.toContain(list.items[0].id);
    const report = list.items[0];

    const others = (await t.app.inject({ method: 'GET', url: `${API}/reports`, headers: await auth('admin', 'acct-other') })).json<{ items: Report[] }>();
    expect(others.items).toEqual([]);
    for (const [method, url, role] of [
      ['GET', report.links.self, 'admin'],
      ['GET', report.links.download, 'admin'],
      ['DELETE', report.links.self, 'admin'],
    ] as const) {
      const res = await t.app.inject({ method, url, headers: await auth(role, 'acct-other') });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
    }
    expect((await t.app.inject({ method: 'DELETE', url: report.links.self, headers: await auth('operator') })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'DELETE', url: report.links.self, headers: await auth('engineer') })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: report.links.download, headers: await auth('viewer') })).statusCode).toBe(404);
    expect(await t.app.db.selectFrom('blobs').select('sha256').where('sha256', '=', report.sha256).executeTakeFirst()).toBeUndefined();
    expect((await t.app.inject({ method: 'GET', url: `${API}/reports?cursor=nonsense`, headers: await auth('viewer') })).statusCode).toBe(400);
  });
});
