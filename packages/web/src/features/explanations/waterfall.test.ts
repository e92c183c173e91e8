import { describe, expect, it } from 'vitest';
import { niceTicks, waterfallLayout } from './waterfall.ts';
import type { WaterfallStep } from './waterfall.ts';

function step(name: string, start: number, contribution: number): WaterfallStep {
  return { name, label: name.toUpperCase(), value: 1, valueText: `${name}=1`, contribution, start, end: start + contribution };
}

// base 0.2; +0.3 (max distance), -0.1 (texture), +0.05 (edges) -> fx 0.45
const WHY = { base: 0.2, fx: 0.45, steps: [step('maxDistance', 0.2, 0.3), step('texture', 0.5, -0.1), step('edges', 0.4, 0.05)] };

describe('niceTicks', () => {
  it('gives 1-2-2.5-5 steps inside the range', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.13, 0.52, 4)).toEqual([0.2, 0.3, 0.4, 0.5]);
    expect(niceTicks(-3, 7, 4)).toEqual([-2.5, 0, 2.5, 5]);
  });
  it('handles a degenerate or reversed range', () => {
    expect(niceTicks(2, 2)).toEqual([2]);
    expect(niceTicks(1, 0, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(Number.NaN, 1)).toEqual([]);
  });
});

describe('waterfallLayout', () => {
  const l = waterfallLayout(WHY, { width: 600, labelWidth: 200, valueWidth: 60, rowHeight: 30 });
  const sx = (v: number) => l.plotLeft + ((v - l.domain[0]) / (l.domain[1] - l.domain[0])) * (l.plotRight - l.plotLeft);

  it('has a base row, one row per step in order, and a total row', () => {
    expect(l.rows.map((r) => r.kind)).toEqual(['base', 'step', 'step', 'step', 'total']);
    expect(l.rows.map((r) => r.key)).toEqual(['__base', 'maxDistance', 'texture', 'edges', '__total']);
    expect(l.rows.map((r) => r.y)).toEqual([5, 35, 65, 95, 125].map((y) => y + 0.5));
  });

  it('chains the steps as a running sum from the base to fx', () => {
    const steps = l.rows.filter((r) => r.kind === 'step');
    expect(steps[0]!.from).toBeCloseTo(0.2);
    for (let i = 1; i < steps.length; i++) expect(steps[i]!.from).toBeCloseTo(steps[i - 1]!.to);
    expect(steps.at(-1)!.to).toBeCloseTo(WHY.fx);
  });

  it('draws each step from start to end, coloured by direction, with a signed text', () => {
    const [, up, down] = l.rows;
    expect(up!.direction).toBe('up');
    expect(up!.x).toBeCloseTo(sx(0.2));
    expect(up!.x + up!.width).toBeCloseTo(sx(0.5));
    expect(up!.text).toBe('+0.300');
    expect(down!.direction).toBe('down');
    expect(down!.x).toBeCloseTo(sx(0.4));
    expect(down!.x + down!.width).toBeCloseTo(sx(0.5));
    expect(down!.text).toBe('\u22120.100');
  });

  it('pads the domain around every value and puts base and fx guides on the scale', () => {
    expect(l.domain[0]).toBeLessThan(0.2);
    expect(l.domain[1]).toBeGreaterThan(0.5);
    expect((l.domain[1] - l.domain[0]) * (1 / 1.1)).toBeCloseTo(0.3);
    expect(l.baseX).toBeCloseTo(sx(0.2));
    expect(l.fxX).toBeCloseTo(sx(0.45));
    expect(l.plotLeft).toBe(200);
    expect(l.plotRight).toBe(540);
    for (const t of l.ticks) expect(t.x).toBeCloseTo(sx(t.value));
    // base and total are markers centred on their value
    expect(l.rows[0]!.x + l.rows[0]!.width / 2).toBeCloseTo(sx(0.2));
    expect(l.rows[4]!.x + l.rows[4]!.width / 2).toBeCloseTo(sx(0.45));
    expect(l.height).toBe(l.axisY + 28);
  });

  it('folds steps beyond maxSteps into one row that keeps the sum exact', () => {
    const many = { base: 0, fx: 0.21, steps: [0.1, 0.05, 0.03, 0.02, 0.01].reduce<WaterfallStep[]>((a, c, i) => [...a, step(`f${i}`, a.length ? a.at(-1)!.end : 0, c)], []) };
    const f = waterfallLayout(many, { maxSteps: 2 });
    expect(f.rows.map((r) => r.label)).toEqual(['Typical part (average)', 'F0', 'F1', '3 other features', 'This part']);
    expect(f.rows[3]!.amount).toBeCloseTo(0.06);
    expect(f.rows[3]!.to).toBeCloseTo(0.21);
  });

  it('keeps a zero-width step visible and survives a flat answer', () => {
    const flat = waterfallLayout({ base: 0.3, fx: 0.3, steps: [step('a', 0.3, 0)] });
    expect(flat.rows[1]!.width).toBeGreaterThanOrEqual(1);
    expect(flat.rows[1]!.direction).toBe('none');
    expect(flat.domain[1] - flat.domain[0]).toBeGreaterThan(0.9);
  });
});
