import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAnomalySample } from '../../data/anomaly-format.ts';
import { saveModelFile } from '../../onnx/model-io.ts';
import { compactResNet } from '../../train/zoo/compact-resnet.ts';
import { readModelCard } from '../card.ts';
import { ANOMALY_FILES } from './artifact.ts';
import { AnomalyDetector } from './detector.ts';
import { evaluateAnomalyFolder } from './evaluate-anomaly-folder.ts';
import { trainAnomaly } from './train-anomaly.ts';
import { wideStripes } from './wide-stripes.test-helper.ts';

const W = 176;
const H = 72;
let dir: string;
let backbone: string;

async function folder(name: string, radius: number): Promise<string> {
  const data = join(dir, name);
  for (let i = 0; i < 12; i++) await writeAnomalySample(data, { stem: `g${i}`, label: 'good', image: wideStripes(i, W, H).image });
  for (let i = 0; i < 6; i++) {
    const s = wideStripes(50 + i, W, H, [20 + 25 * i, 20 + 6 * i, radius]);
    await writeAnomalySample(data, { stem: `d${i}`, label: 'pit', image: s.image, mask: s.mask });
  }
  return data;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xaiqc-tiled-'));
  backbone = join(dir, 'backbone.onnx');
  await saveModelFile(compactResNet({ numClasses: 2, width: 8, depth: 3, inputSize: 64, seed: 2 }).model, backbone);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('trainAnomaly with tiles', () => {
  it('records the tiling on the card and in run.json, evaluates at the working size and loads back', async () => {
    const data = await folder('wide', 6);
    const out = join(dir, 'det');
    const record = await trainAnomaly({ data, out, backbone, size: 64, resize: 'tile', tileOverlap: 0.25 });
    expect(record.params).toMatchObject({ resize: 'tile', tileOverlap: 0.25, size: 64 });
    expect(record.dataset.resized).toBe(0);
    // 4 x 2 tiles of 16 x 16 patches per good training image.
    expect(record.bank.sourcePatches).toBe(record.dataset.counts.train.good * 8 * 256);
    expect(record.warnings.filter((w) => /resolution/.test(w))).toEqual([]);
    expect(record.test?.pixelAuroc).not.toBeNull();
    const card = await readModelCard(join(out, ANOMALY_FILES.card));
    expect(card.input).toMatchObject({ resize: 'tile', tileOverlap: 0.25, width: 64, height: 64 });
    expect(card.limitations?.some((l) => /overlapping 64x64 tiles/.test(l))).toBe(true);
    const detector = await AnomalyDetector.load(out, { input: card.input });
    const [p] = (await detector.predict([wideStripes(900, W, H, [150, 36, 7]).image])).predictions;
    expect([p.anomalyMap.width, p.anomalyMap.height]).toEqual([W, H]);
    await expect(AnomalyDetector.load(out, { input: { ...card.input, tileOverlap: 0.5 } })).rejects.toThrow(/input.tileOverlap/);
    const runJson = JSON.parse(await readFile(join(out, 'run.json'), 'utf8'));
    expect(runJson.params.resize).toBe('tile');
    // `xaiqc evaluate` on the folder: pixel figures at the images' own size.
    const evaluation = await evaluateAnomalyFolder(join(out, ANOMALY_FILES.model), data, 'all');
    expect(evaluation.report.count.defectWithMask).toBe(6);
    expect(evaluation.report.pixelAuroc).toBeGreaterThan(0.5);
  });

  it('warns in run.json when the masks say defects shrink below the model resolution', async () => {
    const data = await folder('specks', 1.5);
    const record = await trainAnomaly({ data, out: join(dir, 'det-small'), backbone, size: 64, ratios: { train: 0.5, val: 0.5, test: 0 } });
    expect(record.warnings.some((w) => /defect regions .* likely below the model's resolution/.test(w))).toBe(true);
    await expect(trainAnomaly({ data, out: join(dir, 'x'), backbone, size: 64, tileOverlap: 0.5 })).rejects.toThrow(/apply to resize 'tile'/);
  });
});
