/**
 * Integrated gradients on models with closed-form answers: a linear model (IG = w (x - x')
 * for every rule and baseline) and f(x) = sum w x^2 (IG = w (x^2 - x'^2); rules exact for
 * linear integrands are exact, left/right Riemann sums miss by -/+ sum w (x - x')^2 / n).
 */
import { describe, expect, it } from 'vitest';
import { isXqcError } from '../../errors.ts';
import { tensor } from '../../onnx/tensor.ts';
import { linearModel, quadraticModel } from '../../testing/explain-models.ts';
import { normalRng } from '../../util/random.ts';
import { blackBaseline } from '../baselines.ts';
import { ModelFunction } from '../model-function.ts';
import { INTEGRATION_RULES } from '../quadrature.ts';
import { scalarTarget } from '../target.ts';
import { integratedGradients, pathAttribution } from './integrated-gradients.ts';

const d = { channels: 3, height: 4, width: 4 };
const shape = { ...d, size: 48 };
const plane = 16;
const rng = normalRng(5);
const w = Float32Array.from({ length: 48 }, () => rng());
const x = tensor('float32', [1, 3, 4, 4], Float32Array.from({ length: 48 }, () => rng()));
const normalize = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
const linear = ModelFunction.create(linearModel(d, w, 0.3), { input: 'x', target: scalarTarget('y') });

/** sum over channels of a [C*H*W] per-element value. */
function channelSum(v: (i: number) => number): number[] {
  return Array.from({ length: plane }, (_, p) => v(p) + v(plane + p) + v(2 * plane + p));
}

describe('integrated gradients on a linear model', () => {
  it('equals gradient x (x - baseline) with ~0 completeness error for every rule', async () => {
    const base = blackBaseline(shape, normalize);
    const expected = channelSum((i) => w[i] * (x.data[i] - base[i]));
    for (const rule of INTEGRATION_RULES) {
      const [all, withGradient] = [linear.evaluations, linear.gradientEvaluations];
      const e = await integratedGradients.explain({ x, f: linear, seed: 0 }, { rule, steps: 5, normalize });
      // The model function counts every sample, and separately those with a backward pass:
      // one per interpolation point; the two completeness ends are forward only.
      expect(linear.evaluations - all).toBe(e.evaluations);
      expect(linear.gradientEvaluations - withGradient).toBe(e.evaluations - 2);
      for (let p = 0; p < plane; p++) expect(e.map.data[p]).toBeCloseTo(expected[p], 5);
      expect(e.extras?.completenessError).toBeLessThan(1e-5);
      expect(e.extras?.relativeCompletenessError).toBeLessThan(1e-5);
      expect(e.evaluations).toBe((rule === 'trapezoid' ? 6 : 5) + 2);
    }
  });

  it('takes black as the normalised value of a 0 pixel, and an explicit tensor or custom image as given', async () => {
    const black = await integratedGradients.explain({ x, f: linear, seed: 0 }, { normalize, steps: 2 });
    expect(black.extras?.baselineScore).toBeCloseTo(0.3 + channelSum((i) => w[i] * (-normalize.mean[Math.floor(i / plane)] / normalize.std[Math.floor(i / plane)])).reduce((a, b) => a + b), 4);
    const ref = tensor('float32', [1, 3, 4, 4], Float32Array.from({ length: 48 }, () => rng()));
    const expected = channelSum((i) => w[i] * (x.data[i] - ref.data[i]));
    const viaTensor = await integratedGradients.explain({ x, f: linear, seed: 0 }, { baseline: ref, steps: 3 });
    const viaCustom = await integratedGradients.explain({ x, f: linear, seed: 0 }, { baseline: 'custom', customBaseline: ref, steps: 3 });
    expect(viaTensor.params.baseline).toBe('tensor');
    for (let p = 0; p < plane; p++) {
      expect(viaTensor.map.data[p]).toBeCloseTo(expected[p], 5);
      expect(viaCustom.map.data[p]).toBe(viaTensor.map.data[p]);
    }
  });

  it('keeps completeness with blurred and seeded noise baselines', async () => {
    for (const baseline of ['blurred', 'noise'] as const) {
      const a = await integratedGradients.explain({ x, f: linear, seed: 9 }, { baseline, steps: 4 });
      const b = await integratedGradients.explain({ x, f: linear, seed: 9 }, { baseline, steps: 4 });
      expect(a.extras?.completenessError).toBeLessThan(1e-5);
      expect(Array.from(a.map.data)).toEqual(Array.from(b.map.data));
      expect(Math.abs((a.extras?.baselineScore as number) - 0.3)).toBeGreaterThan(1e-3);
    }
  });

  it('fails with XQC_EXPLAIN for a custom baseline without an image or of the wrong size', async () => {
    for (const params of [{ baseline: 'custom' as const }, { baseline: tensor('float32', [1, 3, 2, 2]) }]) {
      const err = await integratedGradients.explain({ x, f: linear, seed: 0 }, params).catch((e: unknown) => e);
      expect(isXqcError(err, 'XQC_EXPLAIN')).toBe(true);
    }
  });
});

describe('integrated gradients on f(x) = sum w x^2', () => {
  const quad = ModelFunction.create(quadraticModel(d, w), { input: 'x', target: scalarTarget('y') });
  const base = blackBaseline(shape, normalize);
  const exact = channelSum((i) => w[i] * (x.data[i] ** 2 - base[i] ** 2));

  it('is exact for midpoint, trapezoid and Gauss-Legendre', async () => {
    for (const rule of ['midpoint', 'trapezoid', 'gauss-legendre'] as const) {
      const e = await integratedGradients.explain({ x, f: quad, seed: 0 }, { rule, steps: 3, normalize });
      for (let p = 0; p < plane; p++) expect(e.map.data[p]).toBeCloseTo(exact[p], 4);
      expect(e.extras?.relativeCompletenessError).toBeLessThan(1e-5);
    }
  });

  it('has the Riemann error -/+ sum w (x - x\')^2 / n for left/right sums', async () => {
    const n = 8;
    let bias = 0;
    for (let i = 0; i < 48; i++) bias += (w[i] * (x.data[i] - base[i]) ** 2) / n;
    const left = await integratedGradients.explain({ x, f: quad, seed: 0 }, { rule: 'left', steps: n, normalize });
    const right = await integratedGradients.explain({ x, f: quad, seed: 0 }, { rule: 'right', steps: n, normalize });
    const delta = (left.extras?.score as number) - (left.extras?.baselineScore as number);
    expect((left.extras?.attributionSum as number) - delta).toBeCloseTo(-bias, 4);
    expect((right.extras?.attributionSum as number) - delta).toBeCloseTo(bias, 4);
    expect(left.extras?.completenessError).toBeCloseTo(Math.abs(bias), 4);
  });

  it('gives the same attribution whatever the batch size', async () => {
    const small = ModelFunction.create(quadraticModel(d, w), { input: 'x', target: scalarTarget('y'), maxBatch: 3 });
    const base0 = new Float32Array(48);
    const a = await pathAttribution(quad, x.data, base0, shape, 'gauss-legendre', 10);
    const b = await pathAttribution(small, x.data, base0, shape, 'gauss-legendre', 10);
    expect(small.evaluations).toBe(10);
    for (let i = 0; i < 48; i++) expect(b.attribution[i]).toBeCloseTo(a.attribution[i], 6);
  });
});
