import { describe, expect, it } from 'vitest';
import { firstRegion, leadingYesNo, pointInRegion, scoreAnswer } from './eval-score.ts';
import type { Citation } from './types.ts';

const LABELS = ['background', 'porosity', 'crack', 'lack_of_fusion'];
const a = (short: string, citations: Citation[] = []) => ({ short, citations });

describe('scoreAnswer', () => {
  it('reads yes or no from the first word only', () => {
    expect(leadingYesNo('Yes, the part is rejected')).toBe('yes');
    expect(leadingYesNo('The answer is yes')).toBeUndefined();
    expect(scoreAnswer(a('No, the part passes.'), { subtask: 'present', answer: 'no' }, LABELS).correct).toBe(true);
    expect(scoreAnswer(a('Yes, rejected.'), { subtask: 'present', answer: 'no' }, LABELS).correct).toBe(false);
  });

  it('takes the first class named, in any spoken form', () => {
    expect(scoreAnswer(a('It is lack of fusion. The findings are lack of fusion and a crack.'), { subtask: 'type', label: 'lack_of_fusion' }, LABELS).correct).toBe(true);
    expect(scoreAnswer(a('No, it is a crack, not porosity.'), { subtask: 'type', label: 'porosity' }, LABELS).correct).toBe(false);
    expect(scoreAnswer(a('No defect was found.'), { subtask: 'type', label: 'crack' }, LABELS).detail).toBe('read no class, expected crack');
  });

  it('accepts the named region when the reference point lies in it or within the tolerance of its border', () => {
    const image = { width: 90, height: 90 };
    expect(firstRegion('The crack is near the edge, in the lower right.')).toBe('lower right');
    expect(pointInRegion([10, 10], 'upper left', image)).toBe(true);
    expect(pointInRegion([31, 10], 'upper left', image)).toBe(false);
    expect(pointInRegion([31, 10], 'upper left', image, 0.05)).toBe(true);
    expect(scoreAnswer(a('The crack is in the top, near the edge.'), { subtask: 'location', points: [[31, 10]], image }, LABELS).correct).toBe(true);
    expect(scoreAnswer(a('The crack is in the upper left.'), { subtask: 'location', points: [[40, 10]], image }, LABELS).correct).toBe(false);
    // Any of several defects of the class counts.
    expect(scoreAnswer(a('The crack is in the upper left.'), { subtask: 'location', points: [[40, 10], [5, 5]], image }, LABELS).correct).toBe(true);
    expect(scoreAnswer(a('No defect was found.'), { subtask: 'location', points: [[40, 10]], image }, LABELS).correct).toBe(false);
  });

  it('requires a cited passage about the class for description and cause when there is a knowledge base', () => {
    const kb: Citation = { id: '2', kind: 'kb', ref: 'defect-book/weld#4', label: 'Defect book: weld radiograph defects: Porosity > Typical causes' };
    const other: Citation = { id: '2', kind: 'kb', ref: 'defect-book/weld#9', label: 'Defect book: weld: Crack' };
    const passages = new Map([['defect-book/weld#9', 'Cracks form when the joint is restrained.']]);
    expect(scoreAnswer(a('For porosity, the knowledge base says: gas.', [kb]), { subtask: 'cause', label: 'porosity', kbAvailable: true }, LABELS).correct).toBe(true);
    expect(scoreAnswer(a('For porosity, the knowledge base says: gas.', [other]), { subtask: 'cause', label: 'porosity', kbAvailable: true }, LABELS, passages).correct).toBe(false);
    expect(scoreAnswer(a('For porosity, nothing.'), { subtask: 'cause', label: 'porosity', kbAvailable: false }, LABELS).correct).toBe(true);
    expect(scoreAnswer(a('The finding is a crack: ...', [kb]), { subtask: 'description', label: 'porosity', kbAvailable: true }, LABELS).correct).toBe(false);
  });

  it('checks the stated probability and the doubt for confidence', () => {
    const ref = { subtask: 'confidence' as const, probability: 0.934, unsure: false };
    expect(scoreAnswer(a('The model gives porosity a probability of 93%; nothing suggests doubt.'), ref, LABELS).correct).toBe(true);
    expect(scoreAnswer(a('The model gives porosity a probability of 91%.'), ref, LABELS).correct).toBe(false);
    expect(scoreAnswer(a('The model gives porosity a probability of 93%. The model is unsure (...)'), ref, LABELS).correct).toBe(false);
    expect(scoreAnswer(a('The model gives porosity a probability of 93%. The model is unsure (...)'), { ...ref, unsure: true }, LABELS).correct).toBe(true);
  });

  it('checks the verdict and the leading region for explanation', () => {
    const ref = { subtask: 'explanation' as const, verdict: 'reject' as const, region: 'centre' as const };
    expect(scoreAnswer(a('It was rejected because ...; the gradcam explanation puts most weight in the centre.'), ref, LABELS).correct).toBe(true);
    expect(scoreAnswer(a('It was rejected because ...; the gradcam explanation puts most weight in the left.'), ref, LABELS).correct).toBe(false);
    expect(scoreAnswer(a('It passed because the model found no defect region. No explanation map is available.'), { subtask: 'explanation', verdict: 'pass', region: null }, LABELS).correct).toBe(true);
    // A model that judges no defects: the class named first instead of the verdict.
    const cells = ['basophil', 'neutrophil'];
    expect(scoreAnswer(a('The model classifies it as a neutrophil (94%); the gradcam explanation puts most weight in the centre.'), { subtask: 'explanation', verdict: null, label: 'neutrophil', region: 'centre' }, cells).correct).toBe(true);
    expect(scoreAnswer(a('The model classifies it as a basophil (94%); the gradcam explanation puts most weight in the centre.'), { subtask: 'explanation', verdict: null, label: 'neutrophil', region: 'centre' }, cells).correct).toBe(false);
  });
});
