import { describe, expect, it } from 'vitest';
import { uniformRng } from '../util/random.ts';
import { sortPairs } from './sort-pairs.ts';

/** Sorts and checks order plus that every (value, payload) pair survived. */
function checkSorted(values: Float64Array): void {
  const original = values.slice();
  const v = values.slice();
  const p = Uint32Array.from(v, (_, i) => i);
  sortPairs(v, p);
  const expected = original.slice().sort();
  let firstBad = -1;
  for (let i = 0; i < v.length && firstBad < 0; i++) {
    // -0 and +0 are ties, so compare with === rather than Object.is.
    if (v[i] !== expected[i] || original[p[i]] !== v[i]) firstBad = i;
  }
  expect(firstBad, firstBad < 0 ? '' : `position ${firstBad}: ${v[firstBad]} vs ${expected[firstBad]}`).toBe(-1);
  expect(new Set(p).size).toBe(v.length);
}

describe('sortPairs', () => {
  const u = uniformRng(7);

  it('sorts uniform values with their payload', () => {
    checkSorted(Float64Array.from({ length: 20000 }, () => u()));
  });

  it('sorts ranges large enough for the cache-sized top level and the exponent buckets', () => {
    checkSorted(Float64Array.from({ length: 100000 }, () => u()));
    checkSorted(Float64Array.from({ length: 100000 }, () => (u() < 0.5 ? 0 : Math.exp(-30 * u()) * (u() < 0.001 ? 1e6 : 1))));
    checkSorted(Float64Array.from({ length: 100000 }, () => -Math.exp(60 * (u() - 0.5))));
  });

  it('sorts heavily tied, clustered and skewed values', () => {
    checkSorted(Float64Array.from({ length: 20000 }, () => Math.round(u() * 5)));
    checkSorted(Float64Array.from({ length: 20000 }, (_, i) => (i % 2 ? 0 : Math.exp(-40 * u()) * (u() < 0.01 ? 1e6 : 1))));
    checkSorted(Float64Array.from({ length: 5000 }, () => 1 - Math.exp(-30 * u())));
  });

  it('sorts negative, huge, tiny and signed-zero values', () => {
    checkSorted(Float64Array.from({ length: 3000 }, () => (u() - 0.5) * Number.MAX_VALUE));
    checkSorted(Float64Array.from({ length: 3000 }, () => (u() - 0.5) * 1e-310));
    checkSorted(Float64Array.from({ length: 3000 }, (_, i) => (i % 3 === 0 ? -0 : i % 3 === 1 ? 0 : u() - 0.5)));
  });

  it('leaves all-equal, single and empty inputs alone', () => {
    checkSorted(new Float64Array(1000).fill(0.25));
    checkSorted(Float64Array.of(3));
    checkSorted(new Float64Array(0));
  });
});
