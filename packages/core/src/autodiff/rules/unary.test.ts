import { describe, expect, it } from 'vitest';
import { tensor } from '../../onnx/tensor.ts';
import type { Tensor } from '../../onnx/tensor.ts';
import { expectGradientsClose, normalRng, randn, singleOpModel } from '../../testing/index.ts';
import { GradientSession } from '../gradient.ts';

const rng = normalRng(11);

/** Pushes values within `margin` of a point where the op is singular to `margin` away. */
function awayFrom(t: Tensor, points: number[], margin = 0.1): Tensor {
  const d = t.data as Float64Array | Float32Array;
  for (let i = 0; i < d.length; i++) for (const p of points) if (Math.abs(d[i] - p) < margin) d[i] = p + (d[i] < p ? -margin : margin);
  return t;
}

/** Standard normal values, or |N(0,1)| + 0.3 for ops defined (or smooth) only on x > 0. */
function input(dtype: 'float32' | 'float64', dims: number[], domain: 'real' | 'positive'): Tensor {
  const t = randn(dtype, dims, rng);
  if (domain === 'positive') for (let i = 0; i < t.data.length; i++) (t.data as Float64Array)[i] = Math.abs(Number(t.data[i])) + 0.3;
  return awayFrom(t, [0]);
}

// Every op here has float64 CPU kernels for its forward and gradient nodes.
const FLOAT64_OPS: [string, 'real' | 'positive'][] = [
  ['Neg', 'real'], ['Sqrt', 'positive'], ['Exp', 'real'], ['Log', 'positive'], ['Abs', 'real'], ['Reciprocal', 'real'],
  ['Sin', 'real'], ['Cos', 'real'], ['Sigmoid', 'real'], ['Tanh', 'real'],
];

describe('unary elementwise rules, float64', () => {
  for (const [op, domain] of FLOAT64_OPS) {
    for (const opset of [13, 17]) {
      it(`${op} at opset ${opset}`, async () => {
        const model = singleOpModel({ op, opset, inputs: [{ name: 'x', dtype: 'float64', shape: [3, 4] }] });
        const r = await expectGradientsClose({ model, feeds: { x: input('float64', [3, 4], domain) }, of: 'y0', wrt: ['x'] });
        expect(r.checked).toBe(12);
      });
    }
    it(`${op} with a symbolic batch dimension`, async () => {
      const model = singleOpModel({ op, inputs: [{ name: 'x', dtype: 'float64', shape: ['N', 2, 3] }] });
      await expectGradientsClose({ model, feeds: { x: input('float64', [4, 2, 3], domain) }, of: 'y0', wrt: ['x'] });
    });
  }

  it('Abs takes the subgradient 0 at x = 0 and sign(x) elsewhere', async () => {
    const model = singleOpModel({ op: 'Abs', inputs: [{ name: 'x', dtype: 'float64', shape: [3] }] });
    const gs = await GradientSession.create(model, { of: 'y0', wrt: ['x'] });
    const { grads } = await gs.run({ x: tensor('float64', [3], [-2, 0, 3]) });
    expect(Array.from(grads.x.data as Float64Array)).toEqual([-1, 0, 1]);
  });
});

// ONNX Runtime's CPU provider has only float32 kernels for Erf and Softplus. With h = 1e-2 the
// central-difference truncation error is h^2/6 * |f'''| <= 4e-5 for both on O(1) inputs, and
// float32 rounding of the one changed output contributes ~6e-8 / h = 6e-6, so rtol 1e-3 and
// atol 1e-4 leave a wide margin while still catching a wrong factor or sign.
const F32_TOL = { rtol: 1e-3, atol: 1e-4 };

describe('unary elementwise rules, float32 (no float64 kernel)', () => {
  for (const op of ['Erf', 'Softplus']) {
    for (const opset of [13, 17]) {
      it(`${op} at opset ${opset}`, async () => {
        const model = singleOpModel({ op, opset, inputs: [{ name: 'x', dtype: 'float32', shape: [3, 4] }] });
        await expectGradientsClose({ model, feeds: { x: input('float32', [3, 4], 'real') }, of: 'y0', wrt: ['x'], ...F32_TOL });
      });
    }
  }
});
