import { describe, expect, it } from 'vitest';
import { isXqcError } from '../../errors.ts';
import { float } from '../../onnx/builder.ts';
import { tensor, toFloat64 } from '../../onnx/tensor.ts';
import type { Tensor } from '../../onnx/tensor.ts';
import { expectGradientsClose, normalRng, randn, singleOpModel } from '../../testing/index.ts';
import { GradientSession } from '../gradient.ts';
import { defaultRegistry } from '../register-all.ts';
import { buildGradient } from '../vjp.ts';

const rng = normalRng(37);

/** N(offset, scale^2) values, none within `margin` of a kink, so no h-step crosses one. */
function input(dtype: 'float32' | 'float64', dims: number[], kinks: number[], scale = 1, margin = 0.1): Tensor {
  const t = randn(dtype, dims, rng, scale);
  const d = t.data as Float64Array | Float32Array;
  for (let i = 0; i < d.length; i++) for (const k of kinks) if (Math.abs(d[i] - k) < margin) d[i] = k + (d[i] < k ? -margin : margin);
  return t;
}

// float32 where ONNX Runtime's CPU provider lacks a float64 kernel (Elu, HardSigmoid, HardSwish,
// Gelu and its Erf; LeakyRelu and PRelu except at opset 17). Inputs stay >= 0.1 from kinks, so
// with h = 1e-2 the central difference of the piecewise-linear ops is exact up to rounding; for
// the smooth pieces (Elu, Gelu) truncation is h^2/6 * |f'''| <= 2e-5, and float32 rounding of the
// changed output adds ~6e-8 / h = 6e-6: rtol 1e-3 and atol 1e-4 still catch a wrong factor.
const F32_TOL = { rtol: 1e-3, atol: 1e-4 };

describe('LeakyRelu', () => {
  for (const alpha of [undefined, 0.2, -0.3]) {
    it(`alpha ${alpha ?? 'default'}: float64 at opset 17`, async () => {
      const model = singleOpModel({ op: 'LeakyRelu', opset: 17, inputs: [{ name: 'x', dtype: 'float64', shape: [3, 4] }], attrs: { alpha: alpha === undefined ? undefined : float(alpha) } });
      await expectGradientsClose({ model, feeds: { x: input('float64', [3, 4], [0]) }, of: 'y0', wrt: ['x'] });
    });
  }
  for (const opset of [13, 21]) {
    it(`float32 at opset ${opset}, symbolic batch`, async () => {
      const model = singleOpModel({ op: 'LeakyRelu', opset, inputs: [{ name: 'x', dtype: 'float32', shape: ['N', 4] }], attrs: { alpha: float(0.1) } });
      await expectGradientsClose({ model, feeds: { x: input('float32', [3, 4], [0]) }, of: 'y0', wrt: ['x'], ...F32_TOL });
    });
  }
});

describe('PRelu', () => {
  const cases: [(number | string)[], number[], number[]][] = [
    [[2, 3, 4], [2, 3, 4], [4]],
    [[2, 3, 4], [2, 3, 4], [3, 1]],
    [[2, 3, 4], [2, 3, 4], [1]],
    [['N', 3, 2], [4, 3, 2], [3, 1]],
  ];
  for (const [shape, dims, slope] of cases) {
    it(`x [${shape}] with slope [${slope}], float64 at opset 17`, async () => {
      const model = singleOpModel({ op: 'PRelu', opset: 17, inputs: [{ name: 'x', dtype: 'float64', shape }, { name: 's', dtype: 'float64', shape: slope }] });
      const feeds = { x: input('float64', dims, [0]), s: randn('float64', slope, rng, 0.3) };
      await expectGradientsClose({ model, feeds, of: 'y0', wrt: ['x', 's'] });
    });
  }
  it('slope [3,1] at opset 13, float32', async () => {
    const model = singleOpModel({ op: 'PRelu', opset: 13, inputs: [{ name: 'x', dtype: 'float32', shape: [2, 3, 4] }, { name: 's', dtype: 'float32', shape: [3, 1] }] });
    const feeds = { x: input('float32', [2, 3, 4], [0]), s: randn('float32', [3, 1], rng, 0.3) };
    await expectGradientsClose({ model, feeds, of: 'y0', wrt: ['x', 's'], ...F32_TOL });
  });
});

describe('Elu', () => {
  for (const [opset, alpha] of [[13, undefined], [17, 0.7]] as const) {
    it(`alpha ${alpha ?? 'default'} at opset ${opset}, float32`, async () => {
      const model = singleOpModel({ op: 'Elu', opset, inputs: [{ name: 'x', dtype: 'float32', shape: [3, 4] }], attrs: { alpha: alpha === undefined ? undefined : float(alpha) } });
      await expectGradientsClose({ model, feeds: { x: input('float32', [3, 4], [0]) }, of: 'y0', wrt: ['x'], ...F32_TOL });
    });
  }
});

describe('Clip', () => {
  const bound = (v: number): Tensor => tensor('float64', [], [v]);
  const x = (): Tensor => input('float64', [4, 5], [-0.5, 0.8], 1.2);
  for (const opset of [13, 17]) {
    it(`constant bounds [-0.5, 0.8] at opset ${opset}`, async () => {
      const model = singleOpModel({ op: 'Clip', opset, inputs: [{ name: 'x', dtype: 'float64', shape: [4, 5] }], constants: { 1: bound(-0.5), 2: bound(0.8) } });
      await expectGradientsClose({ model, feeds: { x: x() }, of: 'y0', wrt: ['x'] });
    });
  }
  it('bounds as graph inputs get gradients too', async () => {
    const model = singleOpModel({
      op: 'Clip',
      inputs: [{ name: 'x', dtype: 'float64', shape: ['N', 5] }, { name: 'lo', dtype: 'float64', shape: [] }, { name: 'hi', dtype: 'float64', shape: [] }],
    });
    await expectGradientsClose({ model, feeds: { x: x(), lo: bound(-0.5), hi: bound(0.8) }, of: 'y0', wrt: ['x', 'lo', 'hi'] });
  });
  it('only max (min omitted), only min (max omitted), neither', async () => {
    const onlyMax = singleOpModel({ op: 'Clip', inputs: [{ name: 'x', dtype: 'float64', shape: [4, 5] }, { name: 'hi', dtype: 'float64', shape: [] }], omitted: [1] });
    await expectGradientsClose({ model: onlyMax, feeds: { x: x(), hi: bound(0.8) }, of: 'y0', wrt: ['x', 'hi'] });
    const onlyMin = singleOpModel({ op: 'Clip', inputs: [{ name: 'x', dtype: 'float64', shape: [4, 5] }, { name: 'lo', dtype: 'float64', shape: [] }] });
    await expectGradientsClose({ model: onlyMin, feeds: { x: x(), lo: bound(-0.5) }, of: 'y0', wrt: ['x', 'lo'] });
    const neither = singleOpModel({ op: 'Clip', inputs: [{ name: 'x', dtype: 'float64', shape: [4, 5] }] });
    await expectGradientsClose({ model: neither, feeds: { x: x() }, of: 'y0', wrt: ['x'] });
  });
  it('bounds are exclusive (PyTorch hardtanh / ReLU6), and min > max sends everything to max', async () => {
    const model = singleOpModel({
      op: 'Clip',
      inputs: [{ name: 'x', dtype: 'float64', shape: [4] }, { name: 'lo', dtype: 'float64', shape: [] }, { name: 'hi', dtype: 'float64', shape: [] }],
    });
    const gs = await GradientSession.create(model, { of: 'y0', wrt: ['x', 'lo', 'hi'] });
    const c = tensor('float64', [4], [1, 2, 4, 8]);
    const inside = await gs.run({ x: tensor('float64', [4], [-1, 0, 0.5, 2]), lo: bound(0), hi: bound(1) }, c);
    expect(Array.from(toFloat64(inside.grads.x))).toEqual([0, 0, 4, 0]);
    const onBounds = await gs.run({ x: tensor('float64', [4], [0, 0.25, 1, 0.75]), lo: bound(0), hi: bound(1) }, c);
    expect(Array.from(toFloat64(onBounds.grads.x))).toEqual([0, 2, 0, 8]);
    expect([Number(inside.grads.lo.data[0]), Number(inside.grads.hi.data[0])]).toEqual([1, 8]);
    const crossed = await gs.run({ x: tensor('float64', [4], [-1, 0, 1, 2]), lo: bound(1), hi: bound(0) }, c);
    expect(Array.from(toFloat64(crossed.grads.x))).toEqual([0, 0, 0, 0]);
    expect([Number(crossed.grads.lo.data[0]), Number(crossed.grads.hi.data[0])]).toEqual([0, 15]);
  });
});

describe('HardSigmoid and HardSwish', () => {
  for (const [opset, alpha, beta] of [[13, 0.2, 0.5], [17, 0.5, 0.3]] as const) {
    it(`HardSigmoid alpha ${alpha} beta ${beta} at opset ${opset}, float32`, async () => {
      const model = singleOpModel({
        op: 'HardSigmoid',
        opset,
        inputs: [{ name: 'x', dtype: 'float32', shape: [4, 6] }],
        attrs: opset === 13 ? {} : { alpha: float(alpha), beta: float(beta) },
      });
      const kinks = [-beta / alpha, (1 - beta) / alpha];
      await expectGradientsClose({ model, feeds: { x: input('float32', [4, 6], kinks, 3) }, of: 'y0', wrt: ['x'], ...F32_TOL });
    });
  }
  for (const opset of [14, 17]) {
    it(`HardSwish at opset ${opset}, float32, inputs in all three pieces`, async () => {
      const model = singleOpModel({ op: 'HardSwish', opset, inputs: [{ name: 'x', dtype: 'float32', shape: ['N', 6] }] });
      await expectGradientsClose({ model, feeds: { x: input('float32', [4, 6], [-3, 3], 3.5) }, of: 'y0', wrt: ['x'], ...F32_TOL });
    });
  }
});

describe('Gelu (opset 20+)', () => {
  for (const opset of [20, 21]) {
    for (const approximate of ['none', 'tanh']) {
      it(`approximate='${approximate}' at opset ${opset}, float32`, async () => {
        const model = singleOpModel({ op: 'Gelu', opset, inputs: [{ name: 'x', dtype: 'float32', shape: [3, 5] }], attrs: { approximate } });
        await expectGradientsClose({ model, feeds: { x: randn('float32', [3, 5], rng, 1.5) }, of: 'y0', wrt: ['x'], ...F32_TOL });
      });
    }
  }
  it('an unknown approximation fails with XQC_AUTODIFF_UNSUPPORTED', () => {
    const model = singleOpModel({ op: 'Gelu', opset: 20, inputs: [{ name: 'x', dtype: 'float32', shape: [3] }], attrs: { approximate: 'erf' } });
    expect(() => buildGradient(model, defaultRegistry(), { of: 'y0', wrt: ['x'] })).toThrow(/approximate='erf'/);
  });
  it('a default-domain Gelu below opset 20 fails with XQC_AUTODIFF_UNSUPPORTED', () => {
    const model = singleOpModel({ op: 'Gelu', opset: 17, inputs: [{ name: 'x', dtype: 'float32', shape: [3] }] });
    let error: unknown;
    try {
      buildGradient(model, defaultRegistry(), { of: 'y0', wrt: ['x'] });
    } catch (e) {
      error = e;
    }
    expect(isXqcError(error, 'XQC_AUTODIFF_UNSUPPORTED')).toBe(true);
  });
});
