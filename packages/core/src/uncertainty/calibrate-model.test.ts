/**
 * calibrateClassifier applies the fit guards itself: too few validation images, a
 * degenerate fit and an unreachable conformal level are refused with
 * XQC_CALIBRATION_REFUSED whatever the caller, and a sound fit comes back in the card.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePng } from '../data/image-files.ts';
import { parseModelCard, writeModelCard } from '../models/card.ts';
import type { Model } from '../onnx/ir.ts';
import { saveModel } from '../onnx/model-io.ts';
import { tensor } from '../onnx/tensor.ts';
import { emptyModel } from '../testing/model-factory.ts';
import { uniformRng } from '../util/random.ts';
import { calibrateClassifier } from './calibrate-model.ts';

const SIZE = 8;

/** logits [N, 2] = (-a, a) * mean of the normalised image: brighter reads as 'scratch'. */
function brightness(a: number): Model {
  const { model, b } = emptyModel([{ name: 'input', dtype: 'float32', shape: ['N', 3, SIZE, SIZE] }]);
  const per = 3 * SIZE * SIZE;
  const w = b.constant(tensor('float32', [2, 3, SIZE, SIZE], Float32Array.from({ length: 2 * per }, (_, i) => (i < per ? -a : a) / per)), 'w');
  b.op('Flatten', [b.op1('Conv', ['input', w])], {}, { outputNames: ['logits'] });
  model.graph.outputs = [{ name: 'logits', dtype: 'float32', shape: ['N', 2] }];
  return model;
}

let root: string;

/**
 * A classification folder of `perClass` flat images per class, grey levels drawn from
 * [lo, lo + 100): good from `goodLo`, scratch from `scratchLo`; the card splits 20/60/20.
 */
async function folder(name: string, perClass: number, goodLo: number, scratchLo: number): Promise<{ model: string; data: string; card: string }> {
  const dir = join(root, name);
  const u = uniformRng(perClass + goodLo);
  for (const [label, lo] of [['good', goodLo], ['scratch', scratchLo]] as const) {
    for (let i = 0; i < perClass; i++) {
      const v = Math.floor(lo + u() * 100);
      await writePng(join(dir, 'data', label, `${i}.png`), { width: SIZE, height: SIZE, channels: 3, data: new Uint8Array(SIZE * SIZE * 3).fill(v) });
    }
  }
  const card = parseModelCard({
    name, task: 'classify', labels: ['good', 'scratch'],
    input: { name: 'input', height: SIZE, width: SIZE, mean: [0.5], std: [0.25] },
    training: { seed: 1, splitRatios: { train: 0.2, val: 0.6, test: 0.2 } },
  });
  await writeFile(join(dir, 'model.onnx'), saveModel(brightness(4)));
  await writeModelCard(join(dir, 'model_card.yaml'), card);
  return { model: join(dir, 'model.onnx'), data: join(dir, 'data'), card: join(dir, 'model_card.yaml') };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'xqc-calibrate-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('calibrateClassifier', () => {
  it('refuses fewer validation images than the minimum, naming it', async () => {
    const f = await folder('few', 20, 30, 120);
    await expect(calibrateClassifier(f.model, f.data, { cardPath: f.card })).rejects.toMatchObject({
      code: 'XQC_CALIBRATION_REFUSED',
      message: expect.stringMatching(/^24 validation image\(s\) are too few to calibrate on: at least 50 are needed/),
    });
  });

  it('refuses a degenerate fit: a model that gets every validation image right supports no finite T', async () => {
    const f = await folder('separable', 50, 10, 150);
    await expect(calibrateClassifier(f.model, f.data, { cardPath: f.card })).rejects.toMatchObject({
      code: 'XQC_CALIBRATION_REFUSED',
      message: expect.stringMatching(/^the model classifies all 60 validation images correctly/),
    });
  });

  it('returns a sound fit in the card, reports progress, and refuses an alpha the split cannot reach', async () => {
    const f = await folder('overlap', 50, 60, 110);
    const stages: string[] = [];
    const { card, report } = await calibrateClassifier(f.model, f.data, { cardPath: f.card, onProgress: (stage, done, total) => stages.push(`${stage} ${done}/${total}`) });
    expect(report.validationCount).toBe(60);
    expect(report.fit.atBound).toBeNull();
    expect(card.calibration?.temperature).toBe(report.fit.temperature);
    expect(stages).toEqual(['validation 0/60', 'validation 32/60', 'validation 60/60', 'fit 1/1', 'test 0/20', 'test 20/20', 'diagrams 1/1']);
    // 60 validation images reach alpha = 1/61 at best.
    await expect(calibrateClassifier(f.model, f.data, { cardPath: f.card, alpha: 0.01 })).rejects.toMatchObject({
      code: 'XQC_CALIBRATION_REFUSED',
      message: expect.stringMatching(/^conformal sets at alpha 0.01 need at least 99 calibration items/),
    });
  });
});
