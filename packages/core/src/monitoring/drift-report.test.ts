import { describe, expect, it } from 'vitest';
import { normalRng } from '../util/random.ts';
import { driftReport } from './drift-report.ts';
import { expectInputError } from './test-helpers.ts';

function sample(n: number, seed: number, mean = 0, std = 1): Float64Array {
  const r = normalRng(seed);
  return Float64Array.from({ length: n }, () => mean + std * r());
}

describe('driftReport', () => {
  it('identical windows: every signal none, overall none', () => {
    const b = sample(80, 1, 120, 10);
    const c = sample(80, 2, 30, 5);
    const cls = Array.from({ length: 80 }, (_, i) => i % 3);
    const emb = sample(80 * 4, 3);
    const w = { scalars: { brightness: b, contrast: c }, predictedClass: cls, embeddings: emb };
    const r = driftReport(w, w, { embeddingDim: 4, bootstrap: 50 });
    expect(r.level).toBe('none');
    expect(r.signals.map((s) => [s.signal, s.test])).toEqual([
      ['brightness', 'ks'],
      ['contrast', 'ks'],
      ['predictedClass', 'chi-squared'],
      ['embedding', 'domain-classifier'],
    ]);
    for (const s of r.signals.filter((s) => s.test !== 'domain-classifier')) expect(s.adjustedPValue).toBe(1);
    expect(r.signals[3].threshold).toBe(0.55);
    expect(r.referenceCount).toBe(80);
  });

  it('a brightness shift is drift on brightness and on no unshifted signal', () => {
    const ref = { scalars: { brightness: sample(100, 10, 120, 10), contrast: sample(100, 11, 30, 5), sharpness: sample(100, 12, 500, 50) } };
    const cur = { scalars: { brightness: sample(100, 20, 135, 10), contrast: sample(100, 21, 30, 5), sharpness: sample(100, 22, 500, 50) } };
    const r = driftReport(ref, cur);
    const by = Object.fromEntries(r.signals.map((s) => [s.signal, s]));
    expect(r.level).toBe('drift');
    expect(by.brightness.level).toBe('drift');
    expect(by.brightness.wassersteinNormalized).toBeGreaterThan(1);
    expect(by.contrast.level).not.toBe('drift');
    expect(by.sharpness.level).not.toBe('drift');
    // Holm: the smallest p-value is multiplied by the number of tests (3).
    expect(by.brightness.adjustedPValue).toBeCloseTo(Math.min(1, 3 * (by.brightness.pValue as number)), 12);
  });

  it('a changed class mix is drift on predictedClass', () => {
    const ref = { scalars: {}, predictedClass: Array.from({ length: 200 }, (_, i) => (i % 10 === 0 ? 0 : 1)) };
    const cur = { scalars: {}, predictedClass: Array.from({ length: 200 }, (_, i) => (i % 10 < 4 ? 0 : 1)) };
    const r = driftReport(ref, cur, { classCount: 2 });
    expect(r.signals[0]).toMatchObject({ signal: 'predictedClass', test: 'chi-squared', level: 'drift' });
  });

  it('embeddings with a shifted mean: the domain classifier says drift; MMD only when asked', () => {
    const ref = { scalars: {}, embeddings: sample(60 * 3, 30) };
    const cur = { scalars: {}, embeddings: sample(60 * 3, 31, 1) };
    const r = driftReport(ref, cur, { embeddingDim: 3, bootstrap: 0 });
    expect(r.signals.map((s) => s.test)).toEqual(['domain-classifier']);
    expect([r.referenceCount, r.currentCount]).toEqual([60, 60]);
    expect(r.level).toBe('drift');
    const withMmd = driftReport(ref, cur, { embeddingDim: 3, bootstrap: 0, mmd: true });
    expect(withMmd.signals.find((s) => s.test === 'mmd')?.level).toBe('drift');
  });

  it('skips with a note what it cannot test; rejects bad input naming it', () => {
    const r = driftReport({ scalars: { a: [1, 2, 3] }, embeddings: [1, 2, 3] }, { scalars: { a: [1, 2, 3], b: [1, 2, 3] }, embeddings: [1, 2, 3] }, { embeddingDim: 1 });
    expect(r.notes).toEqual(['b: only in the current window, not tested', 'embedding: domain-classifier test skipped, a window has 3 rows, fewer than 5 folds']);
    expectInputError(() => driftReport({ scalars: { a: [1, 2], b: [1] } }, { scalars: { a: [1] } }), 'reference.b');
    expectInputError(() => driftReport({ scalars: {}, predictedClass: [0, 2] }, { scalars: {}, predictedClass: [0] }, { classCount: 2 }), 'predictedClass[1]');
    expectInputError(() => driftReport({ scalars: {}, embeddings: [1] }, { scalars: {}, embeddings: [1] }), 'embeddingDim');
    expectInputError(() => driftReport({ scalars: { a: [1, 2] }, embeddings: [1, 2, 3] }, { scalars: { a: [1] } }, { embeddingDim: 1 }), 'reference.embeddings rows');
    expectInputError(() => driftReport({ scalars: {} }, { scalars: { a: [1] } }), 'reference has no signals');
  });
});
