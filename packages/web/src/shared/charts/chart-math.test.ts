import { describe, expect, it } from 'vitest';
import { areaPath, bandScale, clamp, confusionRows, definedRuns, histogramBars, linearScale, linePath, niceMax, niceStep, niceTicks, snap, thresholdAfterKey, thresholdAtPointer } from './chart-math.ts';

describe('linearScale', () => {
  it('maps the domain onto the range and back, including an inverted y range', () => {
    const y = linearScale([0, 1], [200, 0]);
    expect(y(0)).toBe(200);
    expect(y(1)).toBe(0);
    expect(y(0.25)).toBe(150);
    expect(y.invert(150)).toBeCloseTo(0.25, 12);
    const x = linearScale([10, 20], [0, 100]);
    expect(x(15)).toBe(50);
    expect(x.invert(100)).toBe(20);
  });

  it('puts every value of a zero-width domain in the middle instead of dividing by zero', () => {
    const s = linearScale([3, 3], [0, 100]);
    expect(s(3)).toBe(50);
    expect(Number.isFinite(s(7))).toBe(true);
  });
});

describe('niceTicks', () => {
  it('gives round steps of 1, 2 or 5 times a power of ten', () => {
    expect(niceStep(1, 5)).toBe(0.2);
    expect(niceStep(100, 4)).toBe(20);
    expect(niceStep(7, 5)).toBe(1);
    expect(niceStep(0, 5)).toBe(1);
  });

  it('covers a 0..1 rate axis with rounded values (no 0.30000000000000004)', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 0.3, 3)).toEqual([0, 0.1, 0.2, 0.3]);
  });

  it('starts at the first round value inside the range', () => {
    expect(niceTicks(3, 27, 5)).toEqual([5, 10, 15, 20, 25]);
    expect(niceTicks(5, 5)).toEqual([5]);
    expect(niceTicks(Number.NaN, 1)).toEqual([]);
  });

  it('rounds a count axis up so the tallest bar is under the top tick', () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(7)).toBe(8);
    expect(niceMax(93)).toBe(100);
    expect(niceMax(1)).toBe(1);
  });
});

describe('bandScale', () => {
  it('gives each key an equal slot, the band centred in it', () => {
    const b = bandScale(['a', 'b', 'c', 'd'], [0, 400], 0.5);
    expect(b.bandwidth).toBe(50);
    expect(b.x('a')).toBe(25);
    expect(b.center('b')).toBe(150);
    expect(Number.isNaN(b.x('zz'))).toBe(true);
  });

  it('finds the key under a pointer, clamped to the ends', () => {
    const b = bandScale(['a', 'b', 'c'], [0, 300]);
    expect(b.keyAt(10)).toBe('a');
    expect(b.keyAt(150)).toBe('b');
    expect(b.keyAt(-50)).toBe('a');
    expect(b.keyAt(999)).toBe('c');
    expect(bandScale([], [0, 10]).keyAt(5)).toBeUndefined();
  });
});

describe('line and area paths', () => {
  const pts = [
    { x: 0, y: 10 },
    { x: 10, y: 20 },
    { x: 20, y: null },
    { x: 30, y: 5 },
    { x: 40, y: 6.666 },
  ];

  it('breaks the line at missing values instead of joining across them', () => {
    expect(linePath(pts)).toBe('M0,10L10,20M30,5L40,6.67');
    expect(linePath([{ x: 0, y: null }])).toBe('');
    expect(definedRuns(pts).map((r) => r.length)).toEqual([2, 2]);
  });

  it('closes one area per run down to the baseline', () => {
    expect(areaPath(pts.slice(0, 2), 100)).toBe('M0,100L0,10L10,20L10,100Z');
    expect(areaPath(pts, 100).match(/Z/g)).toHaveLength(2);
  });
});

describe('histogramBars', () => {
  it('spans each bin on x and rises to its count on y', () => {
    const x = linearScale([0, 1], [0, 100]);
    const y = linearScale([0, 10], [50, 0]);
    const bars = histogramBars([0, 0.5, 1], [10, 5], x, y);
    expect(bars).toEqual([
      { x: 0, y: 0, width: 50, height: 50, lower: 0, upper: 0.5, count: 10 },
      { x: 50, y: 25, width: 50, height: 25, lower: 0.5, upper: 1, count: 5 },
    ]);
  });

  it('refuses edges that do not bound the counts', () => {
    const s = linearScale([0, 1], [0, 1]);
    expect(() => histogramBars([0, 1], [1, 2], s, s)).toThrow(/2 edges for 2 counts/);
  });
});

describe('threshold handle maths', () => {
  const x = linearScale([0, 1], [40, 440]);

  it('turns a pointer position into a snapped threshold inside the domain', () => {
    expect(thresholdAtPointer(240, x, 0.01)).toBe(0.5);
    expect(thresholdAtPointer(241.7, x, 0.01)).toBe(0.5);
    expect(thresholdAtPointer(243, x, 0.01)).toBe(0.51);
    expect(thresholdAtPointer(0, x, 0.01)).toBe(0);
    expect(thresholdAtPointer(9999, x, 0.01)).toBe(1);
  });

  it('moves by one step per arrow, ten per page or shift-arrow, and jumps with Home and End', () => {
    const o = { min: 0, max: 1, step: 0.01 };
    expect(thresholdAfterKey(0.5, 'ArrowRight', o)).toBe(0.51);
    expect(thresholdAfterKey(0.5, 'ArrowUp', o)).toBe(0.51);
    expect(thresholdAfterKey(0.5, 'ArrowLeft', o)).toBe(0.49);
    expect(thresholdAfterKey(0.5, 'ArrowLeft', { ...o, shift: true })).toBe(0.4);
    expect(thresholdAfterKey(0.5, 'PageUp', o)).toBe(0.6);
    expect(thresholdAfterKey(0.5, 'PageDown', o)).toBe(0.4);
    expect(thresholdAfterKey(0.5, 'Home', o)).toBe(0);
    expect(thresholdAfterKey(0.5, 'End', o)).toBe(1);
    expect(thresholdAfterKey(0.5, 'a', o)).toBeUndefined();
  });

  it('stops at the ends and lands on the step grid from an off-grid value', () => {
    const o = { min: 0, max: 1, step: 0.01 };
    expect(thresholdAfterKey(0.995, 'ArrowRight', o)).toBe(1);
    expect(thresholdAfterKey(0.003, 'ArrowLeft', o)).toBe(0);
    expect(thresholdAfterKey(0.4237, 'ArrowRight', o)).toBe(0.43);
    // seventy presses of 0.01 from 0 stay exact
    let v = 0;
    for (let i = 0; i < 70; i++) v = thresholdAfterKey(v, 'ArrowRight', o)!;
    expect(v).toBe(0.7);
  });

  it('clamps and snaps', () => {
    expect(clamp(5, 0, 1)).toBe(1);
    expect(clamp(-5, 0, 1)).toBe(0);
    expect(snap(0.1 + 0.2, 0.1)).toBe(0.3);
    expect(snap(0.123, 0)).toBe(0.123);
  });
});

describe('confusionRows', () => {
  it('puts the truth in rows and the prediction in columns, shares per row', () => {
    const [defect, good] = confusionRows({ tp: 8, fn: 2, fp: 5, tn: 45 });
    expect(defect.map((c) => [c.key, c.count, c.rowShare, c.correct])).toEqual([
      ['tp', 8, 0.8, true],
      ['fn', 2, 0.2, false],
    ]);
    expect(good.map((c) => [c.key, c.count, c.rowShare, c.correct])).toEqual([
      ['fp', 5, 0.1, false],
      ['tn', 45, 0.9, true],
    ]);
  });

  it('gives no share for a class that was never reviewed', () => {
    const [defect] = confusionRows({ tp: 0, fn: 0, fp: 1, tn: 1 });
    expect(defect.map((c) => c.rowShare)).toEqual([null, null]);
  });
});
