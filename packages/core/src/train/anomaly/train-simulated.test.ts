import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAnomalySample } from '../../data/anomaly-format.ts';
import { explainImage } from '../../explain/explain-image.ts';
import { resizeBilinear } from '../../image/image-resize.ts';
import { saveModel } from '../../onnx/model-io.ts';
import { createSession } from '../../runtime/session.ts';
import type { InputSpec } from '../../models/card.ts';
import { readModelCard } from '../../models/card.ts';
import { Predictor } from '../../models/predictor.ts';
import { preprocess } from '../../models/preprocess.ts';
import { ANOMALY_FILES, parseSimulatedConfig, sha256Hex, SIMULATED_NETWORK_FILE } from '../../models/anomaly/artifact.ts';
import { AnomalyDetector } from '../../models/anomaly/detector.ts';
import { evaluateAnomalyFolder } from '../../models/anomaly/evaluate-anomaly-folder.ts';
import { stripes, STRIPES_SIZE } from '../../models/anomaly/stripes.test-helper.ts';
import { discSimulator } from './disc-simulator.test-helper.ts';
import { buildSimulatedDetectorModel } from '../../models/anomaly/simulated/export-simulated.ts';
import { defaultSimulatedSigma, simulatedLearningRate, fitSimulated, WeightAverage } from './train-simulated.ts';
import type { FitSimulatedOptions, FitSimulatedResult } from './train-simulated.ts';
import { simulatedInputSpec, trainSimulatedAnomaly } from './train-simulated-anomaly.ts';

const input: InputSpec = { name: 'input', height: STRIPES_SIZE, width: STRIPES_SIZE, resize: 'stretch', layout: 'NCHW', color: 'rgb', mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] };
const data = {
  train: Array.from({ length: 12 }, (_, i) => stripes(i).image),
  validation: { good: Array.from({ length: 4 }, (_, i) => stripes(100 + i).image), defects: [] },
};
const small: Partial<FitSimulatedOptions> = { cropSize: 32, batchSize: 8, width: 8, depth: 2, timeBudgetSeconds: Infinity };

let fit: FitSimulatedResult;
let dir: string;

beforeAll(async () => {
  fit = await fitSimulated(data, { input, simulator: discSimulator, ...small, maxSteps: 150 });
  dir = await mkdtemp(join(tmpdir(), 'xaiqc-simulated-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('defaultSimulatedSigma', () => {
  it('is 2 px up to 64 px inputs, 4 px from 128 px, the shorter side / 32 between', () => {
    expect([defaultSimulatedSigma(32, 32), defaultSimulatedSigma(64, 64), defaultSimulatedSigma(96, 400), defaultSimulatedSigma(208, 512), defaultSimulatedSigma(1024, 128)]).toEqual([2, 2, 3, 4, 4]);
  });
});

describe('fitSimulated', () => {
  it('finds a pasted defect where it was pasted, and scores pasted images above clean ones', async () => {
    expect(fit.training).toMatchObject({ steps: 150, stoppedBy: 'steps' });
    expect(fit.training.loss[fit.training.loss.length - 1]).toBeLessThan(fit.training.loss[0]);
    const defects: [number, number, number][] = [
      [20, 40, 5],
      [45, 15, 4],
      [50, 50, 3],
    ];
    const pasted = defects.map((d, i) => stripes(300 + i, d).image);
    const clean = [0, 1, 2].map((i) => stripes(400 + i).image);
    const r = await fit.scorer.score(preprocess([...pasted, ...clean], input).tensor);
    defects.forEach(([cx, cy, radius], i) => {
      const map = r.maps[i];
      let peak = 0;
      for (let p = 1; p < map.length; p++) if (map[p] > map[peak]) peak = p;
      const [x, y] = [peak % STRIPES_SIZE, Math.floor(peak / STRIPES_SIZE)];
      expect(Math.abs(x - cx)).toBeLessThanOrEqual(radius);
      expect(Math.abs(y - cy)).toBeLessThanOrEqual(radius);
    });
    expect(Math.min(...r.scores.subarray(0, 3))).toBeGreaterThan(Math.max(...r.scores.subarray(3)));
  });

  it('exports one ONNX graph equal to the TypeScript pipeline', async () => {
    const detector = await AnomalyDetector.createSimulated(fit.config, fit.network);
    const images = [stripes(500, [30, 20, 6]).image, stripes(501).image];
    const raw = await detector.scoreImages(images);
    const session = await createSession(saveModel(buildSimulatedDetectorModel(fit.network, fit.config)));
    const out = await session.run({ input: preprocess(images, input).tensor });
    expect(out.anomaly_map.dims).toEqual([2, 1, STRIPES_SIZE, STRIPES_SIZE]);
    const plane = STRIPES_SIZE * STRIPES_SIZE;
    for (let i = 0; i < 2; i++) {
      expect(Math.abs(Number(out.raw_score.data[i]) - raw.scores[i])).toBeLessThan(1e-4);
      expect(Math.abs(Number(out.score.data[i]) - detector.normaliseScore(raw.scores[i]))).toBeLessThan(1e-4);
      const map = detector.normaliseMap(raw.maps[i]);
      const exported = (out.anomaly_map.data as Float32Array).subarray(i * plane, (i + 1) * plane);
      let worst = 0;
      for (let p = 0; p < plane; p++) worst = Math.max(worst, Math.abs(exported[p] - map[p]));
      expect(worst).toBeLessThan(1e-4);
    }
    await session.release();
  });

  it('is deterministic for a seed when step-bounded', async () => {
    const a = await fitSimulated(data, { input, simulator: discSimulator, ...small, maxSteps: 6, seed: 3 });
    const b = await fitSimulated(data, { input, simulator: discSimulator, ...small, maxSteps: 6, seed: 3 });
    const c = await fitSimulated(data, { input, simulator: discSimulator, ...small, maxSteps: 6, seed: 4 });
    expect(sha256Hex(a.networkBytes)).toBe(sha256Hex(b.networkBytes));
    expect(a.config.thresholds).toEqual(b.config.thresholds);
    expect(sha256Hex(c.networkBytes)).not.toBe(sha256Hex(a.networkBytes));
  });

  it('honours the time budget, thresholds included, and reports the time left', async () => {
    const events: number[] = [];
    const r = await fitSimulated(data, {
      input,
      simulator: discSimulator,
      ...small,
      timeBudgetSeconds: 4,
      onProgress: (e) => {
        if (e.phase === 'train') events.push(e.remainingSeconds);
      },
    });
    expect(r.training.stoppedBy).toBe('budget');
    expect(r.training.steps).toBeGreaterThan(0);
    // Setup (autodiff, compiling) counts against the budget too; a step or a threshold estimate may overrun a little.
    expect(r.seconds.total).toBeLessThan(4 + 1);
    expect(events.length).toBe(r.training.steps);
    expect(events[events.length - 1]).toBeLessThan(events[0]);
  });

  it('refuses bad options with XQC_INVALID_ARGUMENT and no data with XQC_DATASET_INVALID', async () => {
    await expect(fitSimulated(data, { input, simulator: discSimulator, ...small, batchSize: 1 })).rejects.toMatchObject({ code: 'XQC_INVALID_ARGUMENT' });
    await expect(fitSimulated(data, { input, simulator: discSimulator, ...small, topK: STRIPES_SIZE ** 2 + 1 })).rejects.toMatchObject({ code: 'XQC_INVALID_ARGUMENT' });
    await expect(fitSimulated({ ...data, train: [] }, { input, simulator: discSimulator })).rejects.toMatchObject({ code: 'XQC_DATASET_INVALID' });
    await expect(fitSimulated(data, { input, simulator: discSimulator, ...small, averageFrom: 1.5 })).rejects.toMatchObject({ code: 'XQC_INVALID_ARGUMENT' });
    await expect(fitSimulated(data, { input, simulator: discSimulator, ...small, testTimeFlips: 3 as never })).rejects.toMatchObject({ code: 'XQC_INVALID_ARGUMENT' });
    await expect(fitSimulated(data, { input, simulator: discSimulator, ...small, halfScale: 'yes' as never })).rejects.toMatchObject({ code: 'XQC_INVALID_ARGUMENT' });
  });

  it('adds the half-scale view when asked, not by default, and records it', async () => {
    const opts = { input, simulator: discSimulator, ...small, maxSteps: 1, testTimeFlips: 1 as const };
    const on = await fitSimulated(data, { ...opts, halfScale: true });
    const off = await fitSimulated(data, opts);
    expect([on.config.network.halfScale, off.config.network.halfScale]).toEqual([true, false]);
    // The view is in the saved network: its 2x2 average (the U-Net itself has no AveragePool).
    const pools = (m: typeof on.network): number => m.graph.nodes.filter((n) => n.opType === 'AveragePool').length;
    expect([pools(on.network), pools(off.network)]).toEqual([1, 0]);
    // And the scorer runs the extra copy: the maps differ from the network without the view.
    expect(on.validation.goodScores.some((v, i) => Math.abs(v - off.validation.goodScores[i]) > 1e-6)).toBe(true);
  });

  it('saves the mean of the weights after each step from averageFrom on, BatchNorm statistics included', async () => {
    const opts = { input, simulator: discSimulator, ...small, testTimeFlips: 1 as const, seed: 5 };
    // Step 0 runs at progress 0 in both a one-step and a two-step run, so the one-step run's
    // final weights are the two-step run's weights after its first step.
    const first = await fitSimulated(data, { ...opts, maxSteps: 1, averageFrom: 1 });
    const second = await fitSimulated(data, { ...opts, maxSteps: 2, averageFrom: 1 });
    const averaged = await fitSimulated(data, { ...opts, maxSteps: 2, averageFrom: 0 });
    expect(first.config.training.averagedSteps).toBe(0);
    expect(averaged.config.training.averagedSteps).toBe(2);
    expect(averaged.training.averagedSteps).toBe(2);
    let compared = 0;
    let runningStats = 0;
    for (const [name, t] of averaged.network.graph.initializers) {
      if (t.dtype !== 'float32') continue;
      const a = first.network.graph.initializers.get(name)!.data as Float32Array;
      const b = second.network.graph.initializers.get(name)!.data as Float32Array;
      const m = t.data as Float32Array;
      for (let i = 0; i < m.length; i++) expect(Math.abs(m[i] - (a[i] + b[i]) / 2)).toBeLessThan(1e-6 + 1e-6 * Math.abs(m[i]));
      if (a.some((v, i) => v !== b[i])) compared++;
      if (/running|mean|var/i.test(name) && a.some((v, i) => v !== b[i])) runningStats++;
    }
    expect(compared).toBeGreaterThan(10);
    expect(runningStats).toBeGreaterThan(0);
    // The default averages the last quarter: steps 6 and 7 of 8.
    const quarter = await fitSimulated(data, { ...opts, maxSteps: 8 });
    expect(quarter.config.training.averagedSteps).toBe(2);
  });

  it('averages parameter snapshots in float64 and refuses mismatched or missing ones', () => {
    const avg = new WeightAverage();
    expect(() => avg.mean()).toThrow(expect.objectContaining({ code: 'XQC_INVALID_ARGUMENT' }));
    avg.add({ w: Float32Array.of(1, 2), b: Float32Array.of(16777216) });
    avg.add({ w: Float32Array.of(3, 5), b: Float32Array.of(16777218) });
    avg.add({ w: Float32Array.of(-1, 2), b: Float32Array.of(16777218) });
    expect(avg.count).toBe(3);
    const m = avg.mean();
    expect(Array.from(m.w)).toEqual([1, 3]);
    // A float32 running sum would lose the low bits of 2^24 + 2.
    expect(m.b[0]).toBe(Math.fround((16777216 + 2 * 16777218) / 3));
    expect(() => avg.add({ w: Float32Array.of(1), b: Float32Array.of(0) })).toThrow(expect.objectContaining({ code: 'XQC_SHAPE_MISMATCH' }));
  });

  it('warms up and decays the learning rate over progress', () => {
    expect(simulatedLearningRate(1, 0)).toBeCloseTo(0.05);
    expect(simulatedLearningRate(1, 0.03)).toBeCloseTo(1);
    expect(simulatedLearningRate(1, 1)).toBeCloseTo(0.05);
    expect(simulatedLearningRate(1, 0.5)).toBeLessThan(1);
  });
});

describe('trainSimulatedAnomaly', () => {
  it('writes a detector folder that loads, evaluates, explains and refuses tampering', async () => {
    const root = join(dir, 'data');
    for (let i = 0; i < 16; i++) await writeAnomalySample(root, { stem: `g${i}`, label: 'good', image: stripes(600 + i).image });
    for (let i = 0; i < 4; i++) {
      const s = stripes(700 + i, [14 + 10 * i, 46 - 8 * i, 5]);
      await writeAnomalySample(root, { stem: `d${i}`, label: 'hole', image: s.image, mask: { width: STRIPES_SIZE, height: STRIPES_SIZE, channels: 1, data: s.mask } });
    }
    const out = join(dir, 'det');
    // With the half-scale view, so that loading, evaluating, the export and explanations run through it.
    const record = await trainSimulatedAnomaly({ data: root, out, simulator: discSimulator, maxSteps: 60, timeBudgetSeconds: 120, cropSize: 32, depth: 2, width: 8, halfScale: true, ratios: { train: 0.6, val: 0.2, test: 0.2 } });
    expect(record).toMatchObject({ method: 'simulated', params: { size: [64, 64] }, training: { steps: 60, stoppedBy: 'steps' } });
    expect(record.test?.imageAuroc).not.toBeNull();
    const config = JSON.parse(await readFile(join(out, ANOMALY_FILES.config), 'utf8'));
    expect(config).toMatchObject({ format: 'xai-qc.simulated', version: 1, network: { file: SIMULATED_NETWORK_FILE, depth: 2, padded: [64, 64], testTimeFlips: 4, halfScale: true } });
    // The last quarter of 60 steps at least (a slow machine's time progress may start it earlier).
    expect(config.training.averagedSteps).toBeGreaterThanOrEqual(15);
    expect(record.training.averagedSteps).toBe(config.training.averagedSteps);
    expect(record.params.testTimeFlips).toBe(4);
    expect(record.params.halfScale).toBe(true);
    // Detectors fitted before these fields still parse; bad values do not.
    const { testTimeFlips: _f, halfScale: _h, ...oldNetwork } = config.network;
    const { averagedSteps: _a, ...oldTraining } = config.training;
    expect(() => parseSimulatedConfig({ ...config, network: oldNetwork, training: oldTraining })).not.toThrow();
    expect(() => parseSimulatedConfig({ ...config, network: { ...config.network, testTimeFlips: 3 } })).toThrow(expect.objectContaining({ code: 'XQC_ANOMALY' }));
    expect(() => parseSimulatedConfig({ ...config, network: { ...config.network, halfScale: 1 } })).toThrow(expect.objectContaining({ code: 'XQC_ANOMALY' }));
    expect(() => parseSimulatedConfig({ ...config, training: { ...config.training, averagedSteps: 61 } })).toThrow(expect.objectContaining({ code: 'XQC_ANOMALY' }));
    const card = await readModelCard(join(out, ANOMALY_FILES.card));
    expect(card).toMatchObject({ task: 'anomaly', training: { method: 'simulated', steps: 60, stoppedBy: 'steps' }, metrics: { split: 'test' } });
    const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8'));
    expect(run.seconds.total).toBeGreaterThan(0);

    const detector = await AnomalyDetector.load(out, { input: card.input });
    const { predictions } = await detector.predict([stripes(800, [30, 30, 6]).image]);
    expect(predictions[0].anomalyMap.width).toBe(STRIPES_SIZE);
    const evaluated = await evaluateAnomalyFolder(join(out, ANOMALY_FILES.model), root, 'test');
    expect(evaluated.report.imageAuroc).toBeCloseTo(record.test?.imageAuroc ?? NaN, 6);
    expect(evaluated.fitOverlap.fitted).toBe(0);

    const predictor = await Predictor.load(join(out, ANOMALY_FILES.model));
    const explained = await explainImage(predictor, stripes(801, [20, 20, 6]).image, { methods: ['anomalymap', 'saliency'] });
    expect(explained.summary.target).toMatchObject({ reason: 'anomaly score', of: 'raw_score' });
    for (const e of explained.explanations) expect(e.map.data.some((v) => v !== 0)).toBe(true);

    const tampered = join(dir, 'tampered');
    await cp(out, tampered, { recursive: true });
    const bytes = new Uint8Array(await readFile(join(tampered, SIMULATED_NETWORK_FILE)));
    bytes[bytes.length - 1] ^= 1;
    await writeFile(join(tampered, SIMULATED_NETWORK_FILE), bytes);
    await expect(AnomalyDetector.load(tampered)).rejects.toMatchObject({ code: 'XQC_ANOMALY', message: expect.stringMatching(/network\.onnx does not match/) });
    await writeFile(join(tampered, ANOMALY_FILES.config), JSON.stringify({ ...config, version: 2 }));
    await expect(AnomalyDetector.load(tampered)).rejects.toMatchObject({ code: 'XQC_ANOMALY', message: expect.stringMatching(/version 2 is not supported/) });
  });

  it('takes the good images\' own size as the input, the longer side capped', async () => {
    const root = join(dir, 'wide');
    for (let i = 0; i < 3; i++) await writeAnomalySample(root, { stem: `g${i}`, label: 'good', image: resizeBilinear(stripes(900 + i).image, 96, 40) });
    await writeAnomalySample(root, { stem: 'g3', label: 'good', image: stripes(903).image });
    expect((await simulatedInputSpec(root)).input).toMatchObject({ height: 40, width: 96, resize: 'stretch' });
    const capped = await simulatedInputSpec(root, undefined, 48);
    expect(capped.input).toMatchObject({ height: 20, width: 48 });
    expect(capped.note).toMatch(/scaled to 48x20/);
    expect((await simulatedInputSpec(root, [32, 64])).input).toMatchObject({ height: 32, width: 64 });
    await expect(simulatedInputSpec(root, 4)).rejects.toMatchObject({ code: 'XQC_INVALID_ARGUMENT' });
  });
});
