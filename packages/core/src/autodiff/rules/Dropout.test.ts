import { describe, expect, it } from 'vitest';
import { tensor, toFloat64 } from '../../onnx/tensor.ts';
import type { Tensor } from '../../onnx/tensor.ts';
import { expectGradientsClose, normalRng, randn, singleOpModel } from '../../testing/index.ts';
import { GradientSession } from '../gradient.ts';

const rng = normalRng(67);
const N = 200;
const f64 = (shape: (number | string)[]) => ({ name: 'x', dtype: 'float64' as const, shape });

/**
 * Training-mode masks are random per run, so finite differences cannot see them; instead the
 * gradient and the forward output of one run must agree on the mask:
 * y = x * m / (1 - r) and dx = c * m / (1 - r), to rounding.
 */
function expectMaskedScale(x: Tensor, c: Tensor, y: Tensor, dx: Tensor, ratio: number, mask?: Tensor): void {
  const xs = toFloat64(x);
  const cs = toFloat64(c);
  const ys = toFloat64(y);
  const gs = toFloat64(dx);
  // ONNX Runtime divides by 1 - ratio computed in float32.
  const keep = Math.fround(1 - Math.fround(ratio));
  let kept = 0;
  for (let i = 0; i < xs.length; i++) {
    const m = mask ? Number(mask.data[i]) : ys[i] !== 0 ? 1 : 0;
    kept += m;
    expect(Math.abs(ys[i] - (xs[i] * m) / keep)).toBeLessThanOrEqual(1e-15 * Math.abs(ys[i]));
    expect(Math.abs(gs[i] - (cs[i] * m) / keep)).toBeLessThanOrEqual(1e-15 * Math.abs(gs[i]));
  }
  // Both branches are exercised: with 200 draws neither all nor none are kept.
  expect(kept).toBeGreaterThan(0);
  expect(kept).toBeLessThan(xs.length);
}

describe('Dropout (opset 13+)', () => {
  for (const opset of [13, 17]) {
    it(`inference mode (training_mode omitted) is the identity at opset ${opset}`, async () => {
      const model = singleOpModel({ op: 'Dropout', opset, inputs: [f64([3, 4])], constants: { 1: tensor('float64', [], [0.3]) } });
      await expectGradientsClose({ model, feeds: { x: randn('float64', [3, 4], rng) }, of: 'y0', wrt: ['x'] });
    });
  }
  it('a constant false training_mode is the identity', async () => {
    const model = singleOpModel({
      op: 'Dropout',
      inputs: [f64([3, 4])],
      constants: { 1: tensor('float32', [], [0.5]), 2: tensor('bool', [], [0]) },
      outputs: 2,
    });
    await expectGradientsClose({ model, feeds: { x: randn('float64', [3, 4], rng) }, of: 'y0', wrt: ['x'] });
  });
  for (const opset of [13, 17]) {
    it(`constant training mode, ratio 0.25, with the mask output, at opset ${opset}`, async () => {
      const model = singleOpModel({
        op: 'Dropout',
        opset,
        inputs: [f64([N])],
        constants: { 1: tensor('float64', [], [0.25]), 2: tensor('bool', [], [1]) },
        outputs: 2,
      });
      const gs = await GradientSession.create(model, { of: 'y0', wrt: ['x'] });
      const x = randn('float64', [N], rng);
      const c = randn('float64', [N], rng);
      const { value, grads, outputs } = await gs.run({ x }, c, ['y1']);
      expectMaskedScale(x, c, value, grads.x, 0.25, outputs.y1);
    });
  }
  it('training mode without a mask output: the rule exposes the mask it needs (default ratio 0.5)', async () => {
    const model = singleOpModel({ op: 'Dropout', inputs: [f64([N])], constants: { 2: tensor('bool', [], [1]) }, omitted: [1] });
    expect(model.graph.nodes[0].outputs).toEqual(['y0']);
    const gs = await GradientSession.create(model, { of: 'y0', wrt: ['x'] });
    const x = randn('float64', [N], rng);
    const c = randn('float64', [N], rng);
    const { value, grads } = await gs.run({ x }, c);
    expectMaskedScale(x, c, value, grads.x, 0.5);
    // The caller's model is untouched; only the gradient graph gained the output.
    expect(model.graph.nodes[0].outputs).toEqual(['y0']);
  });
  it('training_mode and ratio as graph inputs select at run time', async () => {
    const model = singleOpModel({
      op: 'Dropout',
      inputs: [f64(['N']), { name: 'r', dtype: 'float32', shape: [] }, { name: 't', dtype: 'bool', shape: [] }],
      outputs: 2,
      attrs: { seed: 3 },
    });
    const gs = await GradientSession.create(model, { of: 'y0', wrt: ['x'] });
    const x = randn('float64', [N], rng);
    const c = randn('float64', [N], rng);
    const r = tensor('float32', [], [0.4]);
    const on = await gs.run({ x, r, t: tensor('bool', [], [1]) }, c, ['y1']);
    expectMaskedScale(x, c, on.value, on.grads.x, 0.4, on.outputs.y1);
    const off = await gs.run({ x, r, t: tensor('bool', [], [0]) }, c);
    expect(Array.from(toFloat64(off.grads.x))).toEqual(Array.from(toFloat64(c)));
    expect(Array.from(toFloat64(off.value))).toEqual(Array.from(toFloat64(x)));
  });
});
