import { describe, expect, it } from 'vitest';
import { checkQuestion, citationKey, evidenceSegments, feedbackBody, fieldValue, latestFeedback, MAX_QUESTION_LENGTH, revealOf, SUGGESTED_QUESTIONS, viewForBox } from './ask-logic.ts';
import type { Citation } from './types.ts';

const cites: Citation[] = [
  { id: '1', kind: 'inspection', ref: 'verdict', label: 'verdict: reject' },
  { id: '2', kind: 'finding', ref: '0', label: 'scratch 91 %' },
  { id: '3', kind: 'kb', ref: 'p-7', label: 'Defect book: Scratches, causes', documentId: 'doc-1', source: 'scratches.md#causes' },
];

describe('checkQuestion', () => {
  it('trims and accepts up to 1,000 characters', () => {
    expect(checkQuestion('  where is it?  ')).toEqual({ ok: true, text: 'where is it?' });
    expect(checkQuestion(` ${'a'.repeat(MAX_QUESTION_LENGTH)} `).ok).toBe(true);
  });
  it('refuses an empty or too long question with a sentence', () => {
    expect(checkQuestion('   ')).toEqual({ ok: false, reason: 'Type a question first.' });
    const long = checkQuestion('a'.repeat(10_000));
    expect(long.ok).toBe(false);
    expect(!long.ok && long.reason).toBe('The question is 10,000 characters long; keep it to 1,000.');
  });
  it('offers the six suggested questions', () => {
    expect(SUGGESTED_QUESTIONS).toHaveLength(6);
    expect(SUGGESTED_QUESTIONS).toContain('Have we seen this before?');
  });
});

describe('evidenceSegments', () => {
  it('turns [n] markers into citations and keeps the words around them', () => {
    const s = evidenceSegments({ text: 'The verdict is reject [1] because of a scratch [2].', citations: ['1', '2'] }, cites);
    expect(s).toEqual([
      { kind: 'text', text: 'The verdict is reject ' },
      { kind: 'cite', citation: cites[0] },
      { kind: 'text', text: ' because of a scratch ' },
      { kind: 'cite', citation: cites[1] },
      { kind: 'text', text: '.' },
    ]);
  });
  it('reads grouped markers and appends cited ids the text does not mark', () => {
    const s = evidenceSegments({ text: 'Scratches come from handling [1, 2].', citations: ['[1]', '2', '3'] }, cites);
    expect(s.map((x) => (x.kind === 'cite' ? `#${x.citation.id}` : x.text))).toEqual(['Scratches come from handling ', '#1', '#2', '.', '#3']);
  });
  it('leaves brackets that are no citation as text', () => {
    const s = evidenceSegments({ text: 'Box [x0, y0] and [9].', citations: [] }, cites);
    expect(s).toEqual([{ kind: 'text', text: 'Box [x0, y0] and [9].' }]);
  });
  it('strips brackets from ids', () => {
    expect(citationKey('[12]')).toBe('12');
    expect(citationKey('4')).toBe('4');
  });
});

describe('revealOf', () => {
  it('maps each kind of citation to what it opens', () => {
    expect(revealOf(cites[0]!)).toEqual({ action: 'field', path: 'verdict' });
    expect(revealOf(cites[1]!)).toEqual({ action: 'finding', index: 0 });
    expect(revealOf(cites[2]!)).toEqual({ action: 'passage', passageId: 'p-7', documentId: 'doc-1' });
    expect(revealOf({ id: '4', kind: 'explanation', ref: 'e-1', label: '' })).toEqual({ action: 'heatmap', explanationId: 'e-1' });
    expect(revealOf({ id: '5', kind: 'aggregate', ref: 'a-1', label: '' })).toEqual({ action: 'heatmap', explanationId: 'a-1' });
    expect(revealOf({ id: '6', kind: 'case', ref: 'i-9', label: '' })).toEqual({ action: 'case', inspectionId: 'i-9' });
    expect(revealOf({ id: '7', kind: 'metrics', ref: 'v1', label: '' })).toMatchObject({ action: 'page', to: '/dashboard' });
    expect(revealOf({ id: '8', kind: 'model', ref: 'limitations', label: '' })).toMatchObject({ action: 'page', to: '/models' });
    expect(revealOf({ id: '9', kind: 'finding', ref: 'x', label: '' })).toEqual({ action: 'field', path: 'findings' });
  });
});

describe('fieldValue', () => {
  const record = { verdict: 'reject', score: 0.91234, referred: false, latency: { totalMs: 12 }, labels: ['good', 'scratch'], findings: [{ label: 'scratch', maskPng: 'AAAA', score: 0.5 }], nothing: null };
  it('reads dotted paths and writes values for people', () => {
    expect(fieldValue(record, 'verdict')).toBe('reject');
    expect(fieldValue(record, 'score')).toBe('0.912');
    expect(fieldValue(record, 'referred')).toBe('no');
    expect(fieldValue(record, 'latency.totalMs')).toBe('12');
    expect(fieldValue(record, 'labels')).toBe('good, scratch');
    expect(fieldValue(record, 'findings.0')).toBe('label: scratch; score: 0.500');
    expect(fieldValue(record, 'nothing')).toBe('none');
  });
  it('is undefined for a path that does not exist', () => {
    expect(fieldValue(record, 'uncertainty.entropy')).toBeUndefined();
    expect(fieldValue(record, 'verdict.x')).toBeUndefined();
  });
});

describe('viewForBox', () => {
  it('centres the box and zooms so it fills about 40 % of the image', () => {
    const v = viewForBox([10, 20, 30, 60], { width: 200, height: 200 });
    expect(v.center).toEqual({ x: 0.1, y: 0.2 });
    expect(v.zoom).toBeCloseTo(Math.min(200 / 50, 200 / 100));
  });
  it('never zooms out below fit nor beyond 8 times', () => {
    expect(viewForBox([0, 0, 200, 200], { width: 200, height: 200 }).zoom).toBe(1);
    expect(viewForBox([5, 5, 5, 5], { width: 1000, height: 1000 }).zoom).toBe(8);
  });
  it('accepts corners in any order', () => {
    expect(viewForBox([30, 60, 10, 20], { width: 200, height: 200 })).toEqual(viewForBox([10, 20, 30, 60], { width: 200, height: 200 }));
  });
});

describe('feedback', () => {
  it('leaves out empty parts of the form', () => {
    expect(feedbackBody({ helpful: true, comment: '  ', verdict: '', label: '' })).toEqual({ helpful: true });
    expect(feedbackBody({ helpful: false, comment: ' wrong place ', verdict: 'pass', label: '' })).toEqual({ helpful: false, comment: 'wrong place', correction: { verdict: 'pass' } });
    expect(feedbackBody({ helpful: false, comment: '', verdict: '', label: 'crack' })).toEqual({ helpful: false, correction: { label: 'crack' } });
  });
  it("reads the caller's feedback, absent when none was given", () => {
    expect(latestFeedback({ feedback: null })).toBeUndefined();
    const given = { id: 'f', questionId: 'q', helpful: false, comment: 'wrong place', correction: null, reviewId: null, createdAt: '2026-02-01T00:00:00Z', createdBy: 'u' };
    expect(latestFeedback({ feedback: given })).toBe(given);
  });
});
