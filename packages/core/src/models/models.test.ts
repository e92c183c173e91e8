import { describe, expect, it } from 'vitest';
import { createImage } from '../image/image.types.ts';
import { tensor } from '../onnx/tensor.ts';
import { emptyModel } from '../testing/model-factory.ts';
import { parseModelCard, parseModelCardYaml, modelCardToYaml } from './card.ts';
import { findRegions, maskToRle, rleToMask } from './components.ts';
import { postprocessClassify } from './tasks/classify.ts';
import { Predictor } from './predictor.ts';
import { fitImage, fitMask } from './preprocess.ts';
import { postprocessSegment } from './tasks/segment.ts';
import { gradeSeverity } from './severity.ts';

const classifierCard = parseModelCard({ task: 'classify', labels: ['good', 'scratch', 'hole'], input: { height: 8, width: 8 } });

describe('model card', () => {
  it('fills defaults and round-trips through YAML', () => {
    expect(classifierCard.goodLabels).toEqual(['good']);
    expect(classifierCard.input).toMatchObject({ height: 8, width: 8, color: 'rgb', resize: 'stretch', mean: [0], std: [1] });
    expect(parseModelCardYaml(modelCardToYaml(classifierCard))).toEqual(classifierCard);
  });
  it('rejects bad fields with a coded error naming them', () => {
    expect(() => parseModelCard({ task: 'nope', labels: ['a'] })).toThrow(/task must be one of/);
    expect(() => parseModelCard({ task: 'classify', labels: [] })).toThrow(/labels/);
    expect(() => parseModelCard({ task: 'classify', labels: ['a'], input: { std: [0] } })).toThrow(/input\/std\/0 must be > 0/);
    expect(() => parseModelCardYaml('task: [')).toThrow(/not valid YAML/);
  });
});

describe('connected components and RLE', () => {
  it('finds 8-connected regions with boxes and areas', () => {
    // Two regions of label 1 (one diagonal pair is connected), one of label 2.
    const m = [
      1, 0, 0, 2,
      0, 1, 0, 2,
      0, 0, 0, 0,
      1, 1, 0, 0,
    ];
    const cc = findRegions(m, 4, 4);
    expect(cc.map((c) => [c.label, c.area, c.box])).toEqual([
      [1, 2, [0, 0, 2, 2]],
      [2, 2, [3, 0, 4, 2]],
      [1, 2, [0, 3, 2, 4]],
    ]);
    expect(findRegions(m, 4, 4, 3)).toHaveLength(0);
  });
  it('RLE is column-major starting with zeros and decodes back', () => {
    const m = [0, 1, 1, 1, 0, 0];
    const rle = maskToRle(m, 3, 2);
    // Column-major order reads 0,1 | 1,0 | 1,0.
    expect(rle).toEqual({ size: [2, 3], counts: [1, 2, 1, 1, 1] });
    expect(Array.from(rleToMask(rle))).toEqual(m);
  });
});

describe('classification postprocessing', () => {
  it('softmax, verdict from the defect probability, temperature', () => {
    const logits = tensor('float32', [2, 3], [3, 0, 0, 0, 2, 1]);
    const [a, b] = postprocessClassify(logits, classifierCard);
    expect(a.verdict).toBe('pass');
    expect(a.label).toBe('good');
    expect(a.probabilities.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 6);
    expect(b.verdict).toBe('reject');
    expect(b.findings[0]).toMatchObject({ label: 'scratch' });
    const hot = postprocessClassify(logits, { ...classifierCard, calibration: { temperature: 2 } })[1];
    expect(hot.score).toBeLessThan(b.score);
  });
  it('severity takes the first matching rule', () => {
    const rules = [{ severity: 'critical' as const, labels: ['hole'] }, { severity: 'major' as const, minScore: 0.9 }];
    expect(gradeSeverity({ label: 'hole', areaFraction: 0.1, score: 0.1 }, rules)).toBe('critical');
    expect(gradeSeverity({ label: 'scratch', areaFraction: 0.1, score: 0.95 }, rules)).toBe('major');
    expect(gradeSeverity({ label: 'scratch', areaFraction: 0.1, score: 0.5 }, rules)).toBe('minor');
  });
});

describe('segmentation postprocessing', () => {
  it('reports a defect region with its box in original pixels', () => {
    const card = parseModelCard({ task: 'segment', labels: ['background', 'crack'], input: { height: 8, width: 8 } });
    const h = 8;
    const w = 8;
    const data = new Float32Array(2 * h * w);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const inside = x >= 2 && x < 5 && y >= 1 && y < 3;
      data[y * w + x] = inside ? 0 : 4;
      data[h * w + y * w + x] = inside ? 4 : 0;
    }
    // The original image was 16x16, stretched to 8x8.
    const p = { width: 16, height: 16, offsetX: 0, offsetY: 0, innerWidth: 8, innerHeight: 8 };
    const [pred] = postprocessSegment(tensor('float32', [1, 2, h, w], data), card, [p]);
    expect(pred.verdict).toBe('reject');
    expect(pred.findings).toHaveLength(1);
    expect(pred.findings[0]).toMatchObject({ label: 'crack', box: [4, 2, 10, 6], area: 24 });
    // softmax([0, 4])[1] = 1 / (1 + e^-4).
    expect(pred.findings[0].score).toBeCloseTo(1 / (1 + Math.exp(-4)), 5);
    expect(pred.mask?.width).toBe(16);
  });
});

describe('Predictor', () => {
  it('runs a model end to end from image to verdict', async () => {
    // logits = [mean(R), mean(G)] per image: a red image is "good", a green one "defect".
    const { model, b } = emptyModel([{ name: 'input', dtype: 'float32', shape: ['N', 3, 8, 8] }]);
    const pooled = b.op1('GlobalAveragePool', ['input']);
    const flat = b.op1('Flatten', [pooled], { axis: 1 });
    const logits = b.op1('Slice', [flat, b.int64s([0]), b.int64s([2]), b.int64s([1])]);
    b.op('Mul', [logits, b.scalar(10, 'float32')], {}, { outputNames: ['logits'] });
    model.graph.outputs = [{ name: 'logits', dtype: 'float32', shape: ['N', 2] }];
    const card = parseModelCard({ task: 'classify', labels: ['good', 'defect'], input: { height: 8, width: 8 } });
    const p = new Predictor(model, card);
    const red = createImage(20, 10, 3, new Uint8Array(600).map((_, i) => (i % 3 === 0 ? 255 : 0)));
    const green = createImage(20, 10, 3, new Uint8Array(600).map((_, i) => (i % 3 === 1 ? 255 : 0)));
    const { predictions } = await p.predict([red, green, red], 2);
    expect(predictions.map((x) => x.verdict)).toEqual(['pass', 'reject', 'pass']);
    expect(predictions[1].defectProbability).toBeGreaterThan(0.99);
  });
  it('a card whose colour disagrees with the model input is a coded error', () => {
    const { model } = emptyModel([{ name: 'input', dtype: 'float32', shape: ['N', 3, 8, 8] }]);
    model.graph.nodes.push({ name: 'id', opType: 'Identity', domain: '', inputs: ['input'], outputs: ['out'], attributes: {} });
    model.graph.outputs = [{ name: 'out' }];
    const card = parseModelCard({ task: 'classify', labels: ['a', 'b'], input: { color: 'gray' } });
    expect(() => new Predictor(model, card)).toThrow(/channels/);
  });
});

describe('fitMask', () => {
  it('places a mask where its image went, nearest neighbour, padding filled', () => {
    const spec = parseModelCard({ task: 'segment', labels: ['bg', 'crack'], input: { height: 8, width: 8, resize: 'letterbox' } }).input;
    // A 4 x 2 image letterboxed into 8 x 8 lands in rows 2..5 at scale 2.
    const { placement } = fitImage(createImage(4, 2, 3), spec);
    expect(placement).toMatchObject({ offsetX: 0, offsetY: 2, innerWidth: 8, innerHeight: 4 });
    const mask = { width: 4, height: 2, channels: 1 as const, data: Uint8Array.from([1, 0, 0, 2, 0, 0, 3, 0]) };
    const placed = fitMask(mask, placement, spec, 255);
    expect(Array.from(placed.subarray(0, 16))).toEqual(new Array(16).fill(255));
    expect(Array.from(placed.subarray(16, 24))).toEqual([1, 1, 0, 0, 0, 0, 2, 2]);
    expect(Array.from(placed.subarray(32, 40))).toEqual([0, 0, 0, 0, 3, 3, 0, 0]);
    expect(Array.from(placed.subarray(48, 64))).toEqual(new Array(16).fill(255));
    expect(() => fitMask({ ...mask, width: 2, height: 4 }, placement, spec)).toThrow(/mask is 2x4, its image is 4x2/);
  });
});
