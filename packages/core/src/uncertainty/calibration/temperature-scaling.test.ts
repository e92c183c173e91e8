import { describe, expect, it } from 'vitest';
import { expectClose, metricsGoldens } from '../../../test/goldens/metrics-goldens.ts';
import { uniformRng } from '../../util/random.ts';
import { logitsNegativeLogLikelihood, softmax } from './proper-scores.ts';
import { applyTemperature, fitTemperature } from './temperature-scaling.ts';

/**
 * Logits `factor * z` with labels drawn from softmax(z): the model is over-confident by
 * exactly `factor` (under-confident when factor < 1), so the ideal temperature is `factor`.
 */
function distorted(n: number, k: number, factor: number, seed: number): { logits: Float64Array; labels: Int32Array } {
  const u = uniformRng(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const z = Float64Array.from({ length: n * k }, () => 1.5 * gaussian());
  const p = softmax(z, k);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let r = u();
    let c = 0;
    while (c < k - 1 && r >= p[i * k + c]) r -= p[i * k + c++];
    labels[i] = c;
  }
  return { logits: z.map((x) => x * factor), labels };
}

describe('fitTemperature', () => {
  it.each([
    [2.5, 1],
    [4, 2],
    [0.5, 3],
  ])('recovers a distortion factor of %s within 5 % and lowers ECE', (factor, seed) => {
    const { logits, labels } = distorted(20000, 5, factor, seed);
    const fit = fitTemperature(logits, labels);
    expect(fit.converged).toBe(true);
    expect(fit.iterations).toBeLessThan(20);
    expect(Math.abs(fit.temperature / factor - 1)).toBeLessThan(0.05);
    expect(fit.nllAfter).toBeLessThan(fit.nllBefore);
    expect(fit.eceAfter).toBeLessThan(fit.eceBefore);
    expect(fit.eceAfter).toBeLessThan(0.02);
  });

  it('finds the same optimum as a bounded scalar search (scipy) on the golden logits', () => {
    for (const c of metricsGoldens().logits as { name: string; logits: number[]; labels: number[]; temperature: number; nllAtOptimum: number }[]) {
      const fit = fitTemperature(c.logits, c.labels);
      expectClose(fit.temperature, c.temperature, `${c.name} temperature`, 1e-6);
      expectClose(fit.nllAfter, c.nllAtOptimum, `${c.name} nll at optimum`, 1e-10);
      expect(fit.nllAfter).toBe(logitsNegativeLogLikelihood(c.logits, c.labels, fit.temperature));
    }
  });

  it('drives T towards 0 on separable data without leaving the allowed range', () => {
    const fit = fitTemperature([3, 0, 0, 3, 4, 1], [0, 1, 0]);
    expect(fit.temperature).toBeGreaterThanOrEqual(0.01);
    expect(fit.temperature).toBeLessThan(0.2);
    expect(fit.nllAfter).toBeLessThan(1e-6);
    const bounded = fitTemperature([3, 0, 0, 3, 4, 1], [0, 1, 0], { minTemperature: 0.5 });
    expect(bounded.temperature).toBeCloseTo(0.5, 12);
    expect(bounded.converged).toBe(false);
  });

  it('leaves the arg-max unchanged when applied', () => {
    const logits = [2, 1, 0.5, -1, 3, 0];
    const p = applyTemperature(logits, 3, 3.7);
    expect(p[0]).toBeGreaterThan(p[1]);
    expect(p[4]).toBeGreaterThan(p[3]);
    expect(p[0] + p[1] + p[2]).toBeCloseTo(1, 15);
  });

  it('rejects inconsistent shapes and bounds', () => {
    expect(() => fitTemperature([1, 2, 3], [0, 1])).toThrow(/multiple/);
    expect(() => fitTemperature([1, 2], [0], { minTemperature: 2, maxTemperature: 1 })).toThrow(/below/);
  });
});
