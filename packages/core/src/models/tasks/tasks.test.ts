import { describe, expect, it } from 'vitest';
import { createImage } from '../../image/image.types.ts';
import type { Model } from '../../onnx/ir.ts';
import { tensor } from '../../onnx/tensor.ts';
import { emptyModel } from '../../testing/model-factory.ts';
import { parseModelCard } from '../card.ts';
import { TASKS } from '../card.schema.ts';
import { rleToMask } from '../components.ts';
import { Predictor } from '../predictor.ts';
import type { Placement } from '../preprocess.ts';
import { gradeSeverity } from '../severity.ts';
import { TASK_ADAPTERS, mergeRegions, postprocessSegment, taskAdapter } from './index.ts';

const LABELS = ['background', 'crack', 'spot'];

/** Logits [1, K, h, w] that pick class `classes[p]` at pixel p with logit 5 (others 0). */
function logitsOf(classes: readonly number[], w: number, h: number, k = LABELS.length) {
  const data = new Float32Array(k * w * h);
  classes.forEach((c, p) => (data[c * w * h + p] = 5));
  return tensor('float32', [1, k, h, w], data);
}

/** A class map from rows of characters: '.' background, 'c' crack, 's' spot. */
function classMap(rows: string[]): { classes: number[]; w: number; h: number } {
  const code: Record<string, number> = { '.': 0, c: 1, s: 2 };
  return { classes: rows.flatMap((r) => [...r].map((ch) => code[ch])), w: rows[0].length, h: rows.length };
}

const stretch = (w: number, h: number, ow = w, oh = h): Placement => ({ width: ow, height: oh, offsetX: 0, offsetY: 0, innerWidth: w, innerHeight: h });

// A crack seen in three fragments one background pixel apart (one fragment has spot pixels
// in it), and a separate spot far away.
const CRACK = classMap([
  '................',
  '.ccc.cccs.ccc...',
  '.ccc.ccss.ccc...',
  '................',
  '................',
  '................',
  '................',
  '................',
  '................',
  '................',
  '................',
  '...........sss..',
  '...........sss..',
  '...........sss..',
  '................',
  '................',
]);

describe('mergeRegions', () => {
  it('joins fragments separated by at most the gap, and only those', () => {
    const row = [1, 1, 0, 1, 0, 0, 1];
    expect(mergeRegions(row, 7, 1, 0).count).toBe(3);
    expect(mergeRegions(row, 7, 1, 1).count).toBe(2);
    expect(mergeRegions(row, 7, 1, 2).count).toBe(1);
    // Diagonal neighbours are one region already at gap 0 (8-connectivity).
    expect(mergeRegions([1, 0, 0, 1], 2, 2, 0).count).toBe(1);
    const { ids } = mergeRegions(row, 7, 1, 1);
    expect(Array.from(ids)).toEqual([0, 0, -1, 0, -1, -1, 1]);
    expect(() => mergeRegions(row, 7, 1, -1)).toThrow(/non-negative integer/);
  });
});

describe('segmenter findings', () => {
  const card = parseModelCard({ task: 'segment', labels: LABELS, input: { height: 16, width: 16 }, thresholds: { mergeGapPixels: 1, minAreaPixels: 4 } });

  it('reports one finding per defect: fragments merged, class by majority, score and severity from its pixels', () => {
    const [pred] = postprocessSegment(logitsOf(CRACK.classes, 16, 16), card, [stretch(16, 16, 32, 32)]);
    expect(pred.verdict).toBe('reject');
    expect(pred.findings).toHaveLength(2);
    const [crack, spot] = pred.findings;
    expect(crack.label).toBe('crack');
    expect(crack.classIndex).toBe(1);
    // 20 model pixels, 17 crack and 3 spot; each 4 pixels of the 32 x 32 original.
    expect(crack.area).toBe(20 * 4);
    expect(crack.box).toEqual([2, 2, 26, 6]);
    const pDefect = 1 - 1 / (Math.exp(5) + 2);
    expect(crack.score).toBeCloseTo(pDefect, 6);
    expect(crack.severity).toBe(gradeSeverity({ label: 'crack', areaFraction: 80 / 1024, score: crack.score }, card.severity));
    expect(crack.severity).toBe('critical');
    expect(spot).toMatchObject({ label: 'spot', classIndex: 2, area: 36, box: [22, 22, 28, 28] });
    expect(spot.severity).toBe('major');
    const mask = rleToMask(crack.rle as { size: [number, number]; counts: number[] });
    expect(mask.reduce((a, v) => a + v, 0)).toBe(80);
    expect(pred.mask?.data[2 * 32 + 2]).toBe(1);
    expect(pred.defectProbability).toBeCloseTo(pDefect, 6);
  });

  it('keeps fragments apart when the card says gap 0, and drops regions below minAreaPixels', () => {
    const tight = parseModelCard({ ...card, thresholds: { mergeGapPixels: 0, minAreaPixels: 4 } });
    const [pred] = postprocessSegment(logitsOf(CRACK.classes, 16, 16), tight, [stretch(16, 16)]);
    expect(pred.findings.map((f) => [f.label, f.area])).toEqual([
      ['spot', 9],
      ['crack', 8],
      ['crack', 6],
      ['crack', 6],
    ]);
    const big = parseModelCard({ ...card, thresholds: { mergeGapPixels: 1, minAreaPixels: 10 } });
    expect(postprocessSegment(logitsOf(CRACK.classes, 16, 16), big, [stretch(16, 16)])[0].findings.map((f) => f.label)).toEqual(['crack']);
  });

  it('ignores letterbox padding and maps findings back to the original image', () => {
    const rows = ['cccc', 'cccc', '....', '..ss'];
    const m = classMap(rows);
    // A 4 x 2 original letterboxed into 4 x 4: rows 1-2 hold the image, rows 0 and 3 are padding.
    const p: Placement = { width: 8, height: 4, offsetX: 0, offsetY: 1, innerWidth: 4, innerHeight: 2 };
    const [pred] = postprocessSegment(logitsOf(m.classes, 4, 4), parseModelCard({ ...card, thresholds: { minAreaPixels: 1 } }), [p]);
    expect(pred.findings).toHaveLength(1);
    expect(pred.findings[0]).toMatchObject({ label: 'crack', area: 16, box: [0, 0, 8, 2] });
    expect(pred.mask?.width).toBe(8);
    expect(pred.mask?.height).toBe(4);
  });

  it('passes an image without defect pixels', () => {
    const [pred] = postprocessSegment(logitsOf(new Array(64).fill(0), 8, 8), card, [stretch(8, 8)]);
    expect(pred).toMatchObject({ verdict: 'pass', findings: [], defectProbability: 0, label: 'background' });
  });
});

/** x [N, 3, 8, 8] -> Conv 1x1 -> [N, K, 8, 8] (a segmenter), optionally -> GlobalAveragePool -> Flatten [N, K]. */
function tinyModel(k: number, flatten: boolean): Model {
  const { model, b } = emptyModel([{ name: 'x', dtype: 'float32', shape: ['N', 3, 8, 8] }]);
  const w = b.constant(tensor('float32', [k, 3, 1, 1], Float32Array.from({ length: 3 * k }, (_, i) => (i % 4) - 1.5)), 'w');
  if (flatten) {
    const pooled = b.op1('GlobalAveragePool', [b.op1('Conv', ['x', w])]);
    b.op('Flatten', [pooled], {}, { outputNames: ['y'] });
    model.graph.outputs = [{ name: 'y', dtype: 'float32', shape: ['N', k] }];
  } else {
    b.op('Conv', ['x', w], {}, { outputNames: ['y'] });
    model.graph.outputs = [{ name: 'y', dtype: 'float32', shape: ['N', k, 8, 8] }];
  }
  return model;
}

describe('task table', () => {
  it('has one adapter per task of the card schema and refuses unknown tasks', () => {
    expect(Object.keys(TASK_ADAPTERS).sort()).toEqual([...TASKS].sort());
    for (const t of TASKS) expect(taskAdapter(t).task).toBe(t);
    expect(() => taskAdapter('regress')).toThrow(/unknown task 'regress'; known tasks: classify, segment, detect, anomaly/);
    expect(() => taskAdapter('toString')).toThrow(/unknown task/);
  });

  it('accepts detect only for models whose masks give boxes', async () => {
    const detect = parseModelCard({ task: 'detect', labels: LABELS, input: { height: 8, width: 8 } });
    expect(() => new Predictor(tinyModel(3, true), detect)).toThrow(/detect card needs boxes, which XAI-QC takes from per-pixel class masks.*\[N, 3\]/);
    const p = new Predictor(tinyModel(3, false), detect);
    const img = createImage(8, 8, 3);
    img.data.fill(200);
    const { predictions } = await p.predict([img]);
    expect(predictions[0].task).toBe('detect');
    for (const f of predictions[0].findings) expect(f.box).toHaveLength(4);
  });

  it('checks the output against the task', () => {
    expect(() => new Predictor(tinyModel(3, false), parseModelCard({ task: 'classify', labels: LABELS, input: { height: 8, width: 8 } }))).toThrow(/classify card needs class logits/);
    expect(() => new Predictor(tinyModel(2, true), parseModelCard({ task: 'segment', labels: LABELS, input: { height: 8, width: 8 } }))).toThrow(/segment card needs per-pixel class logits/);
    expect(() => new Predictor(tinyModel(2, true), parseModelCard({ task: 'classify', labels: LABELS, input: { height: 8, width: 8 } }))).toThrow(/for its 3 labels/);
  });

  it('states the default explanation target of each task', () => {
    const passReject = parseModelCard({ task: 'classify', labels: ['defect', 'good'] });
    expect(taskAdapter('classify').defaultTarget(passReject, { probabilities: [0.2, 0.8], findings: [] })).toEqual({ kind: 'class', index: 0, reason: 'top defect' });
    expect(taskAdapter('classify').defaultTarget(passReject, { probabilities: [0.7, 0.3], findings: [] })).toEqual({ kind: 'class', index: 0, reason: 'predicted' });
    const cells = parseModelCard({ task: 'classify', labels: ['a', 'b'] });
    expect(taskAdapter('classify').defaultTarget(cells, { probabilities: [0.2, 0.8], findings: [] })).toEqual({ kind: 'class', index: 1, reason: 'predicted' });
    const allGood = parseModelCard({ task: 'classify', labels: ['a', 'b'], goodLabels: ['a', 'b'] });
    expect(taskAdapter('classify').defaultTarget(allGood, { probabilities: [0.2, 0.8], findings: [] })).toEqual({ kind: 'class', index: 1, reason: 'top class' });
    const seg = parseModelCard({ task: 'segment', labels: LABELS });
    const finding = { label: 'spot', classIndex: 2, score: 0.9, severity: 'minor' as const };
    expect(taskAdapter('segment').defaultTarget(seg, { probabilities: [0.9, 0.06, 0.04], findings: [finding] })).toEqual({ kind: 'region', index: 2, reason: 'predicted' });
    expect(taskAdapter('segment').defaultTarget(seg, { probabilities: [0.9, 0.06, 0.04], findings: [] })).toEqual({ kind: 'region', index: 1, reason: 'top defect' });
    expect(taskAdapter('anomaly').defaultTarget(seg, undefined)).toEqual({ kind: 'score', index: 0, reason: 'anomaly score' });
  });

  it('names the figure that selects the best model', () => {
    expect(taskAdapter('classify').selectionMetric.of({ accuracy: 0.9 })).toBe(0.9);
    expect(taskAdapter('segment').selectionMetric.of({ defectDice: 0.7, meanDice: 0.8 })).toBe(0.7);
    expect(taskAdapter('detect').selectionMetric.of({ defectDice: Number.NaN, meanDice: 0.8 })).toBe(0.8);
    expect(taskAdapter('anomaly').selectionMetric.of({ imageAuroc: 0.95 })).toBe(0.95);
    expect(taskAdapter('anomaly').selectionMetric.of({})).toBeNaN();
  });

  it('sends anomaly predictions to the detector', () => {
    const card = parseModelCard({ task: 'anomaly', labels: ['good', 'anomaly'], input: { height: 8, width: 8 } });
    const p = new Predictor(tinyModel(2, true), card);
    expect(() => p.postprocess(tensor('float32', [1, 2], [0, 1]), [])).toThrow(/AnomalyDetector/);
  });
});
