import { describe, expect, it } from 'vitest';
import { bestEpoch, isLive, mergeEpochs } from './run-epochs.ts';

const e = (epoch: number, valMetric: number, trainLoss = 1 / epoch) => ({ epoch, valMetric, trainLoss, lr: 0.001, seconds: 1 });

describe('run epochs', () => {
  it('merges fetched and live epochs by number, live ones winning, in order', () => {
    const merged = mergeEpochs([e(1, 0.5), e(2, 0.6)], [e(3, 0.7), { ...e(2, 0.65), best: true }]);
    expect(merged.map((x) => [x.epoch, x.valMetric])).toEqual([
      [1, 0.5],
      [2, 0.65],
      [3, 0.7],
    ]);
    expect(merged[1]!.best).toBe(true);
    expect(mergeEpochs([], [])).toEqual([]);
  });

  it('finds the best validation epoch and tells live statuses', () => {
    expect(bestEpoch([e(1, 0.5), e(2, 0.9), e(3, 0.8)])!.epoch).toBe(2);
    expect(bestEpoch([])).toBeUndefined();
    expect(isLive('running')).toBe(true);
    expect(isLive('queued')).toBe(true);
    expect(isLive('failed')).toBe(false);
  });
});
