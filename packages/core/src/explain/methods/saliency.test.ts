/** Saliency and gradient x input on a linear model, where both have closed forms, and the input checks every method shares. */
import { describe, expect, it } from 'vitest';
import { isXqcError } from '../../errors.ts';
import { tensor } from '../../onnx/tensor.ts';
import { linearModel } from '../../testing/explain-models.ts';
import { normalRng } from '../../util/random.ts';
import { ModelFunction } from '../model-function.ts';
import { classTarget, scalarTarget } from '../target.ts';
import { gradientXInput } from './gradient-x-input.ts';
import { saliency } from './saliency.ts';

const d = { channels: 3, height: 6, width: 5 };
const size = 90;
const plane = 30;
const rng = normalRng(11);
const w = Float32Array.from({ length: size }, () => rng());
const x = tensor('float32', [1, 3, 6, 5], Float32Array.from({ length: size }, () => rng()));
const bias = 0.75;
const f = ModelFunction.create(linearModel(d, w, bias), { input: 'x', target: scalarTarget('y') });

describe('saliency', () => {
  it('is max over channels of |w| for f(x) = <w, x> + b', async () => {
    const e = await saliency.explain({ x, f, seed: 0 });
    expect([e.map.width, e.map.height]).toEqual([5, 6]);
    for (let i = 0; i < plane; i++) {
      const expected = Math.max(Math.abs(w[i]), Math.abs(w[plane + i]), Math.abs(w[2 * plane + i]));
      expect(e.map.data[i]).toBeCloseTo(expected, 6);
    }
    expect(e.evaluations).toBe(1);
    expect(e.method).toBe('saliency');
  });
});

describe('gradient x input', () => {
  it('is sum over channels of w * x and sums to f(x) - b', async () => {
    const e = await gradientXInput.explain({ x, f, seed: 0 });
    let total = 0;
    let fx = bias;
    for (let i = 0; i < plane; i++) {
      let expected = 0;
      for (let c = 0; c < 3; c++) expected += w[c * plane + i] * x.data[c * plane + i];
      expect(e.map.data[i]).toBeCloseTo(expected, 5);
      total += e.map.data[i];
      fx += expected;
    }
    expect(total).toBeCloseTo(fx - bias, 4);
    expect(e.extras?.score).toBeCloseTo(fx, 4);
    expect(e.map.data.some((v) => v < 0)).toBe(true);
  });

  it('returns the magnitude with abs', async () => {
    const signed = await gradientXInput.explain({ x, f, seed: 0 });
    const abs = await gradientXInput.explain({ x, f, seed: 0 }, { abs: true });
    expect(abs.params.abs).toBe(true);
    expect(Array.from(abs.map.data)).toEqual(Array.from(signed.map.data, Math.abs));
  });
});

describe('input checks', () => {
  it('rejects an image with the wrong channel count with XQC_EXPLAIN', async () => {
    const gray = tensor('float32', [1, 1, 6, 5]);
    const err = await saliency.explain({ x: gray, f, seed: 0 }).catch((e: unknown) => e);
    expect(isXqcError(err, 'XQC_EXPLAIN')).toBe(true);
    expect((err as Error).message).toMatch(/1 channel.*expects 3/);
  });

  it('rejects a batch and a wrong size with XQC_EXPLAIN', async () => {
    for (const bad of [tensor('float32', [2, 3, 6, 5]), tensor('float32', [1, 3, 5, 6])]) {
      const err = await gradientXInput.explain({ x: bad, f, seed: 0 }).catch((e: unknown) => e);
      expect(isXqcError(err, 'XQC_EXPLAIN')).toBe(true);
    }
  });

  it('rejects a target class out of range with XQC_EXPLAIN', () => {
    expect(() => classTarget('logits', 10, 10)).toThrow(expect.objectContaining({ code: 'XQC_EXPLAIN' }));
  });
});
