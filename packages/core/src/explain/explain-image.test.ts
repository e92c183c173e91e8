import { describe, expect, it } from 'vitest';
import { isXqcError } from '../errors.ts';
import { createImage } from '../image/image.types.ts';
import type { ImageU8 } from '../image/image.types.ts';
import { parseModelCard } from '../models/card.ts';
import { Predictor } from '../models/predictor.ts';
import { tensor } from '../onnx/tensor.ts';
import { linearModel, regionModel } from '../testing/explain-models.ts';
import { emptyModel } from '../testing/model-factory.ts';
import { compactResNet } from '../train/zoo/compact-resnet.ts';
import { uniformRng } from '../util/random.ts';
import { explainImage, jsonSafe } from './explain-image.ts';

function randomImage(width: number, height: number, seed: number): ImageU8 {
  const u = uniformRng(seed);
  return createImage(width, height, 3, Uint8Array.from({ length: width * height * 3 }, () => Math.floor(u() * 256)));
}

const zoo = compactResNet({ numClasses: 3, width: 4, depth: 2, inputSize: 32, seed: 3 });
const classifier = new Predictor(zoo.model, parseModelCard({ name: 'tiny', task: 'classify', labels: ['good', 'scratch', 'dent'], input: { height: 32, width: 32, mean: [0.5], std: [0.25] } }));
const image = randomImage(48, 40, 1);
// A defect box in the original image's pixels.
const mask = { width: 48, height: 40, data: Uint8Array.from({ length: 48 * 40 }, (_, i) => (i % 48 >= 10 && i % 48 < 30 && Math.floor(i / 48) >= 8 && Math.floor(i / 48) < 24 ? 1 : 0)) };

describe('explainImage on a classifier', () => {
  it('runs every requested method, maps back to the original size and reports quality against the mask', async () => {
    const r = await explainImage(classifier, image, {
      methods: ['gradcam', 'ig', 'occlusion', 'rise', 'lime', 'kernelshap'],
      seed: 5,
      mask,
      curves: true,
      params: { ig: { steps: 8 }, rise: { masks: 64 }, lime: { samples: 80 }, kernelshap: { samples: 80 }, occlusion: { window: 8, stride: 8 } },
      superpixels: { nSegments: 16 },
    });
    const s = r.summary;
    expect(s.methods.map((m) => m.method)).toEqual(['gradcam', 'ig', 'occlusion', 'rise', 'lime', 'kernelshap']);
    for (const name of Object.keys(r.maps)) {
      expect([r.maps[name].width, r.maps[name].height]).toEqual([48, 40]);
      expect([r.modelMaps[name].width, r.modelMaps[name].height]).toEqual([32, 32]);
    }
    expect(s.layer).toBe(zoo.lastSpatial);
    expect(s.target.of).toBe(classifier.outputName);
    expect(['predicted', 'top defect']).toContain(s.target.reason);
    expect(s.target.index).toBeGreaterThan(0);
    expect(s.target.label).toBe(['good', 'scratch', 'dent'][s.target.index]);
    // The target score is the chosen logit of the model's own forward pass.
    const logits = (await classifier.forward(classifier.prepare([image]).tensor)).data as Float32Array;
    expect(s.target.score).toBeCloseTo(logits[s.target.index], 4);
    expect(s.superpixels?.count).toBeGreaterThan(8);
    for (const m of s.methods) {
      expect(m.runtimeMs).toBeGreaterThan(0);
      expect(m.quality?.energyInMask).toBeGreaterThanOrEqual(0);
      expect(typeof m.quality?.pointingHit).toBe('boolean');
      expect(Number.isFinite(m.quality?.deletionAuc)).toBe(true);
      expect(Number.isFinite(m.quality?.insertionAuc)).toBe(true);
      expect(m.agreement).toBeGreaterThanOrEqual(0);
    }
    const byName = Object.fromEntries(s.methods.map((m) => [m.method, m]));
    expect(byName.ig.completenessError).toBeGreaterThanOrEqual(0);
    expect(byName.kernelshap.completenessError).toBeLessThan(1e-3);
    expect(byName.gradcam.completenessError).toBeUndefined();
    expect(byName.ig.params.normalize).toEqual({ mean: [0.5], std: [0.25] });
    expect(byName.lime.params.superpixels).toBe('given');
    expect(s.consensus?.score).toBeGreaterThanOrEqual(0);
    expect(r.consensusMap?.width).toBe(48);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });

  it('explains a given class and is reproducible for a seed', async () => {
    const opts = { methods: ['lime'], target: 0, seed: 2, params: { lime: { samples: 40 } }, superpixels: { nSegments: 9 } };
    const a = await explainImage(classifier, image, opts);
    const b = await explainImage(classifier, image, opts);
    expect(a.summary.target).toMatchObject({ index: 0, label: 'good', reason: 'given' });
    expect(Array.from(a.maps.lime.data)).toEqual(Array.from(b.maps.lime.data));
    expect(a.summary.consensus).toBeUndefined();
    expect(a.summary.methods[0].quality).toBeUndefined();
  });

  it('rejects unknown or repeated methods and targets out of range', async () => {
    const unknown = await explainImage(classifier, image, { methods: ['lrp'] }).catch((e: unknown) => e);
    expect(isXqcError(unknown, 'XQC_EXPLAIN')).toBe(true);
    const twice = await explainImage(classifier, image, { methods: ['rise', 'rise'] }).catch((e: unknown) => e);
    expect(isXqcError(twice, 'XQC_INVALID_ARGUMENT')).toBe(true);
    const none = await explainImage(classifier, image, { methods: [] }).catch((e: unknown) => e);
    expect(isXqcError(none, 'XQC_INVALID_ARGUMENT')).toBe(true);
    const range = await explainImage(classifier, image, { methods: ['saliency'], target: 3 }).catch((e: unknown) => e);
    expect(isXqcError(range, 'XQC_EXPLAIN')).toBe(true);
  });
});

describe('explainImage on other tasks', () => {
  it('explains the predicted region of a segmenter', async () => {
    // logits = 1x1 conv: class 1 where the red channel exceeds the blue one.
    const { model, b } = emptyModel([{ name: 'x', dtype: 'float32', shape: ['N', 3, 16, 16] }]);
    b.op('Conv', ['x', b.constant(tensor('float32', [2, 3, 1, 1], [-1, 0, 1, 1, 0, -1]), 'w')], {}, { outputNames: ['logits'] });
    model.graph.outputs = [{ name: 'logits', dtype: 'float32', shape: ['N', 2, 16, 16] }];
    const seg = new Predictor(model, parseModelCard({ task: 'segment', labels: ['background', 'rust'], input: { height: 16, width: 16 } }));
    const img = createImage(16, 16, 3);
    for (let i = 0; i < 256; i++) img.data.set(i % 16 < 5 ? [250, 0, 0] : [0, 0, 250], i * 3);
    const r = await explainImage(seg, img, { methods: ['saliency', 'occlusion'], params: { occlusion: { window: 2 } } });
    expect(r.summary.target).toMatchObject({ index: 1, label: 'rust', reason: 'predicted', regionPixels: 80 });
    expect(r.summary.prediction?.findings[0]).toMatchObject({ label: 'rust', area: 80 });
    expect(r.summary.target.description).toMatch(/predicted region/);
    // Only the red columns contribute to the region's logits.
    for (let i = 0; i < 256; i++) if (i % 16 >= 6) expect(r.maps.saliency.data[i]).toBe(0);
  });

  it('explains the score of an anomaly scorer that is not an exported detector', async () => {
    const regionMask = Array.from({ length: 64 }, (_, i) => (i % 8 < 4 ? 1 : 0));
    const scorer = new Predictor(regionModel({ channels: 3, height: 8, width: 8 }, regionMask, 3, 1), parseModelCard({ task: 'anomaly', labels: ['score'], input: { height: 8, width: 8 } }));
    const r = await explainImage(scorer, randomImage(8, 8, 4), { methods: ['gradcam', 'rise'], params: { rise: { masks: 32 } } });
    expect(r.summary.target).toMatchObject({ index: 0, reason: 'anomaly score', of: 'y' });
    expect(r.summary.prediction).toBeUndefined();
    expect(r.summary.decision).toBeUndefined();
    expect(r.summary.layer).toBe('feat');
    const noMap = await explainImage(scorer, randomImage(8, 8, 4), { methods: ['anomalymap'] }).catch((e: unknown) => e);
    expect(noMap).toMatchObject({ code: 'XQC_EXPLAIN', message: expect.stringMatching(/needs an anomaly detector with a 'anomaly_map' output; this model's outputs are y/) });
  });
});

describe('explainImage states the decision and refuses bad requests', () => {
  it('states verdict, probabilities and calibration, and records the source', async () => {
    const calibrated = new Predictor(zoo.model, parseModelCard({ ...classifier.card, calibration: { temperature: 2 } }));
    const source = { image: { path: 'part.png', sha256: 'ab'.repeat(32), width: 96, height: 80 }, model: { path: 'model.onnx', sha256: 'cd'.repeat(32) } };
    const r = await explainImage(calibrated, image, { methods: ['saliency'], source });
    const d = r.summary.decision;
    expect(d?.scoreKind).toBe('defect probability');
    expect(d?.calibrated).toBe(true);
    expect(d?.temperature).toBe(2);
    expect(Object.keys(d?.probabilities ?? {})).toEqual(['good', 'scratch', 'dent']);
    expect(d?.score).toBeCloseTo(1 - (d?.probabilities?.good ?? 0), 6);
    expect(d?.text).toMatch(/^(PASS|REJECT) \(.+\): P\(defect\) 0\.\d{3}, calibrated \(T 2\.00\); reject at >= 0\.5$/);
    expect(r.summary.model).toMatchObject({ name: 'tiny', path: 'model.onnx', sha256: 'cd'.repeat(32) });
    expect(r.summary.image).toMatchObject({ path: 'part.png', width: 48, height: 40, original: { width: 96, height: 80 } });
    const plain = await explainImage(classifier, image, { methods: ['saliency'] });
    expect(plain.summary.decision?.calibrated).toBe(false);
    expect(plain.summary.decision?.text).toMatch(/uncalibrated softmax/);
  });

  it('flags a degenerate map and leaves it out of the aggregate and the consensus', async () => {
    const w = Float32Array.from({ length: 3 * 64 }, (_, i) => ((i % 64) % 8 < 4 ? 1 : 0));
    const linear = new Predictor(linearModel({ channels: 3, height: 8, width: 8 }, w), parseModelCard({ task: 'anomaly', labels: ['score'], input: { height: 8, width: 8 } }));
    // One occlusion window over the whole image: every pixel gets the same drop.
    const r = await explainImage(linear, randomImage(8, 8, 6), { methods: ['saliency', 'occlusion', 'rise'], params: { occlusion: { window: 8 }, rise: { masks: 64 } } });
    const byName = Object.fromEntries(r.summary.methods.map((m) => [m.method, m]));
    expect(byName.occlusion.degenerate?.reason).toMatch(/^(constant|all-zero)$/);
    expect(byName.occlusion.agreement).toBeUndefined();
    expect(byName.saliency.degenerate).toBeUndefined();
    expect(byName.saliency.agreement).toBeGreaterThan(0);
    expect(r.summary.consensus).toMatchObject({ methods: ['saliency', 'rise'], excluded: ['occlusion'] });
    const alone = await explainImage(linear, randomImage(8, 8, 6), { methods: ['saliency', 'occlusion'], params: { occlusion: { window: 8 } } });
    expect(alone.summary.consensus).toBeUndefined();
    expect(alone.consensusMap).toBeUndefined();
  });

  it('refuses a mask of another size, undeclared parameters and parameters of unrequested methods', async () => {
    const small = { width: 24, height: 20, data: new Uint8Array(480) };
    await expect(explainImage(classifier, image, { methods: ['saliency'], mask: small })).rejects.toMatchObject({
      code: 'XQC_SHAPE_MISMATCH',
      message: 'the mask is 24x20; the image is 48x40: give a mask of the image\'s size',
    });
    await expect(explainImage(classifier, image, { methods: ['ig'], params: { ig: { step: 4 } } })).rejects.toMatchObject({
      code: 'XQC_INVALID_ARGUMENT',
      message: expect.stringMatching(/unknown parameter 'step' for method ig; its parameters are baseline, .*steps/),
    });
    await expect(explainImage(classifier, image, { methods: ['ig'], params: { lime: { samples: 4 } } })).rejects.toMatchObject({
      message: "parameters are given for method 'lime', which is not requested (ig)",
    });
  });
});

describe('jsonSafe', () => {
  it('turns typed arrays into arrays and non-finite numbers into null', () => {
    expect(jsonSafe({ a: Float32Array.of(1, 2), b: NaN, c: [Infinity, 1], d: undefined, e: { f: Int32Array.of(3) } })).toEqual({ a: [1, 2], b: null, c: [null, 1], e: { f: [3] } });
  });
});
