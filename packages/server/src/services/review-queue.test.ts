import { describe, expect, it } from 'vitest';
import { compareQueueItems, DEFAULT_QUEUE_POLICY, queueEntry, sampleDraw, uncertaintyScore } from './review-queue.ts';

describe('review queue policy', () => {
  it('scores uncertainty in [0, 1] for each strategy', () => {
    expect(uncertaintyScore('entropy', [0.5, 0.5])).toBeCloseTo(1, 12);
    expect(uncertaintyScore('entropy', [1, 0])).toBe(0);
    expect(uncertaintyScore('entropy', [0.9, 0.1])).toBeCloseTo(-(0.9 * Math.log(0.9) + 0.1 * Math.log(0.1)) / Math.log(2), 12);
    expect(uncertaintyScore('margin', [0.7, 0.2, 0.1])).toBeCloseTo(0.5, 12);
    expect(uncertaintyScore('least-confidence', [0.7, 0.2, 0.1])).toBeCloseTo(0.45, 12);
    expect(uncertaintyScore('least-confidence', [1 / 3, 1 / 3, 1 / 3])).toBeCloseTo(1, 12);
    expect(uncertaintyScore('bald', [0.6, 0.4], 0.2)).toBeCloseTo(0.2 / Math.log(2), 12);
    expect(uncertaintyScore('bald', [0.6, 0.4])).toBe(uncertaintyScore('entropy', [0.6, 0.4]));
    expect(uncertaintyScore('entropy', [1])).toBe(0);
  });

  it('draws stable samples close to their rate', () => {
    expect(sampleDraw('a', 'audit')).toBe(sampleDraw('a', 'audit'));
    expect(sampleDraw('a', 'audit')).not.toBe(sampleDraw('a', 'confident'));
    let hits = 0;
    for (let i = 0; i < 20_000; i++) if (sampleDraw(`id-${i}`, 'audit') < 0.1) hits++;
    expect(hits / 20_000).toBeGreaterThan(0.09);
    expect(hits / 20_000).toBeLessThan(0.11);
  });

  it('gives the first reason that applies, and orders referred, uncertain, audit, confident samples', () => {
    const p = { ...DEFAULT_QUEUE_POLICY, auditRate: 0, confidentRate: 0 };
    expect(queueEntry({ id: 'x', referred: true, probabilities: [0.99, 0.01] }, p)?.reason).toBe('referred');
    expect(queueEntry({ id: 'x', referred: false, probabilities: [0.55, 0.45] }, p)?.reason).toBe('uncertain');
    expect(queueEntry({ id: 'x', referred: false, probabilities: [0.99, 0.01] }, p)).toBeUndefined();
    expect(queueEntry({ id: 'x', referred: false, probabilities: [0.99, 0.01] }, { ...p, auditRate: 1 })?.reason).toBe('audit');
    expect(queueEntry({ id: 'x', referred: false, probabilities: [0.99, 0.01] }, { ...p, confidentRate: 1 })?.reason).toBe('confident-sample');
    const items = [
      { id: 'c', reason: 'audit' as const, uncertainty: 0.9, createdAt: '2026-01-01' },
      { id: 'b', reason: 'uncertain' as const, uncertainty: 0.6, createdAt: '2026-01-01' },
      { id: 'a', reason: 'uncertain' as const, uncertainty: 0.8, createdAt: '2026-01-01' },
      { id: 'd', reason: 'referred' as const, uncertainty: 0.1, createdAt: '2026-01-01' },
    ];
    expect(items.sort(compareQueueItems).map((i) => i.id)).toEqual(['d', 'a', 'b', 'c']);
  });
});
