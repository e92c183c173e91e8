import { describe, expect, it } from 'vitest';
import { uniformRng } from '../../util/random.ts';
import { fft, fft2d, isPowerOfTwo } from './fft.ts';

function randomArray(n: number, seed: number): Float64Array {
  const u = uniformRng(seed);
  return Float64Array.from({ length: n }, () => 2 * u() - 1);
}

/** Direct O(n^2) DFT of a complex vector. */
function dft(re: Float64Array, im: Float64Array): [Float64Array, Float64Array] {
  const n = re.length;
  const outRe = new Float64Array(n);
  const outIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    for (let t = 0; t < n; t++) {
      const a = (-2 * Math.PI * k * t) / n;
      outRe[k] += re[t] * Math.cos(a) - im[t] * Math.sin(a);
      outIm[k] += re[t] * Math.sin(a) + im[t] * Math.cos(a);
    }
  }
  return [outRe, outIm];
}

describe('fft', () => {
  it('equals the direct DFT for every power-of-two length up to 64', () => {
    for (const n of [1, 2, 4, 8, 16, 32, 64]) {
      const re = randomArray(n, n);
      const im = randomArray(n, n + 100);
      const [refRe, refIm] = dft(re, im);
      fft(re, im);
      for (let k = 0; k < n; k++) {
        expect(re[k]).toBeCloseTo(refRe[k], 12);
        expect(im[k]).toBeCloseTo(refIm[k], 12);
      }
    }
  });

  it('puts a constant at frequency zero and an alternating sequence at Nyquist', () => {
    const c = new Float64Array(8).fill(3);
    const ci = new Float64Array(8);
    fft(c, ci);
    expect(Array.from(c)).toEqual([24, 0, 0, 0, 0, 0, 0, 0]);
    const a = Float64Array.from({ length: 8 }, (_, t) => (t % 2 ? -1 : 1));
    const ai = new Float64Array(8);
    fft(a, ai);
    a.forEach((v, k) => expect(v).toBeCloseTo(k === 4 ? 8 : 0, 13));
  });

  it('2-D transform equals the direct 2-D DFT and keeps Parseval', () => {
    const h = 4;
    const w = 8;
    const x = randomArray(h * w, 7);
    const re = Float64Array.from(x);
    const im = new Float64Array(h * w);
    fft2d(re, im, h, w);
    let energy = 0;
    let spectral = 0;
    for (let ky = 0; ky < h; ky++) {
      for (let kx = 0; kx < w; kx++) {
        let sr = 0;
        let si = 0;
        for (let y = 0; y < h; y++) {
          for (let xx = 0; xx < w; xx++) {
            const a = -2 * Math.PI * ((ky * y) / h + (kx * xx) / w);
            sr += x[y * w + xx] * Math.cos(a);
            si += x[y * w + xx] * Math.sin(a);
          }
        }
        expect(re[ky * w + kx]).toBeCloseTo(sr, 12);
        expect(im[ky * w + kx]).toBeCloseTo(si, 12);
        spectral += re[ky * w + kx] ** 2 + im[ky * w + kx] ** 2;
      }
    }
    for (const v of x) energy += v * v;
    expect(spectral / (h * w)).toBeCloseTo(energy, 12);
  });

  it('rejects lengths that are not powers of two', () => {
    expect(isPowerOfTwo(12)).toBe(false);
    expect(isPowerOfTwo(16)).toBe(true);
    expect(() => fft(new Float64Array(12), new Float64Array(12))).toThrow(expect.objectContaining({ code: 'XQC_INVALID_ARGUMENT' }));
    expect(() => fft2d(new Float64Array(8), new Float64Array(8), 4, 4)).toThrow(expect.objectContaining({ code: 'XQC_SHAPE_MISMATCH' }));
  });
});
