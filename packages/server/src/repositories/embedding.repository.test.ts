import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewInspectionRow } from '../db/tables/inspections.tables.ts';
import type { ServingVersion } from './inspection.repository.ts';
import { AnomalyIndexer } from '../services/anomaly-index.ts';
import type { DetectorFiles } from '../services/anomaly-compute.ts';
import { DIALECTS, openTestDatabase } from '../test/test-database.ts';
import type { TestDatabase } from '../test/test-database.ts';
import { bytesVector, EmbeddingRepository, vectorBytes } from './embedding.repository.ts';

const SHA = (c: string): string => c.repeat(64);
const NOW = '2026-01-01T00:00:00.000Z';
const DIM = 4;

/** Image blob `c` embeds to the unit vector along axis `c` (a, b, c, d), with a small tilt per image. */
const IMAGE_VECTORS: Record<string, number[]> = { a: [1, 0.1, 0, 0], b: [0.1, 1, 0, 0], c: [0, 0, 1, 0.1], d: [0, 0, 0.1, 1] };

async function seed(t: TestDatabase): Promise<void> {
  for (const c of ['a', 'b', 'c', 'd', 'e']) {
    await t.db.insertInto('blobs').values({ sha256: SHA(c), size: 1, media_type: 'image/png', created_at: NOW, last_put_at: NOW }).execute();
  }
  await t.db.insertInto('models').values({ id: 'm-ano', name: 'anomaly', task: 'anomaly', description: null, created_at: NOW, updated_at: NOW }).execute();
  const version = (id: string, active: number) => ({
    id, model_id: 'm-ano', version: id, task: 'anomaly', onnx_sha256: SHA('e'), card_sha256: SHA('e'), card_json: '{}', onnx_size: 1,
    ir_version: 8, opset: 17, input_name: 'input', input_shape_json: '[]', is_active: active, created_at: NOW, created_by: null,
  });
  await t.db.insertInto('model_versions').values([version('v1', 1), version('v2', 0)]).execute();
}

function inspection(id: string, image: string, over: Partial<NewInspectionRow> = {}): NewInspectionRow {
  return {
    id, account_id: 'acct-1', model_id: 'm-ano', model_version_id: 'v1', model_name: 'anomaly', model_version: 'v1', task: 'anomaly',
    created_at: NOW, created_by: 'user-1', image_sha256: SHA(image), image_media_type: 'image/png', image_width: 4, image_height: 4, image_size: 10,
    image_name: null, verdict: 'pass', label: 'good', class_index: 0, score: 0.2, defect_score: 0.2, referred: 0,
    probabilities_json: '[]', labels_json: '[]', details_json: '{}', anomaly_map_sha256: SHA('e'), latency_ms: 1, ...over,
  };
}

const servingVersion = (id: string): ServingVersion => ({ id, modelId: 'm-ano', modelName: 'anomaly', version: id, task: 'anomaly', isActive: true, onnxSha256: SHA('e'), cardJson: '{}', files: [] });

describe.each(DIALECTS)('embedding store on %s', (dialect) => {
  let t: TestDatabase;
  let repo: EmbeddingRepository;
  let clock = Date.parse('2026-02-01T00:00:00.000Z');
  let embedCalls = 0;

  const indexer = () =>
    new AnomalyIndexer({
      repo,
      models: { files: async (v: ServingVersion): Promise<DetectorFiles> => ({ key: v.id, dir: '/nonexistent', card: {} as DetectorFiles['card'], layer: 'layer3' }) },
      readBlob: async (sha) => new Uint8Array([sha.charCodeAt(0)]),
      compute: {
        run: (async (_type: string, input: { images: Uint8Array[] }) => {
          embedCalls++;
          const vectors = new Float32Array(input.images.length * DIM);
          input.images.forEach((img, i) => vectors.set(IMAGE_VECTORS[String.fromCharCode(img[0])], i * DIM));
          return { dim: DIM, vectors };
        }) as never,
      },
      clock: () => new Date((clock += 1000)),
    });

  beforeAll(async () => {
    t = await openTestDatabase(dialect);
    repo = new EmbeddingRepository(t.db);
    await seed(t);
    const rows = [
      inspection('i1', 'a', { created_at: '2026-01-01T10:00:00.000Z' }),
      inspection('i2', 'b', { created_at: '2026-01-02T10:00:00.000Z', verdict: 'reject' }),
      inspection('i3', 'c', { created_at: '2026-01-03T10:00:00.000Z' }),
      inspection('i4', 'd', { created_at: '2026-01-04T10:00:00.000Z' }),
      // The same image in another account, and in another model version of the same account.
      inspection('b1', 'a', { account_id: 'acct-2', created_at: '2026-01-01T11:00:00.000Z' }),
      inspection('v2a', 'a', { model_version_id: 'v2', created_at: '2026-01-01T12:00:00.000Z' }),
    ];
    await t.db.insertInto('inspections').values(rows).execute();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('keeps float32 vectors bit for bit through the binary column', async () => {
    const v = Float32Array.from([0.1, -2.5e-8, 3.4028234663852886e38, -0]);
    expect(Array.from(bytesVector(vectorBytes(v)))).toEqual(Array.from(v));
    await repo.insert([{ inspection_id: 'v2a', account_id: 'acct-1', model_version_id: 'v2', layer: 'other', dim: 4, vector: vectorBytes(v), embedded_at: NOW }]);
    const back = await repo.vector('acct-1', 'v2a');
    expect(Array.from(back as Float32Array)).toEqual(Array.from(v));
    expect(await repo.vector('acct-2', 'v2a')).toBeUndefined();
  });

  it('lists the backlog of one account and version, oldest first, and counts it', async () => {
    expect((await repo.pending('acct-1', 'v1', 3)).map((p) => p.id)).toEqual(['i1', 'i2', 'i3']);
    expect(await repo.countPending('acct-1', 'v1')).toBe(4);
    expect(await repo.countPending('acct-2', 'v1')).toBe(1);
    expect(await repo.countPending('acct-1', 'v2')).toBe(0);
  });

  it('catches up in bounded batches, the answered inspection first, and searches within the account only', async () => {
    const ix = indexer();
    const first = await ix.catchUp('acct-1', servingVersion('v1'), 1, { id: 'i4', imageSha256: SHA('d') });
    expect(first).toEqual({ embedded: 2, pending: 2 });
    expect(await repo.has('acct-1', 'i4')).toBe(true);
    expect(await repo.has('acct-1', 'i1')).toBe(true);
    expect(await ix.catchUp('acct-1', servingVersion('v1'), 10)).toEqual({ embedded: 2, pending: 0 });
    // A second embedding of the same inspection (another process) keeps the first.
    const before = await repo.vector('acct-1', 'i1');
    await repo.insert([{ inspection_id: 'i1', account_id: 'acct-1', model_version_id: 'v1', layer: 'layer3', dim: DIM, vector: vectorBytes(new Float32Array([0, 0, 0, 1])), embedded_at: NOW }]);
    expect(await repo.vector('acct-1', 'i1')).toEqual(before);

    const { hits, indexed } = await ix.similar('acct-1', servingVersion('v1'), 'i1', 5);
    expect(indexed).toBe(4);
    // i3 and i4 are both orthogonal to i1: the tie goes to i4, embedded first (the answered inspection).
    expect(hits.map((h) => h.id)).toEqual(['i2', 'i4', 'i3']);
    expect(hits[0].similarity).toBeCloseTo(0.2 / 1.01, 5);
    // Account 2 embeds its own inspection of the same image; neither account sees the other's.
    await ix.catchUp('acct-2', servingVersion('v1'), 10);
    expect((await ix.similar('acct-1', servingVersion('v1'), 'i1', 5)).hits.map((h) => h.id)).not.toContain('b1');
    expect(await ix.similar('acct-2', servingVersion('v1'), 'b1', 5)).toEqual({ hits: [], indexed: 1 });
    expect((await repo.inspections('acct-1', ['i2', 'b1'])).map((r) => r.id)).toEqual(['i2']);
  });

  it('keeps the index in step: new rows are appended, a deleted inspection takes its embedding with it', async () => {
    const ix = indexer();
    expect((await ix.index('acct-1', servingVersion('v1'))).size).toBe(4);
    await t.db.insertInto('inspections').values(inspection('i5', 'a', { created_at: '2026-01-05T10:00:00.000Z' })).execute();
    await ix.catchUp('acct-1', servingVersion('v1'), 10);
    const grown = await ix.index('acct-1', servingVersion('v1'));
    expect(grown.size).toBe(5);
    expect((await ix.similar('acct-1', servingVersion('v1'), 'i5', 1)).hits[0]).toMatchObject({ id: 'i1' });
    expect((await ix.similar('acct-1', servingVersion('v1'), 'i5', 1)).hits[0].similarity).toBeCloseTo(1, 6);
    await t.db.deleteFrom('inspections').where('id', '=', 'i1').execute();
    expect(await repo.has('acct-1', 'i1')).toBe(false);
    const shrunk = await ix.index('acct-1', servingVersion('v1'));
    expect(shrunk.has('i1')).toBe(false);
    expect(shrunk.size).toBe(4);
    // An embedding of an inspection deleted meanwhile is skipped, not an error.
    await repo.insert([{ inspection_id: 'i1', account_id: 'acct-1', model_version_id: 'v1', layer: 'layer3', dim: DIM, vector: vectorBytes(new Float32Array(4).fill(0.5)), embedded_at: NOW }]);
    expect(await repo.has('acct-1', 'i1')).toBe(false);
    expect(embedCalls).toBeGreaterThan(0);
  });

  it('runs concurrent catch-ups of one account and version one after the other, embedding each inspection once', async () => {
    await t.db.insertInto('inspections').values([inspection('k1', 'a', { account_id: 'acct-3' }), inspection('k2', 'b', { account_id: 'acct-3' })]).execute();
    const ix = indexer();
    const calls = embedCalls;
    const [x, y] = await Promise.all([ix.catchUp('acct-3', servingVersion('v1'), 10), ix.catchUp('acct-3', servingVersion('v1'), 10)]);
    expect([x.embedded + y.embedded, x.pending, y.pending]).toEqual([2, 0, 0]);
    expect(embedCalls - calls).toBe(1);
  });

  it('stores one surrogate per account and version, replaced on refit', async () => {
    await repo.putSurrogate({ account_id: 'acct-1', model_version_id: 'v1', surrogate_json: '{"n":1}', samples: 9, fitted_at: NOW });
    await repo.putSurrogate({ account_id: 'acct-1', model_version_id: 'v1', surrogate_json: '{"n":2}', samples: 18, fitted_at: NOW });
    expect(await repo.surrogate('acct-1', 'v1')).toMatchObject({ surrogate_json: '{"n":2}', samples: 18 });
    expect(await repo.surrogate('acct-2', 'v1')).toBeUndefined();
    expect(await repo.countScored('acct-1', 'v1')).toBe(4);
    expect((await repo.samples('acct-1', 'v1', 2)).map((s) => s.id)).toEqual(['i5', 'i4']);
  });
});
