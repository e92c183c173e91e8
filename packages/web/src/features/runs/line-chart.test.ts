import { describe, expect, it } from 'vitest';
import { extent, linearScale, linePath, niceStep, niceTicks, thinTicks } from './line-chart.ts';

describe('line chart geometry', () => {
  it('maps a domain linearly onto pixels, inverted for y', () => {
    const y = linearScale([0, 1], [190, 10]);
    expect(y(0)).toBe(190);
    expect(y(1)).toBe(10);
    expect(y(0.5)).toBe(100);
    expect(linearScale([3, 3], [0, 100])(3)).toBe(50);
  });

  it('picks 1, 2 or 5 steps and ticks that cover the data', () => {
    expect(niceStep(0, 1, 5)).toBeCloseTo(0.2);
    expect(niceStep(0, 20, 6)).toBe(5);
    expect(niceStep(0, 0.07, 4)).toBeCloseTo(0.02);
    expect(niceTicks(0.13, 0.92, 4)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(1, 20, 6)).toEqual([0, 5, 10, 15, 20]);
    expect(niceTicks(2, 2)).toEqual([2]);
  });

  it('finds the extent of the non-null values', () => {
    expect(extent([[{ x: 1, y: 0.5 }, { x: 2, y: null }], [{ x: 3, y: 2 }]], 'y')).toEqual([0.5, 2]);
    expect(extent([[{ x: 1, y: null }]], 'y', [0, 1])).toEqual([0, 1]);
  });

  it('thins ticks to a maximum and drops neighbours with the same label', () => {
    expect(thinTicks([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 5)).toEqual([0, 2, 4, 6, 8]);
    expect(thinTicks([0, 1, 2, 3], 5)).toEqual([0, 1, 2, 3]);
    expect(thinTicks([0, 10, 20, 60, 70], 5, (v) => String(Math.floor(v / 60)))).toEqual([0, 60]);
  });

  it('draws a path that breaks at gaps', () => {
    const id = (v: number) => v;
    expect(linePath([{ x: 1, y: 1 }, { x: 2, y: 2 }, { x: 3, y: null }, { x: 4, y: 1 }, { x: 5, y: 0.333333 }], id, id)).toBe('M1,1L2,2M4,1L5,0.33');
    expect(linePath([], id, id)).toBe('');
  });
});
