import { describe, expect, it } from 'vitest';
import { activeFilterCount, parseHistorySearch, toListQuery } from './history-search.ts';

describe('History search params', () => {
  it('keeps valid filters and drops the rest', () => {
    const s = parseHistorySearch({
      from: '2026-01-02',
      to: 'yesterday',
      model: ' surface-classifier ',
      version: 'not-a-uuid',
      verdict: 'reject',
      class: 'scratch',
      referred: 'true',
      reviewed: false,
      reviewer: '',
      outcome: 'false-positive',
      sort: 'score-desc',
      extra: 'x',
    });
    expect(s).toEqual({ from: '2026-01-02', model: 'surface-classifier', verdict: 'reject', class: 'scratch', referred: true, reviewed: false, outcome: 'false-positive', sort: 'score-desc' });
  });

  it('drops unknown verdicts, outcomes and sorts, and the default sort', () => {
    expect(parseHistorySearch({ verdict: 'maybe', outcome: 'fp', sort: 'newest' })).toEqual({});
    expect(parseHistorySearch({ version: '0b7c6f8e-2d3a-4c5b-9e1f-123456789abc' })).toEqual({ version: '0b7c6f8e-2d3a-4c5b-9e1f-123456789abc' });
  });

  it('lets the unreviewed outcome win over reviewed=yes', () => {
    expect(parseHistorySearch({ reviewed: 'yes', outcome: 'unreviewed' })).toEqual({ outcome: 'unreviewed' });
    expect(parseHistorySearch({ reviewed: 'no', outcome: 'correct' })).toEqual({ reviewed: false, outcome: 'correct' });
  });

  it('maps days to instants, the to-day included whole', () => {
    const q = toListQuery({ from: '2026-03-01', to: '2026-03-01', verdict: 'pass', referred: false });
    expect(new Date(q.to!).getTime() - new Date(q.from!).getTime()).toBeGreaterThanOrEqual(23 * 3600_000);
    expect(new Date(q.from!).getDate()).toBe(1);
    expect(q).toMatchObject({ verdict: 'pass', referred: false });
  });

  it('sends the review filters, the outcome and the sort in the API\'s names', () => {
    expect(toListQuery({ reviewed: true, reviewer: 'sub-ann', outcome: 'false-positive', sort: 'score-desc' })).toEqual({ reviewed: true, reviewer: 'sub-ann', outcome: 'fp', sort: '-score' });
    expect(toListQuery({ outcome: 'false-negative', sort: 'score-asc' })).toEqual({ outcome: 'fn', sort: 'score' });
    expect(toListQuery({ outcome: 'wrong-class', sort: 'uncertainty-desc' })).toEqual({ outcome: 'wrongClass', sort: 'uncertainty' });
    expect(toListQuery({ outcome: 'correct', reviewed: false })).toEqual({ outcome: 'correct', reviewed: false });
    expect(toListQuery({ outcome: 'unreviewed' })).toEqual({ reviewed: false });
    expect(toListQuery({ sort: 'newest' })).toEqual({});
  });

  it('counts filters without the sort', () => {
    expect(activeFilterCount({ verdict: 'pass', sort: 'score-desc', reviewer: 'ann' })).toBe(2);
    expect(activeFilterCount({})).toBe(0);
  });
});
