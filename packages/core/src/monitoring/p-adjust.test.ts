import { describe, expect, it } from 'vitest';
import { expectClose, monitoringGoldens } from '../../test/goldens/monitoring-goldens.ts';
import { adjustPValues } from './p-adjust.ts';
import { expectInputError } from './test-helpers.ts';

interface AdjustCase {
  name: string;
  pvalues: number[];
  holm: number[];
  bh: number[];
}

describe("adjustPValues against statsmodels' holm and fdr_bh definitions", () => {
  it.each((monitoringGoldens().adjust as AdjustCase[]).map((c) => [c.name, c] as const))('%s', (name, c) => {
    expectClose(adjustPValues(c.pvalues, 'holm'), c.holm, `${name} holm`, 1e-14);
    expectClose(adjustPValues(c.pvalues, 'bh'), c.bh, `${name} bh`, 1e-14);
  });

  it('keeps the input order and never lowers a p-value', () => {
    const p = [0.04, 0.001, 0.3];
    const holm = adjustPValues(p, 'holm');
    expect(Array.from(holm)).toEqual([0.08, 0.003, 0.3]);
    for (let i = 0; i < p.length; i++) expect(adjustPValues(p, 'bh')[i]).toBeGreaterThanOrEqual(p[i]);
  });

  it('returns an empty result for no p-values and refuses values outside [0, 1]', () => {
    expect(adjustPValues([], 'bh').length).toBe(0);
    expectInputError(() => adjustPValues([0.1, 1.5], 'holm'), 'pvalues[1]');
    expectInputError(() => adjustPValues([0.1], 'bonferroni' as 'holm'), 'method');
  });
});
