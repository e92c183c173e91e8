import { describe, expect, it } from 'vitest';
import { tensor } from '../onnx/tensor.ts';
import type { Tensor } from '../onnx/tensor.ts';
import { emptyModel } from '../testing/model-factory.ts';
import { randn } from '../testing/gradcheck.ts';
import { normalRng } from '../util/random.ts';
import { ensemblePredict } from './ensemble.ts';
import { mcDropout } from './mc-dropout.ts';

/** logits = Gemm(Dropout(Flatten(x)), W): x [N,1,2,2] -> [N,3]. */
function net(withDropout: boolean, seed = 1) {
  const { model, b } = emptyModel([{ name: 'x', dtype: 'float32', shape: ['N', 1, 2, 2] }], 17);
  let h = b.op1('Flatten', ['x'], { axis: 1 });
  if (withDropout) h = b.op1('Dropout', [h, b.scalar(0.5, 'float32')]);
  const w = b.constant(randn('float32', [4, 3], normalRng(seed), 2), 'W');
  b.op('Gemm', [h, w], {}, { outputNames: ['logits'] });
  model.graph.outputs = [{ name: 'logits', dtype: 'float32', shape: ['N', 3] }];
  return model;
}

/** A 1x1-conv segmenter: logits [N,2,H,W]. */
function segNet(scale: number) {
  const { model, b } = emptyModel([{ name: 'x', dtype: 'float32', shape: ['N', 1, 4, 4] }], 17);
  const w = b.constant(tensor('float32', [2, 1, 1, 1], [scale, -scale]), 'W');
  b.op('Conv', ['x', w], {}, { outputNames: ['logits'] });
  model.graph.outputs = [{ name: 'logits', dtype: 'float32', shape: ['N', 2, 4, 4] }];
  return model;
}

const x = randn('float32', [3, 1, 2, 2], normalRng(5)) as Tensor<'float32'>;

describe('MC-Dropout', () => {
  it('samples with dropout on: spread, BALD > 0, reproducible for a seed', async () => {
    const r = await mcDropout(net(true), x, { input: 'x', output: 'logits', samples: 40, seed: 3, maxBatch: 16 });
    expect(r.samples).toBe(40);
    expect(r.measures.mean).toHaveLength(9);
    for (let i = 0; i < 3; i++) expect(r.measures.mean.slice(i * 3, i * 3 + 3).reduce((a, v) => a + v, 0)).toBeCloseTo(1, 9);
    expect(Math.max(...r.measures.mutualInformation)).toBeGreaterThan(0.01);
    expect(Math.max(...r.measures.variance)).toBeGreaterThan(1e-4);
    const again = await mcDropout(net(true), x, { input: 'x', output: 'logits', samples: 40, seed: 3, maxBatch: 16 });
    expect(Array.from(again.measures.mean)).toEqual(Array.from(r.measures.mean));
  });

  it('a model without Dropout is a coded error, not silent zeros', async () => {
    await expect(mcDropout(net(false), x, { input: 'x', output: 'logits' })).rejects.toMatchObject({ code: 'XQC_UNCERTAINTY' });
  });
});

describe('deep ensembles', () => {
  it('members that disagree give mutual information, identical members none', async () => {
    const a = { model: net(false, 1), input: 'x', output: 'logits', labels: ['a', 'b', 'c'] };
    const b = { model: net(false, 2), input: 'x', output: 'logits', labels: ['a', 'b', 'c'] };
    const diff = await ensemblePredict([a, b], [x, x]);
    const same = await ensemblePredict([a, { ...a }], [x, x]);
    expect(Math.max(...diff.measures.mutualInformation)).toBeGreaterThan(0.01);
    expect(Math.max(...same.measures.mutualInformation)).toBeLessThan(1e-9);
    await expect(ensemblePredict([a, { ...b, labels: ['a', 'b', 'x'] }], [x, x])).rejects.toMatchObject({ code: 'XQC_UNCERTAINTY' });
  });

  it('gives per-pixel maps for segmenters', async () => {
    const xs = randn('float32', [2, 1, 4, 4], normalRng(9)) as Tensor<'float32'>;
    const r = await ensemblePredict(
      [
        { model: segNet(1), input: 'x', output: 'logits', labels: ['bg', 'defect'] },
        { model: segNet(-1), input: 'x', output: 'logits', labels: ['bg', 'defect'] },
      ],
      [xs, xs],
    );
    expect(r.spatial).toEqual([4, 4]);
    expect(r.measures.predictiveEntropy).toHaveLength(2 * 16);
    // Opposite members: every pixel's mean is near uniform and they always disagree.
    expect(Math.min(...r.disagreement)).toBe(0.5);
  });
});
