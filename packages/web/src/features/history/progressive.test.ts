import { describe, expect, it } from 'vitest';
import { nextCount } from './progressive.ts';

describe('nextCount', () => {
  it('adds one step until the total', () => {
    expect(nextCount(12, 50, 12, 8)).toBe(20);
    expect(nextCount(48, 50, 12, 8)).toBe(50);
    expect(nextCount(50, 50, 12, 8)).toBe(50);
  });
  it('never goes below the first slice nor above the total', () => {
    expect(nextCount(0, 50, 12, 8)).toBe(12);
    expect(nextCount(0, 5, 12, 8)).toBe(5);
  });
});
