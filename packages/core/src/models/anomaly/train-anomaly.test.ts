import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAnomalySample } from '../../data/anomaly-format.ts';
import { resizeBilinear } from '../../image/image-resize.ts';
import { loadModelFile, saveModelFile } from '../../onnx/model-io.ts';
import { createSession } from '../../runtime/session.ts';
import { compactResNet } from '../../train/zoo/compact-resnet.ts';
import { readModelCard } from '../card.ts';
import { preprocess } from '../preprocess.ts';
import { ANOMALY_FILES } from './artifact.ts';
import { AnomalyDetector } from './detector.ts';
import { stripes } from './stripes.test-helper.ts';
import { trainAnomaly } from './train-anomaly.ts';

let dir: string;
let backbone: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xaiqc-patchcore-'));
  backbone = join(dir, 'backbone.onnx');
  await saveModelFile(compactResNet({ numClasses: 2, width: 8, depth: 3, inputSize: 64, seed: 2 }).model, backbone);
  const data = join(dir, 'data');
  for (let i = 0; i < 20; i++) {
    const img = stripes(i).image;
    // Two good images come at another size: they are resized, and the run says so.
    await writeAnomalySample(data, { stem: `g${i}`, label: 'good', image: i < 2 ? resizeBilinear(img, 80, 80) : img });
  }
  for (let i = 0; i < 8; i++) {
    const s = stripes(50 + i, [12 + 5 * i, 50 - 4 * i, 6]);
    await writeAnomalySample(data, { stem: `d${i}`, label: 'hole', image: s.image, mask: { width: 64, height: 64, channels: 1, data: s.mask } });
  }
  const bad = join(dir, 'no-good');
  await writeAnomalySample(bad, { stem: 'd0', label: 'hole', image: stripes(1, [20, 20, 5]).image });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('trainAnomaly', () => {
  it('writes a versioned detector folder whose single ONNX export matches the loaded TypeScript detector', async () => {
    const out = join(dir, 'det');
    const record = await trainAnomaly({ data: join(dir, 'data'), out, backbone, size: 64 });
    expect(record.dataset.resized).toBe(2);
    expect(record.dataset.sizes).toEqual(['64x64', '80x80']);
    expect(record.warnings.some((w) => /2 sizes .* resized/.test(w))).toBe(true);
    expect(record.thresholds.image.source).toBe('f1-optimal');
    expect(record.thresholds.pixel.source).toBe('f1-optimal');
    expect(record.test?.imageAuroc).not.toBeNull();

    const config = JSON.parse(await readFile(join(out, ANOMALY_FILES.config), 'utf8'));
    expect(config).toMatchObject({ format: 'xai-qc.patchcore', version: 1, bank: { dim: 48 }, features: { grid: [16, 16] } });
    expect(config.backbone.sha256).toMatch(/^[0-9a-f]{64}$/);
    const card = await readModelCard(join(out, ANOMALY_FILES.card));
    expect(card.task).toBe('anomaly');
    expect(card.metrics).toMatchObject({ split: 'test' });
    expect(typeof (card.metrics as { imageAuroc: unknown }).imageAuroc).toBe('number');

    const detector = await AnomalyDetector.load(out, { input: card.input });
    await expect(AnomalyDetector.load(out, { input: { ...card.input, resize: 'letterbox' } })).rejects.toMatchObject({
      code: 'XQC_ANOMALY',
      message: expect.stringMatching(/input\.resize is "letterbox" but the detector was fitted with "stretch"/),
    });
    const images = [stripes(700, [30, 20, 6]).image, stripes(701).image];
    const raw = await detector.scoreImages(images);
    const exported = await createSession(new Uint8Array(await readFile(join(out, ANOMALY_FILES.model))));
    const res = await exported.run({ input: preprocess(images, detector.config.input).tensor });
    for (let i = 0; i < 2; i++) expect(res.raw_score.data[i]).toBeCloseTo(raw.scores[i], 4);
    expect((await loadModelFile(join(out, ANOMALY_FILES.model))).graph.outputs.map((o) => o.name)).toEqual(['score', 'anomaly_map', 'raw_score']);
  });

  it('refuses a bank that does not match its anomaly.json, and a newer format version', async () => {
    const out = join(dir, 'det');
    const tampered = join(dir, 'tampered');
    await cp(out, tampered, { recursive: true });
    const bank = new Uint8Array(await readFile(join(tampered, ANOMALY_FILES.bank)));
    bank[bank.length - 1] ^= 1;
    await writeFile(join(tampered, ANOMALY_FILES.bank), bank);
    await expect(AnomalyDetector.load(tampered)).rejects.toMatchObject({ code: 'XQC_ANOMALY', message: expect.stringMatching(/bank\.npy does not match/) });
    const config = JSON.parse(await readFile(join(out, ANOMALY_FILES.config), 'utf8'));
    await writeFile(join(tampered, ANOMALY_FILES.config), JSON.stringify({ ...config, version: 2 }));
    await expect(AnomalyDetector.load(tampered)).rejects.toMatchObject({ code: 'XQC_ANOMALY', message: expect.stringMatching(/version 2 is not supported/) });
  });

  it('refuses a folder without good images', async () => {
    await expect(trainAnomaly({ data: join(dir, 'no-good'), out: join(dir, 'x'), backbone, size: 64 })).rejects.toMatchObject({ code: 'XQC_DATASET_INVALID', message: expect.stringMatching(/no usable good images/) });
  });
});
