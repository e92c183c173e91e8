/** Evenly spaced grids reproduced bit for bit from NumPy, for thresholds and bin edges. */

/**
 * `numpy.linspace(start, stop, num)` to the last bit: `i * step + start` with
 * `step = (stop - start) / (num - 1)` and the last point set to `stop`. Thresholds and bin
 * edges must equal NumPy's exactly: a value exactly on one decides a match or a bin.
 */
export function linspace(start: number, stop: number, num: number): number[] {
  const step = (stop - start) / (num - 1);
  const out: number[] = [];
  for (let i = 0; i < num; i++) out.push(i * step + start);
  out[num - 1] = stop;
  return out;
}
