import { describe, expect, it } from 'vitest';
import { saveModel } from '../../onnx/model-io.ts';
import { createSession } from '../../runtime/session.ts';
import { emptyModel } from '../../testing/model-factory.ts';
import { tensor } from '../../onnx/tensor.ts';
import { compactResNet } from '../../train/zoo/compact-resnet.ts';
import type { InputSpec } from '../card.ts';
import { preprocess } from '../preprocess.ts';
import { AnomalyDetector } from './detector.ts';
import { buildDetectorModel } from './export-onnx.ts';
import { fitPatchCore } from './fit.ts';
import type { FitResult } from './fit.ts';
import { stripes, STRIPES_SIZE as S } from './stripes.test-helper.ts';

const INPUT: InputSpec = { height: S, width: S, resize: 'stretch', layout: 'NCHW', color: 'rgb', mean: [0.5], std: [0.25] };

async function fitStripes(): Promise<FitResult> {
  // Two stages (strides 2 and 4): fine patches, enough to place a 12 px defect with random weights.
  const zoo = compactResNet({ numClasses: 2, width: 8, depth: 2, inputSize: S, seed: 1 });
  return fitPatchCore(
    {
      train: Array.from({ length: 24 }, (_, i) => stripes(i).image),
      validation: { good: Array.from({ length: 8 }, (_, i) => stripes(100 + i).image), defects: [] },
    },
    { backbone: zoo.model, backboneSha256: 'a'.repeat(64), backboneSource: 'compact.onnx', input: INPUT },
  );
}

describe('PatchCore on a striped texture', () => {
  let fit: FitResult;

  it('fits a bank of 10 % of the patches with thresholds from the good validation images', async () => {
    fit = await fitStripes();
    const c = fit.config;
    expect(c.backbone.layers.map((l) => l.name)).toEqual(['layer1.1.relu', 'layer2.1.relu']);
    expect(c.features.grid).toEqual([32, 32]);
    expect(c.bank.sourcePatches).toBe(24 * 1024);
    expect(c.bank.size).toBe(Math.round(0.1 * 24 * 1024));
    expect(c.thresholds.image.source).toBe('good-quantile');
    expect(c.thresholds.image.value).toBeGreaterThanOrEqual(Math.min(...fit.validation.goodScores));
    expect(c.thresholds.image.warnings[0]).toMatch(/only 8 good validation/);
    expect(c.normalisation.image.threshold).toBe(c.thresholds.image.value);
  });

  it('finds a defect pasted on a good image where it was pasted', async () => {
    const detector = await AnomalyDetector.create(fit.config, fit.featureModel, fit.bank);
    const spots: [number, number, number][] = [
      [40, 20, 6],
      [15, 45, 6],
    ];
    const defects = spots.map((s, i) => stripes(300 + i, s).image);
    const goods = [stripes(400).image, stripes(401).image, stripes(402).image];
    const { predictions } = await detector.predict([...defects, ...goods]);
    // Locate on the raw map: the normalised one is clipped at 1 over the whole defect.
    const raw = await detector.scoreImages(defects);
    const maxGood = Math.max(...predictions.slice(2).map((p) => p.rawScore));
    spots.forEach(([cx, cy, r], i) => {
      const p = predictions[i];
      expect(p.rawScore).toBeGreaterThan(maxGood);
      expect(p.verdict).toBe('reject');
      const map = raw.maps[i];
      let best = 0;
      for (let k = 1; k < map.length; k++) if (map[k] > map[best]) best = k;
      expect(Math.hypot((best % S) - cx, Math.floor(best / S) - cy)).toBeLessThanOrEqual(r);
      const [x0, y0, x1, y1] = p.findings[0].box as number[];
      expect(x0 <= cx && cx < x1 && y0 <= cy && cy < y1).toBe(true);
      expect(p.findings[0].area).toBeLessThan((S * S) / 4);
    });
  });

  it('exports one ONNX graph whose score, map and raw score match the TypeScript pipeline (reweighted and max)', async () => {
    const images = [stripes(500, [30, 30, 5]).image, stripes(501).image];
    const x = preprocess(images, fit.config.input).tensor;
    for (const imageScore of ['reweighted', 'max'] as const) {
      const config = { ...fit.config, scoring: { ...fit.config.scoring, imageScore } };
      const detector = await AnomalyDetector.create(config, fit.featureModel, fit.bank);
      const raw = await detector.scoreImages(images);
      const out = await (await createSession(saveModel(buildDetectorModel(fit.featureModel, fit.bank, config)))).run({ input: x });
      expect(out.anomaly_map.dims).toEqual([2, 1, S, S]);
      const map = out.anomaly_map.data as Float32Array;
      for (let i = 0; i < 2; i++) {
        expect(out.raw_score.data[i]).toBeCloseTo(raw.scores[i], 4);
        expect(out.score.data[i]).toBeCloseTo(detector.normaliseScore(raw.scores[i]), 4);
        const want = detector.normaliseMap(raw.maps[i]);
        let worst = 0;
        for (let p = 0; p < S * S; p++) worst = Math.max(worst, Math.abs(map[i * S * S + p] - want[p]));
        expect(worst).toBeLessThan(1e-4);
      }
      if (imageScore === 'max') expect(raw.scores[0]).toBeCloseTo(Math.max(...raw.patchScores.subarray(0, 1024)), 6);
    }
  });

  it('refuses a backbone without a spatial layer and an empty training set with codes', async () => {
    const { model, b } = emptyModel([{ name: 'input', dtype: 'float32', shape: ['N', 3, S, S] }]);
    const flat = b.op1('Flatten', ['input'], { axis: 1 });
    b.op('Gemm', [flat, b.constant(tensor('float32', [3 * S * S, 2], new Float32Array(3 * S * S * 2)))], {}, { outputNames: ['logits'] });
    model.graph.outputs = [{ name: 'logits', dtype: 'float32', shape: ['N', 2] }];
    const data = { train: [stripes(1).image], validation: { good: [stripes(2).image], defects: [] } };
    const opts = { backbone: model, backboneSha256: 'a'.repeat(64), backboneSource: 'mlp.onnx', input: INPUT };
    await expect(fitPatchCore(data, opts)).rejects.toMatchObject({ code: 'XQC_ANOMALY' });
    await expect(fitPatchCore({ ...data, train: [] }, opts)).rejects.toMatchObject({ code: 'XQC_DATASET_INVALID' });
  });
});
