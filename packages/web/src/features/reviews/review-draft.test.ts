import { describe, expect, it } from 'vitest';
import { decodeRle, emptyMask } from './mask-codec.ts';
import { draftProblem, initialDraft, parseQueueSearch, proposedLabel, reviewBody } from './review-draft.ts';

const seg = { verdict: 'reject' as const, label: 'scratch', labels: ['background', 'scratch', 'crack', 'spot', 'hole'], probabilities: [0.1, 0.5, 0.3, 0.05, 0.05], boxes: [] };
const cls = { verdict: 'pass' as const, label: 'good', labels: ['defect', 'good'], probabilities: [0.3, 0.7], boxes: [] };

describe('queue search params', () => {
  it('keeps valid values and drops the rest', () => {
    expect(parseQueueSearch({ reason: 'uncertain', strategy: 'margin', uncertainMin: '0', item: '0b7c6f8e-2d3a-4c5b-9e1f-123456789abc' })).toEqual({ reason: 'uncertain', strategy: 'margin', uncertainMin: 0, item: '0b7c6f8e-2d3a-4c5b-9e1f-123456789abc' });
    expect(parseQueueSearch({ reason: 'all', strategy: 'x', uncertainMin: 2, item: 'nope' })).toEqual({});
    expect(parseQueueSearch({ uncertainMin: '' })).toEqual({});
    expect(parseQueueSearch({ includeClaimed: 'true' })).toEqual({ includeClaimed: true });
    expect(parseQueueSearch({ includeClaimed: 'no' })).toEqual({});
  });
});

describe('proposed labels', () => {
  it('keeps the model label when the verdict agrees', () => {
    expect(proposedLabel(seg, 'reject')).toBe('scratch');
  });
  it('proposes the good label for a pass', () => {
    expect(proposedLabel(seg, 'pass')).toBe('background');
  });
  it('proposes the likeliest defect class for a reject of a pass', () => {
    expect(proposedLabel(cls, 'reject')).toBe('defect');
    expect(proposedLabel({ ...seg, verdict: 'pass', label: 'background' }, 'reject')).toBe('scratch');
  });
});

describe('review body', () => {
  it('needs a reason only when the verdict is rejected', () => {
    const d = initialDraft(seg);
    expect(draftProblem(seg, d)).toBeNull();
    expect(draftProblem(seg, { ...d, label: 'crack' })).toBeNull();
    expect(draftProblem(seg, { ...d, verdict: 'pass', label: 'background' })).toMatch(/reason/);
    expect(draftProblem(seg, { ...d, verdict: 'pass', label: 'background', reason: 'Not a defect (false alarm)' })).toBeNull();
    expect(draftProblem(seg, { ...d, label: 'unicorn' })).toMatch(/class/);
  });

  it('sends the label, the mask as RLE and reason and comment as one comment', () => {
    const mask = emptyMask(4, 3);
    mask.data[5] = 1;
    const body = reviewBody(seg, { verdict: 'pass', label: 'background', reason: 'Not a defect (false alarm)', comment: '  dust  ' }, mask);
    expect(body.verdict).toBe('pass');
    expect(body.label).toBe('background');
    expect(body.comment).toBe('Reason: Not a defect (false alarm). dust');
    expect(body.mask!.rle.size).toEqual([3, 4]);
    expect(decodeRle(body.mask!.rle).data).toEqual(mask.data);
    expect(body.boxes).toBeUndefined();
  });

  it("sends the model's boxes only when a reject is confirmed as it stands", () => {
    const det = { ...seg, boxes: [{ label: 'scratch', box: [1, 2, 3, 4] as [number, number, number, number] }] };
    expect(reviewBody(det, initialDraft(det), null).boxes).toEqual(det.boxes);
    expect(reviewBody(det, { ...initialDraft(det), label: 'crack' }, null).boxes).toBeUndefined();
    expect(reviewBody(det, initialDraft(det), null).mask).toBeUndefined();
    expect(reviewBody(det, initialDraft(det), null).comment).toBeUndefined();
  });
});
