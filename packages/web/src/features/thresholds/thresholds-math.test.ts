import { describe, expect, it } from 'vitest';
import { countsAt, f1Optimal, figures, figuresAt, prepareCurve } from './thresholds-math.ts';
import type { CurvePoint } from './thresholds-math.ts';

/** The server's curve (threshold.service.ts thresholdCurve) written out for scores and truths. */
function serverCurve(scores: number[], defect: boolean[]): CurvePoint[] {
  const positives = defect.filter(Boolean).length;
  const negatives = defect.length - positives;
  const distinct = [...new Set(scores)].sort((a, b) => b - a);
  const points: CurvePoint[] = [{ threshold: null, tp: 0, fp: 0, tn: negatives, fn: positives }];
  for (const s of distinct) {
    let tp = 0;
    let fp = 0;
    scores.forEach((x, i) => {
      if (x >= s && defect[i]) tp++;
      else if (x >= s) fp++;
    });
    points.push({ threshold: s, tp, fp, tn: negatives - fp, fn: positives - tp });
  }
  return points;
}

/** Counts by brute force: reject when score >= t. */
function brute(scores: number[], defect: boolean[], t: number) {
  const c = { tp: 0, fp: 0, tn: 0, fn: 0 };
  scores.forEach((s, i) => {
    const rej = s >= t;
    if (defect[i] && rej) c.tp++;
    else if (defect[i]) c.fn++;
    else if (rej) c.fp++;
    else c.tn++;
  });
  return c;
}

const scores = [0.05, 0.1, 0.1, 0.2, 0.35, 0.4, 0.55, 0.6, 0.8, 0.9, 0.95];
const defect = [false, false, false, false, true, false, true, false, true, true, true];

describe('countsAt', () => {
  const curve = prepareCurve(serverCurve(scores, defect));

  it('equals brute-force counting at every threshold on a fine grid, ties and ends included', () => {
    for (let i = 0; i <= 1000; i++) {
      const t = i / 1000;
      expect(countsAt(curve, t), `t=${t}`).toEqual(brute(scores, defect, t));
    }
    expect(countsAt(curve, 0.1)).toEqual(brute(scores, defect, 0.1));
    expect(countsAt(curve, 2)).toEqual({ tp: 0, fp: 0, tn: 6, fn: 5 });
    expect(countsAt(curve, -1)).toEqual({ tp: 5, fp: 6, tn: 0, fn: 0 });
  });

  it('matches brute force on random data', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const s = Array.from({ length: 300 }, () => Math.round(rnd() * 200) / 200);
    const d = s.map((x) => rnd() < x);
    const c = prepareCurve(serverCurve(s, d));
    for (let i = 0; i < 200; i++) {
      const t = rnd();
      expect(countsAt(c, t)).toEqual(brute(s, d, t));
    }
  });

  it('works without the reject-nothing point and with no reviews at all', () => {
    const c = prepareCurve(serverCurve(scores, defect).filter((p) => p.threshold !== null));
    expect(countsAt(c, 0.99)).toEqual({ tp: 0, fp: 0, tn: 6, fn: 5 });
    expect(countsAt(prepareCurve([]), 0.5)).toEqual({ tp: 0, fp: 0, tn: 0, fn: 0 });
  });
});

describe('figures', () => {
  it('computes the rates from the counts', () => {
    const f = figures({ tp: 8, fp: 2, tn: 18, fn: 2 }, 0.5);
    expect(f.precision).toBe(0.8);
    expect(f.recall).toBe(0.8);
    expect(f.f1).toBeCloseTo(0.8, 12);
    expect(f.escapeRate).toBe(0.2);
    expect(f.falseRejectRate).toBe(0.1);
    expect(f.rejectRate).toBeCloseTo(1 / 3, 12);
  });

  it('leaves undefined rates empty instead of calling them 0', () => {
    const f = figures({ tp: 0, fp: 0, tn: 10, fn: 0 }, 0.5);
    expect(f.precision).toBeNull();
    expect(f.recall).toBeNull();
    expect(f.escapeRate).toBeNull();
    expect(f.f1).toBeNull();
    expect(f.falseRejectRate).toBe(0);
    expect(figures({ tp: 0, fp: 3, tn: 7, fn: 2 }, 0.5).f1).toBe(0);
  });

  it('moves the way a threshold should: higher rejects less', () => {
    const curve = prepareCurve(serverCurve(scores, defect));
    const low = figuresAt(curve, 0.3);
    const high = figuresAt(curve, 0.7);
    expect(high.recall!).toBeLessThan(low.recall!);
    expect(high.falseRejectRate!).toBeLessThan(low.falseRejectRate!);
    expect(high.escapeRate!).toBeGreaterThan(low.escapeRate!);
  });
});

describe('f1Optimal', () => {
  it('picks the score with the best F1, the highest on ties, as the server does', () => {
    const curve = prepareCurve(serverCurve(scores, defect));
    const best = f1Optimal(curve)!;
    // brute force over the distinct scores
    let want = { t: -1, f1: -1 };
    for (const t of [...new Set(scores)].sort((a, b) => b - a)) {
      const f = figures(brute(scores, defect, t), t).f1 ?? -1;
      if (f > want.f1) want = { t, f1: f };
    }
    expect(best.threshold).toBe(want.t);
    expect(best.f1).toBeCloseTo(want.f1, 12);
    expect(best.threshold).toBe(0.35);
    // F1 = 2/3 at both 0.9 (P 1, R 1/2) and 0.3 (P 1/2, R 1): the higher threshold wins
    const tie = prepareCurve(serverCurve([0.3, 0.5, 0.7, 0.9], [true, false, false, true]));
    expect(f1Optimal(tie)!.threshold).toBe(0.9);
  });

  it('has no suggestion without reviewed defects', () => {
    expect(f1Optimal(prepareCurve(serverCurve([0.1, 0.2], [false, false])))).toBeNull();
    expect(f1Optimal(prepareCurve([]))).toBeNull();
  });
});
