import { describe, it } from 'vitest';
import type { AttrInput } from '../../onnx/builder.ts';
import type { Dim } from '../../onnx/ir.ts';
import { tensor } from '../../onnx/tensor.ts';
import type { Tensor } from '../../onnx/tensor.ts';
import { expectGradientsClose, normalRng, randn, singleOpModel } from '../../testing/index.ts';

const rng = normalRng(3);

interface Case {
  name: string;
  op: string;
  opset?: number;
  shape: Dim[];
  dims: number[];
  constants?: Record<number, Tensor>;
  attrs?: Record<string, AttrInput>;
  /** Extra int64 graph inputs (values the rule cannot see as constants). */
  runtime?: { name: string; value: Tensor }[];
}

const i64 = (values: number[]): Tensor => tensor('int64', [values.length], values);

const CASES: Case[] = [
  { name: 'Flatten axis 1 with a symbolic batch', op: 'Flatten', shape: ['N', 3, 2, 2], dims: [2, 3, 2, 2] },
  { name: 'Flatten axis 0', op: 'Flatten', shape: [2, 3, 2], dims: [2, 3, 2], attrs: { axis: 0 } },
  { name: 'Flatten axis -1, opset 13', op: 'Flatten', opset: 13, shape: ['N', 3, 4], dims: [3, 3, 4], attrs: { axis: -1 } },
  { name: 'Reshape with 0 (copy) and -1 (infer), symbolic batch', op: 'Reshape', shape: ['N', 3, 4], dims: [2, 3, 4], constants: { 1: i64([0, -1, 2]) } },
  { name: 'Reshape opset 13 to a fixed shape', op: 'Reshape', opset: 13, shape: [2, 3, 4], dims: [2, 3, 4], constants: { 1: i64([4, 6]) } },
  { name: 'Reshape allowzero=1 (opset 14)', op: 'Reshape', opset: 14, shape: [2, 6], dims: [2, 6], constants: { 1: i64([3, 2, 2]) }, attrs: { allowzero: 1 } },
  { name: 'Reshape to a shape fed at run time', op: 'Reshape', shape: [2, 6], dims: [2, 6], runtime: [{ name: 's', value: i64([-1, 3]) }] },
  { name: 'Transpose with perm', op: 'Transpose', shape: [2, 3, 4], dims: [2, 3, 4], attrs: { perm: [1, 2, 0] } },
  { name: 'Transpose default perm reverses the axes', op: 'Transpose', shape: ['N', 3, 4], dims: [2, 3, 4] },
  { name: 'Squeeze opset 13 axes input, negative axis', op: 'Squeeze', opset: 13, shape: [2, 1, 3, 1], dims: [2, 1, 3, 1], constants: { 1: i64([-1]) } },
  { name: 'Squeeze without axes drops every size-1 axis', op: 'Squeeze', opset: 17, shape: [1, 3, 1, 2], dims: [1, 3, 1, 2] },
  { name: 'Unsqueeze opset 13 axes input [0, -1]', op: 'Unsqueeze', opset: 13, shape: ['N', 3], dims: [2, 3], constants: { 1: i64([0, -1]) } },
  { name: 'Expand a [3, 1] column to [2, 3, 4]', op: 'Expand', opset: 13, shape: [3, 1], dims: [3, 1], constants: { 1: i64([2, 3, 4]) } },
  { name: 'Expand where x is larger than the target on an axis', op: 'Expand', shape: [2, 1, 3], dims: [2, 1, 3], constants: { 1: i64([4, 1]) } },
  { name: 'Expand to a shape fed at run time', op: 'Expand', shape: [1, 3], dims: [1, 3], runtime: [{ name: 's', value: i64([2, 2, 3]) }] },
  { name: 'Tile [2, 3] by [2, 1]', op: 'Tile', opset: 13, shape: [2, 3], dims: [2, 3], constants: { 1: i64([2, 1]) } },
  { name: 'Tile [2, 1, 3] by [1, 4, 2]', op: 'Tile', shape: [2, 1, 3], dims: [2, 1, 3], constants: { 1: i64([1, 4, 2]) } },
  { name: 'Tile with a symbolic batch and repeats fed at run time', op: 'Tile', shape: ['N', 2], dims: [3, 2], runtime: [{ name: 'r', value: i64([2, 3]) }] },
];

describe('shape rules: Flatten, Reshape, Transpose, Squeeze, Unsqueeze, Expand, Tile', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const model = singleOpModel({
        op: c.op,
        opset: c.opset ?? 17,
        inputs: [{ name: 'x', dtype: 'float64', shape: c.shape }, ...(c.runtime ?? []).map((r) => ({ name: r.name, dtype: 'int64' as const, shape: r.value.dims }))],
        constants: c.constants,
        attrs: c.attrs,
      });
      const feeds: Record<string, Tensor> = { x: randn('float64', c.dims, rng) };
      for (const r of c.runtime ?? []) feeds[r.name] = r.value;
      await expectGradientsClose({ model, feeds, of: 'y0', wrt: ['x'] });
    });
  }
});
