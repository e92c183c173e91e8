import { describe, expect, it } from 'vitest';
import { GradientSession } from '../../autodiff/gradient.ts';
import { createSession } from '../../runtime/session.ts';
import { emptyModel, normalRng, randn } from '../../testing/index.ts';
import { float } from '../builder.ts';
import type { Model } from '../ir.ts';
import { saveModel } from '../model-io.ts';
import { tensor, toFloat64 } from '../tensor.ts';
import type { Tensor } from '../tensor.ts';
import { foldBatchNorm } from './fold-batchnorm.ts';

const rng = normalRng(5);
const C = 4;
const vec = (values: number[]): Tensor => tensor('float32', [C], values);

/** x -> Conv(w[, b]) -> BN -> Relu -> Conv(w2) -> y; optionally the first Conv's output is read elsewhere too. */
function convBnModel(opts: { bias?: boolean; sharedConvOut?: boolean; scaleAsInput?: boolean } = {}): Model {
  const inputs = [{ name: 'x', dtype: 'float32' as const, shape: [2, 3, 6, 5] }];
  if (opts.scaleAsInput) inputs.push({ name: 'scale', dtype: 'float32', shape: [C] });
  const { model, b } = emptyModel(inputs);
  const w = b.constant(randn('float32', [C, 3, 3, 3], rng, 0.4), 'w');
  const convIn = ['x', w];
  if (opts.bias) convIn.push(b.constant(vec([0.1, -0.2, 0.3, 0.05]), 'b'));
  const h = b.op1('Conv', convIn, { pads: [1, 1, 1, 1] }, 'conv1');
  const scale = opts.scaleAsInput ? 'scale' : b.constant(vec([1.5, 0.5, -0.7, 1.1]), 'gamma');
  const bn = b.op1('BatchNormalization', [h, scale, b.constant(vec([0.2, -0.1, 0.0, 0.4]), 'beta'), b.constant(vec([0.3, -0.5, 0.1, 0.0]), 'mean'), b.constant(vec([0.8, 1.7, 0.2, 2.5]), 'var')], { epsilon: float(1e-3) }, 'bn1');
  const a = b.op1('Relu', [bn], {}, 'relu1');
  const y = b.op1('Conv', [a, b.constant(randn('float32', [2, C, 1, 1], rng, 0.5), 'w2')], {}, 'conv2');
  model.graph.outputs = [{ name: y }];
  if (opts.sharedConvOut) model.graph.outputs.push({ name: b.op1('Sigmoid', [h]) });
  return model;
}

async function outputs(model: Model, feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  const s = await createSession(saveModel(model));
  const out = await s.run(feeds);
  await s.release();
  return out;
}

const maxDiff = (a: Tensor, b: Tensor): number => {
  const x = toFloat64(a);
  const y = toFloat64(b);
  return x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i])), 0);
};

describe('foldBatchNorm', () => {
  for (const bias of [false, true]) {
    it(`folds Conv${bias ? ' with bias' : ''} + BN into one Conv computing the same outputs`, async () => {
      const model = convBnModel({ bias });
      const { model: folded, folded: names } = foldBatchNorm(model);
      expect(names).toEqual(['t/bn1']);
      expect(folded.graph.nodes.map((n) => n.opType)).toEqual(['Mul', 'Conv', 'Relu', 'Conv']);
      expect(folded.graph.nodes[0].inputs[0]).toBe('t/w');
      expect(folded.graph.nodes[1].outputs).toEqual(model.graph.nodes.find((n) => n.name === 't/bn1')?.outputs);
      // The BN parameters (and the old bias) are gone, the weight is scaled by a Mul on
      // constants; the input model is untouched.
      const bnParams = ['t/gamma', 't/beta', 't/mean', 't/var'];
      expect(bnParams.every((k) => model.graph.initializers.has(k))).toBe(true);
      expect(bnParams.some((k) => folded.graph.initializers.has(k))).toBe(false);
      expect(folded.graph.initializers.has('t/b')).toBe(false);
      expect(model.graph.nodes.map((n) => n.opType)).toEqual(['Conv', 'BatchNormalization', 'Relu', 'Conv']);
      const x = randn('float32', [2, 3, 6, 5], rng);
      const [before, after] = await Promise.all([outputs(model, { x }), outputs(folded, { x })]);
      const name = model.graph.outputs[0].name;
      expect(maxDiff(before[name], after[name])).toBeLessThan(1e-5);
    });
  }

  it('leaves a pair alone when the Conv output is read elsewhere, kept, or a BN parameter can be fed', () => {
    expect(foldBatchNorm(convBnModel({ sharedConvOut: true })).folded).toEqual([]);
    const model = convBnModel();
    const convOut = model.graph.nodes.find((n) => n.name === 't/conv1')?.outputs[0] as string;
    expect(foldBatchNorm(model, [convOut]).folded).toEqual([]);
    expect(foldBatchNorm(model, ['t/w']).folded).toEqual([]);
    expect(foldBatchNorm(convBnModel({ scaleAsInput: true })).folded).toEqual([]);
  });

  it('gives gradient graphs the same input gradient with and without folding', async () => {
    const model = convBnModel({ bias: true });
    const out = model.graph.outputs[0].name;
    const x = randn('float32', [2, 3, 6, 5], rng);
    const c = randn('float32', [2, 2, 6, 5], rng);
    const plain = await GradientSession.create(model, { of: out, wrt: ['x'], foldBatchNorm: false });
    const fused = await GradientSession.create(model, { of: out, wrt: ['x'] });
    expect(plain.gradient.model.graph.nodes.some((n) => n.opType === 'BatchNormalization')).toBe(true);
    expect(fused.gradient.model.graph.nodes.some((n) => n.opType === 'BatchNormalization')).toBe(false);
    const [a, b] = await Promise.all([plain.run({ x }, c), fused.run({ x }, c)]);
    expect(maxDiff(a.grads.x, b.grads.x)).toBeLessThan(1e-5 * Math.max(...toFloat64(a.grads.x).map(Math.abs)));
  });
});
