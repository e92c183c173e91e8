import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../register-all.ts';
import { buildGradient } from '../vjp.ts';
import { GradientSession } from '../gradient.ts';
import { float } from '../../onnx/builder.ts';
import type { AttrInput } from '../../onnx/builder.ts';
import type { Dim, Model } from '../../onnx/ir.ts';
import { toNumbers } from '../../onnx/tensor.ts';
import type { Tensor } from '../../onnx/tensor.ts';
import { emptyModel, expectGradientsClose, normalRng, randn, singleOpModel } from '../../testing/index.ts';

const rng = normalRng(5);

function bnModel(opset: number, shape: Dim[], outputs: number, attrs: Record<string, AttrInput> = {}): Model {
  return singleOpModel({
    op: 'BatchNormalization',
    opset,
    outputs,
    inputs: [{ name: 'x', dtype: 'float64', shape }, ...['scale', 'bias', 'mean', 'var'].map((name) => ({ name, dtype: 'float64' as const, shape: [shape[1]] }))],
    attrs: { epsilon: float(1e-3), ...attrs },
  });
}

function bnFeeds(dims: number[]): Record<string, Tensor> {
  const c = dims[1];
  return {
    x: randn('float64', dims, rng, 1.5, 0.3),
    scale: randn('float64', [c], rng, 0.3, 1),
    bias: randn('float64', [c], rng),
    mean: randn('float64', [c], rng, 0.2),
    var: randn('float64', [c], rng, 0.1, 1),
  };
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

describe('BatchNormalization', () => {
  for (const opset of [13, 15, 17]) {
    it(`inference mode, opset ${opset}: dx, dscale, dbias`, async () => {
      await expectGradientsClose({ model: bnModel(opset, [2, 3, 4, 2], 1), feeds: bnFeeds([2, 3, 4, 2]), of: 'y0', wrt: ['x', 'scale', 'bias'] });
    });
  }

  it('inference mode with an unknown input rank and a symbolic batch', async () => {
    const model = bnModel(15, ['N', 3, 5], 1);
    model.graph.inputs[0].shape = undefined;
    await expectGradientsClose({ model, feeds: bnFeeds([4, 3, 5]), of: 'y0', wrt: ['x', 'scale', 'bias'] });
  });

  it('inference mode treats the running mean and variance as buffers: zero gradient', async () => {
    const gs = await GradientSession.create(bnModel(13, [2, 3, 2], 1), { of: 'y0', wrt: ['x', 'mean', 'var'] });
    const { grads } = await gs.run(bnFeeds([2, 3, 2]));
    expect(toNumbers(grads.mean)).toEqual([0, 0, 0]);
    expect(toNumbers(grads.var)).toEqual([0, 0, 0]);
    expect(toNumbers(grads.x).some((v) => v !== 0)).toBe(true);
  });

  for (const opset of [14, 15]) {
    it(`training_mode=1, opset ${opset}: the gradient runs through the batch statistics`, async () => {
      const model = bnModel(opset, [3, 2, 4], 3, { training_mode: 1, momentum: float(0.5) });
      await expectGradientsClose({ model, feeds: bnFeeds([3, 2, 4]), of: 'y0', wrt: ['x', 'scale', 'bias'] });
    });
  }

  it('training_mode=1 on [N, C] with a symbolic batch and unknown rank', async () => {
    const model = bnModel(15, ['N', 3], 3, { training_mode: 1 });
    model.graph.inputs[0].shape = undefined;
    await expectGradientsClose({ model, feeds: bnFeeds([6, 3]), of: 'y0', wrt: ['x', 'scale', 'bias'] });
  });

  it('opset 13 with the optional statistics outputs runs in training mode, as ONNX Runtime does', async () => {
    await expectGradientsClose({ model: bnModel(13, [3, 2, 3], 5), feeds: bnFeeds([3, 2, 3]), of: 'y0', wrt: ['x', 'scale'] });
  });

  it('refuses a gradient through the running statistics outputs', () => {
    const model = exposeOutput(bnModel(15, [3, 2, 3], 3, { training_mode: 1 }), 'y1', 'float64');
    expect(() => buildGradient(model, defaultRegistry(), { of: 'out', wrt: ['x'] })).toThrow(/XQC_AUTODIFF_UNSUPPORTED|carry no gradient/);
  });
});

describe('LayerNormalization (opset 17)', () => {
  const lnModel = (shape: Dim[], scaleShape: number[], axis: number, withBias: boolean): Model =>
    singleOpModel({
      op: 'LayerNormalization',
      opset: 17,
      inputs: [
        { name: 'x', dtype: 'float64', shape },
        { name: 'scale', dtype: 'float64', shape: scaleShape },
        ...(withBias ? [{ name: 'bias', dtype: 'float64' as const, shape: scaleShape }] : []),
      ],
      attrs: { axis, epsilon: float(1e-4) },
    });
  const feeds = (dims: number[], scaleShape: number[], withBias: boolean): Record<string, Tensor> => ({
    x: randn('float64', dims, rng, 2, 0.5),
    scale: randn('float64', scaleShape, rng, 0.5, 1),
    ...(withBias ? { bias: randn('float64', scaleShape, rng) } : {}),
  });

  it('axis -1 with bias', async () => {
    await expectGradientsClose({ model: lnModel([2, 3, 4], [4], -1, true), feeds: feeds([2, 3, 4], [4], true), of: 'y0', wrt: ['x', 'scale', 'bias'] });
  });

  it('axis 1 without bias, scale broadcast from [1, 4] over [3, 4]', async () => {
    await expectGradientsClose({ model: lnModel([2, 3, 4], [1, 4], 1, false), feeds: feeds([2, 3, 4], [1, 4], false), of: 'y0', wrt: ['x', 'scale'] });
  });

  it('axis -2 with a symbolic batch', async () => {
    await expectGradientsClose({ model: lnModel(['N', 3, 4], [3, 4], -2, true), feeds: feeds([3, 3, 4], [3, 4], true), of: 'y0', wrt: ['x', 'scale', 'bias'] });
  });

  it('axis 1 on an input of unknown rank (axes computed in the graph)', async () => {
    const model = lnModel([2, 3, 4], [3, 4], 1, true);
    model.graph.inputs[0].shape = undefined;
    await expectGradientsClose({ model, feeds: feeds([2, 3, 4], [3, 4], true), of: 'y0', wrt: ['x', 'scale', 'bias'] });
  });

  // Mean and InvStdDev are float32 (stash_type 1) whatever the dtype of x, so these run in
  // float32: h = 1e-2 on O(1) inputs gives ~1e-4 relative truncation error and float32
  // rounding of <c, y> over 6 outputs ~6 * 6e-8 / 1e-2 ~ 4e-5, inside the float32 defaults
  // of gradCheck (2e-2 relative, 2e-3 absolute).
  for (const [k, label] of [[1, 'Mean'], [2, 'InvStdDev']] as const) {
    it(`the ${label} output is differentiable`, async () => {
      const model = singleOpModel({
        op: 'LayerNormalization',
        opset: 17,
        outputs: 3,
        inputs: [{ name: 'x', dtype: 'float32', shape: [2, 3, 4] }, { name: 'scale', dtype: 'float32', shape: [4] }],
        attrs: { epsilon: float(1e-4) },
      });
      exposeOutput(model, `y${k}`, 'float32');
      const feeds = { x: randn('float32', [2, 3, 4], rng, 2, 0.5), scale: randn('float32', [4], rng) };
      await expectGradientsClose({ model, feeds, of: 'out', wrt: ['x'] });
    });
  }
  it('float64 x: the float32 Mean and InvStdDev feed float64 values downstream', async () => {
    const { model, b } = emptyModel([{ name: 'x', dtype: 'float64', shape: [2, 3, 4] }, { name: 'scale', dtype: 'float64', shape: [4] }], 17);
    const [y, mean, invStd] = b.op('LayerNormalization', ['x', 'scale'], { epsilon: float(1e-4) }, { outputs: 3 });
    model.graph.valueInfo.push({ name: mean, dtype: 'float32', shape: [2, 3, 1] }, { name: invStd, dtype: 'float32', shape: [2, 3, 1] });
    const stats = b.mul(b.cast(mean, 'float64'), b.cast(invStd, 'float64'));
    b.op('Add', [y, stats], {}, { outputNames: ['out'] });
    model.graph.outputs = [{ name: 'out', dtype: 'float64' }];
    // The statistics are rounded to float32, so h = 1e-2 keeps that rounding (~24 * 6e-8 / h
    // ~ 1e-4 absolute in the slope) and the O(h^2) truncation (~1e-4 relative) both small
    // against rtol 2e-3 / atol 5e-4.
    const feeds = { x: randn('float64', [2, 3, 4], rng, 2, 0.5), scale: randn('float64', [4], rng) };
    await expectGradientsClose({ model, feeds, of: 'out', wrt: ['x', 'scale'], eps: 1e-2, rtol: 2e-3, atol: 5e-4 });
  });
});

describe('InstanceNormalization (float32: ONNX Runtime has no float64 kernel)', () => {
  const inModel = (shape: Dim[]): Model =>
    singleOpModel({
      op: 'InstanceNormalization',
      opset: 17,
      inputs: [{ name: 'x', dtype: 'float32', shape }, { name: 'scale', dtype: 'float32', shape: [3] }, { name: 'bias', dtype: 'float32', shape: [3] }],
      attrs: { epsilon: float(1e-3) },
    });
  const feeds = (dims: number[]): Record<string, Tensor> => ({
    x: randn('float32', dims, rng),
    scale: randn('float32', [3], rng, 0.3, 1),
    bias: randn('float32', [3], rng),
  });
  // h = 1e-2 central differences on unit-variance groups of 6-8 elements: truncation
  // ~h^2 * |f'''| ~ 1e-4, float32 rounding of <c, y> over <= 48 outputs ~48 * 6e-8 / 1e-2
  // ~ 3e-4, so rtol 1e-2 / atol 2e-3 (tighter than the float32 defaults) still holds.
  const tol = { rtol: 1e-2, atol: 2e-3 };

  it('[N, C, H, W]: dx, dscale, dbias', async () => {
    await expectGradientsClose({ model: inModel([2, 3, 2, 4]), feeds: feeds([2, 3, 2, 4]), of: 'y0', wrt: ['x', 'scale', 'bias'], ...tol });
  });

  it('[N, C, L] with unknown rank (axes computed in the graph)', async () => {
    const model = inModel([2, 3, 6]);
    model.graph.inputs[0].shape = undefined;
    await expectGradientsClose({ model, feeds: feeds([2, 3, 6]), of: 'y0', wrt: ['x', 'scale', 'bias'], ...tol });
  });

  it('refuses an input without spatial axes', () => {
    expect(() => buildGradient(inModel([4, 3]), defaultRegistry(), { of: 'y0', wrt: ['x'] })).toThrow(/spatial axes/);
  });
});
