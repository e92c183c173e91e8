import { describe, expect, it } from 'vitest';
import { isXqcError } from '../../errors.ts';
import type { Dim } from '../../onnx/ir.ts';
import { tensor } from '../../onnx/tensor.ts';
import { emptyModel, expectGradientsClose, normalRng, randn, singleOpModel } from '../../testing/index.ts';
import { GradientSession } from '../gradient.ts';

// Pad, Slice, Concat, Add and ReduceSum all have double kernels on ONNX Runtime's CPU
// provider, so these checks run in float64 with gradCheck's tight defaults.
const rng = normalRng(41);

interface PadCase {
  name: string;
  x: Dim[];
  feedX?: number[];
  pads: number[];
  mode: string;
  axes?: number[];
  opset?: number;
}

const cases: PadCase[] = [
  { name: 'constant, asymmetric pads', x: [2, 3, 4], pads: [0, 1, 2, 1, 0, 3], mode: 'constant' },
  { name: 'constant with negative pads (crop)', x: [3, 5], pads: [1, -2, 0, 1], mode: 'constant' },
  { name: 'constant with axes [-1, 1] at opset 18', x: [2, 3, 4], pads: [2, 1, 0, 1], axes: [-1, 1], mode: 'constant', opset: 18 },
  { name: 'reflect on H and W (NCHW)', x: [1, 2, 4, 5], pads: [0, 0, 2, 3, 0, 0, 3, 1], mode: 'reflect' },
  { name: 'reflect with pads of size-1 on both sides', x: [2, 4], pads: [1, 3, 1, 3], mode: 'reflect', opset: 13 },
  { name: 'edge on H and W', x: [1, 2, 3, 4], pads: [0, 0, 2, 1, 0, 0, 3, 2], mode: 'edge' },
  { name: 'edge on an axis of size 1', x: [2, 1, 3], pads: [0, 2, 1, 0, 1, 0], mode: 'edge' },
  { name: 'edge with axes [2, 3] at opset 18 and symbolic batch', x: ['N', 2, 3, 3], feedX: [2, 2, 3, 3], pads: [1, 2, 2, 0], axes: [2, 3], mode: 'edge', opset: 18 },
  { name: 'reflect with unknown sizes', x: [null, null, null], feedX: [2, 5, 4], pads: [0, 2, 1, 0, 3, 2], mode: 'reflect' },
  { name: 'wrap at opset 19', x: [2, 3, 4], pads: [0, 2, 4, 0, 3, 1], mode: 'wrap', opset: 19 },
];

function padModel(c: PadCase, dtype: 'float64' | 'float32' = 'float64'): ReturnType<typeof singleOpModel> {
  const constants: Record<number, ReturnType<typeof tensor>> = { 1: tensor('int64', [c.pads.length], c.pads) };
  const omitted: number[] = [];
  if (c.axes) {
    omitted.push(2);
    constants[3] = tensor('int64', [c.axes.length], c.axes);
  }
  return singleOpModel({ op: 'Pad', inputs: [{ name: 'x', dtype, shape: c.x }], constants, omitted, attrs: { mode: c.mode }, opset: c.opset });
}

describe('Pad gradient (finite differences, float64)', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const x = randn('float64', c.feedX ?? (c.x as number[]), rng);
      const r = await expectGradientsClose({ model: padModel(c), feeds: { x }, of: 'y0', wrt: ['x'] });
      expect(r.checked).toBeGreaterThan(0);
    });
  }

  it('constant: pads computed in the graph, and the gradient of constant_value', async () => {
    const { model, b } = emptyModel([
      { name: 'x', dtype: 'float64', shape: [null, 3] },
      { name: 'v', dtype: 'float64', shape: [] },
    ]);
    // pads = [1, 0, 0, 2] for x [2, 3], built from Shape(x) of an unknown first dim so it is no constant.
    const s = b.shape('x');
    const one = b.op1('Div', [b.op1('Slice', [s, b.int64s([0]), b.int64s([1])]), b.int64s([2])]);
    const pads = b.op1('Concat', [one, b.int64s([0, 0]), b.op1('Slice', [s, b.int64s([0]), b.int64s([1])])], { axis: 0 });
    b.op('Pad', ['x', pads, 'v'], {}, { outputNames: ['y'] });
    model.graph.outputs = [{ name: 'y' }];
    await expectGradientsClose({ model, feeds: { x: randn('float64', [2, 3], rng), v: tensor('float64', [], [0.7]) }, of: 'y', wrt: ['x', 'v'] });
  });

  it('reflect in float32', async () => {
    const c = cases[3];
    await expectGradientsClose({ model: padModel(c, 'float32'), feeds: { x: randn('float32', c.x as number[], rng) }, of: 'y0', wrt: ['x'] });
  });
});

describe('Pad gradient errors', () => {
  it('rejects reflect with pads computed at run time', async () => {
    const { model, b } = emptyModel([{ name: 'x', dtype: 'float64', shape: [2, 3] }, { name: 'p', dtype: 'int64', shape: [4] }]);
    b.op('Pad', ['x', 'p'], { mode: 'reflect' }, { outputNames: ['y'] });
    model.graph.outputs = [{ name: 'y' }];
    await expect(GradientSession.create(model, { of: 'y', wrt: ['x'] })).rejects.toSatisfy((e: unknown) => isXqcError(e, 'XQC_AUTODIFF_UNSUPPORTED'));
  });
  it('rejects negative pads in edge mode', async () => {
    const model = padModel({ name: '', x: [2, 3], pads: [0, -1, 0, 1], mode: 'edge' });
    await expect(GradientSession.create(model, { of: 'y0', wrt: ['x'] })).rejects.toSatisfy((e: unknown) => isXqcError(e, 'XQC_AUTODIFF_UNSUPPORTED'));
  });
});
