import { describe, expect, it } from 'vitest';
import { cardFigure, cardSections, flatten, formatFigure, perClassRows } from './model-card-view.ts';

const card = {
  name: 'surface-classifier',
  version: '1.0.0',
  task: 'classify',
  labels: ['defect', 'good'],
  goodLabels: ['good'],
  input: { name: 'input', height: 64, width: 64, mean: [0.5, 0.5, 0.5] },
  thresholds: { reject: 0.5 },
  severity: [{ severity: 'critical', minAreaFraction: 0.05 }, { severity: 'minor' }],
  calibration: { temperature: 0.6452290618520885, ece: 0.0547 },
  metrics: { accuracy: 0.98, perClass: { good: { precision: 0.9737, recall: 0.9867, f1: 0.9801, support: 225 }, defect: { precision: 0.9865, recall: 0.9733, f1: 0.9799, support: 225 } } },
  training: { optimizer: { kind: 'adamw', weightDecay: 0.0001 }, epochs: 20 },
  limitations: ['Held-out split only.', 'Input is 64x64.'],
  custom: { owner: 'qa' },
};

describe('model card view', () => {
  it('formats figures: short decimals, yes/no, lists, a dash for none', () => {
    expect(formatFigure(0.6452290618520885)).toBe('0.6452');
    expect(formatFigure(20)).toBe('20');
    expect(formatFigure(true)).toBe('yes');
    expect(formatFigure(['a', 1])).toBe('a, 1');
    expect(formatFigure(null)).toBe('\u2013');
  });

  it('flattens nested objects to dotted labels and object lists to numbered rows', () => {
    expect(flatten({ optimizer: { kind: 'adamw' }, epochs: 3 })).toEqual([
      { label: 'optimizer.kind', value: 'adamw' },
      { label: 'epochs', value: '3' },
    ]);
    expect(flatten([{ a: 1 }, { a: 2 }], 'rules')).toEqual([
      { label: 'rules 1', value: 'a 1' },
      { label: 'rules 2', value: 'a 2' },
    ]);
  });

  it('orders the sections, keeps perClass out of the test figures and puts unknown keys under Other', () => {
    const s = cardSections(card);
    expect(s.map((x) => x.title)).toEqual(['Overview', 'Input', 'Thresholds', 'Calibration', 'Test figures', 'Severity rules', 'Training', 'Other']);
    expect(s[0]!.rows.find((r) => r.label === 'labels')!.value).toBe('defect, good');
    expect(s[0]!.rows.find((r) => r.label === 'limitations')!.value).toBe('Held-out split only. Input is 64x64.');
    expect(s.find((x) => x.key === 'metrics')!.rows).toEqual([{ label: 'accuracy', value: '0.98' }]);
    expect(s.find((x) => x.key === 'severity')!.rows).toEqual([
      { label: 'critical', value: 'minAreaFraction \u2265 0.05' },
      { label: 'minor', value: 'otherwise' },
    ]);
    expect(s.find((x) => x.key === 'training')!.rows[0]).toEqual({ label: 'optimizer.kind', value: 'adamw' });
    expect(s.find((x) => x.key === 'other')!.rows).toEqual([{ label: 'custom.owner', value: 'qa' }]);
  });

  it('gives the per-class table and headline figures', () => {
    expect(perClassRows(card).map((r) => [r.label, r.recall, r.support])).toEqual([
      ['good', '0.9867', '225'],
      ['defect', '0.9733', '225'],
    ]);
    expect(perClassRows({})).toEqual([]);
    expect(cardFigure(card, 'metrics.accuracy')).toBe(0.98);
    expect(cardFigure(card, 'calibration.eceAfter')).toBeUndefined();
  });
});
