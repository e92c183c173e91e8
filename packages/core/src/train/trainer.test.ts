import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ImageU8 } from '../image/image.types.ts';
import { tensor } from '../onnx/tensor.ts';
import { gradCheck } from '../testing/gradcheck.ts';
import { augment } from './augment.ts';
import { makeBatch } from './batch.ts';
import type { TrainSample } from './batch.ts';
import { keyedRng } from '../util/random.ts';
import { buildArchitecture, trainModel } from './trainer.ts';
import type { TrainConfig } from './trainer.ts';
import { buildTrainingGraph } from './training-graph.ts';

/** Images of 16x16: class 1 has a bright square whose position varies, class 0 does not. */
function toyData(n: number, seed: number, segment = false): TrainSample[] {
  const rng = keyedRng(seed);
  return Array.from({ length: n }, (_, i) => {
    const label = i % 2;
    const data = new Uint8Array(16 * 16 * 3);
    const mask = new Uint8Array(16 * 16);
    for (let p = 0; p < 256; p++) for (let c = 0; c < 3; c++) data[p * 3 + c] = 60 + Math.floor(rng() * 40);
    if (label) {
      const x0 = Math.floor(rng() * 10);
      const y0 = Math.floor(rng() * 10);
      for (let y = y0; y < y0 + 5; y++) for (let x = x0; x < x0 + 5; x++) {
        mask[y * 16 + x] = 1;
        for (let c = 0; c < 3; c++) data[(y * 16 + x) * 3 + c] = 220;
      }
    }
    const image: ImageU8 = { width: 16, height: 16, channels: 3, data };
    return segment ? { image, label, mask } : { image, label };
  });
}

const base: TrainConfig = {
  task: 'classify',
  labels: ['good', 'defect'],
  arch: { kind: 'compact-resnet', width: 4, depth: 2, dropout: 0.2 },
  inputSize: [16, 16],
  norm: { mean: [0.5], std: [0.25] },
  epochs: 4,
  batchSize: 8,
  lr: 0.01,
  optimizer: { kind: 'adam' },
  schedule: { kind: 'constant' },
  labelSmoothing: 0.05,
  augment: { hflip: 0.5, vflip: 0.5, rot90: 0.5, affine: 0, color: 0, noise: 0, blur: 0 },
  seed: 3,
  patience: 0,
  threads: 1,
};

describe('training graph', () => {
  it('the whole training graph (BN in training mode, dropout masks, loss) has finite-difference-correct weight gradients', async () => {
    const zoo = buildArchitecture({ ...base, arch: { kind: 'compact-resnet', width: 2, depth: 1, dropout: 0.5 }, inputSize: [8, 8] }, true);
    const tg = buildTrainingGraph({ model: zoo.model, parameters: zoo.parameters, batchNorms: zoo.batchNorms, loss: 'softmax-ce', numClasses: 2 });
    const batch = makeBatch(toyData(4, 1).map((s) => ({ ...s, image: { ...s.image, width: 8, height: 8, data: s.image.data.subarray(0, 8 * 8 * 3) } })), [0, 1, 2, 3], {
      task: 'classify', numClasses: 2, norm: base.norm, labelSmoothing: 0.1, seed: 0, epoch: 0,
    });
    const feeds: Record<string, ReturnType<typeof tensor>> = { input: batch.images, targets: batch.targets };
    for (const d of tg.dropouts) feeds[d.input] = tensor('float32', [4, ...d.dims], new Array(4 * d.dims.reduce((a, b) => a * b, 1)).fill(0).map((_, i) => (i % 3 === 0 ? 0 : 2)));
    for (const [name, t] of Object.entries(tg.initial)) feeds[name] = t;
    const fc = zoo.parameters.find((p) => p.startsWith('fc.weight')) as string;
    const conv = zoo.parameters.find((p) => p.startsWith('conv1.weight')) as string;
    // float32 network, h = 1e-2 central differences: truncation ~1e-4 relative; loss is O(1).
    const r = await gradCheck({ model: tg.lossModel, feeds, of: 'loss', wrt: [fc, conv], maxElements: 12, eps: 1e-2, rtol: 5e-2, atol: 2e-3 });
    expect(r.failures).toEqual([]);
  });
});

describe('augmentation', () => {
  it('keeps masks aligned with the image under flips, rotations and affine warps', () => {
    const [s] = toyData(2, 5, true).filter((x) => x.label === 1);
    for (let k = 0; k < 20; k++) {
      const a = augment(s.image, s.mask, { affine: 1, maxRotation: 10, color: 0, noise: 0, blur: 0 }, keyedRng(k));
      // Every mask pixel must sit on a bright image pixel (the square), nearly every bright pixel on the mask.
      let onMaskBright = 0;
      let onMask = 0;
      for (let p = 0; p < 256; p++) if (a.mask?.[p]) {
        onMask++;
        if (a.image.data[p * 3] > 140) onMaskBright++;
      }
      expect(onMask).toBeGreaterThan(10);
      expect(onMaskBright / onMask).toBeGreaterThan(0.85);
    }
  });
  it('is deterministic for a key and differs across keys', () => {
    const [s] = toyData(1, 9);
    const a = augment(s.image, undefined, {}, keyedRng(1, 2, 3)).image.data;
    const b = augment(s.image, undefined, {}, keyedRng(1, 2, 3)).image.data;
    const c = augment(s.image, undefined, {}, keyedRng(1, 2, 4)).image.data;
    expect(Buffer.compare(a, b)).toBe(0);
    expect(Buffer.compare(a, c)).not.toBe(0);
  });
});

describe('trainModel', () => {
  it('reduces the loss and learns a separable toy task', async () => {
    const r = await trainModel(base, { train: toyData(48, 1), val: toyData(16, 2), test: toyData(16, 3) });
    expect(r.history[r.history.length - 1].trainLoss).toBeLessThan(r.history[0].trainLoss);
    expect(r.bestMetric).toBeGreaterThan(0.8);
    expect((r.test as { accuracy: number }).accuracy).toBeGreaterThan(0.8);
  });

  it('resumes exactly: 2 + 2 epochs equal 4 epochs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xqc-train-'));
    try {
      const cfg = { ...base, epochs: 4 };
      const data = { train: toyData(24, 4), val: toyData(8, 5) };
      const straight = await trainModel(cfg, data);
      await trainModel(cfg, data, { checkpointDir: dir, stopAfterEpoch: 2 });
      const resumed = await trainModel(cfg, data, { checkpointDir: dir, resume: true });
      expect(resumed.resumedFromEpoch).toBe(2);
      expect(resumed.history.map((h) => h.trainLoss)).toEqual(straight.history.map((h) => h.trainLoss));
      for (const [name, t] of straight.model.graph.initializers) {
        expect(Array.from(resumed.model.graph.initializers.get(name)?.data as Float32Array)).toEqual(Array.from(t.data as Float32Array));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('makes its batches in a worker thread, with the same result as on the main thread', async () => {
    const cfg = { ...base, epochs: 2 };
    const data = { train: toyData(24, 8), val: toyData(8, 9) };
    const modes: string[] = [];
    const worker = await trainModel(cfg, data, { loaderWorker: true, onEvent: (e) => e.type === 'loader' && modes.push(e.mode) });
    const inline = await trainModel(cfg, data, { loaderWorker: false, onEvent: (e) => e.type === 'loader' && modes.push(e.mode) });
    expect(modes).toEqual(['worker', 'inline']);
    expect(worker.history.map((h) => h.trainLoss)).toEqual(inline.history.map((h) => h.trainLoss));
    for (const [name, t] of inline.model.graph.initializers) {
      expect(Array.from(worker.model.graph.initializers.get(name)?.data as Float32Array)).toEqual(Array.from(t.data as Float32Array));
    }
  });

  it('trains a U-Net segmenter with Dice + CE', async () => {
    const cfg: TrainConfig = { ...base, task: 'segment', arch: { kind: 'unet', width: 4, depth: 2, dropout: 0.1 }, epochs: 6, lr: 0.02 };
    const r = await trainModel(cfg, { train: toyData(32, 6, true), val: toyData(8, 7, true) });
    expect(r.history[r.history.length - 1].trainLoss).toBeLessThan(r.history[0].trainLoss);
    expect(r.bestMetric).toBeGreaterThan(0.5);
  });
});
