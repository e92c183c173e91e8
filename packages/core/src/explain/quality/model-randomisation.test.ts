import { describe, expect, it } from 'vitest';
import { tensor } from '../../onnx/tensor.ts';
import { smallCnn } from '../../testing/explain-models.ts';
import { emptyModel } from '../../testing/model-factory.ts';
import { uniformRng } from '../../util/random.ts';
import { sumOverChannels } from '../channel-maps.ts';
import { gradCam } from '../methods/grad-cam.ts';
import { saliency } from '../methods/saliency.ts';
import { ModelFunction } from '../model-function.ts';
import { scalarTarget } from '../target.ts';
import type { Explainer } from '../types.ts';
import { modelRandomisationCheck, weightedLayers } from './model-randomisation.ts';

const side = 12;
const d = { channels: 3, height: side, width: side };
const model = smallCnn(d, 6);
const u = uniformRng(4);
const x = tensor('float32', [1, 3, side, side], Float32Array.from({ length: 3 * side * side }, () => u() * 2 - 1));
const f = ModelFunction.create(model, { input: 'x', target: scalarTarget('y') });

/** An "explanation" that ignores the model: an edge-detector-like map of the input itself. */
const inputOnly: Explainer = {
  name: 'saliency',
  params: {},
  async explain(input) {
    const map = sumOverChannels(input.x.data.map(Math.abs), { channels: 3, height: side, width: side, size: 3 * side * side });
    return { method: 'saliency', map, params: {}, runtimeMs: 0, evaluations: 0 };
  },
};

describe('model randomisation check', () => {
  it('finds the weighted layers from the output down', () => {
    const layers = weightedLayers(model, 'y');
    expect(layers.map((l) => l.opType)).toEqual(['Conv', 'Conv', 'Conv']);
    expect(layers[0].initializers).toHaveLength(1);
    expect(layers[2].initializers).toHaveLength(2);
  });

  it('passes for gradient methods: their maps decorrelate as layers are randomised', async () => {
    for (const method of [saliency, gradCam]) {
      const r = await modelRandomisationCheck(method, { x, f, seed: 0 });
      expect(r.stages).toHaveLength(3);
      expect(r.passed).toBe(true);
      expect(r.stages[2].spearman).toBeLessThan(0.5);
    }
  });

  it('fails for a map that ignores the model, and leaves the original model untouched', async () => {
    const before = Array.from(model.graph.initializers.values(), (t) => Array.from(t.data as Float32Array));
    const r = await modelRandomisationCheck(inputOnly, { x, f, seed: 0 }, { maxStages: 2 });
    expect(r.stages).toHaveLength(2);
    for (const s of r.stages) expect(s.spearman).toBeCloseTo(1, 12);
    expect(r.passed).toBe(false);
    expect(Array.from(model.graph.initializers.values(), (t) => Array.from(t.data as Float32Array))).toEqual(before);
  });

  it('fails with XQC_EXPLAIN when nothing can be randomised', async () => {
    const { model: m, b } = emptyModel([{ name: 'x', dtype: 'float32', shape: ['N', 3, side, side] }]);
    b.op('Relu', ['x'], {}, { outputNames: ['y'] });
    const g = ModelFunction.create(m, { input: 'x', target: scalarTarget('y', 3 * side * side) });
    await expect(modelRandomisationCheck(saliency, { x, f: g, seed: 0 })).rejects.toMatchObject({ code: 'XQC_EXPLAIN' });
  });
});
