import { describe, expect, it } from 'vitest';
import { isXqcError } from '../../errors.ts';
import { uniformRng } from '../../util/random.ts';
import { checkTemperatureFit, MIN_CALIBRATION_ITEMS } from './fit-guard.ts';
import { softmax } from './proper-scores.ts';
import { fitTemperature } from './temperature-scaling.ts';
import type { TemperatureFit } from './temperature-scaling.ts';

/** n items of k classes, labels drawn from softmax(z), logits scaled by `factor` (ideal T = factor). */
function sample(n: number, k: number, factor: number, seed: number): { logits: Float64Array; labels: Int32Array } {
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

function refusal(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    expect(isXqcError(e, 'XQC_CALIBRATION_REFUSED')).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected XQC_CALIBRATION_REFUSED');
}

describe('checkTemperatureFit', () => {
  it('accepts a converged fit on enough items of several classes', () => {
    const { logits, labels } = sample(MIN_CALIBRATION_ITEMS, 3, 2, 1);
    const fit = fitTemperature(logits, labels);
    expect(fit.count).toBe(MIN_CALIBRATION_ITEMS);
    expect(fit.classesPresent).toBe(3);
    expect(fit.atBound).toBeNull();
    expect(() => checkTemperatureFit(fit)).not.toThrow();
  });

  it('refuses fewer items than the minimum and names it', () => {
    const { logits, labels } = sample(15, 3, 2, 2);
    const msg = refusal(() => checkTemperatureFit(fitTemperature(logits, labels)));
    expect(msg).toMatch(/^15 validation image\(s\) are too few to calibrate on: at least 50 are needed/);
    expect(refusal(() => checkTemperatureFit(fitTemperature(logits, labels), { minItems: 10 }))).toMatch(/at least 50/);
  });

  it('refuses a single class', () => {
    const { logits } = sample(60, 2, 1, 3);
    const msg = refusal(() => checkTemperatureFit(fitTemperature(logits, new Int32Array(60))));
    expect(msg).toMatch(/all 60 validation images are of one class/);
  });

  it('refuses items the model classifies perfectly, where the NLL has no finite optimum', () => {
    const n = 60;
    const logits = new Float64Array(n * 2);
    const labels = Int32Array.from({ length: n }, (_, i) => i % 2);
    for (let i = 0; i < n; i++) logits[i * 2 + labels[i]] = 3 + (i % 5);
    const fit = fitTemperature(logits, labels);
    // The slope underflows before the bound: without the separability check this fit looks converged.
    expect(fit.temperature).toBeLessThan(0.2);
    expect(fit.separable).toBe(true);
    expect(refusal(() => checkTemperatureFit(fit))).toMatch(/classifies all 60 validation images correctly/);
    const bounded = fitTemperature(logits, labels, { minTemperature: 0.5 });
    expect(bounded.atBound).toBe('lower');
    expect(refusal(() => checkTemperatureFit({ ...bounded, separable: false }))).toMatch(/lower bound 0\.5 of \[0\.5, 100\]/);
  });

  it('refuses T at the upper bound, non-finite figures, no convergence and a worse NLL', () => {
    const { logits, labels } = sample(80, 3, 2, 4);
    const good = fitTemperature(logits, labels);
    const variant = (patch: Partial<TemperatureFit>): TemperatureFit => ({ ...good, ...patch });
    expect(refusal(() => checkTemperatureFit(variant({ atBound: 'upper', temperature: 100 })))).toMatch(/upper bound 100/);
    expect(refusal(() => checkTemperatureFit(variant({ temperature: Number.NaN })))).toMatch(/not finite/);
    expect(refusal(() => checkTemperatureFit(variant({ converged: false })))).toMatch(/did not converge/);
    expect(refusal(() => checkTemperatureFit(variant({ nllAfter: good.nllBefore + 1e-3 })))).toMatch(/raises the validation NLL/);
  });

  it('reports a standard error of log T that shrinks like 1/sqrt(n) and covers the truth', () => {
    const small = sample(200, 4, 2, 5);
    const large = sample(3200, 4, 2, 6);
    const a = fitTemperature(small.logits, small.labels);
    const b = fitTemperature(large.logits, large.labels);
    expect(a.logTemperatureStdError / b.logTemperatureStdError).toBeGreaterThan(3);
    expect(a.logTemperatureStdError / b.logTemperatureStdError).toBeLessThan(5.5);
    // The truth, log 2, within three standard errors.
    expect(Math.abs(Math.log(b.temperature) - Math.log(2))).toBeLessThan(3 * b.logTemperatureStdError);
  });
});
