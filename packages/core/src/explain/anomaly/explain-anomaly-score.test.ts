import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { generateSample } from '../../data/synthetic/generate-sample.ts';
import type { ScalarMap } from '../../image/image.types.ts';
import { uniformRng } from '../../util/random.ts';
import type { ScoredInspection } from './anomaly-features.ts';
import { ANOMALY_FEATURE_NAMES, anomalyFeatures } from './anomaly-features.ts';
import { explainAnomalyScore, fitAnomalySurrogate } from './explain-anomaly-score.ts';
import { predictLinearSurrogate } from './linear-surrogate.ts';

const SIZE = 64;
const GRID = 16;

/**
 * A stand-in for a PatchCore map: per 4x4 patch, 0.3 + 1.7 x (share of defect pixels) plus
 * seeded noise, so the score (the map's maximum) grows with the defect.
 */
function syntheticInspection(seed: number): ScoredInspection & { label: string } {
  const s = generateSample('surface', { seed, width: SIZE, height: SIZE });
  const u = uniformRng(seed + 1000);
  const cell = SIZE / GRID;
  const data = new Float32Array(GRID * GRID);
  for (let gy = 0; gy < GRID; gy++) {
    for (let gx = 0; gx < GRID; gx++) {
      let defect = 0;
      for (let y = 0; y < cell; y++) for (let x = 0; x < cell; x++) defect += s.mask.data[(gy * cell + y) * SIZE + gx * cell + x] > 0 ? 1 : 0;
      data[gy * GRID + gx] = 0.3 + (1.7 * defect) / (cell * cell) + 0.1 * u();
    }
  }
  const anomalyMap: ScalarMap = { width: GRID, height: GRID, data };
  return { image: s.image, anomalyMap, score: Math.max(...data), label: s.label };
}

describe('explainAnomalyScore', () => {
  const validation = Array.from({ length: 40 }, (_, i) => syntheticInspection(i));
  const fitted = fitAnomalySurrogate(validation, 1);

  it('fits the surrogate on validation inspections and reports its held-out R^2', () => {
    expect(fitted.surrogate.featureNames).toEqual([...ANOMALY_FEATURE_NAMES]);
    expect(fitted.surrogate.fit.nTrain + fitted.surrogate.fit.nHoldout).toBe(40);
    expect(fitted.surrogate.fit.r2Holdout).toBeGreaterThan(0.8);
    expect(fitted.background.count).toBe(40);
  });

  it('returns features, phi with base + sum(phi) = f(x), and the waterfall as data and PNG', async () => {
    const target = syntheticInspection(500);
    const e = await explainAnomalyScore({ ...target, pixelThreshold: 1, surrogate: fitted.surrogate, background: fitted.background, score: target.score });
    const f = anomalyFeatures(target.image, target.anomalyMap, 1);
    expect(e.features).toEqual(f.values);
    expect(e.fx).toBeCloseTo(predictLinearSurrogate(fitted.surrogate, f.vector), 12);
    expect(e.base).toBeCloseTo(predictLinearSurrogate(fitted.surrogate, fitted.background.mean), 12);
    const sum = Object.values(e.phi).reduce((a, b) => a + b, 0);
    expect(e.base + sum).toBeCloseTo(e.fx, 12);
    expect(e.score).toBe(target.score);
    expect(e.fit).toEqual(fitted.surrogate.fit);

    const steps = e.waterfall.data.steps;
    expect(steps.map((s) => s.name).sort()).toEqual([...ANOMALY_FEATURE_NAMES].sort());
    for (let i = 1; i < steps.length; i++) {
      expect(Math.abs(steps[i].contribution)).toBeLessThanOrEqual(Math.abs(steps[i - 1].contribution));
      expect(steps[i].start).toBe(steps[i - 1].end);
    }
    expect(steps[0].start).toBe(e.base);
    expect(steps.at(-1)?.end).toBeCloseTo(e.fx, 12);
    expect(e.waterfall.svg).toContain('held-out R² = ');
    expect(e.waterfall.svg).toContain('Defect area = ');
    const meta = await sharp(e.waterfall.png).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width).toBe(760);
  });

  it('attributes a high score to the patch distances of a defective image', async () => {
    const defective = Array.from({ length: 30 }, (_, i) => syntheticInspection(600 + i)).find((s) => s.label !== 'good' && s.score > 1.2);
    expect(defective).toBeDefined();
    const e = await explainAnomalyScore({ ...defective!, pixelThreshold: 1, surrogate: fitted.surrogate, background: fitted.background });
    expect(e.fx).toBeGreaterThan(e.base);
    const top = e.waterfall.data.steps[0];
    expect(['maxPatchDistance', 'meanPatchDistance', 'defectArea']).toContain(top.name);
    expect(top.contribution).toBeGreaterThan(0);
  });

  it('rejects a surrogate or background over other features', async () => {
    const target = validation[0];
    const other = { ...fitted.surrogate, featureNames: ['a', 'b'] };
    await expect(explainAnomalyScore({ ...target, pixelThreshold: 1, surrogate: other, background: fitted.background })).rejects.toMatchObject({ code: 'XQC_SHAPE_MISMATCH' });
    const bg = { ...fitted.background, mean: [1, 2, 3] };
    await expect(explainAnomalyScore({ ...target, pixelThreshold: 1, surrogate: fitted.surrogate, background: bg })).rejects.toMatchObject({ code: 'XQC_SHAPE_MISMATCH' });
  });

  it('needs enough validation inspections to fit', () => {
    expect(() => fitAnomalySurrogate(validation.slice(0, 8), 1)).toThrow(expect.objectContaining({ code: 'XQC_EXPLAIN' }));
  });
});
