import { describe, it } from 'vitest';
import type { AttrInput } from '../../onnx/builder.ts';
import type { Model } from '../../onnx/ir.ts';
import { tensor } from '../../onnx/tensor.ts';
import type { Tensor } from '../../onnx/tensor.ts';
import { emptyModel, expectGradientsClose, normalRng, randn, singleOpModel } from '../../testing/index.ts';
import type { InputSpec } from '../../testing/index.ts';

const rng = normalRng(17);

interface LossCase {
  name: string;
  opset?: number;
  dims: number[];
  labels: number[];
  weights?: boolean;
  attrs: Record<string, AttrInput>;
}

/**
 * Makes output `name` of the node the graph's only output, 'out', through an Identity,
 * typing it with value_info: inference may leave the later outputs of multi-output ops
 * untyped, and a graph output's own (untyped) declaration would hide the value_info.
 */
function exposeOutput(model: Model, name: string, dtype: 'float32' | 'float64'): Model {
  model.graph.valueInfo.push({ name, dtype });
  model.graph.nodes.push({ name: 'expose', opType: 'Identity', domain: '', inputs: [name], outputs: ['out'], attributes: {} });
  model.graph.outputs = [{ name: 'out', dtype }];
  return model;
}

function lossModel(op: string, c: LossCase, outputs = 1): Model {
  const inputs: InputSpec[] = [
    { name: 'x', dtype: 'float64', shape: c.dims },
    { name: 't', dtype: 'int64', shape: [c.dims[0], ...c.dims.slice(2)] },
  ];
  if (c.weights) inputs.push({ name: 'w', dtype: 'float64', shape: [c.dims[1]] });
  return singleOpModel({ op, opset: c.opset ?? 17, inputs, attrs: c.attrs, outputs });
}

function lossFeeds(c: LossCase, logProbs: boolean): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {
    x: randn('float64', c.dims, rng, logProbs ? 0.3 : 1, logProbs ? -1.5 : 0),
    t: tensor('int64', [c.dims[0], ...c.dims.slice(2)], c.labels),
  };
  if (c.weights) feeds.w = randn('float64', [c.dims[1]], rng, 0.3, 1);
  return feeds;
}

const CASES: LossCase[] = [
  { name: 'mean, no weights', dims: [4, 3], labels: [0, 2, 1, 2], attrs: {} },
  { name: 'none with extra dims [N, C, d] and weights', dims: [2, 3, 2], labels: [0, 1, 2, 2], weights: true, attrs: { reduction: 'none' } },
  { name: 'sum with weights and ignore_index 1 (opset 13)', opset: 13, dims: [5, 3], labels: [1, 0, 1, 2, 0], weights: true, attrs: { reduction: 'sum', ignore_index: 1 } },
  { name: 'mean with weights and ignore_index -100 (a weighted mean)', dims: [3, 4, 2], labels: [3, -100, 0, 1, -100, 2], weights: true, attrs: { reduction: 'mean', ignore_index: -100 } },
  { name: 'mean without weights, ignore_index 0 counts only kept positions', dims: [4, 3], labels: [0, 1, 2, 1], attrs: { ignore_index: 0 } },
];

describe('SoftmaxCrossEntropyLoss', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const wrt = c.weights ? ['x', 'w'] : ['x'];
      await expectGradientsClose({ model: lossModel('SoftmaxCrossEntropyLoss', c), feeds: lossFeeds(c, false), of: 'y0', wrt });
    });
  }

  it('the log_prob output alone (opset 13)', async () => {
    const c: LossCase = { name: '', opset: 13, dims: [3, 4], labels: [1, 3, 0], attrs: {} };
    const model = exposeOutput(lossModel('SoftmaxCrossEntropyLoss', c, 2), 'y1', 'float64');
    await expectGradientsClose({ model, feeds: lossFeeds(c, false), of: 'out', wrt: ['x'] });
  });

  it('loss and log_prob both on the path', async () => {
    const { model, b } = emptyModel([{ name: 'x', dtype: 'float64', shape: [3, 4, 2] }, { name: 't', dtype: 'int64', shape: [3, 2] }], 17);
    const [loss, logProb] = b.op('SoftmaxCrossEntropyLoss', ['x', 't'], { reduction: 'sum', ignore_index: 2 }, { outputs: 2 });
    model.graph.valueInfo.push({ name: loss, dtype: 'float64', shape: [] }, { name: logProb, dtype: 'float64', shape: [3, 4, 2] });
    b.op('Add', [loss, b.reduce('ReduceMax', logProb, [1, 2], false)], {}, { outputNames: ['y'] });
    model.graph.outputs = [{ name: 'y', dtype: 'float64' }];
    const feeds = { x: randn('float64', [3, 4, 2], rng), t: tensor('int64', [3, 2], [0, 2, 3, 1, 2, 0]) };
    await expectGradientsClose({ model, feeds, of: 'y', wrt: ['x'] });
  });
});

describe('NegativeLogLikelihoodLoss', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const wrt = c.weights ? ['x', 'w'] : ['x'];
      await expectGradientsClose({ model: lossModel('NegativeLogLikelihoodLoss', c), feeds: lossFeeds(c, true), of: 'y0', wrt });
    });
  }
});
