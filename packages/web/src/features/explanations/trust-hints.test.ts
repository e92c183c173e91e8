import { describe, expect, it } from 'vitest';
import { confidenceReading, conformalReading, joinAnd, referralReading, runnerUp, severityReading, trustReadings, trustSummary, uncertaintyReading } from './trust-hints.ts';
import type { TrustInspection } from './trust-hints.ts';

function insp(over: Partial<TrustInspection> = {}): TrustInspection {
  return {
    verdict: 'reject',
    label: 'scratch',
    score: 0.97,
    defectScore: 0.97,
    labels: ['good', 'scratch', 'crack'],
    probabilities: [0.01, 0.97, 0.02],
    model: { task: 'classify' },
    findings: [],
    referred: false,
    ...over,
  };
}

describe('small helpers', () => {
  it('joins with commas and a final and', () => {
    expect(joinAnd([])).toBe('');
    expect(joinAnd(['a'])).toBe('a');
    expect(joinAnd(['a', 'b'])).toBe('a and b');
    expect(joinAnd(['a', 'b', 'c'])).toBe('a, b and c');
  });
  it('finds the most probable other class', () => {
    expect(runnerUp(insp())).toEqual({ label: 'crack', p: 0.02 });
    expect(runnerUp(insp({ labels: ['scratch'], probabilities: [1] }))).toBeUndefined();
  });
});

describe('confidenceReading', () => {
  it('states a calibrated probability as a hit rate', () => {
    const r = confidenceReading(insp(), { temperature: 0.7 });
    expect(r.tone).toBe('good');
    expect(r.value).toBe('97.0 % scratch (calibrated)');
    expect(r.hint).toContain('very sure this is scratch');
    expect(r.hint).toContain('about 97 are right');
  });
  it('warns that an uncalibrated figure is a ranking', () => {
    const r = confidenceReading(insp());
    expect(r.tone).toBe('info');
    expect(r.hint).toContain('not calibrated');
  });
  it('names the two classes when the model is unsure', () => {
    const r = confidenceReading(insp({ score: 0.52, probabilities: [0.03, 0.52, 0.45] }), { temperature: 1.2 });
    expect(r.tone).toBe('bad');
    expect(r.hint).toBe('The model is unsure between scratch and crack (52 % against 45 %); a person should look.');
  });
  it('leans but asks to check between 60 and 80 %', () => {
    const r = confidenceReading(insp({ score: 0.7, probabilities: [0.05, 0.7, 0.25] }), { temperature: 1 });
    expect(r.tone).toBe('warn');
    expect(r.hint).toContain('leans towards scratch over crack (25 %)');
  });
  it('reads an anomaly score against its limit, not as a probability', () => {
    const task = { task: 'anomaly' };
    const high = confidenceReading(insp({ model: task, anomaly: { score: 0.9, rawScore: 7 }, defectScore: 0.9 }), { rejectThreshold: 0.5 });
    expect(high.label).toBe('Anomaly score');
    expect(high.value).toBe('0.90 (limit 0.50)');
    expect(high.hint).toContain('well above the limit');
    expect(high.hint).toContain('not a probability');
    const border = confidenceReading(insp({ model: task, anomaly: { score: 0.45, rawScore: 5 }, verdict: 'pass' }));
    expect(border.tone).toBe('warn');
    expect(border.hint).toContain('borderline');
    const low = confidenceReading(insp({ model: task, anomaly: { score: 0.1, rawScore: 2 }, verdict: 'pass' }));
    expect(low.hint).toContain('well below the limit');
  });
});

describe('uncertaintyReading', () => {
  const u = (disagreement: number, mutualInformation: number) => ({ method: 'mc-dropout', samples: 20, disagreement, mutualInformation, predictiveEntropy: 0.3 });
  it('says what to do when it was not measured', () => {
    const r = uncertaintyReading(insp());
    expect(r.tone).toBe('info');
    expect(r.hint).toContain('Inspect with uncertainty (MC-Dropout) turned on');
  });
  it('is good when every run agreed', () => {
    const r = uncertaintyReading(insp({ uncertainty: u(0, 0.001) }));
    expect(r.tone).toBe('good');
    expect(r.hint).toBe('In all 20 repeated runs with random dropout the model gave the same answer: it is stable on this image.');
  });
  it('counts changed runs and escalates with them', () => {
    expect(uncertaintyReading(insp({ uncertainty: u(0.05, 0.01) })).tone).toBe('warn');
    const bad = uncertaintyReading(insp({ uncertainty: u(0.25, 0.01) }));
    expect(bad.tone).toBe('bad');
    expect(bad.hint).toContain('In 5 of 20 repeated runs');
    expect(bad.value).toBe('5 of 20 changed \u00b7 MI 0.01');
  });
  it('normalises mutual information by ln K', () => {
    // 0.2 nats over 3 classes = 0.18 of the maximum: bad even without disagreement
    expect(uncertaintyReading(insp({ uncertainty: u(0, 0.2) })).tone).toBe('bad');
    expect(uncertaintyReading(insp({ uncertainty: u(0, 0.06) })).tone).toBe('warn');
  });
});

describe('conformalReading', () => {
  const c = (set: string[], reason: 'ambiguous-set' | 'empty-set' | 'uncertain' | null = null) => ({ alpha: 0.1, set, referred: reason !== null, reason });
  it('is absent without conformal calibration', () => {
    expect(conformalReading(insp()).value).toBe('not available');
  });
  it('is good with one class and states the coverage', () => {
    const r = conformalReading(insp({ conformal: c(['scratch']) }));
    expect(r.tone).toBe('good');
    expect(r.hint).toContain('90 % of the time');
  });
  it('names the classes the model hesitates between', () => {
    const r = conformalReading(insp({ conformal: c(['scratch', 'crack'], 'ambiguous-set') }));
    expect(r.tone).toBe('bad');
    expect(r.value).toBe('{ scratch, crack }');
    expect(r.hint).toMatch(/^The model is unsure between scratch and crack; a person should look\./);
  });
  it('explains an empty set as an unfamiliar image', () => {
    expect(conformalReading(insp({ conformal: c([], 'empty-set') })).hint).toContain('unlike anything the model was trained on');
  });
});

describe('severityReading', () => {
  const rules = [{ severity: 'critical' as const, minAreaFraction: 0.05 }, { severity: 'major' as const, minAreaFraction: 0.01 }, { severity: 'minor' as const }];
  it('takes the worst finding and quotes its rule', () => {
    const r = severityReading(insp({ findings: [{ label: 'spot', severity: 'minor' }, { label: 'crack', severity: 'critical' }] }), { severity: rules });
    expect(r.value).toBe('critical');
    expect(r.tone).toBe('bad');
    expect(r.hint).toBe('2 regions found; the worst is crack, graded critical (a region of at least 5 % of the image): the part should not ship.');
  });
  it('says none for a pass without findings and not graded for a reject without regions', () => {
    expect(severityReading(insp({ verdict: 'pass' })).value).toBe('none');
    expect(severityReading(insp()).value).toBe('not graded');
  });
  it('grades major as a warning', () => {
    const r = severityReading(insp({ findings: [{ label: 'scratch', severity: 'major' }] }), { severity: rules });
    expect(r.tone).toBe('warn');
    expect(r.hint).toContain('1 region found');
  });
});

describe('referralReading', () => {
  it('explains an ambiguous set referral', () => {
    const r = referralReading(insp({ referred: true, conformal: { alpha: 0.1, set: ['scratch', 'crack'], referred: true, reason: 'ambiguous-set' } }));
    expect(r.value).toBe('sent to review');
    expect(r.hint).toBe('Sent to the review queue because more than one class is plausible (scratch and crack). A reviewer will confirm or correct the answer.');
  });
  it('explains an uncertainty referral with the limit', () => {
    const r = referralReading(insp({ referred: true, score: 0.8, probabilities: [0.1, 0.8, 0.1], conformal: { alpha: 0.1, set: ['scratch'], referred: true, reason: 'uncertain' } }), { referralThreshold: 0.15 });
    expect(r.hint).toContain('uncertainty (20.0 %) is above the limit of 15.0 %');
  });
  it('tells an anomaly inspection why no rule applies', () => {
    expect(referralReading(insp({ model: { task: 'anomaly' }, anomaly: { score: 0.3, rawScore: 3 } })).hint).toContain('anomaly detector');
  });
  it('says why it was not sent: no rule, or a confident single set', () => {
    expect(referralReading(insp()).hint).toContain('has no referral rule');
    const ok = referralReading(insp({ conformal: { alpha: 0.1, set: ['scratch'], referred: false, reason: null } }), { conformal: true });
    expect(ok.tone).toBe('good');
    expect(ok.hint).toContain('one class is plausible');
  });
});

describe('trustReadings and trustSummary', () => {
  it('lists the five figures of a classifier and four of an anomaly inspection', () => {
    expect(trustReadings(insp()).map((r) => r.label)).toEqual(['Confidence', 'Uncertainty', 'Prediction set', 'Severity', 'Review']);
    expect(trustReadings(insp({ model: { task: 'anomaly' }, anomaly: { score: 0.8, rawScore: 6 } })).map((r) => r.label)).toEqual(['Anomaly score', 'Severity', 'Review']);
  });
  it('lets the worst figure decide, but not severity (a big defect is not doubt)', () => {
    const sure = trustReadings(insp({ findings: [{ label: 'crack', severity: 'critical' }] }), { temperature: 1 });
    expect(trustSummary(sure).tone).toBe('good');
    const unsure = trustReadings(insp({ score: 0.5, probabilities: [0.05, 0.5, 0.45] }), { temperature: 1 });
    expect(trustSummary(unsure)).toMatchObject({ tone: 'bad', title: 'A person should decide' });
    const lean = trustReadings(insp({ score: 0.7, probabilities: [0.05, 0.7, 0.25] }), { temperature: 1 });
    expect(trustSummary(lean).tone).toBe('warn');
  });
});
