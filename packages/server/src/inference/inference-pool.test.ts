import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng, imageSignals, Predictor, readModelCard, rleToMask } from '@xai-qc/core';
import type { ImageU8 } from '@xai-qc/core';
import { InferenceItemError, InferencePool, threadBudget } from './inference-pool.ts';
import type { ModelSpec } from './inference.types.ts';

const MODELS = fileURLToPath(new URL('../../../../models/', import.meta.url));

function texture(width: number, height: number, seed: number, spot = false): ImageU8 {
  const data = new Uint8Array(width * height * 3);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = 100 + ((s >>> 16) % 40);
  }
  if (spot) {
    for (let y = 20; y < 34; y++) for (let x = 24; x < 40; x++) data.fill(15, (y * width + x) * 3, (y * width + x) * 3 + 3);
  }
  return { width, height, channels: 3, data };
}

async function spec(name: string, runner: ModelSpec['runner'] = 'onnx'): Promise<ModelSpec> {
  const dir = `${MODELS}${name}`;
  return { key: name, card: await readModelCard(`${dir}/model_card.yaml`), runner, path: runner === 'onnx' ? `${dir}/model.onnx` : dir };
}

describe('threadBudget', () => {
  it('never gives more threads than cores', () => {
    expect(threadBudget({ cores: 2 })).toEqual({ workers: 1, intraOpThreads: 2, cores: 2 });
    expect(threadBudget({ cores: 16 })).toEqual({ workers: 8, intraOpThreads: 2, cores: 16 });
    expect(threadBudget({ cores: 1 })).toEqual({ workers: 1, intraOpThreads: 1, cores: 1 });
    expect(threadBudget({ cores: 2, workers: 2 })).toEqual({ workers: 2, intraOpThreads: 1, cores: 2 });
  });

  it('refuses explicit choices that oversubscribe the cores', () => {
    expect(() => threadBudget({ cores: 2, workers: 2, intraOpThreads: 2 })).toThrow(/exceeds 2 cores/);
    expect(() => threadBudget({ cores: 2, workers: 0 })).toThrow(/workers/);
  });
});

describe('InferencePool', () => {
  let pool: InferencePool;
  const batches: number[] = [];

  beforeAll(async () => {
    pool = await InferencePool.start({ workers: 1, intraOpThreads: 1, cores: 2, maxBatchSize: 4, maxQueueDelayMs: 20, onBatch: (_key, b) => batches.push(b.size) });
    await pool.load(await spec('surface-classifier'));
    await pool.load(await spec('surface-segmenter'));
    await pool.load(await spec('surface-anomaly', 'patchcore'));
  });

  afterAll(async () => {
    await pool?.close();
  });

  it('batches concurrent requests and returns what the in-process predictor returns', async () => {
    const images = [1, 2, 3, 4].map((s) => texture(96, 80, s, s % 2 === 0));
    const pngs = await Promise.all(images.map((i) => encodePng(i)));
    const results = await Promise.all(pngs.map((bytes) => pool.detect({ key: 'surface-classifier', bytes, maxPixels: 1e6 })));
    expect(results.map((r) => r.batchSize)).toEqual([4, 4, 4, 4]);
    expect(batches).toContain(4);
    const local = await Predictor.load(`${MODELS}surface-classifier/model.onnx`);
    const { predictions } = await local.predict(images);
    results.forEach((r, i) => {
      expect(r.value.image).toEqual({ width: 96, height: 80, channels: 3, format: 'png' });
      expect(r.value.labels).toEqual(['defect', 'good']);
      expect(r.value.verdict).toBe(predictions[i].verdict);
      r.value.probabilities.forEach((p, j) => expect(p).toBeCloseTo(predictions[i].probabilities[j], 5));
      expect(r.value.timings.batchSize).toBe(4);
      expect(r.value.timings.computeMs).toBeGreaterThan(0);
    });
  });

  it('fails only the undecodable image of a batch, with core error code', async () => {
    const good = await encodePng(texture(64, 64, 7));
    const truncated = good.subarray(0, good.length - 40);
    const [a, b] = await Promise.allSettled([
      pool.detect({ key: 'surface-classifier', bytes: good, maxPixels: 1e6 }),
      pool.detect({ key: 'surface-classifier', bytes: truncated, maxPixels: 1e6 }),
    ]);
    expect(a.status).toBe('fulfilled');
    expect(b.status).toBe('rejected');
    const err = (b as PromiseRejectedResult).reason as InferenceItemError;
    expect(err).toBeInstanceOf(InferenceItemError);
    expect(err.item.code).toBe('XQC_IMAGE_INVALID');
  });

  it('sends the monitoring signals after the results: each image its own, none for an undecodable one, none when not asked', async () => {
    const images = [texture(96, 80, 11), texture(300, 220, 12, true)];
    const pngs = await Promise.all(images.map((i) => encodePng(i)));
    const truncated = pngs[0].subarray(0, pngs[0].length - 40);
    const [a, b, c] = await Promise.allSettled([
      pool.detect({ key: 'surface-classifier', bytes: pngs[0], maxPixels: 1e6, signals: true }),
      pool.detect({ key: 'surface-classifier', bytes: pngs[1], maxPixels: 1e6, signals: true }),
      pool.detect({ key: 'surface-classifier', bytes: truncated, maxPixels: 1e6, signals: true }),
    ]);
    expect(c.status).toBe('rejected');
    for (const [r, img] of [[a, images[0]], [b, images[1]]] as const) {
      expect(r.status).toBe('fulfilled');
      const { value } = (r as PromiseFulfilledResult<Awaited<ReturnType<InferencePool['detect']>>>).value;
      // the result itself comes without them; they follow, equal to core's measurement of the decoded image
      expect(value.signals).toBeUndefined();
      expect(await value.signalsLater).toEqual(imageSignals(img));
    }
    const plain = await pool.detect({ key: 'surface-classifier', bytes: pngs[0], maxPixels: 1e6 });
    expect(plain.value.signalsLater).toBeUndefined();
    expect(plain.value.signals).toBeUndefined();
  });

  it('returns segmenter findings with mask PNG, RLE and a polygon that agree', async () => {
    const bytes = await encodePng(texture(64, 64, 3, true));
    const { value } = await pool.detect({ key: 'surface-segmenter', bytes, maxPixels: 1e6 });
    expect(value.task).toBe('segment');
    expect(value.findings.length).toBeGreaterThan(0);
    for (const f of value.findings) {
      expect(f.rle).toBeDefined();
      const mask = rleToMask(f.rle as { size: [number, number]; counts: number[] });
      expect(mask.reduce((s, v) => s + v, 0)).toBe(f.area);
      expect(f.polygon?.length).toBeGreaterThanOrEqual(8);
      expect(Buffer.from(f.maskPng as string, 'base64').subarray(1, 4).toString()).toBe('PNG');
    }
  });

  it('returns the anomaly score and map of an anomaly model', async () => {
    const bytes = await encodePng(texture(64, 64, 5, true));
    const { value } = await pool.detect({ key: 'surface-anomaly', bytes, maxPixels: 1e6 });
    expect(value.task).toBe('anomaly');
    expect(value.anomaly?.score).toBe(value.defectProbability);
    expect(Buffer.from(value.anomaly?.mapPng as string, 'base64').subarray(1, 4).toString()).toBe('PNG');
  });

  it('adds MC-Dropout uncertainty with the requested samples, reproducibly', async () => {
    const bytes = await encodePng(texture(64, 64, 9));
    const request = { key: 'surface-classifier', bytes, maxPixels: 1e6, uncertainty: { method: 'mc-dropout' as const, samples: 6, seed: 3 } };
    const [a, b] = [await pool.detect(request), await pool.detect(request)];
    const u = a.value.uncertainty;
    expect(u?.samples).toBe(6);
    expect(u?.meanProbabilities.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 6);
    expect(u?.mutualInformation).toBeGreaterThanOrEqual(0);
    expect(b.value.uncertainty).toEqual(u);
  });

  it('serves the conformal set and referral of a card calibrated with them', async () => {
    const s = await spec('surface-classifier');
    const card = { ...s.card, calibration: { temperature: 1, conformal: { alpha: 0.1, score: 'lac' as const, threshold: 0.5, referralThreshold: 0.2 } } };
    await pool.load({ ...s, key: 'calibrated', card });
    for (const seed of [1, 2, 3, 4]) {
      const { value } = await pool.detect({ key: 'calibrated', bytes: await encodePng(texture(64, 64, seed, seed % 2 === 0)), maxPixels: 1e6 });
      const expected = value.labels.filter((_, j) => 1 - value.probabilities[j] <= 0.5);
      expect(value.conformal?.set).toEqual(expected);
      const uncertain = 1 - Math.max(...value.probabilities) > 0.2;
      expect(value.conformal?.referred).toBe(expected.length !== 1 || uncertain);
      expect(value.conformal?.alpha).toBe(0.1);
    }
    const plain = await pool.detect({ key: 'surface-classifier', bytes: await encodePng(texture(64, 64, 1)), maxPixels: 1e6 });
    expect(plain.value.conformal).toBeUndefined();
  });

  it('refuses an image above the pixel limit and a model that is not loaded', async () => {
    const bytes = await encodePng(texture(64, 64, 1));
    await expect(pool.detect({ key: 'surface-classifier', bytes, maxPixels: 1000 })).rejects.toMatchObject({ item: { code: 'XQC_IMAGE_INVALID' } });
    await expect(pool.detect({ key: 'nope', bytes, maxPixels: 1e6 })).rejects.toMatchObject({ status: 503, code: 'XQC_MODEL_NOT_LOADED' });
  });

  it('replaces a worker that stops, with every model loaded again', async () => {
    const slots = (pool as unknown as { slots: { worker: { terminate(): Promise<number> } }[] }).slots;
    await slots[0].worker.terminate();
    expect(pool.healthy).toBe(false);
    const until = Date.now() + 60_000;
    while (!pool.healthy && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(pool.healthy).toBe(true);
    const { value } = await pool.detect({ key: 'surface-anomaly', bytes: await encodePng(texture(64, 64, 2)), maxPixels: 1e6 });
    expect(value.task).toBe('anomaly');
  });

  it('fails the load of a missing model file with core error code', async () => {
    const s = await spec('surface-classifier');
    await expect(pool.load({ ...s, key: 'missing', path: `${MODELS}none/model.onnx` })).rejects.toBeInstanceOf(InferenceItemError);
    expect(pool.has('missing')).toBe(false);
    expect(pool.healthy).toBe(true);
  });
});
