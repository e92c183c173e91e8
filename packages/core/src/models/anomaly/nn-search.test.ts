import { describe, expect, it } from 'vitest';
import { normalRng } from '../../util/random.ts';
import { NearestNeighbourIndex, nearestNeighboursJs } from './nn-search.ts';

function randomRows(n: number, d: number, seed: number): Float32Array {
  const g = normalRng(seed);
  return Float32Array.from({ length: n * d }, () => g());
}

describe('nearest-neighbour search in ONNX Runtime', () => {
  const m = 700;
  const d = 24;
  const q = 90;
  const bank = randomRows(m, d, 1);
  const queries = randomRows(q, d, 2);
  // A few queries sit exactly on bank rows: distance 0 despite the expansion's cancellation.
  queries.set(bank.subarray(5 * d, 6 * d), 0);
  queries.set(bank.subarray(699 * d, 700 * d), d);

  it('gives the distances and neighbours of a JavaScript brute force, in chunks or not', async () => {
    const k = 5;
    const want = nearestNeighboursJs(bank, m, d, queries, q, k);
    const whole = await (await NearestNeighbourIndex.create(bank, m, d)).search(queries, q, k);
    const chunked = await (await NearestNeighbourIndex.create(bank, m, d, { chunkElements: 7 * m })).search(queries, q, k);
    const fed = await (await NearestNeighbourIndex.create(bank, m, d, { bankAs: 'input', chunkElements: 30 * m })).search(queries, q, k);
    for (const got of [whole, chunked, fed]) {
      // Squared distances agree to float32 rounding of ||q||^2 + ||b||^2 - 2 q.b (about 1e-6 of ~50).
      for (let i = 0; i < q * k; i++) expect(got.distances[i] ** 2).toBeCloseTo(want.distances[i] ** 2, 3);
      // Indices agree wherever the brute force has no near tie.
      let same = 0;
      for (let i = 0; i < q * k; i++) if (got.indices[i] === want.indices[i]) same++;
      expect(same).toBeGreaterThanOrEqual(q * k - 2);
    }
    expect(Array.from(whole.indices)).toEqual(Array.from(chunked.indices));
    expect(whole.indices[0]).toBe(5);
    expect(whole.indices[k]).toBe(699);
    expect(whole.distances[0] ** 2).toBeLessThan(1e-4);
  });

  it('rejects a k beyond the bank and malformed queries', async () => {
    const index = await NearestNeighbourIndex.create(bank, m, d);
    await expect(index.search(queries, q, m + 1)).rejects.toMatchObject({ code: 'XQC_INVALID_ARGUMENT' });
    await expect(index.search(queries.subarray(1), q, 1)).rejects.toMatchObject({ code: 'XQC_SHAPE_MISMATCH' });
    await expect(NearestNeighbourIndex.create(new Float32Array(0), 0, d)).rejects.toMatchObject({ code: 'XQC_SHAPE_MISMATCH' });
  });
});
