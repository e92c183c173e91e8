import { describe, expect, it } from 'vitest';
import type { ScalarMap } from '../../image/image.types.ts';
import { tensor } from '../../onnx/tensor.ts';
import { linearModel, regionModel } from '../../testing/explain-models.ts';
import { uniformRng } from '../../util/random.ts';
import { saliency } from '../methods/saliency.ts';
import { ModelFunction } from '../model-function.ts';
import { scalarTarget } from '../target.ts';
import { deletionCurve, insertionCurve, pixelOrder, trapezoidArea } from './perturbation-curves.ts';

const side = 16;
const d = { channels: 3, height: side, width: side };
const mask = Array.from({ length: side * side }, (_, i) => (i % side < 8 && Math.floor(i / side) < 8 ? 1 : 0));
const u = uniformRng(12);
// A bright square on a dark background, so that blurring or averaging it away changes f a lot.
const x = tensor('float32', [1, 3, side, side], Float32Array.from({ length: 3 * side * side }, (_, i) => (mask[i % (side * side)] ? 2 : 0) + 0.2 * u()));
const f = ModelFunction.create(regionModel(d, mask, 4, 5), { input: 'x', target: scalarTarget('y') });
const random: ScalarMap = { width: side, height: side, data: Float32Array.from({ length: side * side }, () => u()) };

describe('deletion and insertion', () => {
  it('rank a perfect map above a random one', async () => {
    const perfect = (await saliency.explain({ x, f, seed: 0 })).map;
    for (const baseline of ['blur', 'mean'] as const) {
      const delGood = await deletionCurve(f, x, perfect, { baseline });
      const delRandom = await deletionCurve(f, x, random, { baseline });
      const insGood = await insertionCurve(f, x, perfect, { baseline });
      const insRandom = await insertionCurve(f, x, random, { baseline });
      expect(delGood.auc).toBeLessThan(delRandom.auc - 0.2);
      expect(insGood.auc).toBeGreaterThan(insRandom.auc + 0.2);
      expect(delGood.evaluations).toBe(21);
    }
  });

  it('normalise curves to run from 1 to 0 (deletion) and 0 to 1 (insertion) over fractions 0..1', async () => {
    const del = await deletionCurve(f, x, random, { steps: 8 });
    const ins = await insertionCurve(f, x, random, { steps: 8 });
    expect(del.fractions[0]).toBe(0);
    expect(del.fractions[8]).toBe(1);
    expect(del.normalized[0]).toBeCloseTo(1, 12);
    expect(del.normalized[8]).toBeCloseTo(0, 12);
    expect(ins.normalized[0]).toBeCloseTo(0, 12);
    expect(ins.normalized[8]).toBeCloseTo(1, 12);
    expect(del.scores[0]).toBeCloseTo(ins.scores[8], 4);
  });

  it('follow a linear model exactly: deleting pixel p lowers f by sum_c w (x - baseline)', async () => {
    const w = Float32Array.from({ length: 3 * 4 * 4 }, () => u());
    const xs = tensor('float32', [1, 3, 4, 4], Float32Array.from({ length: 48 }, () => u()));
    const g = ModelFunction.create(linearModel({ channels: 3, height: 4, width: 4 }, w), { input: 'x', target: scalarTarget('y') });
    const map = { width: 4, height: 4, data: Float32Array.from({ length: 16 }, (_, i) => 16 - i) };
    const del = await deletionCurve(g, xs, map, { steps: 16, baseline: 'mean' });
    const means = [0, 1, 2].map((c) => xs.data.slice(c * 16, (c + 1) * 16).reduce((a, b) => a + b) / 16);
    for (let k = 1; k <= 16; k++) {
      const p = k - 1;
      const drop = [0, 1, 2].reduce((s, c) => s + w[c * 16 + p] * (xs.data[c * 16 + p] - means[c]), 0);
      expect(del.scores[k - 1] - del.scores[k]).toBeCloseTo(drop, 4);
    }
  });

  it('rank pixels stably and integrate by the trapezoid rule', () => {
    expect(Array.from(pixelOrder({ width: 4, height: 1, data: Float32Array.from([1, 3, 3, 2]) }))).toEqual([1, 2, 3, 0]);
    expect(trapezoidArea([0, 0.5, 1], [1, 1, 0])).toBeCloseTo(0.75, 14);
  });

  it('reject a map of the wrong size', async () => {
    await expect(deletionCurve(f, x, { width: 4, height: 4, data: new Float32Array(16) })).rejects.toMatchObject({ code: 'XQC_SHAPE_MISMATCH' });
  });
});
