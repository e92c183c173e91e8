import { describe, expect, it } from 'vitest';
import type { Dim } from '../../onnx/ir.ts';
import { tensor } from '../../onnx/tensor.ts';
import type { Tensor } from '../../onnx/tensor.ts';
import { expectGradientsClose, normalRng, randn, singleOpModel } from '../../testing/index.ts';
import { GradientSession } from '../gradient.ts';

// AveragePool, GlobalAveragePool and GlobalMaxPool are float32-only on ONNX Runtime's CPU
// provider. The pools are linear (GlobalMaxPool piecewise linear away from ties), so with
// h = 1e-2 the differences are exact up to float32 rounding of F = <c, y> over <= ~150
// outputs (< 1e-3 after dividing by 2h): the default rtol 2e-2, atol 2e-3 apply.
const rng = normalRng(31);

interface PoolCase {
  name: string;
  x: Dim[];
  feedX?: number[];
  attrs: Record<string, number[] | number | string>;
  opset?: number;
}

const average: PoolCase[] = [
  { name: '3x3 stride 1 pad 1, count_include_pad 0 (border divisors)', x: [2, 2, 5, 6], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
  { name: '3x3 stride 1 pad 1, count_include_pad 1', x: [1, 2, 5, 5], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], count_include_pad: 1 } },
  { name: '2x2 stride 2 without pads', x: [2, 3, 6, 4], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
  { name: 'ceil_mode, stride 2, pad 1, count_include_pad 0', x: [1, 2, 6, 7], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 } },
  { name: 'ceil_mode, stride 2, pad 1, count_include_pad 1 (windows past the padded input)', x: [1, 2, 6, 7], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1, count_include_pad: 1 } },
  { name: 'asymmetric pads [0,1,2,0], stride [2,1], count_include_pad 1', x: [1, 2, 6, 5], attrs: { kernel_shape: [3, 2], strides: [2, 1], pads: [0, 1, 2, 0], count_include_pad: 1 } },
  { name: 'auto_pad SAME_UPPER stride 2', x: [1, 2, 7, 6], attrs: { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' } },
  { name: 'dilations 2 at opset 19', x: [1, 2, 7, 7], attrs: { kernel_shape: [2, 2], dilations: [2, 2], strides: [2, 1], pads: [1, 0, 0, 1] }, opset: 19 },
  { name: '1-D kernel 3 stride 2 pad 1', x: [2, 3, 8], attrs: { kernel_shape: [3], strides: [2], pads: [1, 1] } },
  { name: 'symbolic sizes with ceil_mode at opset 13', x: ['N', 2, null, null], feedX: [2, 2, 6, 7], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 0, 1, 0], ceil_mode: 1 }, opset: 13 },
  { name: 'unknown sizes with SAME_LOWER (pads in the graph)', x: [1, 2, null, null], feedX: [1, 2, 7, 6], attrs: { kernel_shape: [2, 3], strides: [2, 2], auto_pad: 'SAME_LOWER' } },
];

async function check(op: string, c: { x: Dim[]; feedX?: number[]; attrs?: PoolCase['attrs']; opset?: number }, x?: Tensor): Promise<void> {
  const model = singleOpModel({ op, inputs: [{ name: 'x', dtype: 'float32', shape: c.x }], attrs: c.attrs, opset: c.opset });
  const feeds = { x: x ?? randn('float32', c.feedX ?? (c.x as number[]), rng) };
  const r = await expectGradientsClose({ model, feeds, of: 'y0', wrt: ['x'], maxElements: 64 });
  expect(r.checked).toBeGreaterThan(0);
}

describe('AveragePool gradient (finite differences)', () => {
  for (const c of average) it(c.name, () => check('AveragePool', c));
});

describe('GlobalAveragePool gradient (finite differences)', () => {
  it('2-D, static', () => check('GlobalAveragePool', { x: [2, 3, 4, 5] }));
  it('3-D at opset 13', () => check('GlobalAveragePool', { x: [1, 2, 3, 2, 4], opset: 13 }));
  it('unknown spatial sizes (divisor from Size in the graph)', () => check('GlobalAveragePool', { x: ['N', 3, null, null], feedX: [2, 3, 5, 3] }));
});

function distinct(dims: number[]): Tensor {
  const n = dims.reduce((a, d) => a * d, 1);
  const values = Array.from({ length: n }, (_, i) => (i - n / 2) * 0.05);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(Math.abs(rng() * 1e6)) % (i + 1);
    [values[i], values[j]] = [values[j], values[i]];
  }
  return tensor('float32', dims, values);
}

describe('GlobalMaxPool gradient', () => {
  it('2-D, distinct values (finite differences)', () => check('GlobalMaxPool', { x: [2, 3, 4, 5] }, distinct([2, 3, 4, 5])));
  it('unknown spatial sizes, 1-D at opset 13 (finite differences)', () => check('GlobalMaxPool', { x: ['N', 2, null], feedX: [3, 2, 7], opset: 13 }, distinct([3, 2, 7])));
  it('routes a tie to the first maximum only', async () => {
    const model = singleOpModel({ op: 'GlobalMaxPool', inputs: [{ name: 'x', dtype: 'float32', shape: [1, 2, 2, 2] }] });
    const gs = await GradientSession.create(model, { of: 'y0', wrt: ['x'] });
    const x = tensor('float32', [1, 2, 2, 2], [1, 5, 5, 0, 7, 7, 7, 7]);
    const { grads } = await gs.run({ x }, tensor('float32', [1, 2, 1, 1], [2, 3]));
    expect(Array.from(grads.x.data as Float32Array)).toEqual([0, 2, 0, 0, 3, 0, 0, 0]);
  });
});
