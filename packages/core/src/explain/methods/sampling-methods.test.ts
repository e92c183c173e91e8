/**
 * SmoothGrad and gradient SHAP: closed forms on a linear model (the gradient is w
 * everywhere, so noise changes nothing) and seed determinism on a nonlinear one.
 */
import { describe, expect, it } from 'vitest';
import { isXqcError } from '../../errors.ts';
import { tensor } from '../../onnx/tensor.ts';
import { linearModel, smallCnn } from '../../testing/explain-models.ts';
import { normalRng } from '../../util/random.ts';
import { ModelFunction } from '../model-function.ts';
import { scalarTarget } from '../target.ts';
import { gradientShap } from './gradient-shap.ts';
import { saliency } from './saliency.ts';
import { smoothGrad } from './smoothgrad.ts';

const d = { channels: 3, height: 8, width: 8 };
const plane = 64;
const rng = normalRng(21);
const w = Float32Array.from({ length: 192 }, () => rng());
const x = tensor('float32', [1, 3, 8, 8], Float32Array.from({ length: 192 }, () => rng()));
const linear = ModelFunction.create(linearModel(d, w, 0.5), { input: 'x', target: scalarTarget('y') });
const cnn = ModelFunction.create(smallCnn(d, 4), { input: 'x', target: scalarTarget('y') });
const maxOver = (v: (i: number) => number, p: number): number => Math.max(v(p), v(plane + p), v(2 * plane + p));

describe('SmoothGrad', () => {
  it('on a linear model is max_c |w| (abs, mean) and max_c w^2 (square)', async () => {
    const abs = await smoothGrad.explain({ x, f: linear, seed: 1 }, { samples: 6 });
    const mean = await smoothGrad.explain({ x, f: linear, seed: 1 }, { samples: 6, mode: 'mean' });
    const square = await smoothGrad.explain({ x, f: linear, seed: 1 }, { samples: 6, mode: 'square' });
    for (let p = 0; p < plane; p++) {
      expect(abs.map.data[p]).toBeCloseTo(maxOver((i) => Math.abs(w[i]), p), 5);
      expect(mean.map.data[p]).toBeCloseTo(maxOver((i) => Math.abs(w[i]), p), 5);
      expect(square.map.data[p]).toBeCloseTo(maxOver((i) => w[i] * w[i], p), 5);
    }
    expect(abs.evaluations).toBe(6);
  });

  it('is deterministic for a seed, differs across seeds, and is saliency when sigma = 0', async () => {
    const a = await smoothGrad.explain({ x, f: cnn, seed: 3 }, { samples: 8 });
    const b = await smoothGrad.explain({ x, f: cnn, seed: 3 }, { samples: 8 });
    const c = await smoothGrad.explain({ x, f: cnn, seed: 4 }, { samples: 8 });
    expect(Array.from(a.map.data)).toEqual(Array.from(b.map.data));
    expect(Array.from(a.map.data)).not.toEqual(Array.from(c.map.data));
    const plain = await saliency.explain({ x, f: cnn, seed: 0 });
    const still = await smoothGrad.explain({ x, f: cnn, seed: 3 }, { samples: 2, sigma: 0 });
    for (let p = 0; p < plane; p++) expect(still.map.data[p]).toBeCloseTo(plain.map.data[p], 6);
  });

  it('sends the samples as one batch, split by maxBatch without changing the result', async () => {
    const chunked = ModelFunction.create(smallCnn(d, 4), { input: 'x', target: scalarTarget('y'), maxBatch: 3 });
    const a = await smoothGrad.explain({ x, f: cnn, seed: 3 }, { samples: 8 });
    const b = await smoothGrad.explain({ x, f: chunked, seed: 3 }, { samples: 8 });
    expect(chunked.evaluations).toBe(8);
    for (let p = 0; p < plane; p++) expect(b.map.data[p]).toBeCloseTo(a.map.data[p], 5);
  });

  it('rejects bad parameters', async () => {
    const err = await smoothGrad.explain({ x, f: linear, seed: 0 }, { samples: 0 }).catch((e: unknown) => e);
    expect(isXqcError(err, 'XQC_INVALID_ARGUMENT')).toBe(true);
  });
});

describe('gradient SHAP', () => {
  it('with one baseline image is w (x - b) on a linear model, with no completeness gap', async () => {
    const ref = tensor('float32', [1, 3, 8, 8], Float32Array.from({ length: 192 }, () => rng()));
    const e = await gradientShap.explain({ x, f: linear, seed: 2 }, { samples: 5, baselines: ref });
    for (let p = 0; p < plane; p++) {
      const expected = [0, 1, 2].reduce((s, c) => s + w[c * plane + p] * (x.data[c * plane + p] - ref.data[c * plane + p]), 0);
      expect(e.map.data[p]).toBeCloseTo(expected, 5);
    }
    expect(e.extras?.completenessGap).toBeLessThan(1e-4);
    expect(e.evaluations).toBe(11);
    expect(e.params.baselines).toBe('set of 1');
  });

  it('averages over draws from a baseline set', async () => {
    const set = tensor('float32', [2, 3, 8, 8], Float32Array.from({ length: 384 }, (_, i) => (i < 192 ? 1 : -1)));
    const e = await gradientShap.explain({ x, f: linear, seed: 2 }, { samples: 40, baselines: set });
    // On a linear model the estimate is w (x - m), m = mean of the drawn constant images = (k - (40 - k)) / 40.
    const wsum = w.reduce((a, b) => a + b, 0);
    const wx = w.reduce((a, v, i) => a + v * x.data[i], 0);
    const m = (wx - (e.extras?.attributionSum as number)) / wsum;
    const k = (m * 40 + 40) / 2;
    expect(Math.abs(k - Math.round(k))).toBeLessThan(1e-3);
    expect(Math.round(k)).toBeGreaterThan(0);
    expect(Math.round(k)).toBeLessThan(40);
    for (let p = 0; p < plane; p++) {
      const expected = [0, 1, 2].reduce((s, c) => s + w[c * plane + p] * (x.data[c * plane + p] - m), 0);
      expect(e.map.data[p]).toBeCloseTo(expected, 4);
    }
    expect(e.extras?.completenessGap).toBeLessThan(1e-3);
  });

  it('is deterministic for a seed with noise baselines and differs across seeds', async () => {
    const a = await gradientShap.explain({ x, f: cnn, seed: 7 }, { samples: 6 });
    const b = await gradientShap.explain({ x, f: cnn, seed: 7 }, { samples: 6 });
    const c = await gradientShap.explain({ x, f: cnn, seed: 8 }, { samples: 6 });
    expect(Array.from(a.map.data)).toEqual(Array.from(b.map.data));
    expect(Array.from(a.map.data)).not.toEqual(Array.from(c.map.data));
  });

  it('rejects a baseline set of the wrong shape with XQC_EXPLAIN', async () => {
    const err = await gradientShap.explain({ x, f: linear, seed: 0 }, { baselines: tensor('float32', [2, 1, 8, 8]) }).catch((e: unknown) => e);
    expect(isXqcError(err, 'XQC_EXPLAIN')).toBe(true);
  });
});
