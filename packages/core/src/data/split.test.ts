import { describe, expect, it } from 'vitest';
import { isXqcError } from '../errors.ts';
import { recordedSplit, splitCounts, splitRatiosFor, stratifiedSplit } from './split.ts';

const items = [
  ...Array.from({ length: 40 }, (_, i) => ({ key: `good/${i}.png`, label: 'good' })),
  ...Array.from({ length: 17 }, (_, i) => ({ key: `crack/${i}.png`, label: 'crack' })),
  ...Array.from({ length: 3 }, (_, i) => ({ key: `hole/${i}.png`, label: 'hole' })),
];

function tally(split: Map<string, string>, label: string): Record<string, number> {
  const out: Record<string, number> = { train: 0, val: 0, test: 0 };
  for (const it of items) if (it.label === label) out[split.get(it.key) as string]++;
  return out;
}

describe('stratified split', () => {
  it('splits every label by the ratios, with largest-remainder rounding', () => {
    expect(splitCounts(17, { train: 0.7, val: 0.15, test: 0.15 })).toEqual({ train: 12, val: 3, test: 2 });
    expect(splitCounts(3, { train: 0.6, val: 0.2, test: 0.2 })).toEqual({ train: 2, val: 1, test: 0 });
    const split = stratifiedSplit(items, 5, { train: 0.5, val: 0.25, test: 0.25 });
    expect(split.size).toBe(items.length);
    expect(tally(split, 'good')).toEqual({ train: 20, val: 10, test: 10 });
    expect(tally(split, 'crack')).toEqual(splitCounts(17, { train: 0.5, val: 0.25, test: 0.25 }));
    expect(Object.values(tally(split, 'hole')).reduce((a, b) => a + b, 0)).toBe(3);
  });

  it('is deterministic, independent of input order, and changes with the seed', () => {
    const a = stratifiedSplit(items, 1);
    const b = stratifiedSplit([...items].reverse(), 1);
    const c = stratifiedSplit(items, 2);
    expect([...a].sort()).toEqual([...b].sort());
    expect(items.some((it) => a.get(it.key) !== c.get(it.key))).toBe(true);
  });

  it('leaves other labels untouched when a label is added', () => {
    const a = stratifiedSplit(items, 3);
    const b = stratifiedSplit([...items, { key: 'spot/0.png', label: 'spot' }], 3);
    for (const it of items) expect(b.get(it.key)).toBe(a.get(it.key));
  });

  it('refuses ratios that do not sum to 1', () => {
    let error: unknown;
    try {
      stratifiedSplit(items, 0, { train: 0.8, val: 0.15, test: 0.15 });
    } catch (e) {
      error = e;
    }
    expect(isXqcError(error, 'XQC_INVALID_ARGUMENT')).toBe(true);
  });
});

describe('split ratios from shares and from a card', () => {
  it('gives everything but the validation share to train when the test share is 0', () => {
    expect(splitRatiosFor(0.2, 0)).toEqual({ train: 0.8, val: 0.2, test: 0 });
    const split = stratifiedSplit(items, 3, splitRatiosFor(0.2, 0));
    expect(tally(split, 'good')).toEqual({ train: 32, val: 8, test: 0 });
  });

  it('refuses shares that leave no validation or no training items', () => {
    expect(() => splitRatiosFor(0, 0.1)).toThrow(/validation share must be in \(0, 1\)/);
    expect(() => splitRatiosFor(0.2, -0.1)).toThrow(/test share must be in \[0, 1\)/);
    expect(() => splitRatiosFor(0.5, 0.5)).toThrow(/must leave a training share/);
  });

  it('reads the seed and ratios a card recorded, and the default for older cards', () => {
    expect(recordedSplit({ seed: 4, splitRatios: { train: 0.8, val: 0.2, test: 0 } })).toEqual({ seed: 4, ratios: { train: 0.8, val: 0.2, test: 0 } });
    expect(recordedSplit({ seed: 1 })).toEqual({ seed: 1, ratios: { train: 0.7, val: 0.15, test: 0.15 } });
    expect(recordedSplit(undefined).seed).toBe(0);
    expect(() => recordedSplit({ seed: 1, splitRatios: { train: 0.9, val: 0.2, test: 0 } })).toThrow(/sum to 1/);
  });
});
