import { describe, expect, it } from 'vitest';
import { TASKS } from '../../models/card.schema.ts';
import { makeBatch } from '../batch.ts';
import type { TrainSample } from '../batch.ts';
import { pixelCounts } from './segment.ts';
import { TRAINABLE_TASKS, TRAINING_TASKS, trainingTask } from './index.ts';

const image = (v: number): TrainSample['image'] => ({ width: 2, height: 2, channels: 3, data: new Uint8Array(12).fill(v) });
const norm = { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] };

describe('training task table', () => {
  it('is keyed by card tasks, each entry naming its own key', () => {
    expect(TRAINABLE_TASKS).toEqual(['classify', 'segment']);
    for (const t of TRAINABLE_TASKS) {
      expect(TASKS).toContain(t);
      expect(TRAINING_TASKS[t].task).toBe(t);
    }
  });

  it('refuses a task it cannot train, naming the trainable ones', () => {
    expect(() => trainingTask('detect')).toThrow(/no network training for task 'detect'; trainable tasks: classify, segment/);
    expect(() => trainingTask('toString')).toThrow(/no network training for task 'toString'/);
  });

  it('classify batches smoothed one-hot targets [N, K] and no masks', () => {
    const samples: TrainSample[] = [{ image: image(0), label: 1 }, { image: image(255), label: 0 }];
    const b = makeBatch(samples, [0, 1], { task: 'classify', numClasses: 2, norm, labelSmoothing: 0.1, seed: 0, epoch: 0 });
    expect(b.targets.dims).toEqual([2, 2]);
    expect(Array.from(b.targets.data)).toEqual([0.05, 0.95, 0.95, 0.05].map((v) => Math.fround(v)));
    expect(b.masks).toBeUndefined();
    expect(TRAINING_TASKS.classify.classWeights(samples, 2)).toBeUndefined();
  });

  it('segment batches one-hot mask planes [N, K, h, w] with the masks, and weights rare classes up', () => {
    const mask = Uint8Array.from([0, 0, 0, 2]);
    const samples: TrainSample[] = [{ image: image(9), label: 2, mask }];
    const b = makeBatch(samples, [0], { task: 'segment', numClasses: 3, norm, seed: 0, epoch: 0 });
    expect(b.targets.dims).toEqual([1, 3, 2, 2]);
    expect(Array.from(b.targets.data)).toEqual([1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(b.masks).toEqual([mask]);
    expect(Array.from(pixelCounts(samples, 3))).toEqual([3, 0, 1]);
    const w = TRAINING_TASKS.segment.classWeights(samples, 3) as number[];
    expect(w[0]).toBe(1);
    expect(w[2]).toBeCloseTo(Math.sqrt(3), 12);
  });

  it('gives each task its architecture and defaults', () => {
    expect(TRAINING_TASKS.classify.architecture({})).toEqual({ kind: 'compact-resnet', width: 16, depth: 3, dropout: 0.2 });
    expect(TRAINING_TASKS.segment.architecture({ width: 8 })).toEqual({ kind: 'unet', width: 8, depth: 3, dropout: 0.1 });
    expect([TRAINING_TASKS.classify.loss, TRAINING_TASKS.segment.loss]).toEqual(['softmax-ce', 'dice-ce']);
    expect([TRAINING_TASKS.classify.defaultLabelSmoothing, TRAINING_TASKS.segment.defaultLabelSmoothing]).toEqual([0.05, 0]);
    expect(TRAINING_TASKS.classify.sampleLabel(['a', 'b'], 'c')).toBe(-1);
    expect(TRAINING_TASKS.segment.sampleLabel(['a', 'b'], 'c')).toBe(0);
  });
});
