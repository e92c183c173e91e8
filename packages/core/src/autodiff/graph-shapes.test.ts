import { describe, expect, it } from 'vitest';
import type { Model } from '../onnx/ir.ts';
import { inferTypes } from '../onnx/shape/infer.ts';
import { tensor } from '../onnx/tensor.ts';
import { expectGradientsClose, normalRng, randn, singleOpModel } from '../testing/index.ts';
import { defaultRegistry } from './register-all.ts';
import { buildGradient } from './vjp.ts';

const rng = normalRng(5);

/** Op types of the backward part of the gradient graph of y0 w.r.t. x. */
function backwardOps(model: Model): string[] {
  const g = buildGradient(model, defaultRegistry(), { of: 'y0', wrt: ['x'] });
  return g.model.graph.nodes.slice(model.graph.nodes.length).map((n) => n.opType);
}

describe('backward shapes stay constants under a symbolic batch', () => {
  // ONNX Runtime's blocked-layout pass keeps a Mul of a cotangent and a forward value in
  // that layout only when it can prove their shapes equal, which a Shape-computed Reshape
  // or Expand target hides. The batch dim travels with the cotangent instead.
  // GlobalAveragePool has no float64 kernel in ONNX Runtime: float32, with a tolerance for
  // the central difference of a linear op (rounding only: ~6e-8 / h with h = 1e-2).
  const cases: [string, 'float32' | 'float64', number[], (string | number)[]][] = [
    ['Flatten', 'float64', [3, 4, 2, 2], ['N', 4, 2, 2]],
    ['GlobalAveragePool', 'float32', [3, 4, 3, 3], ['N', 4, 3, 3]],
  ];
  for (const [op, dtype, dims, shape] of cases) {
    it(`${op}: no Shape op, the batch dim copied from the cotangent, gradient right`, async () => {
      const model = singleOpModel({ op, opset: 17, inputs: [{ name: 'x', dtype, shape }] });
      expect(backwardOps(model)).not.toContain('Shape');
      const g = buildGradient(model, defaultRegistry(), { of: 'y0', wrt: ['x'] });
      expect(inferTypes(g.model).types.get(g.grads.x)?.shape).toEqual(shape);
      const tol = dtype === 'float32' ? { rtol: 1e-3, atol: 1e-4 } : {};
      await expectGradientsClose({ model, feeds: { x: randn(dtype, dims, rng) }, of: 'y0', wrt: ['x'], ...tol });
    });
  }

  it('copies the dims carried at the same position and leaves one other to -1', async () => {
    // Squeeze [N, 1, T] -> [N, T]: N is copied, T becomes -1; still no Shape op.
    const model = singleOpModel({ op: 'Squeeze', opset: 17, inputs: [{ name: 'x', dtype: 'float64', shape: ['N', 1, 'T'] }], constants: { 1: tensor('int64', [1], [1]) } });
    const g = buildGradient(model, defaultRegistry(), { of: 'y0', wrt: ['x'] });
    expect(g.model.graph.nodes.map((n) => n.opType)).not.toContain('Shape');
    expect(inferTypes(g.model).types.get(g.grads.x)?.shape?.[0]).toBe('N');
    await expectGradientsClose({ model, feeds: { x: randn('float64', [2, 1, 5], rng) }, of: 'y0', wrt: ['x'] });
  });

  it('falls back to Shape where a symbolic dim of the input is not carried by the output', async () => {
    // Flatten(axis 0) of [N, 4] is [1, 4N]: N cannot be copied from the cotangent.
    const model = singleOpModel({ op: 'Flatten', opset: 17, inputs: [{ name: 'x', dtype: 'float64', shape: ['N', 'M'] }], attrs: { axis: 0 } });
    expect(backwardOps(model)).toContain('Shape');
    await expectGradientsClose({ model, feeds: { x: randn('float64', [3, 4], rng) }, of: 'y0', wrt: ['x'] });
  });

  it('Reduce*: constant Expand target over kept symbolic dims, Shape where a symbolic dim is reduced', async () => {
    const axes = (v: number[]) => ({ 1: tensor('int64', [v.length], v) });
    const kept = singleOpModel({ op: 'ReduceSum', opset: 17, inputs: [{ name: 'x', dtype: 'float64', shape: ['N', 4, 3] }], constants: axes([1, 2]) });
    expect(backwardOps(kept)).not.toContain('Shape');
    await expectGradientsClose({ model: kept, feeds: { x: randn('float64', [2, 4, 3], rng) }, of: 'y0', wrt: ['x'] });
    const overBatch = singleOpModel({ op: 'ReduceSum', opset: 17, inputs: [{ name: 'x', dtype: 'float64', shape: ['N', 4] }], constants: axes([0]) });
    expect(backwardOps(overBatch)).toContain('Shape');
    await expectGradientsClose({ model: overBatch, feeds: { x: randn('float64', [3, 4], rng) }, of: 'y0', wrt: ['x'] });
  });
});
