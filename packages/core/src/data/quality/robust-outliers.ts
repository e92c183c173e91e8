/**
 * Robust z-scores (Iglewicz and Hoaglin): `z = 0.6745 (x - median) / MAD`, MAD the median
 * absolute deviation; |z| > 3.5 marks an outlier. When MAD is 0 (more than half the values
 * equal, e.g. image sizes), the mean absolute deviation stands in: `z = (x - median) / (1.253314 MeanAD)`.
 * When both are 0 every value equals the median and nothing is an outlier.
 */

/** The documented outlier threshold on |z|. */
export const ROBUST_Z_THRESHOLD = 3.5;

/** Median of `values` (mean of the middle two for an even count); NaN for none. */
export function medianOf(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Robust z-score of each of `values` (0 for all when they do not spread), and their median. */
export function robustZScores(values: readonly number[]): { median: number; z: number[] } {
  const median = medianOf(values);
  const dev = values.map((v) => Math.abs(v - median));
  const mad = medianOf(dev);
  if (mad > 0) return { median, z: values.map((v) => (0.6745 * (v - median)) / mad) };
  const meanAd = dev.reduce((a, b) => a + b, 0) / Math.max(1, dev.length);
  if (meanAd > 0) return { median, z: values.map((v) => (v - median) / (1.253314 * meanAd)) };
  return { median, z: values.map(() => 0) };
}
