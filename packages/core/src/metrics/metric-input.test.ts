import { describe, expect, it } from 'vitest';
import { isXqcError } from '../errors.ts';
import {
  inferClassCount,
  requireFinite,
  requireLabels,
  requireNonEmpty,
  requireProbabilityRows,
  requireSameLength,
} from './metric-input.ts';

function messageOf(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    expect(isXqcError(e, 'XQC_METRIC_INPUT')).toBe(true);
    const message = (e as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected an XQC_METRIC_INPUT error');
}

describe('metric input checks', () => {
  it('name the argument and the first offending index in one line', () => {
    expect(messageOf(() => requireNonEmpty('labels', []))).toBe('labels is empty; at least one item is needed');
    expect(messageOf(() => requireSameLength('labels', [1, 0], 'scores', [0.1]))).toBe(
      'labels and scores differ in length (2 vs 1)',
    );
    expect(messageOf(() => requireFinite('scores', [0, Number.NaN]))).toBe('scores[1] is NaN; only finite numbers are accepted');
    expect(messageOf(() => requireFinite('scores', [Number.NEGATIVE_INFINITY]))).toContain('scores[0] is -Infinity');
    expect(messageOf(() => requireLabels('labels', [0, 1, 3], 3))).toBe('labels[2] = 3 is not a class index in 0..2');
    expect(messageOf(() => requireLabels('labels', [0.5], 3))).toContain('labels[0] = 0.5');
  });

  it('check probability rows against the 1e-4 tolerance', () => {
    requireProbabilityRows('probs', [0.3, 0.69995], 1, 2);
    expect(messageOf(() => requireProbabilityRows('probs', [0.3, 0.6998], 1, 2))).toContain('probs row 0 sums to');
    expect(messageOf(() => requireProbabilityRows('probs', [1.2, -0.2], 1, 2))).toContain('probs[0,0] = 1.2');
    expect(messageOf(() => requireProbabilityRows('probs', [0.5, Number.NaN], 1, 2))).toContain('NaN');
  });

  it('infer the class count of a row-major matrix', () => {
    expect(inferClassCount('probs', new Float64Array(12), 4)).toBe(3);
    expect(messageOf(() => inferClassCount('probs', new Float64Array(10), 4))).toContain('not a multiple of 4 rows');
    expect(messageOf(() => inferClassCount('probs', new Float64Array(4), 4))).toContain('at least 2');
    expect(messageOf(() => inferClassCount('probs', [], 0))).toContain('no rows');
  });
});
