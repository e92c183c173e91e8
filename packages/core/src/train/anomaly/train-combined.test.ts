import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAnomalySample } from '../../data/anomaly-format.ts';
import { saveModelFile } from '../../onnx/model-io.ts';
import { compactResNet } from '../zoo/compact-resnet.ts';
import { readModelCard } from '../../models/card.ts';
import { ANOMALY_FILES, parseCombinedConfig } from '../../models/anomaly/artifact.ts';
import { agreementMap, fuseScore } from '../../models/anomaly/combined/combined-scorer.ts';
import { topKMean } from '../../models/anomaly/simulated/simulated-scorer.ts';
import { mapToOriginal } from '../../models/preprocess.ts';
import { AnomalyDetector } from '../../models/anomaly/detector.ts';
import { evaluateAnomalyFolder } from '../../models/anomaly/evaluate-anomaly-folder.ts';
import { stripes, STRIPES_SIZE } from '../../models/anomaly/stripes.test-helper.ts';
import { discSimulator } from './disc-simulator.test-helper.ts';
import { trainAnomalyMethod } from './choose-method.ts';
import type { AnomalyMethodRun } from './choose-method.ts';
import { combinedReserveSeconds, simulatedPartBudget } from './train-combined.ts';

const BUDGET = 24;
let dir: string;
let data: string;
let out: string;
let backbone: string;
let run: AnomalyMethodRun;
let wallSeconds: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xaiqc-combined-'));
  backbone = join(dir, 'backbone.onnx');
  await saveModelFile(compactResNet({ numClasses: 2, width: 8, depth: 2, inputSize: 64, seed: 2 }).model, backbone);
  data = join(dir, 'data');
  for (let i = 0; i < 24; i++) await writeAnomalySample(data, { stem: `g${i}`, label: 'good', image: stripes(i).image });
  for (let i = 0; i < 4; i++) {
    const s = stripes(50 + i, [14 + 10 * i, 46 - 8 * i, 5]);
    await writeAnomalySample(data, { stem: `d${i}`, label: 'hole', image: s.image, mask: { width: STRIPES_SIZE, height: STRIPES_SIZE, channels: 1, data: s.mask } });
  }
  out = join(dir, 'combined');
  const t0 = performance.now();
  run = await trainAnomalyMethod({
    method: 'combined',
    data,
    out,
    timeBudgetSeconds: BUDGET,
    patchcore: { backbone },
    simulated: { simulator: discSimulator, cropSize: 32, depth: 2, width: 8, batchSize: 8 },
  });
  wallSeconds = (performance.now() - t0) / 1000;
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the combined detector', () => {
  it('honours the time budget: PatchCore first, the network the rest less the reserve', () => {
    expect(run.method).toBe('combined');
    if (run.method !== 'combined') return;
    const r = run.record;
    expect(r.parts.simulated.stoppedBy).toBe('budget');
    expect(r.parts.simulated.steps).toBeGreaterThan(0);
    expect(r.parts.simulated.budgetSeconds).toBe(Math.floor(BUDGET - r.parts.patchcore.seconds - combinedReserveSeconds(BUDGET)));
    // Data loading, compiling and scoring run inside the budget; a step or the fusion may overrun a little.
    expect(wallSeconds).toBeLessThan(BUDGET + 3);
    expect(r.seconds.total).toBeLessThan(BUDGET + 3);
  });

  it('finds a pasted defect where it was pasted and ranks pasted images above clean ones', async () => {
    const detector = await AnomalyDetector.load(out);
    const defects: [number, number, number][] = [
      [20, 40, 5],
      [45, 15, 5],
      [48, 48, 4],
    ];
    const pasted = defects.map((d, i) => stripes(300 + i, d).image);
    const clean = [0, 1, 2].map((i) => stripes(400 + i).image);
    const raw = await detector.scoreImages([...pasted, ...clean]);
    defects.forEach(([cx, cy, radius], i) => {
      const map = raw.maps[i];
      let peak = 0;
      for (let p = 1; p < map.length; p++) if (map[p] > map[peak]) peak = p;
      expect(Math.abs((peak % STRIPES_SIZE) - cx)).toBeLessThanOrEqual(radius);
      expect(Math.abs(Math.floor(peak / STRIPES_SIZE) - cy)).toBeLessThanOrEqual(radius);
    });
    expect(Math.min(...raw.scores.subarray(0, 3))).toBeGreaterThan(Math.max(...raw.scores.subarray(3)));
    const { predictions } = await detector.predict([pasted[0]]);
    expect(predictions[0].verdict).toBe('reject');
  });

  it('saves and loads: the loaded detector fuses the parts\' own scores with the recorded constants and keeps the simulated map', async () => {
    const config = parseCombinedConfig(JSON.parse(await readFile(join(out, ANOMALY_FILES.config), 'utf8')));
    expect(config).toMatchObject({ format: 'xai-qc.combined', version: 1, parts: { patchcore: { dir: 'patchcore' }, simulated: { dir: 'simulated' } }, fusion: { imageScore: 'mean-z-agreement', map: 'simulated' } });
    const agreement = config.fusion.agreement!;
    const card = await readModelCard(join(out, ANOMALY_FILES.card));
    const combined = await AnomalyDetector.load(out, { input: card.input });
    expect(combined.config).toEqual(config);
    const pc = await AnomalyDetector.load(join(out, 'patchcore'));
    const sim = await AnomalyDetector.load(join(out, 'simulated'));
    const images = [stripes(500, [30, 20, 6]).image, stripes(501).image];
    const [c, p, s] = await Promise.all([combined.scoreImages(images), pc.scoreImages(images), sim.scoreImages(images)]);
    for (let i = 0; i < images.length; i++) {
      // The simulated side is the agreement of both parts' own raw maps (PatchCore's brought back to the input).
      const pcMap = mapToOriginal({ ...p.sizes[i], data: p.maps[i] }, p.placements[i]).data;
      const side = topKMean(agreementMap(s.maps[i], pcMap, agreement), agreement.topK);
      expect(c.scores[i]).toBeCloseTo(fuseScore(p.scores[i], side, config.fusion), 6);
      expect(Array.from(c.maps[i])).toEqual(Array.from(s.maps[i]));
    }
    expect(config.normalisation.pixel).toEqual(sim.config.normalisation.pixel);
    expect(agreement.topK).toBe((sim.config as { scoring: { topK: number } }).scoring.topK);
    // Detectors fitted before the agreement map (imageScore mean-z) still parse; an agreement fusion needs its statistics.
    const { agreement: _, ...older } = config.fusion;
    expect(parseCombinedConfig(JSON.parse(JSON.stringify({ ...config, fusion: { ...older, imageScore: 'mean-z' } }))).fusion.imageScore).toBe('mean-z');
    expect(() => parseCombinedConfig(JSON.parse(JSON.stringify({ ...config, fusion: older })))).toThrow(/agreement/);
    expect(() => parseCombinedConfig(JSON.parse(JSON.stringify({ ...config, fusion: { ...config.fusion, agreement: { ...agreement, topK: 0 } } })))).toThrow(/agreement/);
    const evaluated = await evaluateAnomalyFolder(join(out, ANOMALY_FILES.config), data, 'test');
    expect(evaluated.fitOverlap.fitted).toBe(0);
    expect(run.record.test).toBeDefined();
    expect(evaluated.report).toEqual(run.record.test);
  });

  it('refuses a folder missing a part, a swapped part, an unknown method and a budget too small for the network', async () => {
    const missing = join(dir, 'missing');
    await cp(out, missing, { recursive: true });
    await rm(join(missing, 'simulated'), { recursive: true, force: true });
    await expect(AnomalyDetector.load(missing)).rejects.toMatchObject({ code: 'XQC_ANOMALY', message: expect.stringMatching(/lacks its simulated part/) });
    const swapped = join(dir, 'swapped');
    await cp(out, swapped, { recursive: true });
    const partConfig = join(swapped, 'patchcore', ANOMALY_FILES.config);
    await writeFile(partConfig, `${(await readFile(partConfig, 'utf8')).trimEnd()} \n`);
    await expect(AnomalyDetector.load(swapped)).rejects.toMatchObject({ code: 'XQC_ANOMALY', message: expect.stringMatching(/does not match the SHA-256 recorded for the patchcore part/) });
    await expect(trainAnomalyMethod({ method: 'bogus' as 'combined', data, out: join(dir, 'x') })).rejects.toMatchObject({ code: 'XQC_INVALID_ARGUMENT', message: expect.stringMatching(/unknown anomaly method 'bogus'.*combined/) });
    await expect(trainAnomalyMethod({ method: 'combined', data, out: join(dir, 'y'), timeBudgetSeconds: 12, patchcore: { backbone } })).rejects.toMatchObject({ code: 'XQC_INVALID_ARGUMENT', message: expect.stringMatching(/raise --time-budget/) });
    expect(() => simulatedPartBudget(600, 30)).not.toThrow();
    expect(simulatedPartBudget(600, 30)).toBe(480);
  });
});
