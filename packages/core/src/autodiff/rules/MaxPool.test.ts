import { describe, expect, it } from 'vitest';
import { isXqcError } from '../../errors.ts';
import type { Dim } from '../../onnx/ir.ts';
import { tensor, toFloat64 } from '../../onnx/tensor.ts';
import type { Tensor } from '../../onnx/tensor.ts';
import { expectGradientsClose, normalRng, singleOpModel } from '../../testing/index.ts';
import { GradientSession } from '../gradient.ts';

// MaxPool is piecewise linear: central differences are exact as long as no window's argmax
// changes within +-h. Inputs are a random permutation of values spaced 0.05 apart, so with
// h = 1e-2 no tie can form. The opset 13-15 path needs ConvTranspose, float32-only on ONNX
// Runtime's CPU provider; float32 rounding of F = <c, y> over <= ~100 outputs is < 1e-3 after
// dividing by 2h, inside the default atol 2e-3.
const rng = normalRng(5);

function distinct(dtype: 'float32' | 'float64', dims: number[]): Tensor {
  const n = dims.reduce((a, d) => a * d, 1);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(Math.abs(rng() * 1e6)) % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return tensor(dtype, dims, order.map((k) => (k - n / 2) * 0.05));
}

interface PoolCase {
  name: string;
  x: Dim[];
  feedX?: number[];
  attrs: Record<string, number[] | number | string>;
  opsets?: number[];
  dtype?: 'float32' | 'float64';
  outputs?: number;
}

const cases: PoolCase[] = [
  { name: '3x3 stride 2 pad 1 (ResNet stem), overlapping windows', x: [2, 3, 7, 7], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, opsets: [13, 17, 21] },
  { name: '2x2 stride 2', x: [1, 2, 6, 4], attrs: { kernel_shape: [2, 2], strides: [2, 2] }, opsets: [15, 16] },
  { name: 'ceil_mode with windows past the input', x: [1, 2, 6, 7], attrs: { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }, opsets: [13, 17] },
  { name: 'dilations 2, stride 1, asymmetric pads', x: [1, 2, 6, 6], attrs: { kernel_shape: [2, 3], dilations: [2, 2], pads: [0, 1, 1, 0] }, opsets: [13, 18] },
  { name: 'auto_pad SAME_UPPER stride 2', x: [1, 2, 5, 6], attrs: { kernel_shape: [3, 2], strides: [2, 2], auto_pad: 'SAME_UPPER' }, opsets: [13, 17] },
  { name: '1-D kernel 3 stride 2 pad 1', x: [2, 3, 9], attrs: { kernel_shape: [3], strides: [2], pads: [1, 1] }, opsets: [13, 17] },
  { name: 'node already exposing Indices', x: [1, 2, 5, 5], attrs: { kernel_shape: [3, 3], strides: [1, 1] }, opsets: [13, 17], outputs: 2 },
  { name: 'symbolic batch and spatial sizes', x: ['N', 2, null, null], feedX: [2, 2, 7, 6], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, opsets: [13, 17] },
  { name: 'unknown spatial sizes with SAME_LOWER (pads in the graph)', x: [1, 2, null, null], feedX: [1, 2, 6, 5], attrs: { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_LOWER' }, opsets: [13] },
  { name: 'float64 3x3 stride 2 pad 1', x: [1, 2, 7, 7], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, opsets: [17], dtype: 'float64' },
];

describe('MaxPool gradient (finite differences)', () => {
  for (const c of cases) {
    for (const opset of c.opsets ?? [17]) {
      it(`${c.name}, opset ${opset}`, async () => {
        const dtype = c.dtype ?? 'float32';
        const model = singleOpModel({ op: 'MaxPool', inputs: [{ name: 'x', dtype, shape: c.x }], attrs: c.attrs, opset, outputs: c.outputs });
        const x = distinct(dtype, c.feedX ?? (c.x as number[]));
        const tol = dtype === 'float64' ? { eps: 1e-3, rtol: 1e-9, atol: 1e-9 } : {};
        const r = await expectGradientsClose({ model, feeds: { x }, of: 'y0', wrt: ['x'], maxElements: 64, ...tol });
        expect(r.checked).toBeGreaterThan(0);
      });
    }
  }
});

describe('MaxPool gradient routing', () => {
  it('sums overlapping windows that pick the same element, identically at opset 13 and 17', async () => {
    // 1-D, kernel 3 stride 1: the global maximum at position 2 wins windows 0, 1 and 2.
    const x = tensor('float32', [1, 1, 5], [0, 1, 9, 2, 3]);
    const dy = tensor('float32', [1, 1, 3], [1, 10, 100]);
    for (const opset of [13, 17]) {
      const model = singleOpModel({ op: 'MaxPool', inputs: [{ name: 'x', dtype: 'float32', shape: [1, 1, 5] }], attrs: { kernel_shape: [3] }, opset });
      const gs = await GradientSession.create(model, { of: 'y0', wrt: ['x'] });
      const { grads } = await gs.run({ x }, dy);
      expect(Array.from(grads.x.data as Float32Array)).toEqual([0, 0, 111, 0, 0]);
    }
  });

  it('sends a tied window to one element, the same one at opset 13 and 17', async () => {
    const dims = [2, 2, 6, 6];
    const x = tensor('float32', dims, Array.from({ length: 144 }, (_, i) => (i * 7) % 3));
    const results: Float64Array[] = [];
    for (const opset of [13, 17]) {
      const model = singleOpModel({
        op: 'MaxPool',
        inputs: [{ name: 'x', dtype: 'float32', shape: dims }],
        attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] },
        opset,
      });
      const gs = await GradientSession.create(model, { of: 'y0', wrt: ['x'] });
      const { grads } = await gs.run({ x }, tensor('float32', [2, 2, 3, 3], new Array<number>(36).fill(1)));
      results.push(toFloat64(grads.x));
    }
    expect(results[0]).toEqual(results[1]);
    // Every window routes exactly one unit: the total is the number of windows.
    expect(results[0].reduce((a, v) => a + v, 0)).toBe(36);
  });

  it('sends a tie to the first maximum in scan order, as PyTorch does, also in ceil_mode windows past the edge', async () => {
    // ReLU-like input: zeros and a tied positive value. 3x3 stride 2 ceil_mode on 4x4 gives
    // windows at rows/cols 0 and 2; those at 2 run one past the edge.
    const v = [
      0, 5, 5, 0,
      5, 5, 0, 0,
      0, 0, 5, 5,
      0, 0, 5, 5,
    ];
    const x = tensor('float32', [1, 1, 4, 4], v);
    for (const opset of [13, 17]) {
      const model = singleOpModel({ op: 'MaxPool', inputs: [{ name: 'x', dtype: 'float32', shape: [1, 1, 4, 4] }], attrs: { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }, opset });
      const gs = await GradientSession.create(model, { of: 'y0', wrt: ['x'] });
      const { grads } = await gs.run({ x }, tensor('float32', [1, 1, 2, 2], [1, 10, 100, 1000]));
      // Window (0,0) picks (0,1); (0,2) picks (0,2); (2,0) picks (2,2); (2,2) picks (2,2).
      expect(Array.from(grads.x.data as Float32Array), `opset ${opset}`).toEqual([0, 1, 10, 0, 0, 0, 0, 0, 0, 0, 1100, 0, 0, 0, 0, 0]);
    }
  });
});

describe('MaxPool gradient errors', () => {
  it('rejects storage_order 1', async () => {
    const model = singleOpModel({ op: 'MaxPool', inputs: [{ name: 'x', dtype: 'float32', shape: [1, 1, 4, 4] }], attrs: { kernel_shape: [2, 2], storage_order: 1 } });
    await expect(GradientSession.create(model, { of: 'y0', wrt: ['x'] })).rejects.toSatisfy((e: unknown) => isXqcError(e, 'XQC_AUTODIFF_UNSUPPORTED'));
  });
});
