import { describe, expect, it } from 'vitest';
import { GradientSession } from '../gradient.ts';
import type { Dim, Model } from '../../onnx/ir.ts';
import { tensor, toNumbers } from '../../onnx/tensor.ts';
import type { Tensor } from '../../onnx/tensor.ts';
import { emptyModel, expectGradientsClose, normalRng, randn, singleOpModel } from '../../testing/index.ts';
import type { InputSpec } from '../../testing/index.ts';

const rng = normalRng(9);
const i64 = (values: number[]): Tensor => tensor('int64', [values.length], values);
const INT64_MAX = tensor('int64', [1], BigInt64Array.of(9223372036854775807n));
const INT64_MIN_END = tensor('int64', [1], BigInt64Array.of(-9223372036854775807n));

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

describe('Concat', () => {
  it('three inputs along axis -1', async () => {
    const shapes = [[2, 3], [2, 1], [2, 2]];
    const model = singleOpModel({ op: 'Concat', inputs: shapes.map((s, i) => ({ name: `x${i}`, dtype: 'float64', shape: s })), attrs: { axis: -1 } });
    const feeds = Object.fromEntries(shapes.map((s, i) => [`x${i}`, randn('float64', s, rng)]));
    await expectGradientsClose({ model, feeds, of: 'y0', wrt: ['x0', 'x1', 'x2'] });
  });

  it('opset 13, symbolic batch, concatenated along axis 1 (static sizes)', async () => {
    const model = singleOpModel({ op: 'Concat', opset: 13, inputs: [{ name: 'a', dtype: 'float64', shape: ['N', 2, 2] }, { name: 'b', dtype: 'float64', shape: ['N', 3, 2] }], attrs: { axis: 1 } });
    await expectGradientsClose({ model, feeds: { a: randn('float64', [3, 2, 2], rng), b: randn('float64', [3, 3, 2], rng) }, of: 'y0', wrt: ['a', 'b'] });
  });

  it('along symbolic axes (sizes gathered at run time), one input without gradient', async () => {
    const model = singleOpModel({ op: 'Concat', inputs: [{ name: 'a', dtype: 'float64', shape: ['N', 2] }, { name: 'b', dtype: 'float64', shape: ['M', 2] }], attrs: { axis: 0 } });
    await expectGradientsClose({ model, feeds: { a: randn('float64', [3, 2], rng), b: randn('float64', [2, 2], rng) }, of: 'y0', wrt: ['b'] });
  });
});

describe('Split', () => {
  it('opset 13 with a split input, only the middle output used: zeros for the others', async () => {
    const split = singleOpModel({ op: 'Split', opset: 13, outputs: 3, inputs: [{ name: 'x', dtype: 'float64', shape: [2, 7] }], constants: { 1: i64([2, 3, 2]) }, attrs: { axis: 1 } });
    const model = exposeOutput(split, 'y1', 'float64');
    const x = randn('float64', [2, 7], rng);
    await expectGradientsClose({ model, feeds: { x }, of: 'out', wrt: ['x'] });
    const gs = await GradientSession.create(model, { of: 'out', wrt: ['x'] });
    const { grads } = await gs.run({ x }, tensor('float64', [2, 3], [1, 1, 1, 1, 1, 1]));
    expect(toNumbers(grads.x)).toEqual([0, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0]);
  });

  it('opset 13 without a split input: equal parts along axis 0', async () => {
    const model = exposeOutput(singleOpModel({ op: 'Split', opset: 13, outputs: 3, inputs: [{ name: 'x', dtype: 'float64', shape: [6, 2] }] }), 'y2', 'float64');
    await expectGradientsClose({ model, feeds: { x: randn('float64', [6, 2], rng) }, of: 'out', wrt: ['x'] });
  });

  it('opset 18 num_outputs with an uneven last part, two outputs combined, one unused', async () => {
    const { model, b } = emptyModel([{ name: 'x', dtype: 'float64', shape: [2, 7] }], 18);
    const [p0, p1, p2] = b.op('Split', ['x'], { axis: -1, num_outputs: 3 }, { outputs: 3 });
    model.graph.valueInfo.push(...[p0, p1, p2].map((name, i) => ({ name, dtype: 'float64' as const, shape: [2, i < 2 ? 3 : 1] })));
    b.op('Mul', [p0, p1], {}, { outputNames: ['y'] });
    model.graph.outputs = [{ name: 'y', dtype: 'float64' }];
    await expectGradientsClose({ model, feeds: { x: randn('float64', [2, 7], rng) }, of: 'y', wrt: ['x'] });
  });

  it('symbolic batch, split input [1, 2] along axis 1, outputs broadcast together', async () => {
    const { model, b } = emptyModel([{ name: 'x', dtype: 'float64', shape: ['N', 3] }], 17);
    const [p0, p1] = b.op('Split', ['x', b.int64s([1, 2])], { axis: 1 }, { outputs: 2 });
    model.graph.valueInfo.push({ name: p0, dtype: 'float64', shape: ['N', 1] }, { name: p1, dtype: 'float64', shape: ['N', 2] });
    b.op('Mul', [p0, p1], {}, { outputNames: ['y'] });
    model.graph.outputs = [{ name: 'y', dtype: 'float64' }];
    await expectGradientsClose({ model, feeds: { x: randn('float64', [4, 3], rng) }, of: 'y', wrt: ['x'] });
  });
});

describe('Slice', () => {
  interface SliceCase {
    name: string;
    opset?: number;
    shape: Dim[];
    dims: number[];
    bounds: (Tensor | undefined)[];
    /** Bounds fed at run time instead of as constants (by position 1..4). */
    runtime?: number[];
    unknownRank?: boolean;
  }
  const cases: SliceCase[] = [
    { name: 'opset 13, unit steps, negative start, end past the dim (Pad path)', opset: 13, shape: [4, 5], dims: [4, 5], bounds: [i64([1, -3]), i64([3, 1000]), i64([0, 1])] },
    { name: 'INT64_MAX end on the last axis, axes omitted', shape: [3, 4], dims: [3, 4], bounds: [i64([1]), INT64_MAX] },
    { name: 'negative step -2 from the end to before the start', shape: [2, 7], dims: [2, 7], bounds: [i64([-1]), INT64_MIN_END, i64([1]), i64([-2])] },
    { name: 'steps 2 on two axes, negative axis', shape: [5, 6], dims: [5, 6], bounds: [i64([0, 1]), i64([5, 6]), i64([0, -1]), i64([2, 3])] },
    { name: 'starts fed at run time, symbolic batch', shape: ['N', 6], dims: [3, 6], bounds: [i64([2]), i64([5]), i64([1])], runtime: [1] },
    { name: 'unit steps on an input of unknown rank (scatter path)', shape: [3, 4], dims: [3, 4], bounds: [i64([1]), i64([-1]), i64([1])], unknownRank: true },
    { name: 'an empty slice gives a zero gradient', shape: [3, 4], dims: [3, 4], bounds: [i64([3]), i64([1]), i64([1])] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const runtime = c.runtime ?? [];
      const inputs: InputSpec[] = [{ name: 'x', dtype: 'float64', shape: c.shape }];
      const constants: Record<number, Tensor> = {};
      const feeds: Record<string, Tensor> = { x: randn('float64', c.dims, rng) };
      c.bounds.forEach((t, k) => {
        if (!t) return;
        if (runtime.includes(k + 1)) {
          inputs.push({ name: `b${k + 1}`, dtype: 'int64', shape: t.dims });
          feeds[`b${k + 1}`] = t;
        } else constants[k + 1] = t;
      });
      const model = singleOpModel({ op: 'Slice', opset: c.opset ?? 17, inputs, constants });
      if (c.unknownRank) model.graph.inputs[0].shape = undefined;
      await expectGradientsClose({ model, feeds, of: 'y0', wrt: ['x'] });
    });
  }
});
