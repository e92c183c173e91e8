import { describe, expect, it } from 'vitest';
import { activeFilterCount, needsReviews, parseHistorySearch, toListQuery } from './history-search.ts';

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

  it('maps days to instants, the to-day included whole', () => {
    const q = toListQuery({ from: '2026-03-01', to: '2026-03-01', verdict: 'pass', referred: false, reviewed: true, sort: 'score-asc' });
    expect(new Date(q.to!).getTime() - new Date(q.from!).getTime()).toBeGreaterThanOrEqual(23 * 3600_000);
    expect(new Date(q.from!).getDate()).toBe(1);
    expect(q).toMatchObject({ verdict: 'pass', referred: false });
    expect('reviewed' in q).toBe(false);
    expect('sort' in q).toBe(false);
  });

  it('says when the page must load reviews and counts filters without the sort', () => {
    expect(needsReviews({ verdict: 'pass' })).toBe(false);
    expect(needsReviews({ outcome: 'correct' })).toBe(true);
    expect(needsReviews({ reviewed: false })).toBe(true);
    expect(activeFilterCount({ verdict: 'pass', sort: 'score-desc', reviewer: 'ann' })).toBe(2);
  });
});
