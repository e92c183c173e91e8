import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../register-all.ts';
import { buildGradient } from '../vjp.ts';
import type { Dim, Model } from '../../onnx/ir.ts';
import { tensor } from '../../onnx/tensor.ts';
import type { Tensor } from '../../onnx/tensor.ts';
import { expectGradientsClose, normalRng, randn, singleOpModel } from '../../testing/index.ts';

const rng = normalRng(21);

interface GatherCase {
  name: string;
  opset: number;
  shape: Dim[];
  dims: number[];
  axis: number;
  indices: Tensor;
  /** Feed the indices at run time instead of as a constant. */
  runtime?: boolean;
  unknownRank?: boolean;
  /** An op the gradient graph must contain (which path the rule took). */
  expectOp: string;
}

function gatherModel(c: Pick<GatherCase, 'opset' | 'shape' | 'axis' | 'indices' | 'runtime' | 'unknownRank'>): Model {
  const model = singleOpModel({
    op: 'Gather',
    opset: c.opset,
    inputs: [{ name: 'x', dtype: 'float64', shape: c.shape }, ...(c.runtime ? [{ name: 'i', dtype: 'int64' as const, shape: c.indices.dims }] : [])],
    constants: c.runtime ? undefined : { 1: c.indices },
    attrs: { axis: c.axis },
  });
  if (c.unknownRank) model.graph.inputs[0].shape = undefined;
  return model;
}

const idx = (dims: number[], values: number[]): Tensor => tensor('int64', dims, values);

const CASES: GatherCase[] = [
  { name: 'opset 13, repeated and negative indices on axis 0 (one-hot MatMul)', opset: 13, shape: [5, 3], dims: [5, 3], axis: 0, indices: idx([2, 2], [1, -1, 1, 4]), runtime: true, expectOp: 'OneHot' },
  { name: 'opset 16, repeated indices on axis 0 (ScatterND add)', opset: 16, shape: [5, 3], dims: [5, 3], axis: 0, indices: idx([4], [0, 3, 0, -2]), runtime: true, expectOp: 'ScatterND' },
  { name: 'opset 17, 2-D repeated indices on axis 1', opset: 17, shape: [2, 4, 3], dims: [2, 4, 3], axis: 1, indices: idx([2, 3], [0, 1, 1, 3, -4, 2]), runtime: true, expectOp: 'ScatterND' },
  { name: 'opset 15, repeated indices on axis -1 (one-hot MatMul after a transpose)', opset: 15, shape: [2, 3, 4], dims: [2, 3, 4], axis: -1, indices: idx([3], [3, 3, 0]), runtime: true, expectOp: 'OneHot' },
  { name: 'ViT class token: scalar index 0 on axis 1 with a symbolic batch (opset 13)', opset: 13, shape: ['N', 5, 4], dims: [3, 5, 4], axis: 1, indices: idx([], [0]), expectOp: 'ScatterND' },
  { name: 'distinct constant indices on a symbolic axis 0 at opset 13 (plain ScatterND)', opset: 13, shape: ['N', 3], dims: [4, 3], axis: 0, indices: idx([2], [2, 0]), expectOp: 'ScatterND' },
  { name: 'distinct constant indices of both signs on a static axis at opset 13 (plain ScatterND)', opset: 13, shape: [4, 3], dims: [4, 3], axis: 0, indices: idx([2], [-1, 0]), expectOp: 'ScatterND' },
  // -1 and 0 may address one row when N = 1, so these are not provably distinct.
  { name: 'constant indices of both signs on a symbolic axis at opset 13 (one-hot MatMul)', opset: 13, shape: ['N', 3], dims: [1, 3], axis: 0, indices: idx([2], [-1, 0]), expectOp: 'OneHot' },
  { name: 'unknown rank, axis 1, scalar negative index at opset 13', opset: 13, shape: [3, 5, 2], dims: [3, 5, 2], axis: 1, indices: idx([], [-1]), unknownRank: true, expectOp: 'ScatterND' },
  { name: 'unknown rank, axis 1, repeated runtime indices at opset 17', opset: 17, shape: [2, 4, 2], dims: [2, 4, 2], axis: 1, indices: idx([3], [2, 2, 0]), runtime: true, unknownRank: true, expectOp: 'ScatterND' },
  { name: 'unknown rank, axis -2, repeated runtime indices at opset 13 (one-hot MatMul)', opset: 13, shape: [2, 4, 3], dims: [2, 4, 3], axis: -2, indices: idx([2, 2], [3, -1, 0, 3]), runtime: true, unknownRank: true, expectOp: 'OneHot' },
  { name: 'last axis given as a positive index, repeated constant indices at opset 18', opset: 18, shape: ['N', 2, 3], dims: [2, 2, 3], axis: 2, indices: idx([3], [1, 1, 2]), expectOp: 'ScatterND' },
];

describe('Gather', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const model = gatherModel(c);
      const feeds: Record<string, Tensor> = { x: randn('float64', c.dims, rng) };
      if (c.runtime) feeds.i = c.indices;
      await expectGradientsClose({ model, feeds, of: 'y0', wrt: ['x'] });
      const { model: g } = buildGradient(model, defaultRegistry(), { of: 'y0', wrt: ['x'] });
      expect(g.graph.nodes.map((n) => n.opType)).toContain(c.expectOp);
    });
  }
});
