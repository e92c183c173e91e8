/**
 * Loads the reference values written by scripts/goldens/monitoring_goldens.py (SciPy 1.10,
 * scikit-learn 1.2, NumPy 1.24) for the drift statistics. The JSON writes NaN as null.
 * Comparison helpers are the metric goldens' ({@link expectClose}).
 */
import { readFileSync } from 'node:fs';
import type { Goldens } from './metrics-goldens.ts';

export { expectClose } from './metrics-goldens.ts';

let cache: Goldens | undefined;

/** The monitoring goldens, parsed once per test file. */
export function monitoringGoldens(): Goldens {
  cache ??= JSON.parse(readFileSync(new URL('./monitoring.json', import.meta.url), 'utf8')) as Goldens;
  return cache;
}

/** One named pair of scalar samples shared by the KS, Wasserstein and PSI cases. */
export interface ScalarSamples {
  /** Case name. */
  name: string;
  /** First (reference) sample. */
  a: number[];
  /** Second (current) sample. */
  b: number[];
}

/** The scalar sample pairs by name. */
export function scalarSamples(): Map<string, ScalarSamples> {
  return new Map((monitoringGoldens().samples as ScalarSamples[]).map((s) => [s.name, s]));
}

/** `frac(i * alpha) * scale + offset` for i = 1..n: the golden script's Weyl samples, same IEEE operations. */
export function weylSample(n: number, alpha: number, scale = 1, offset = 0): Float64Array {
  const out = new Float64Array(n);
  for (let i = 1; i <= n; i++) out[i - 1] = ((i * alpha) % 1) * scale + offset;
  return out;
}
