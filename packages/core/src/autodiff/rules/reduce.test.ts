import { describe, expect, it } from 'vitest';
import { GradientSession } from '../gradient.ts';
import { tensor, toNumbers } from '../../onnx/tensor.ts';
import type { Tensor } from '../../onnx/tensor.ts';
import type { Dim } from '../../onnx/ir.ts';
import { expectGradientsClose, normalRng, randn, singleOpModel } from '../../testing/index.ts';

const rng = normalRng(11);
const OPS = ['ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceSumSquare', 'ReduceL2', 'ReduceLogSumExp', 'ReduceL1'];

/** Axes go in as an attribute or as a constant input, as the op's opset demands. */
function reduceModel(op: string, opset: number, axes: number[] | undefined, attrs: Record<string, number>, shape: Dim[] = [2, 3, 4]) {
  const asInput = op === 'ReduceSum' ? opset >= 13 : opset >= 18;
  return singleOpModel({
    op,
    opset,
    inputs: [{ name: 'x', dtype: 'float64', shape }],
    constants: asInput && axes ? { 1: tensor('int64', [axes.length], axes) } : undefined,
    attrs: { ...attrs, ...(!asInput && axes ? { axes } : {}) },
  });
}

/** Normal values pushed away from 0 so |x| (ReduceL1) has no kink within the FD step. */
function awayFromZero(dims: number[]): Tensor {
  const x = randn('float64', dims, rng);
  const d = x.data as Float64Array;
  for (let i = 0; i < d.length; i++) d[i] += Math.sign(d[i]) * 0.2;
  return x;
}

describe('Reduce* rules', () => {
  for (const op of OPS) {
    it(`${op} opset 13, axes [1], keepdims 1`, async () => {
      const r = await expectGradientsClose({ model: reduceModel(op, 13, [1], { keepdims: 1 }), feeds: { x: awayFromZero([2, 3, 4]) }, of: 'y0', wrt: ['x'] });
      expect(r.checked).toBe(24);
    });
    it(`${op} opset 18, axes [-1, 0] as input, keepdims 0`, async () => {
      await expectGradientsClose({ model: reduceModel(op, 18, [-1, 0], { keepdims: 0 }), feeds: { x: awayFromZero([2, 3, 4]) }, of: 'y0', wrt: ['x'] });
    });
    it(`${op} opset 17, no axes: all-axes reduction to a scalar`, async () => {
      await expectGradientsClose({ model: reduceModel(op, 17, undefined, { keepdims: 0 }, [3, 4]), feeds: { x: awayFromZero([3, 4]) }, of: 'y0', wrt: ['x'] });
    });
  }

  for (const op of ['ReduceSum', 'ReduceSumSquare', 'ReduceL2', 'ReduceMax']) {
    it(`${op} noop_with_empty_axes=1 and no axes leaves x unreduced (elementwise part only)`, async () => {
      const model = reduceModel(op, 18, undefined, { noop_with_empty_axes: 1 }, [2, 3]);
      await expectGradientsClose({ model, feeds: { x: awayFromZero([2, 3]) }, of: 'y0', wrt: ['x'] });
    });
  }

  it('ReduceSum opset 13 with axes fed at run time, keepdims 0, negative axis', async () => {
    const model = singleOpModel({
      op: 'ReduceSum',
      opset: 13,
      inputs: [{ name: 'x', dtype: 'float64', shape: [2, 3, 4] }, { name: 'axes', dtype: 'int64', shape: [1] }],
      attrs: { keepdims: 0 },
    });
    await expectGradientsClose({ model, feeds: { x: randn('float64', [2, 3, 4], rng), axes: tensor('int64', [1], [-2]) }, of: 'y0', wrt: ['x'] });
  });

  it('ReduceMean opset 18 with axes fed at run time and a symbolic batch', async () => {
    const model = singleOpModel({
      op: 'ReduceMean',
      opset: 18,
      inputs: [{ name: 'x', dtype: 'float64', shape: ['N', 3, 4] }, { name: 'axes', dtype: 'int64', shape: [2] }],
      attrs: { keepdims: 0 },
    });
    await expectGradientsClose({ model, feeds: { x: randn('float64', [5, 3, 4], rng), axes: tensor('int64', [2], [0, 2]) }, of: 'y0', wrt: ['x'] });
  });

  it('ReduceMean with a symbolic batch and static axes counts the reduced elements at run time', async () => {
    const model = reduceModel('ReduceMean', 13, [0, 1], { keepdims: 1 }, ['N', 3, 2]);
    await expectGradientsClose({ model, feeds: { x: randn('float64', [4, 3, 2], rng) }, of: 'y0', wrt: ['x'] });
  });

  it('ReduceMax splits the gradient evenly between tied maxima (as torch.amax)', async () => {
    const model = reduceModel('ReduceMax', 18, [1], { keepdims: 0 }, [2, 3]);
    const gs = await GradientSession.create(model, { of: 'y0', wrt: ['x'] });
    const x = tensor('float64', [2, 3], [1, 3, 3, 2, 2, 2]);
    const { grads } = await gs.run({ x }, tensor('float64', [2], [1, 6]));
    expect(toNumbers(grads.x)).toEqual([0, 0.5, 0.5, 2, 2, 2]);
  });

  it('ReduceMin splits ties too, over all axes with keepdims', async () => {
    const model = reduceModel('ReduceMin', 13, undefined, { keepdims: 1 }, [2, 2]);
    const gs = await GradientSession.create(model, { of: 'y0', wrt: ['x'] });
    const { grads } = await gs.run({ x: tensor('float64', [2, 2], [-1, 4, -1, 0]) }, tensor('float64', [1, 1], [3]));
    expect(toNumbers(grads.x)).toEqual([1.5, 0, 1.5, 0]);
  });

  it('ReduceL2 gives a zero (not NaN) gradient for an all-zero slice', async () => {
    const model = reduceModel('ReduceL2', 13, [1], { keepdims: 0 }, [2, 2]);
    const gs = await GradientSession.create(model, { of: 'y0', wrt: ['x'] });
    const { grads } = await gs.run({ x: tensor('float64', [2, 2], [0, 0, 3, 4]) }, tensor('float64', [2], [1, 1]));
    expect(toNumbers(grads.x)).toEqual([0, 0, 0.6, 0.8]);
  });
});
