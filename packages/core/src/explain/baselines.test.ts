import { describe, expect, it } from 'vitest';
import { tensor } from '../onnx/tensor.ts';
import { uniformRng } from '../util/random.ts';
import { blackBaseline, gaussianBlur, meanBaseline, noiseBaseline, resolveBaseline } from './baselines.ts';

const s = { channels: 2, height: 5, width: 7, size: 70 };
const u = uniformRng(1);
const x = Float32Array.from({ length: 70 }, () => u() * 4 - 2);

describe('baselines', () => {
  it('black is the normalised value of a 0 pixel per channel', () => {
    const b = blackBaseline(s, { mean: [0.5, 0.25], std: [0.25, 0.5] });
    expect(b[0]).toBe(-2);
    expect(b[34]).toBe(-2);
    expect(b[35]).toBe(-0.5);
    expect(Array.from(blackBaseline(s)).every((v) => v === 0)).toBe(true);
    expect(() => blackBaseline(s, { mean: [0, 0, 0], std: [1] })).toThrow(/3 values/);
  });

  it('mean fills each channel with its mean; noise stays in the image range and follows the seed', () => {
    const m = meanBaseline(x, s);
    expect(m[3]).toBeCloseTo(x.slice(0, 35).reduce((a, b) => a + b) / 35, 5);
    const n1 = noiseBaseline(x, s, uniformRng(5));
    const n2 = noiseBaseline(x, s, uniformRng(5));
    expect(Array.from(n1)).toEqual(Array.from(n2));
    const lo = Math.min(...x);
    const hi = Math.max(...x);
    for (const v of n1) expect(v >= lo && v <= hi).toBe(true);
  });

  it('blur keeps constants and mass, and spreads a spike as a Gaussian', () => {
    const flat = gaussianBlur(new Float32Array(70).fill(3), s, 1.5);
    for (const v of flat) expect(v).toBeCloseTo(3, 5);
    const big = { channels: 1, height: 21, width: 21, size: 441 };
    const spike = new Float32Array(441);
    spike[10 * 21 + 10] = 1;
    const b = gaussianBlur(spike, big, 1);
    expect(b.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 5);
    // separable kernel: b(10, 11) / b(10, 10) = exp(-1/2)
    expect(b[10 * 21 + 11] / b[10 * 21 + 10]).toBeCloseTo(Math.exp(-0.5), 5);
    expect(Array.from(gaussianBlur(x, s, 0))).toEqual(Array.from(x));
  });

  it('resolves kinds and explicit images', () => {
    const opts = { blurSigma: 0.1, uniform: uniformRng(2) };
    expect(resolveBaseline('black', x, s, opts).every((v) => v === 0)).toBe(true);
    const t = tensor('float32', [1, 2, 5, 7], Float32Array.from({ length: 70 }, (_, i) => i));
    expect(resolveBaseline(t, x, s, opts)[69]).toBe(69);
    expect(resolveBaseline('custom', x, s, { ...opts, custom: t })[5]).toBe(5);
    expect(() => resolveBaseline('custom', x, s, opts)).toThrow(expect.objectContaining({ code: 'XQC_EXPLAIN' }));
    expect(() => resolveBaseline('sepia' as 'black', x, s, opts)).toThrow(expect.objectContaining({ code: 'XQC_INVALID_ARGUMENT' }));
  });
});
