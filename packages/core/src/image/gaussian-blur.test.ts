import { describe, expect, it } from 'vitest';
import { uniformRng } from '../util/random.ts';
import { gaussianBlurMap, gaussianKernel } from './gaussian-blur.ts';

/** Direct 2-D convolution with the outer product of the 1-D kernel and reflect indexing. */
function direct(data: Float32Array, w: number, h: number, k: Float32Array): Float32Array {
  const r = (k.length - 1) / 2;
  const reflect = (i: number, n: number): number => (i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i);
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) s += k[dy + r] * k[dx + r] * data[reflect(y + dy, h) * w + reflect(x + dx, w)];
      out[y * w + x] = s;
    }
  }
  return out;
}

describe('gaussian blur', () => {
  it('uses radius floor(4 sigma + 0.5) and weights that sum to 1', () => {
    const k = gaussianKernel(4);
    expect(k.length).toBe(33);
    expect(k.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(k[16]).toBeGreaterThan(k[15]);
    expect(k[0]).toBeCloseTo(k[32], 7);
    expect(gaussianKernel(4, 5).length).toBe(11);
    expect(() => gaussianKernel(0)).toThrow(expect.objectContaining({ code: 'XQC_INVALID_ARGUMENT' }));
  });

  it('equals the direct 2-D convolution with reflect padding and keeps constants constant', () => {
    const u = uniformRng(2);
    const w = 13;
    const h = 9;
    const data = Float32Array.from({ length: w * h }, () => u());
    const got = gaussianBlurMap({ width: w, height: h, data }, 1.3).data;
    const want = direct(data, w, h, gaussianKernel(1.3, 8));
    for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(want[i], 5);
    const flat = gaussianBlurMap({ width: w, height: h, data: new Float32Array(w * h).fill(2.5) }, 3).data;
    for (const v of flat) expect(v).toBeCloseTo(2.5, 5);
  });
});
