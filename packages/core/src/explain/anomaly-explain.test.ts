/**
 * The shipped anomaly detector (models/surface-anomaly, a U-Net trained on simulated
 * defects; its raw score is the mean of the largest smoothed defect probabilities)
 * explained like any other model: gradients of its anomaly score checked by finite
 * differences and by Integrated Gradients completeness, and explainImage end to end with
 * the anomaly map as a method. PatchCore's export is checked the same way in
 * test/anomaly-score-gradient.test.ts.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { Predictor } from '../models/predictor.ts';
import { tensor } from '../onnx/tensor.ts';
import type { Tensor } from '../onnx/tensor.ts';
import { explainImage } from './explain-image.ts';
import { anomalyTarget } from './image-target.ts';
import { integratedGradients } from './methods/integrated-gradients.ts';
import { ModelFunction } from './model-function.ts';
import { spatialLayers } from '../onnx/spatial-layers.ts';
import { scratchedSurface as surface } from '../testing/scratched-surface.ts';

const MODEL = fileURLToPath(new URL('../../../../models/surface-anomaly/model.onnx', import.meta.url));
/** The raw image score at the reject threshold (raw_score >= it rejects), from the detector's anomaly.json. */
const RAW_THRESHOLD = (JSON.parse(readFileSync(new URL('../../../../models/surface-anomaly/anomaly.json', import.meta.url), 'utf8')) as { thresholds: { image: { value: number } } }).thresholds.image.value;

let predictor: Predictor;
let f: ModelFunction;
let x: Tensor<'float32'>;

beforeAll(async () => {
  predictor = await Predictor.load(MODEL);
  const target = anomalyTarget(predictor.model.graph.outputs.map((o) => o.name), predictor.outputName);
  f = ModelFunction.create(predictor.model, { input: predictor.inputName, target: target.target });
  x = predictor.prepare([surface(20)]).tensor;
});

describe('gradients of the shipped anomaly detector', () => {
  it('explains raw_score, whose derivative along the gradient matches central differences within 1%', async () => {
    expect(f.target.of).toBe('raw_score');
    const { grad, values } = await f.gradients(x);
    const norm = Math.sqrt(grad.reduce((s, g) => s + g * g, 0));
    expect(norm).toBeGreaterThan(0);
    const h = 0.03;
    const both = new Float32Array(2 * x.data.length);
    for (let i = 0; i < x.data.length; i++) {
      both[i] = x.data[i] + (h * grad[i]) / norm;
      both[x.data.length + i] = x.data[i] - (h * grad[i]) / norm;
    }
    const [plus, minus] = await f.values(tensor('float32', [2, 3, 64, 64], both));
    // The scratch is rejected: the raw score lies above the reject threshold.
    expect(values[0]).toBeGreaterThan(RAW_THRESHOLD);
    expect(Math.abs((plus - minus) / (2 * h) - norm) / norm).toBeLessThan(0.01);
  });

  it('satisfies Integrated Gradients completeness: sum of attributions = f(x) - f(baseline) within 1% at 128 steps', async () => {
    // The defect probability switches from pass to reject within a short stretch of the path, so the
    // Riemann sum needs more steps than a smooth score would (measured: 12% at 32 steps, 2.4% at 64, 0.41% at 128).
    // Baseline: the same surface without the scratch, so the path changes only what the detector should notice.
    const clean = predictor.prepare([surface()]).tensor;
    const at = (steps: number) => integratedGradients.explain({ x, f, seed: 0 }, { steps, baseline: clean });
    const coarse = await at(64);
    const fine = await at(128);
    const e = fine.extras as { score: number; baselineScore: number; attributionSum: number; completenessError: number; relativeCompletenessError: number };
    // The path runs from a surface the detector passes to one it rejects.
    expect(e.baselineScore).toBeLessThan(RAW_THRESHOLD);
    expect(e.score).toBeGreaterThan(RAW_THRESHOLD);
    expect(Math.abs(e.attributionSum - (e.score - e.baselineScore))).toBeCloseTo(e.completenessError, 6);
    expect(e.relativeCompletenessError).toBeLessThan(0.01);
    expect(e.completenessError).toBeLessThan((coarse.extras as { completenessError: number }).completenessError);
  });
});

describe('explainImage on the shipped anomaly detector', () => {
  it('offers the anomaly map as a method and states the verdict with the anomaly score', async () => {
    const r = await explainImage(predictor, surface(20), { methods: ['anomalymap', 'gradcam', 'saliency'] });
    const s = r.summary;
    expect(s.decision).toMatchObject({ verdict: 'reject', label: 'anomaly', scoreKind: 'anomaly score', threshold: 0.5, calibrated: false });
    expect(s.decision?.text).toMatch(/^REJECT: anomaly score 1\.000 \(a normalised distance, not a probability\)/);
    expect(s.target).toMatchObject({ of: 'raw_score', reason: 'anomaly score' });
    // A detector trained on simulated defects names no backbone layers: Grad-CAM takes the last spatial activation before the score.
    expect(s.layer).toBe(spatialLayers(predictor.model, 'raw_score', [1, 3, 64, 64]).at(-1));
    const map = r.maps.anomalymap;
    expect(Math.max(...map.data)).toBeLessThanOrEqual(1);
    // The anomaly map and the gradient maps are higher around the scratch (rows 30..32, columns 14..43) than elsewhere.
    const near = (i: number): boolean => Math.abs(Math.floor(i / 64) - 31) <= 4 && i % 64 >= 10 && i % 64 < 48;
    for (const name of ['anomalymap', 'saliency']) {
      const m = r.maps[name].data;
      let inside = 0;
      let outside = 0;
      let n = 0;
      m.forEach((v, i) => (near(i) ? ((inside += v), n++) : (outside += v)));
      expect(inside / n, name).toBeGreaterThan(1.5 * (outside / (m.length - n)));
    }
    // The thresholded anomaly map is the predicted mask drawn on the montage.
    expect(r.overlay.mask?.data.some((v) => v === 1)).toBe(true);
    expect(s.consensus?.methods).toEqual(['anomalymap', 'gradcam', 'saliency']);
  });
});
