import { describe, expect, it } from 'vitest';
import { tensor, toFloat64 } from '../../onnx/tensor.ts';
import { emptyModel, expectGradientsClose, normalRng, randn, singleOpModel } from '../../testing/index.ts';
import { GradientSession } from '../gradient.ts';

const rng = normalRng(53);

function mask(dims: number[]) {
  const n = dims.reduce((a, d) => a * d, 1);
  return tensor('bool', dims, Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0)));
}

describe('Where', () => {
  for (const opset of [13, 17]) {
    it(`cond [2,3], x [2,3], y [3] at opset ${opset}`, async () => {
      const model = singleOpModel({
        op: 'Where',
        opset,
        inputs: [{ name: 'c', dtype: 'bool', shape: [2, 3] }, { name: 'x', dtype: 'float64', shape: [2, 3] }, { name: 'y', dtype: 'float64', shape: [3] }],
      });
      const feeds = { c: mask([2, 3]), x: randn('float64', [2, 3], rng), y: randn('float64', [3], rng) };
      await expectGradientsClose({ model, feeds, of: 'y0', wrt: ['x', 'y'] });
    });
  }
  it('a broadcasting condition [3] with x ["N",3] and a scalar y', async () => {
    const model = singleOpModel({
      op: 'Where',
      inputs: [{ name: 'c', dtype: 'bool', shape: [3] }, { name: 'x', dtype: 'float64', shape: ['N', 3] }, { name: 'y', dtype: 'float64', shape: [] }],
    });
    const feeds = { c: tensor('bool', [3], [1, 0, 1]), x: randn('float64', [4, 3], rng), y: randn('float64', [], rng) };
    await expectGradientsClose({ model, feeds, of: 'y0', wrt: ['x', 'y'] });
  });
  it('routes the cotangent by the condition', async () => {
    const model = singleOpModel({
      op: 'Where',
      inputs: [{ name: 'c', dtype: 'bool', shape: [4] }, { name: 'x', dtype: 'float64', shape: [4] }, { name: 'y', dtype: 'float64', shape: [1] }],
    });
    const gs = await GradientSession.create(model, { of: 'y0', wrt: ['x', 'y'] });
    const { grads } = await gs.run(
      { c: tensor('bool', [4], [1, 0, 0, 1]), x: randn('float64', [4], rng), y: randn('float64', [1], rng) },
      tensor('float64', [4], [1, 2, 4, 8]),
    );
    expect(Array.from(toFloat64(grads.x))).toEqual([1, 0, 0, 8]);
    expect(Array.from(toFloat64(grads.y))).toEqual([6]);
  });
});

describe('Cast', () => {
  it('float32 -> float64: the gradient comes back as float32', async () => {
    const { model, b } = emptyModel([{ name: 'x', dtype: 'float32', shape: [3, 4] }], 13);
    b.op('Exp', [b.cast('x', 'float64')], {}, { outputNames: ['y'] });
    model.graph.outputs = [{ name: 'y' }];
    // x is float32, so steps must be well above its ulp (~1e-7): h = 1e-2 gives truncation
    // h^2/6 * e^x <= 1e-4 relative, rounding of x + h ~6e-8 / h = 6e-6; rtol 1e-3 covers both.
    const r = await expectGradientsClose({ model, feeds: { x: randn('float32', [3, 4], rng) }, of: 'y', wrt: ['x'], eps: 1e-2, rtol: 1e-3, atol: 1e-6 });
    expect(r.checked).toBe(12);
    const gs = await GradientSession.create(model, { of: 'y', wrt: ['x'] });
    expect((await gs.run({ x: randn('float32', [3, 4], rng) })).grads.x.dtype).toBe('float32');
  });
  it('float64 -> float32 at opset 17, symbolic batch', async () => {
    const { model, b } = emptyModel([{ name: 'x', dtype: 'float64', shape: ['N', 3] }], 17);
    b.op('Tanh', [b.cast('x', 'float32')], {}, { outputNames: ['y'] });
    model.graph.outputs = [{ name: 'y' }];
    // The output is float32: default float32 check (h = 1e-2, rtol 2e-2, atol 2e-3).
    await expectGradientsClose({ model, feeds: { x: randn('float64', [4, 3], rng) }, of: 'y', wrt: ['x'] });
  });
  it('a float cast to its own dtype passes the gradient through', async () => {
    const model = singleOpModel({ op: 'Cast', inputs: [{ name: 'x', dtype: 'float64', shape: [5] }], attrs: { to: 11 } });
    await expectGradientsClose({ model, feeds: { x: randn('float64', [5], rng) }, of: 'y0', wrt: ['x'] });
  });
  it('a round trip through int64 carries no gradient', async () => {
    const { model, b } = emptyModel([{ name: 'x', dtype: 'float64', shape: [4] }], 17);
    const back = b.cast(b.cast('x', 'int64'), 'float64');
    b.op('Add', [back, 'x'], {}, { outputNames: ['y'] });
    model.graph.outputs = [{ name: 'y' }];
    const gs = await GradientSession.create(model, { of: 'y', wrt: ['x'] });
    const { value, grads } = await gs.run({ x: tensor('float64', [4], [0.5, 1.7, -2.2, 3]) }, tensor('float64', [4], [1, 2, 3, 4]));
    expect(Array.from(toFloat64(value))).toEqual([0.5, 2.7, -4.2, 6]);
    // Only the Add's direct path counts: the integer path is piecewise constant.
    expect(Array.from(toFloat64(grads.x))).toEqual([1, 2, 3, 4]);
  });
});
