import { describe, expect, it } from 'vitest';
import type { Dim } from '../../onnx/ir.ts';
import { tensor } from '../../onnx/tensor.ts';
import type { Tensor } from '../../onnx/tensor.ts';
import { expectGradientsClose, normalRng, randn, singleOpModel } from '../../testing/index.ts';
import { defaultRegistry } from '../register-all.ts';
import { buildGradient } from '../vjp.ts';

// float64: GatherElements is linear in x, so central differences are exact up to rounding
// and the default float64 tolerances (rtol 1e-5, atol 1e-7) apply.
const rng = normalRng(41);

interface Case {
  name: string;
  opset: number;
  shape: Dim[];
  dims: number[];
  axis: number;
  indices: Tensor;
  expectOp: string;
}

const idx = (dims: number[], values: number[]): Tensor => tensor('int64', dims, values);

const CASES: Case[] = [
  { name: 'opset 17, axis 1, repeated and negative indices (ScatterElements add)', opset: 17, shape: [2, 4], dims: [2, 4], axis: 1, indices: idx([2, 3], [0, 0, -1, 3, 1, 3]), expectOp: 'ScatterElements' },
  { name: 'opset 16, axis 0 of a 3-D tensor with a symbolic batch', opset: 16, shape: ['N', 2, 3], dims: [3, 2, 3], axis: 0, indices: idx([2, 2, 3], [0, 2, 2, 1, 0, 0, 2, 2, 1, 1, 0, -3]), expectOp: 'ScatterElements' },
  { name: 'opset 17, unknown rank, axis -1', opset: 17, shape: [3, 5], dims: [3, 5], axis: -1, indices: idx([3, 2], [4, 4, 0, 1, -1, 2]), expectOp: 'ScatterElements' },
  { name: 'opset 13, axis 1, repeated indices (one-hot sum)', opset: 13, shape: [2, 4], dims: [2, 4], axis: 1, indices: idx([2, 3], [0, 0, -1, 3, 1, 3]), expectOp: 'OneHot' },
  { name: 'opset 14, axis -2 of [2, 3, 2], indices smaller off the axis (padded)', opset: 14, shape: [2, 3, 2], dims: [2, 3, 2], axis: -2, indices: idx([1, 2, 1], [2, 2]), expectOp: 'Pad' },
];

describe('GatherElements gradient (finite differences)', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const model = singleOpModel({
        op: 'GatherElements',
        opset: c.opset,
        inputs: [{ name: 'x', dtype: 'float64', shape: c.shape }, { name: 'i', dtype: 'int64', shape: c.indices.dims }],
        attrs: { axis: c.axis },
      });
      if (c.name.includes('unknown rank')) model.graph.inputs[0].shape = undefined;
      const r = await expectGradientsClose({ model, feeds: { x: randn('float64', c.dims, rng), i: c.indices }, of: 'y0', wrt: ['x'] });
      expect(r.checked).toBe(c.dims.reduce((a, d) => a * d, 1));
      const { model: g } = buildGradient(model, defaultRegistry(), { of: 'y0', wrt: ['x'] });
      expect(g.graph.nodes.map((n) => n.opType)).toContain(c.expectOp);
    });
  }

  it('refuses a negative axis of unknown rank below opset 16, naming the op', () => {
    const model = singleOpModel({
      op: 'GatherElements',
      opset: 13,
      inputs: [{ name: 'x', dtype: 'float64', shape: [2, 3] }, { name: 'i', dtype: 'int64', shape: [2, 1] }],
      attrs: { axis: -1 },
    });
    model.graph.inputs[0].shape = undefined;
    expect(() => buildGradient(model, defaultRegistry(), { of: 'y0', wrt: ['x'] })).toThrow(/GatherElements node .*needs the rank/);
  });
});
