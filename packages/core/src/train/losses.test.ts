import { describe, expect, it } from 'vitest';
import { createSession } from '../runtime/session.ts';
import { saveModel } from '../onnx/model-io.ts';
import { tensor } from '../onnx/tensor.ts';
import { emptyModel } from '../testing/model-factory.ts';
import { classWeightsFromFrequencies, diceCrossEntropy, smoothedOneHot, softmaxCrossEntropy, weightedCrossEntropy } from './losses.ts';

async function lossOf(build: (b: ReturnType<typeof emptyModel>['b']) => string, z: number[], t: number[], dims: number[]): Promise<number> {
  const { model, b } = emptyModel([{ name: 'z', dtype: 'float32', shape: dims }, { name: 't', dtype: 'float32', shape: dims }]);
  b.op('Identity', [build(b)], {}, { outputNames: ['loss'] });
  model.graph.outputs = [{ name: 'loss' }];
  const s = await createSession(saveModel(model));
  return Number((await s.run({ z: tensor('float32', dims, z), t: tensor('float32', dims, t) })).loss.data[0]);
}

// Two pixels, two classes, planes [K, H*W]: class 0 logits then class 1 logits.
const z = [2, -1, 0, 1];
const t = [1, 0, 0, 1];
const logp = (zs: number[], k: number): number => zs[k] - Math.log(Math.exp(zs[0]) + Math.exp(zs[1]));

describe('losses', () => {
  it('softmax cross-entropy is the mean negative log-likelihood over pixels', async () => {
    const expected = -(logp([2, 0], 0) + logp([-1, 1], 1)) / 2;
    expect(await lossOf((b) => softmaxCrossEntropy(b, 'z', 't'), z, t, [1, 2, 1, 2])).toBeCloseTo(expected, 5);
  });
  it('weighted cross-entropy is the weighted mean, as PyTorch normalises it', async () => {
    const w = [1, 5];
    const expected = -(w[0] * logp([2, 0], 0) + w[1] * logp([-1, 1], 1)) / (w[0] + w[1]);
    expect(await lossOf((b) => weightedCrossEntropy(b, 'z', 't', w), z, t, [1, 2, 1, 2])).toBeCloseTo(expected, 5);
  });
  it('dice + CE is CE plus one minus the soft Dice of the foreground class', async () => {
    const p1 = [Math.exp(logp([2, 0], 1)), Math.exp(logp([-1, 1], 1))];
    const dice = (2 * p1[1] + 1) / (p1[0] + p1[1] + 1 + 1);
    const ce = -(logp([2, 0], 0) + logp([-1, 1], 1)) / 2;
    expect(await lossOf((b) => diceCrossEntropy(b, 'z', 't', 2), z, t, [1, 2, 1, 2])).toBeCloseTo(ce + 1 - dice, 5);
  });
  it('label smoothing and class weights', () => {
    expect(Array.from(smoothedOneHot([1], 4, 0.2))).toEqual([0.05, 0.85, 0.05, 0.05].map(Math.fround));
    expect(classWeightsFromFrequencies([10000, 100, 0])).toEqual([1, 10, 30]);
  });
});
