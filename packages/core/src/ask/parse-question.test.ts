import { describe, expect, it } from 'vitest';
import { parseQuestion } from './parse-question.ts';
import { matchClassNames, matchRegions, parseDateRange, spokenForms } from './slots.ts';

const WELD = ['background', 'porosity', 'crack', 'lack_of_fusion'];
const SURFACE = ['background', 'scratch', 'crack', 'spot', 'hole'];
// Saturday 5 December 2026.
const NOW = new Date('2026-12-05T15:30:00Z');

describe('parseQuestion', () => {
  it.each([
    ['Has the machine found a fault on this piece?', 'defect_present'],
    ['Which type of flaw do we have here?', 'defect_type'],
    ['Where on the weld is the porosity?', 'location'],
    ['How large is the crack in millimetres?', 'severity'],
    ['What does lack of fusion look like?', 'description'],
    ['What usually causes porosity in welds?', 'cause_remedy'],
    ['How sure is the model about this?', 'confidence'],
    ['Why was this part rejected?', 'explanation'],
    ['Have we had parts like this before?', 'similar_cases'],
    ['How many inspections were rejected last week?', 'history_metrics'],
    ['Which version of the model is running?', 'model_facts'],
  ])('places "%s" as %s', (q, intent) => {
    const p = parseQuestion(q, WELD, { now: NOW });
    expect(p.intent).toBe(intent);
    expect(p.confidence).toBeGreaterThan(0.35);
    expect(p.alternatives.every((a) => a.intent !== intent)).toBe(true);
  });

  it.each(["What's the weather in Paris?", 'Tell me a good joke', '???', '', 'asdf qwerty zxcv'])('cannot place "%s"', (q) => {
    expect(parseQuestion(q, WELD, { now: NOW }).intent).toBe('unknown');
  });

  it('fills the slots', () => {
    const p = parseQuestion('Were there porous welds in the upper left since Monday?', WELD, { now: NOW });
    expect(p.slots).toEqual({ classNames: ['porosity'], regions: ['upper left'], dateFrom: '2026-11-30', dateTo: '2026-12-05' });
  });
});

describe('class names', () => {
  it('match plurals, spaces for underscores and synonyms, in order of mention, as the model spells them', () => {
    expect(matchClassNames('Any lack of fusion or pores?', WELD)).toEqual(['lack_of_fusion', 'porosity']);
    expect(matchClassNames('lack_of_fusion and LOF', WELD)).toEqual(['lack_of_fusion']);
    expect(matchClassNames('two scratches, a pit and some stains', SURFACE)).toEqual(['scratch', 'hole', 'spot']);
    expect(matchClassNames('are the neutrophils segmented?', ['basophil', 'neutrophil'])).toEqual(['neutrophil']);
  });

  it('match whole words only, and synonyms only of classes the model has', () => {
    expect(matchClassNames('is the scratchpad holey?', SURFACE)).toEqual([]);
    expect(matchClassNames('any pores?', SURFACE)).toEqual([]);
    expect(spokenForms('porosity')).toContain('porosities');
  });
});

describe('regions', () => {
  it('reads compounds before their parts, in order of mention', () => {
    expect(matchRegions('Is it in the top left or near the bottom edge?')).toEqual(['upper left', 'bottom', 'edge']);
    expect(matchRegions('something in the middle, to the right')).toEqual(['centre', 'right']);
    expect(matchRegions('what is the top prediction, is that right')).toEqual([]);
    // a pattern does not read across punctuation: "top. One" is the top, not "top one"
    expect(matchRegions('The lack of fusion is at the top. One more finding: lack of fusion in the upper right.')).toEqual(['top', 'upper right']);
  });
});

describe('dates', () => {
  it.each([
    ['today', '2026-12-05', '2026-12-05'],
    ['yesterday', '2026-12-04', '2026-12-04'],
    ['since Monday', '2026-11-30', '2026-12-05'],
    ['on Friday', '2026-12-04', '2026-12-04'],
    ['last week', '2026-11-23', '2026-11-29'],
    ['this week', '2026-11-30', '2026-12-05'],
    ['in November', '2026-11-01', '2026-11-30'],
    ['in March', '2026-03-01', '2026-03-31'],
    ['since October', '2026-10-01', '2026-12-05'],
    ['last month', '2026-11-01', '2026-11-30'],
    ['the last 7 days', '2026-11-29', '2026-12-05'],
    ['on 2026-11-03', '2026-11-03', '2026-11-03'],
    ['since 2026-11-01', '2026-11-01', '2026-12-05'],
    ['between 2026-11-15 and 2026-11-01', '2026-11-01', '2026-11-15'],
  ])('"%s" is %s to %s', (text, from, to) => {
    expect(parseDateRange(text, NOW)).toEqual({ dateFrom: from, dateTo: to });
  });

  it('ignores "may" as a verb and invalid ISO dates', () => {
    expect(parseDateRange('may I see the defects?', NOW)).toBeUndefined();
    expect(parseDateRange('on 2026-02-30', NOW)).toBeUndefined();
  });

  it('never ends a range after today', () => {
    expect(parseDateRange('in December', NOW)).toEqual({ dateFrom: '2026-12-01', dateTo: '2026-12-05' });
  });
});
