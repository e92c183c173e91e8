import { describe, expect, it } from 'vitest';
import { expectClose, metricsGoldens } from '../../../test/goldens/metrics-goldens.ts';
import { softmax } from '../calibration/proper-scores.ts';
import { uniformRng } from '../../util/random.ts';
import {
  averageSetSize,
  calibrateConformal,
  conformalQuantile,
  conformalScores,
  empiricalCoverage,
  predictionSets,
  type ConformalOptions,
} from './split-conformal.ts';

const goldens = metricsGoldens().conformal as {
  quantiles: { scores: number[]; alpha: number; quantile: number | 'inf' }[];
  aps: { probs: number[]; labels: number[]; apsScores: number[]; lacScores: number[] }[];
};

describe('conformalQuantile', () => {
  it('is the ceil((n+1)(1-alpha))-th smallest score (numpy inverted_cdf at that level)', () => {
    for (const c of goldens.quantiles) {
      const want = c.quantile === 'inf' ? Number.POSITIVE_INFINITY : c.quantile;
      expect(conformalQuantile(c.scores, c.alpha), `n=${c.scores.length} alpha=${c.alpha}`).toBe(want);
    }
  });

  it('rejects alpha outside (0, 1) and empty scores', () => {
    expect(() => conformalQuantile([0.1], 0)).toThrow(/alpha/);
    expect(() => conformalQuantile([], 0.1)).toThrow(/empty/);
  });
});

describe('conformal scores', () => {
  it('match the LAC and non-randomised APS definitions', () => {
    for (const c of goldens.aps) {
      expectClose(conformalScores(c.probs, c.labels, { score: 'lac' }), c.lacScores, 'lac');
      expectClose(conformalScores(c.probs, c.labels, { score: 'aps', randomized: false }), c.apsScores, 'aps');
    }
  });

  it('randomise APS between the mass above the label and the mass including it', () => {
    const c = goldens.aps[1];
    const k = c.probs.length / c.labels.length;
    const random = conformalScores(c.probs, c.labels, { seed: 5 });
    random.forEach((s, i) => {
      const lower = c.apsScores[i];
      const upper = lower + c.probs[i * k + c.labels[i]];
      expect(s).toBeGreaterThanOrEqual(lower - 1e-15);
      expect(s).toBeLessThanOrEqual(upper + 1e-15);
    });
    expect(Array.from(conformalScores(c.probs, c.labels, { seed: 5 }))).toEqual(Array.from(random));
  });
});

describe('prediction sets', () => {
  const probs = [0.7, 0.2, 0.1, 0.4, 0.35, 0.25, 0.05, 0.05, 0.9];

  it('holds the labels whose score is within the quantile', () => {
    const lac = { score: 'lac', randomized: false, alpha: 0.1, numClasses: 3, calibrationSize: 9, quantile: 0.65 } as const;
    expect(predictionSets(lac, probs)).toEqual([[0], [0, 1], [2]]);
    const aps = { ...lac, score: 'aps', quantile: 0.65 } as const;
    // Mass ranked above each label: row 0: 0, 0.7, 0.9; row 1: 0, 0.4, 0.75; row 2: 0, 0.9, 0.95.
    expect(predictionSets(aps, probs)).toEqual([[0], [0, 1], [2]]);
    // Randomised, a top label scores u * p_top: at q = 0.3 it is in the set for small u
    // only, and every second label already scores above 0.3.
    const sets = predictionSets({ ...aps, randomized: true, quantile: 0.3 }, probs, { seed: 3 });
    const top = [0, 0, 2];
    sets.forEach((set, i) => expect([[], [top[i]]]).toContainEqual(set));
    expect(sets.some((set) => set.length === 0) && sets.some((set) => set.length === 1)).toBe(true);
  });

  it('holds every label when the calibration set is too small for alpha', () => {
    // n = 2, alpha = 0.1: ceil(3 * 0.9) = 3 > 2.
    const predictor = calibrateConformal([0.6, 0.3, 0.1, 0.2, 0.7, 0.1], [0, 1], { alpha: 0.1, score: 'lac' });
    expect(predictor.quantile).toBe(Number.POSITIVE_INFINITY);
    expect(predictionSets(predictor, probs)).toEqual([
      [0, 1, 2],
      [0, 1, 2],
      [0, 1, 2],
    ]);
  });

  it('reports coverage and mean set size', () => {
    const sets = [[0], [0, 1], []];
    expect(empiricalCoverage(sets, [0, 2, 1])).toBeCloseTo(1 / 3, 15);
    expect(averageSetSize(sets)).toBe(1);
  });

  it('rejects a probability matrix of the wrong width', () => {
    const predictor = calibrateConformal([0.6, 0.4, 0.3, 0.7], [0, 1], { alpha: 0.5, score: 'lac' });
    expect(() => predictionSets(predictor, [0.2, 0.3, 0.5])).toThrow(/multiple of 2/);
  });
});

/**
 * Synthetic classifier with known behaviour: logits z ~ N(0, 2^2) per class, p = softmax(z)
 * and the label drawn from p, so scores are continuous and exchangeable.
 */
function sample(n: number, k: number, u: () => number): { probs: Float64Array; labels: Int32Array } {
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const probs = softmax(
    Float64Array.from({ length: n * k }, () => 2 * gaussian()),
    k,
  );
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let r = u();
    let c = 0;
    while (c < k - 1 && r >= probs[i * k + c]) r -= probs[i * k + c++];
    labels[i] = c;
  }
  return { probs, labels };
}

/**
 * Coverage for `repeats` random calibration/test splits of a pool: each split draws
 * n + nTest distinct items (a partial Fisher-Yates shuffle), so calibration and test items
 * are exchangeable. Each test item contributes P(Y in set | x) = sum of p over its set, its
 * exact conditional coverage, which removes label noise without changing the mean.
 */
function coverageOverSplits(
  pool: { probs: Float64Array; labels: Int32Array },
  options: ConformalOptions,
  repeats: number,
  n: number,
  nTest: number,
  seed: number,
): number[] {
  const k = pool.probs.length / pool.labels.length;
  const size = pool.labels.length;
  const u = uniformRng(seed);
  const index = Int32Array.from({ length: size }, (_, i) => i);
  const out: number[] = [];
  for (let r = 0; r < repeats; r++) {
    for (let i = 0; i < n + nTest; i++) {
      const j = i + Math.floor(u() * (size - i));
      [index[i], index[j]] = [index[j], index[i]];
    }
    const gather = (from: number, count: number) => ({
      probs: Float64Array.from({ length: count * k }, (_, x) => pool.probs[index[from + Math.floor(x / k)] * k + (x % k)]),
      labels: Int32Array.from({ length: count }, (_, i) => pool.labels[index[from + i]]),
    });
    const cal = gather(0, n);
    const test = gather(n, nTest);
    const predictor = calibrateConformal(cal.probs, cal.labels, { ...options, seed: 1000 + r });
    const sets = predictionSets(predictor, test.probs, { seed: 5000 + r });
    let covered = 0;
    sets.forEach((set, i) => {
      for (const c of set) covered += test.probs[i * k + c];
    });
    out.push(covered / nTest);
  }
  return out;
}

function meanAndStd(xs: number[]): { mean: number; std: number } {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1);
  return { mean, std: Math.sqrt(variance) };
}

describe('split conformal coverage on synthetic data', () => {
  const alpha = 0.1;
  const n = 500;
  const repeats = 300;
  // Coverage given the calibration set is Beta(k, n + 1 - k) with k = ceil((n+1)(1-alpha)).
  const kth = Math.ceil((n + 1) * (1 - alpha));
  const betaStd = Math.sqrt((kth * (n + 1 - kth)) / ((n + 1) ** 2 * (n + 2)));
  const pool = sample(20000, 10, uniformRng(11));

  it.each([
    ['LAC', { alpha, score: 'lac' }],
    ['randomised APS', { alpha, score: 'aps', randomized: true }],
  ] as const)('%s: mean coverage within [1-alpha, 1-alpha+1/(n+1)], spread as the Beta law', (_name, options) => {
    const cov = coverageOverSplits(pool, options, repeats, n, 500, 13);
    const { mean, std } = meanAndStd(cov);
    // Monte Carlo slack: three standard errors of the mean over the repeats.
    const slack = (3 * std) / Math.sqrt(repeats);
    expect(mean).toBeGreaterThanOrEqual(1 - alpha - slack);
    expect(mean).toBeLessThanOrEqual(1 - alpha + 1 / (n + 1) + slack);
    expect(slack).toBeLessThan(0.003);
    // Finite test sets add a little spread on top of the Beta law.
    expect(std / betaStd).toBeGreaterThan(0.8);
    expect(std / betaStd).toBeLessThan(1.35);
  });

  it('non-randomised APS keeps 1 - alpha and never returns an empty set', () => {
    const cov = coverageOverSplits(pool, { alpha, score: 'aps', randomized: false }, 100, n, 500, 12);
    const { mean, std } = meanAndStd(cov);
    expect(mean).toBeGreaterThanOrEqual(1 - alpha - (3 * std) / Math.sqrt(100));
    const predictor = calibrateConformal(pool.probs.subarray(0, 5000), pool.labels.subarray(0, 500), {
      alpha,
      score: 'aps',
      randomized: false,
    });
    expect(predictionSets(predictor, pool.probs.subarray(5000, 25000)).every((set) => set.length > 0)).toBe(true);
  });

  it('non-randomised APS over-covers when accuracy exceeds 1 - alpha', () => {
    // Every true label is the top one: all scores are 0, q = 0, sets are the top label alone.
    const probs = Float64Array.from({ length: 300 }, (_, x) => (x % 3 === 0 ? 0.8 : 0.1));
    const predictor = calibrateConformal(probs, new Int32Array(100), { alpha: 0.3, score: 'aps', randomized: false });
    expect(predictor.quantile).toBe(0);
    expect(empiricalCoverage(predictionSets(predictor, probs), new Int32Array(100))).toBe(1);
  });
});
