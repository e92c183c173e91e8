import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { saveModel } from '../../onnx/model-io.ts';
import { exposeOutputs } from '../../onnx/passes/expose-outputs.ts';
import { tensor } from '../../onnx/tensor.ts';
import { defaultSessionCache } from '../../runtime/session.ts';
import { compactResNet } from '../../train/zoo/compact-resnet.ts';
import { fillNormal, uniformRng } from '../../util/random.ts';
import { cosineTopK } from './cosine-top-k.ts';
import { EmbeddingIndex } from './embedding-index.ts';
import { loadEmbeddingIndex, saveEmbeddingIndex, serializeEmbeddingIndex } from './embedding-index-file.ts';
import { l2NormalizeRows } from './l2-normalize.ts';
import { PooledEmbedder } from './pooled-embedding.ts';

function randomRows(n: number, d: number, seed: number): Float32Array {
  const x = new Float32Array(n * d);
  fillNormal(x, uniformRng(seed));
  return x;
}

/** Cosine top-k in float64 JavaScript, ties to the lower index. */
function bruteForce(queries: Float32Array, q: number, rows: Float32Array, m: number, d: number, k: number): { indices: number[][]; sims: number[][] } {
  const norm = (a: Float32Array, i: number) => Math.sqrt(a.subarray(i * d, (i + 1) * d).reduce((s, v) => s + v * v, 0));
  const indices: number[][] = [];
  const sims: number[][] = [];
  for (let i = 0; i < q; i++) {
    const s = Array.from({ length: m }, (_, r) => {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += queries[i * d + j] * rows[r * d + j];
      return { r, sim: dot / (norm(queries, i) * norm(rows, r)) };
    }).sort((a, b) => b.sim - a.sim || a.r - b.r);
    indices.push(s.slice(0, k).map((e) => e.r));
    sims.push(s.slice(0, k).map((e) => e.sim));
  }
  return { indices, sims };
}

const entry = (i: number) => ({ id: `insp-${i}`, verdict: i % 3 === 0 ? 'reject' : 'ok', review: i % 5 === 0 ? 'scratch' : null });

describe('cosineTopK', () => {
  it('equals a JavaScript brute force when the rows go through in uneven chunks', async () => {
    const d = 24;
    const rows = l2NormalizeRows(randomRows(500, d, 1), 500, d);
    const queries = l2NormalizeRows(randomRows(5, d, 2), 5, d);
    const ref = bruteForce(queries, 5, rows, 500, d, 7);
    for (const chunkRows of [97, 500, 4096]) {
      const top = await cosineTopK(queries, 5, rows, 500, d, 7, { chunkRows });
      expect(top.k).toBe(7);
      for (let i = 0; i < 5; i++) {
        expect(Array.from(top.indices.subarray(i * 7, i * 7 + 7))).toEqual(ref.indices[i]);
        ref.sims[i].forEach((s, r) => expect(top.similarities[i * 7 + r]).toBeCloseTo(s, 6));
      }
    }
  });

  it('caps k at the number of rows and orders equal rows by index', async () => {
    const rows = Float32Array.from([1, 0, 0, 1, 1, 0]);
    const top = await cosineTopK(Float32Array.from([1, 0]), 1, rows, 3, 2, 5, { chunkRows: 1 });
    expect(top.k).toBe(3);
    expect(Array.from(top.indices)).toEqual([0, 2, 1]);
    expect(Array.from(top.similarities)).toEqual([1, 1, 0]);
  });
});

describe('EmbeddingIndex', () => {
  const d = 32;
  const n = 300;
  const raw = randomRows(n, d, 3);
  const build = (chunkRows = 64) => {
    const index = new EmbeddingIndex(d, { model: 'demo 1.0', layer: 'layer3' }, { chunkRows });
    index.addMany(Array.from({ length: n }, (_, i) => entry(i)), raw);
    return index;
  };

  it('finds a stored image as its own nearest neighbour', async () => {
    const index = build();
    for (const i of [0, 17, 150, 299]) {
      const hits = await index.search(raw.subarray(i * d, (i + 1) * d), 3);
      expect(hits[0]).toMatchObject(entry(i));
      expect(hits[0].similarity).toBeCloseTo(1, 6);
      expect(hits[1].similarity).toBeLessThan(hits[0].similarity);
    }
  });

  it('returns what a JavaScript brute force returns, with verdicts and reviews', async () => {
    const index = build();
    const queries = randomRows(4, d, 4);
    const results = await index.searchMany(queries, 4, 10);
    const ref = bruteForce(queries, 4, raw, n, d, 10);
    results.forEach((hits, i) => {
      expect(hits.map((h) => h.id)).toEqual(ref.indices[i].map((r) => `insp-${r}`));
      hits.forEach((h, r) => {
        expect(h.similarity).toBeCloseTo(ref.sims[i][r], 6);
        const e = entry(ref.indices[i][r]);
        expect([h.verdict, h.review]).toEqual([e.verdict, e.review]);
      });
    });
  });

  it('forgets removed inspections and keeps the others searchable', async () => {
    const index = build();
    expect(index.remove('insp-17')).toBe(true);
    expect(index.remove('insp-17')).toBe(false);
    expect(index.size).toBe(n - 1);
    expect(index.has('insp-17')).toBe(false);
    const hits = await index.search(raw.subarray(17 * d, 18 * d), 5);
    expect(hits.map((h) => h.id)).not.toContain('insp-17');
    const self = await index.search(raw.subarray(18 * d, 19 * d), 1);
    expect(self[0].id).toBe('insp-18');
    index.add(entry(17), raw.subarray(17 * d, 18 * d));
    expect((await index.search(raw.subarray(17 * d, 18 * d), 1))[0].id).toBe('insp-17');
    expect(index.entries().at(-1)?.id).toBe('insp-17');
  });

  it('raises coded errors for an empty index, wrong dimensions, duplicate ids and zero vectors', async () => {
    const empty = new EmbeddingIndex(4);
    await expect(empty.search([1, 0, 0, 0], 1)).rejects.toMatchObject({ code: 'XQC_EXPLAIN' });
    empty.add({ id: 'a', verdict: 'ok', review: null }, [1, 2, 3, 4]);
    await expect(empty.search([1, 0, 0], 1)).rejects.toMatchObject({ code: 'XQC_SHAPE_MISMATCH', details: { expected: 4, got: 3 } });
    expect(() => empty.add({ id: 'b', verdict: 'ok', review: null }, [1, 2])).toThrow(expect.objectContaining({ code: 'XQC_SHAPE_MISMATCH' }));
    expect(() => empty.add({ id: 'a', verdict: 'ok', review: null }, [1, 2, 3, 4])).toThrow(expect.objectContaining({ code: 'XQC_INVALID_ARGUMENT' }));
    expect(() => empty.add({ id: 'c', verdict: 'ok', review: null }, [0, 0, 0, 0])).toThrow(expect.objectContaining({ code: 'XQC_INVALID_ARGUMENT' }));
    expect(empty.size).toBe(1);
  });
});

describe('embedding index files', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('round-trips vectors bit for bit, entries and provenance, and searches alike', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xqc-index-'));
    dirs.push(dir);
    const raw = randomRows(50, 16, 5);
    const index = new EmbeddingIndex(16, { layer: 'layer2' });
    index.addMany(Array.from({ length: 50 }, (_, i) => entry(i)), raw);
    const path = join(dir, 'past.json');
    await saveEmbeddingIndex(index, path);
    const loaded = await loadEmbeddingIndex(path);
    expect(loaded.provenance).toEqual({ layer: 'layer2' });
    expect(loaded.entries()).toEqual(index.entries());
    expect(Array.from(loaded.vectors())).toEqual(Array.from(index.vectors()));
    const q = raw.subarray(3 * 16, 4 * 16);
    expect(await loaded.search(q, 4)).toEqual(await index.search(q, 4));
    const meta = JSON.parse(await readFile(path, 'utf8'));
    expect(meta).toMatchObject({ format: 'xai-qc-embedding-index', version: 1, dim: 16, count: 50, vectors: 'past.f32' });
    expect((await readFile(join(dir, 'past.f32'))).length).toBe(50 * 16 * 4);
  });

  it('rejects a changed vector file, another version and a missing file with XQC_IO', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xqc-index-'));
    dirs.push(dir);
    const index = new EmbeddingIndex(4);
    index.add(entry(1), [1, 2, 3, 4]);
    const path = join(dir, 'i.json');
    await saveEmbeddingIndex(index, path);
    const bin = await readFile(join(dir, 'i.f32'));
    bin[0] ^= 1;
    await writeFile(join(dir, 'i.f32'), bin);
    await expect(loadEmbeddingIndex(path)).rejects.toMatchObject({ code: 'XQC_IO', message: expect.stringContaining('checksum') });
    const { metadata } = serializeEmbeddingIndex(index, 'i.f32');
    await writeFile(path, JSON.stringify({ ...metadata, version: 2 }));
    await expect(loadEmbeddingIndex(path)).rejects.toMatchObject({ code: 'XQC_IO', message: expect.stringContaining('version 2') });
    await expect(loadEmbeddingIndex(join(dir, 'none.json'))).rejects.toMatchObject({ code: 'XQC_IO' });
  });
});

describe('PooledEmbedder', () => {
  it('returns the unit-length global average of the chosen layer', async () => {
    const zoo = compactResNet({ numClasses: 2, width: 4, depth: 3, inputSize: 32, seed: 3 });
    const layer = zoo.featureLayers[1];
    const embedder = PooledEmbedder.create(zoo.model, { size: [32, 32], layer, maxBatch: 2 });
    expect(embedder.layer.name).toBe(layer);
    const x = tensor('float32', [3, 3, 32, 32], randomRows(3, 3 * 32 * 32, 6));
    const e = await embedder.embed(x);
    expect(e.length).toBe(3 * embedder.dim);
    const session = await defaultSessionCache.get(saveModel(exposeOutputs(zoo.model, [layer])));
    const act = (await session.run({ input: x }, [layer]))[layer];
    const [, c, h, w] = act.dims;
    expect(c).toBe(embedder.dim);
    const data = act.data as Float32Array;
    for (let i = 0; i < 3; i++) {
      const mean = Array.from({ length: c }, (_, ch) => data.subarray((i * c + ch) * h * w, (i * c + ch + 1) * h * w).reduce((s, v) => s + v, 0) / (h * w));
      const norm = Math.hypot(...mean);
      mean.forEach((v, ch) => expect(e[i * c + ch]).toBeCloseTo(v / norm, 5));
    }
  });

  it('defaults to the deepest automatic feature layer', () => {
    const zoo = compactResNet({ numClasses: 2, width: 4, depth: 3, inputSize: 32, seed: 3 });
    const embedder = PooledEmbedder.create(zoo.model, { size: [32, 32] });
    expect(embedder.layer.stride).toBeLessThanOrEqual(16);
    expect(zoo.featureLayers).toContain(embedder.layer.name);
  });
});
