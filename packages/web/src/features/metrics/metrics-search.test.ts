import { describe, expect, it } from 'vitest';
import { addDays, apiRange, bucketKeys, daysBetween, isDay, metricsQuery, mondayOf, parseMetricsSearch, resolveMetricsSearch } from './metrics-search.ts';

describe('dashboard search params', () => {
  it('keeps valid values and drops the rest', () => {
    expect(parseMetricsSearch({ from: '2026-11-01', to: '2026-11-30', model: 'surface-classifier', version: '1.0.0', group: 'week' })).toEqual({
      from: '2026-11-01',
      to: '2026-11-30',
      model: 'surface-classifier',
      version: '1.0.0',
      group: 'week',
    });
    expect(parseMetricsSearch({ from: '2026-02-30', to: 'yesterday', model: '', group: 'hour' })).toEqual({});
    expect(parseMetricsSearch({ from: 20261101 })).toEqual({});
  });

  it('turns a reversed range round and drops a version without a model', () => {
    expect(parseMetricsSearch({ from: '2026-12-01', to: '2026-11-01' })).toEqual({ from: '2026-11-01', to: '2026-12-01' });
    expect(parseMetricsSearch({ version: '1.0.0' })).toEqual({});
  });

  it('defaults to the last 30 days by day, by week beyond 92 days', () => {
    const now = new Date('2026-12-05T15:00:00Z');
    expect(resolveMetricsSearch({}, now)).toEqual({ from: '2026-11-06', to: '2026-12-05', group: 'day' });
    expect(resolveMetricsSearch({ from: '2026-01-01' }, now).group).toBe('week');
    expect(resolveMetricsSearch({ from: '2026-01-01', group: 'day' }, now).group).toBe('day');
    expect(resolveMetricsSearch({ to: '2026-11-10' }, now).from).toBe('2026-10-12');
    expect(resolveMetricsSearch({ from: '2027-01-10' }, now)).toMatchObject({ from: '2027-01-10', to: '2027-01-10' });
  });

  it('asks the API for whole UTC days, the last one included', () => {
    expect(apiRange({ from: '2026-11-01', to: '2026-11-30' })).toEqual({ from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' });
    expect(metricsQuery({ from: '2026-12-31', to: '2026-12-31', group: 'day', model: 'm', version: 'v' })).toEqual({
      from: '2026-12-31T00:00:00.000Z',
      to: '2027-01-01T00:00:00.000Z',
      groupBy: 'day',
      model: 'm',
      version: 'v',
    });
    expect(metricsQuery({ from: '2026-12-01', to: '2026-12-02', group: 'day' }, 'version').groupBy).toBe('version');
  });
});

describe('calendar helpers', () => {
  it('validates days, counts and moves them across month and year ends', () => {
    expect(isDay('2028-02-29')).toBe(true);
    expect(isDay('2026-02-29')).toBe(false);
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(daysBetween('2026-11-01', '2026-11-30')).toBe(30);
  });

  it('lists every bucket of the range, weeks by their Monday', () => {
    expect(bucketKeys({ from: '2026-11-29', to: '2026-12-02', group: 'day' })).toEqual(['2026-11-29', '2026-11-30', '2026-12-01', '2026-12-02']);
    // 2026-12-05 is a Saturday; its Monday is 2026-11-30
    expect(mondayOf('2026-12-05')).toBe('2026-11-30');
    expect(mondayOf('2026-11-30')).toBe('2026-11-30');
    expect(mondayOf('2026-12-06')).toBe('2026-11-30');
    expect(bucketKeys({ from: '2026-11-18', to: '2026-12-05', group: 'week' })).toEqual(['2026-11-16', '2026-11-23', '2026-11-30']);
  });
});
