import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewFindingRow, NewInspectionRow } from '../db/tables/inspections.tables.ts';
import { DIALECTS, openTestDatabase } from '../test/test-database.ts';
import type { TestDatabase } from '../test/test-database.ts';
import { InspectionRepository } from './inspection.repository.ts';

const SHA = (c: string): string => c.repeat(64);
const NOW = '2026-01-01T00:00:00.000Z';

async function seed(t: TestDatabase): Promise<void> {
  for (const c of ['a', 'b', 'c', 'd', 'e']) {
    await t.db.insertInto('blobs').values({ sha256: SHA(c), size: 1, media_type: 'image/png', created_at: NOW, last_put_at: NOW }).execute();
  }
  await t.db.insertInto('models').values([
    { id: 'm-cls', name: 'classifier', task: 'classify', description: null, created_at: NOW, updated_at: NOW },
    { id: 'm-seg', name: 'segmenter', task: 'segment', description: null, created_at: NOW, updated_at: NOW },
  ]).execute();
  const version = (id: string, model: string, active: number) => ({
    id, model_id: model, version: id, task: 'classify', onnx_sha256: SHA('e'), card_sha256: SHA('e'), card_json: '{}', onnx_size: 1,
    ir_version: 8, opset: 17, input_name: 'input', input_shape_json: '[]', is_active: active, created_at: NOW, created_by: null,
  });
  await t.db.insertInto('model_versions').values([version('v-cls-1', 'm-cls', 0), version('v-cls-2', 'm-cls', 1), version('v-seg-1', 'm-seg', 1)]).execute();
  await t.db.insertInto('model_version_files').values({ version_id: 'v-seg-1', name: 'bank.npy', blob_sha256: SHA('e'), size: 1 }).execute();
}

function inspection(id: string, over: Partial<NewInspectionRow> = {}): NewInspectionRow {
  return {
    id, account_id: 'acct-1', model_id: 'm-cls', model_version_id: 'v-cls-2', model_name: 'classifier', model_version: '2', task: 'classify',
    created_at: NOW, created_by: 'user-1', image_sha256: SHA('a'), image_media_type: 'image/png', image_width: 4, image_height: 3, image_size: 10,
    image_name: null, verdict: 'pass', label: 'good', class_index: 1, score: 0.9, defect_score: 0.1, referred: 0,
    probabilities_json: '[0.1,0.9]', labels_json: '["defect","good"]', details_json: '{}', anomaly_map_sha256: null, latency_ms: 3.5, ...over,
  };
}

function finding(inspectionId: string, idx: number, over: Partial<NewFindingRow> = {}): NewFindingRow {
  return {
    inspection_id: inspectionId, idx, label: 'scratch', class_index: 1, score: 0.8, severity: 'major', box_json: '[0,0,2,2]', area: 4,
    rle_json: '{"size":[3,4],"counts":[0,4]}', polygon_json: '[0,0,2,0,2,2,0,2]', mask_sha256: SHA('b'), ...over,
  };
}

describe.each(DIALECTS)('InspectionRepository on %s', (dialect) => {
  let t: TestDatabase;
  let repo: InspectionRepository;

  beforeAll(async () => {
    t = await openTestDatabase(dialect);
    repo = new InspectionRepository(t.db);
    await seed(t);
    await repo.insert(inspection('i1', { created_at: '2026-01-01T10:00:00.000Z' }), []);
    await repo.insert(inspection('i2', { created_at: '2026-01-02T10:00:00.000Z', verdict: 'reject', label: 'defect', class_index: 0, defect_score: 0.95, referred: 1 }), []);
    await repo.insert(
      inspection('i3', { created_at: '2026-01-03T10:00:00.000Z', model_id: 'm-seg', model_version_id: 'v-seg-1', model_name: 'segmenter', verdict: 'reject', label: 'background', defect_score: 0.7, image_sha256: SHA('c') }),
      [finding('i3', 0), finding('i3', 1, { label: 'crack', mask_sha256: SHA('d') })],
    );
    await repo.insert(inspection('i4', { created_at: '2026-01-03T10:00:00.000Z', account_id: 'acct-2' }), []);
    await repo.insert(inspection('i5', { created_at: '2026-01-03T10:00:00.000Z' }), []);
  });

  afterAll(async () => {
    await t?.close();
  });

  const ids = (r: { items: { row: { id: string } }[] }): string[] => r.items.map((i) => i.row.id);

  it('lists an account newest first, ties by id, and never another account', async () => {
    expect(ids(await repo.list('acct-1', {}, 10))).toEqual(['i5', 'i3', 'i2', 'i1']);
    expect(ids(await repo.list('acct-2', {}, 10))).toEqual(['i4']);
    expect(ids(await repo.list('acct-3', {}, 10))).toEqual([]);
  });

  it('pages with a cursor that survives equal timestamps', async () => {
    const p1 = await repo.list('acct-1', {}, 1);
    expect(ids(p1)).toEqual(['i5']);
    const p2 = await repo.list('acct-1', {}, 2, p1.next);
    expect(ids(p2)).toEqual(['i3', 'i2']);
    const p3 = await repo.list('acct-1', {}, 2, p2.next);
    expect(ids(p3)).toEqual(['i1']);
    expect(p3.next).toBeUndefined();
  });

  it('filters by date range, model, version, verdict, label of image or finding, referral and score', async () => {
    const f = async (filter: Parameters<InspectionRepository['list']>[1]): Promise<string[]> => ids(await repo.list('acct-1', filter, 10));
    expect(await f({ from: '2026-01-02T00:00:00.000Z', to: '2026-01-03T00:00:00.000Z' })).toEqual(['i2']);
    expect(await f({ model: 'segmenter' })).toEqual(['i3']);
    expect(await f({ model: 'm-seg' })).toEqual(['i3']);
    expect(await f({ versionId: 'v-cls-2' })).toEqual(['i5', 'i2', 'i1']);
    expect(await f({ verdict: 'reject' })).toEqual(['i3', 'i2']);
    expect(await f({ label: 'crack' })).toEqual(['i3']);
    expect(await f({ label: 'defect' })).toEqual(['i2']);
    expect(await f({ referred: true })).toEqual(['i2']);
    expect(await f({ referred: false })).toEqual(['i5', 'i3', 'i1']);
    expect(await f({ minScore: 0.5, maxScore: 0.9 })).toEqual(['i3']);
  });

  it('reads one inspection with its findings in order, only within its account', async () => {
    const r = await repo.find('acct-1', 'i3');
    expect(r?.row.model_name).toBe('segmenter');
    expect(r?.row.score).toBe(0.9);
    expect(r?.findings.map((x) => [x.idx, x.label, x.area])).toEqual([[0, 'scratch', 4], [1, 'crack', 4]]);
    expect(await repo.find('acct-2', 'i3')).toBeUndefined();
    const listed = await repo.list('acct-1', { label: 'crack' }, 10);
    expect(listed.items[0].findings).toHaveLength(2);
  });

  it('refuses an inspection naming a blob that is not stored', async () => {
    await expect(repo.insert(inspection('bad', { image_sha256: SHA('f') }), [])).rejects.toThrow();
    expect(await repo.find('acct-1', 'bad')).toBeUndefined();
  });

  it('deletes within the account only and returns the blob keys the rows named', async () => {
    expect(await repo.delete('acct-2', 'i3')).toBeUndefined();
    expect((await repo.delete('acct-1', 'i3'))?.sort()).toEqual([SHA('b'), SHA('c'), SHA('d')]);
    expect(await repo.find('acct-1', 'i3')).toBeUndefined();
    expect(await t.db.selectFrom('inspection_findings').selectAll().where('inspection_id', '=', 'i3').execute()).toEqual([]);
  });

  it('resolves serving versions: active ones, by id, by model name or id', async () => {
    expect((await repo.activeVersions()).map((v) => v.id)).toEqual(['v-cls-2', 'v-seg-1']);
    expect((await repo.versionById('v-cls-1'))?.isActive).toBe(false);
    expect((await repo.activeVersionOf('classifier'))?.id).toBe('v-cls-2');
    expect((await repo.activeVersionOf('m-seg'))?.files).toEqual([{ name: 'bank.npy', sha256: SHA('e') }]);
    expect(await repo.activeVersionOf('nope')).toBeUndefined();
  });
});
