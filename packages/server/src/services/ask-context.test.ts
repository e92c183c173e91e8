import { describe, expect, it } from 'vitest';
import { maskToRle, parseModelCard } from '@xai-qc/core';
import type { FindingRow, InspectionRow } from '../db/tables/inspections.tables.ts';
import { askFinding, askInspection, rleCentroid } from './ask-context.ts';
import { checkQuestion } from './ask.service.ts';

const finding = (over: Partial<FindingRow>): FindingRow => ({
  inspection_id: 'i', idx: 0, label: 'scratch', class_index: 1, score: 0.9, severity: 'major', box_json: null, area: null, rle_json: null, polygon_json: null, mask_sha256: null, ...over,
});

describe('ask context helpers', () => {
  it('puts the centroid of a mask at the mean pixel centre, else at the box centre', () => {
    const w = 10;
    const h = 8;
    const mask = new Uint8Array(w * h);
    for (let y = 2; y < 4; y++) for (let x = 6; x < 10; x++) mask[y * w + x] = 1;
    expect(rleCentroid(maskToRle(mask, w, h))).toEqual([8, 3]);
    expect(rleCentroid(maskToRle(new Uint8Array(w * h), w, h))).toBeUndefined();
    expect(askFinding(finding({ rle_json: JSON.stringify(maskToRle(mask, w, h)), box_json: '[6,2,10,4]', area: 8 })).centroid).toEqual([8, 3]);
    expect(askFinding(finding({ box_json: '[0,0,4,2]', severity: 'none' }))).toEqual({ label: 'scratch', score: 0.9, box: [0, 0, 4, 2], centroid: [2, 1] });
  });

  it('reads the referral reason, uncertainty, conformal set and calibration from the record and the card', () => {
    const card = parseModelCard({ name: 'c', task: 'classify', labels: ['defect', 'good'], goodLabels: ['good'], input: { height: 8, width: 8 }, calibration: { temperature: 1.2, ece: 0.05, eceAfter: 0.02 } });
    const row = {
      id: 'i1', task: 'classify', model_name: 'c', model_version: '1.0.0', verdict: 'reject', label: 'defect', class_index: 0, score: 0.55, defect_score: 0.55, image_width: 64, image_height: 48, image_name: 'p.png',
      referred: 1, probabilities_json: '[0.55,0.45]', labels_json: '["defect","good"]', created_at: '2026-12-05T10:00:00.000Z',
      details_json: JSON.stringify({ uncertainty: { method: 'mc-dropout', predictiveEntropy: 0.68, mutualInformation: 0.1, variance: [0.04, 0.04] }, conformal: { alpha: 0.1, set: ['defect', 'good'], referred: true, reason: 'ambiguous-set' } }),
    } as InspectionRow;
    const a = askInspection({ row, findings: [] }, card, null);
    expect(a).toMatchObject({ verdict: 'reject', threshold: 0.5, goodLabels: ['good'], referred: true, conformalSet: ['defect', 'good'], calibration: { calibrated: true, ece: 0.02 }, image: { width: 64, height: 48, filename: 'p.png' } });
    expect(a.referralReason).toMatch(/more than one class/);
    expect(a.uncertainty).toEqual({ method: 'mc-dropout', predictiveEntropy: 0.68, mutualInformation: 0.1, std: 0.2 });
    expect(a.probabilities).toEqual([{ label: 'defect', p: 0.55 }, { label: 'good', p: 0.45 }]);
    const plain = askInspection({ row: { ...row, referred: 0, details_json: '{}' }, findings: [] }, { ...card, calibration: undefined }, null);
    expect(plain).toMatchObject({ referred: false, referralReason: null, uncertainty: null, conformalSet: null, calibration: { calibrated: false } });
  });

  it('checks a question: trimmed, 1 to 1,000 characters', () => {
    expect(checkQuestion('  where?  ')).toBe('where?');
    expect(() => checkQuestion(' \n ')).toThrow(expect.objectContaining({ code: 'XQC_QUESTION_EMPTY', status: 400 }));
    expect(checkQuestion('\u{1F600}'.repeat(1000))).toHaveLength(2000);
    expect(() => checkQuestion('x'.repeat(1001))).toThrow(expect.objectContaining({ code: 'XQC_QUESTION_TOO_LONG' }));
  });
});
