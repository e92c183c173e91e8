import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewInspectionRow } from '../db/tables/inspections.tables.ts';
import type { NewReportRow } from '../db/tables/reports.tables.ts';
import { DIALECTS, openTestDatabase } from '../test/test-database.ts';
import type { TestDatabase } from '../test/test-database.ts';
import { InspectionRepository } from './inspection.repository.ts';
import { IdsMetricsRepository } from '../services/report-data.ts';
import { ReportRepository } from './report.repository.ts';

const SHA = (c: string): string => c.repeat(64);
const NOW = '2026-01-01T00:00:00.000Z';

function inspection(id: string, createdAt: string, account = 'acct-1'): NewInspectionRow {
  return {
    id, account_id: account, model_id: 'm-cls', model_version_id: 'v-cls-1', model_name: 'classifier', model_version: '1', task: 'classify',
    created_at: createdAt, created_by: 'user-1', image_sha256: SHA('a'), image_media_type: 'image/png', image_width: 4, image_height: 3, image_size: 10,
    image_name: null, verdict: 'pass', label: 'good', class_index: 1, score: 0.9, defect_score: 0.1, referred: 0,
    probabilities_json: '[0.1,0.9]', labels_json: '["defect","good"]', details_json: '{}', anomaly_map_sha256: null, latency_ms: 3.5,
  };
}

function report(id: string, createdAt: string, account = 'acct-1', file = SHA('f')): NewReportRow {
  return {
    id, account_id: account, job_id: `job-${id}`, format: 'pdf', title: 'T', filters_json: '{}', file_sha256: file, media_type: 'application/pdf',
    file_name: 'T.pdf', size: 10, pages: 3, inspections: 2, created_by: 'user-1', created_at: createdAt,
  };
}

describe.each(DIALECTS)('ReportRepository on %s', (dialect) => {
  let t: TestDatabase;
  let repo: ReportRepository;

  beforeAll(async () => {
    t = await openTestDatabase(dialect);
    repo = new ReportRepository(t.db);
    for (const c of ['a', 'e', 'f', '9']) await t.db.insertInto('blobs').values({ sha256: SHA(c), size: 1, media_type: 'application/octet-stream', created_at: NOW, last_put_at: NOW }).execute();
    await t.db.insertInto('models').values({ id: 'm-cls', name: 'classifier', task: 'classify', description: null, created_at: NOW, updated_at: NOW }).execute();
    await t.db.insertInto('model_versions').values({
      id: 'v-cls-1', model_id: 'm-cls', version: '1', task: 'classify', onnx_sha256: SHA('e'), card_sha256: SHA('e'), card_json: '{}', onnx_size: 1,
      ir_version: 8, opset: 17, input_name: 'input', input_shape_json: '[]', is_active: 1, created_at: NOW, created_by: null,
    }).execute();
    const inspections = new InspectionRepository(t.db);
    await inspections.insert(inspection('i1', '2026-01-01T10:00:00.000Z'), []);
    await inspections.insert(inspection('i2', '2026-01-02T10:00:00.000Z'), []);
    await inspections.insert(inspection('i3', '2026-01-02T10:00:00.000Z'), []);
    await inspections.insert(inspection('i4', '2026-01-03T10:00:00.000Z', 'acct-2'), []);
    const review = (id: string, insp: string, at: string, verdict: string, account = 'acct-1') => ({
      id, account_id: account, inspection_id: insp, supersedes_id: null, reviewer: 'r', reviewer_name: null, created_at: at, verdict, label: verdict === 'pass' ? 'good' : 'defect',
      class_index: verdict === 'pass' ? 1 : 0, agrees: verdict === 'pass' ? 1 : 0, mask_sha256: null, boxes_json: null, comment: null,
    });
    await t.db.insertInto('reviews').values([review('r1', 'i1', '2026-01-05T00:00:00.000Z', 'reject'), review('r2', 'i1', '2026-01-06T00:00:00.000Z', 'pass'), review('r3', 'i2', '2026-01-05T00:00:00.000Z', 'reject')]).execute();
    await repo.insert(report('00000000-0000-4000-8000-000000000001', '2026-02-01T00:00:00.000Z'));
    await repo.insert(report('00000000-0000-4000-8000-000000000002', '2026-02-02T00:00:00.000Z'));
    await repo.insert(report('00000000-0000-4000-8000-000000000003', '2026-02-02T00:00:00.000Z'));
    await repo.insert(report('00000000-0000-4000-8000-000000000004', '2026-02-03T00:00:00.000Z', 'acct-2', SHA('9')));
  });
  afterAll(async () => t?.close());

  it('lists an account newest first with a cursor that survives equal timestamps, never another account', async () => {
    const p1 = await repo.list('acct-1', 2);
    expect(p1.items.map((r) => r.id.slice(-1))).toEqual(['3', '2']);
    const p2 = await repo.list('acct-1', 2, p1.next);
    expect(p2.items.map((r) => r.id.slice(-1))).toEqual(['1']);
    expect(p2.next).toBeUndefined();
    expect((await repo.list('acct-2', 10)).items.map((r) => r.id.slice(-1))).toEqual(['4']);
    expect(p1.items[0]).toMatchObject({ size: 10, pages: 3, inspections: 2, file_sha256: SHA('f') });
  });

  it('finds and deletes only within the account, returning the file key', async () => {
    const id = '00000000-0000-4000-8000-000000000004';
    expect(await repo.find('acct-1', id)).toBeUndefined();
    expect(await repo.delete('acct-1', id)).toBeUndefined();
    expect(await repo.find('acct-2', id)).toBeDefined();
    expect(await repo.delete('acct-2', id)).toBe(SHA('9'));
    expect(await repo.find('acct-2', id)).toBeUndefined();
  });

  it('refuses a report whose file blob does not exist (foreign key)', async () => {
    await expect(repo.insert(report('00000000-0000-4000-8000-000000000009', NOW, 'acct-1', SHA('7')))).rejects.toThrow();
  });

  it("reads a report's inspections newest first with their current review, and counts owned ids", async () => {
    const page = await repo.inspectionPage({ accountId: 'acct-1' }, 10);
    expect(page.map((p) => [p.row.id, p.review?.verdict ?? null])).toEqual([
      ['i3', null],
      ['i2', 'reject'],
      ['i1', 'pass'],
    ]);
    const next = await repo.inspectionPage({ accountId: 'acct-1' }, 1, { createdAt: page[0].row.created_at, id: page[0].row.id });
    expect(next.map((p) => p.row.id)).toEqual(['i2']);
    expect((await repo.inspectionPage({ accountId: 'acct-1', ids: ['i1', 'i4'] }, 10)).map((p) => p.row.id)).toEqual(['i1']);
    expect((await repo.inspectionPage({ accountId: 'acct-1', from: '2026-01-02T00:00:00.000Z', to: '2026-01-02T23:00:00.000Z' }, 10)).map((p) => p.row.id)).toEqual(['i3', 'i2']);
    expect(await repo.countOwned('acct-1', ['i1', 'i2', 'i4'])).toBe(2);
    expect(await repo.span({ accountId: 'acct-1', model: 'classifier' })).toEqual({ first: '2026-01-01T10:00:00.000Z', last: '2026-01-02T10:00:00.000Z', count: 3 });
    expect(await repo.span({ accountId: 'acct-3' })).toEqual({ first: null, last: null, count: 0 });
    expect(await repo.versionExists('classifier', '1')).toBe(true);
    expect(await repo.versionExists('classifier', '2')).toBe(false);
  });

  it('pages the metrics rows of listed inspections only, across pages of other rows, in keyset order', async () => {
    const ids = new IdsMetricsRepository(t.db, new Set(['i1', 'i3', 'i4']));
    const p1 = await ids.page({ accountId: 'acct-1' }, 1);
    expect(p1.map((r) => [r.id, r.review_verdict])).toEqual([['i1', 'pass']]);
    const p2 = await ids.page({ accountId: 'acct-1' }, 1, { createdAt: p1[0].created_at, id: p1[0].id });
    expect(p2.map((r) => r.id)).toEqual(['i3']);
    expect(await ids.page({ accountId: 'acct-1' }, 1, { createdAt: p2[0].created_at, id: p2[0].id })).toEqual([]);
    expect((await ids.page({ accountId: 'acct-1' }, 10)).map((r) => r.id)).toEqual(['i1', 'i3']);
  });
});
