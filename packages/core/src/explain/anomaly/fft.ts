/**
 * A small radix-2 fast Fourier transform (iterative Cooley-Tukey, decimation in time) for
 * the spectral image features. Lengths are powers of two; callers pick power-of-two tiles
 * rather than padding, so no spurious frequencies enter the spectrum.
 */
import { XqcError } from '../../errors.ts';

/** True when `n` is a positive power of two. */
export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

/**
 * In-place forward DFT of the complex vector (re, im) of length n = 2^m:
 *   X[k] = sum_t x[t] exp(-2 pi i k t / n),  k = 0..n-1 (no normalisation).
 * @param re [n] float64, real parts (overwritten)
 * @param im [n] float64, imaginary parts (overwritten)
 */
export function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  if (!isPowerOfTwo(n) || im.length !== n) throw new XqcError('XQC_INVALID_ARGUMENT', `fft needs two arrays of one power-of-two length, got ${n} and ${im.length}`);
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const half = len >> 1;
    const step = (-2 * Math.PI) / len;
    for (let k = 0; k < half; k++) {
      // Twiddles from cos/sin of each angle (not a recurrence) keep the error at rounding level.
      const wr = Math.cos(step * k);
      const wi = Math.sin(step * k);
      for (let s = k; s < n; s += len) {
        const t = s + half;
        const xr = re[t] * wr - im[t] * wi;
        const xi = re[t] * wi + im[t] * wr;
        re[t] = re[s] - xr;
        im[t] = im[s] - xi;
        re[s] += xr;
        im[s] += xi;
      }
    }
  }
}

/**
 * In-place 2-D forward DFT of a row-major [h, w] complex array (rows, then columns):
 *   X[ky, kx] = sum_{y, x} x[y, x] exp(-2 pi i (ky y / h + kx x / w)).
 * @param re [h * w] float64 (overwritten)
 * @param im [h * w] float64 (overwritten)
 */
export function fft2d(re: Float64Array, im: Float64Array, h: number, w: number): void {
  if (re.length !== h * w || im.length !== h * w) throw new XqcError('XQC_SHAPE_MISMATCH', `fft2d: arrays of ${re.length} and ${im.length} values for ${h}x${w}`);
  const rowRe = new Float64Array(w);
  const rowIm = new Float64Array(w);
  for (let y = 0; y < h; y++) {
    rowRe.set(re.subarray(y * w, (y + 1) * w));
    rowIm.set(im.subarray(y * w, (y + 1) * w));
    fft(rowRe, rowIm);
    re.set(rowRe, y * w);
    im.set(rowIm, y * w);
  }
  const colRe = new Float64Array(h);
  const colIm = new Float64Array(h);
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) {
      colRe[y] = re[y * w + x];
      colIm[y] = im[y * w + x];
    }
    fft(colRe, colIm);
    for (let y = 0; y < h; y++) {
      re[y * w + x] = colRe[y];
      im[y * w + x] = colIm[y];
    }
  }
}
