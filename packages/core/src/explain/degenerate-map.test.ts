import { describe, expect, it } from 'vitest';
import { degenerateMap } from './degenerate-map.ts';

const map = (...v: number[]) => ({ width: v.length, height: 1, data: Float32Array.from(v) });

describe('degenerateMap', () => {
  it('names non-finite, all-zero, constant and no-positive maps', () => {
    expect(degenerateMap(map(1, NaN, 2, Infinity))).toEqual({ reason: 'non-finite', message: '2 of 4 values are NaN or infinite' });
    expect(degenerateMap(map(0, 0, 0))?.reason).toBe('all-zero');
    expect(degenerateMap(map(3, 3, 3 * (1 + 1e-8)))?.reason).toBe('constant');
    expect(degenerateMap(map(-1, -2, 0))?.reason).toBe('no-positive');
  });

  it('accepts a map with any spread of positive evidence', () => {
    expect(degenerateMap(map(0, 0, 1e-12))).toBeUndefined();
    expect(degenerateMap(map(-5, 0.5, 1))).toBeUndefined();
    expect(degenerateMap(map(1, 1.001))).toBeUndefined();
  });
});
