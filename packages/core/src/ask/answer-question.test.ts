import { describe, expect, it } from 'vitest';
import { answerQuestion, EXAMPLE_QUESTIONS } from './answer-question.ts';
import { FIXTURE_PASSAGES, weldContext } from './ask-fixtures.test-helper.ts';
import { allowedCitations, validateCitations } from './citations.ts';
import { parseQuestion } from './parse-question.ts';
import type { Answer, AskContext, KbPassage } from './types.ts';

const NOW = new Date('2026-12-05T12:00:00Z');

/** Answers and checks every citation against the context (passages: those the fixture holds). */
async function ask(q: string, ctx: AskContext = weldContext()): Promise<Answer> {
  const a = await answerQuestion(q, ctx, { now: NOW });
  const check = validateCitations(a, allowedCitations(ctx, FIXTURE_PASSAGES));
  expect(check.problems).toEqual([]);
  expect(a.answer.startsWith(a.short)).toBe(true);
  return a;
}

describe('answerQuestion', () => {
  it('answers presence with yes first, and cites the verdict and the findings', async () => {
    const a = await ask('Is there a defect?');
    expect(a.intent).toBe('defect_present');
    expect(a.short).toMatch(/^Yes, the part is rejected: the model found porosity and a crack\.$/);
    expect(a.citations.map((c) => `${c.kind}:${c.ref}`)).toEqual(expect.arrayContaining(['inspection:verdict', 'finding:0', 'finding:1']));
    expect(a.answer).toMatch(/^- Finding 1: 16 px of porosity in the upper left, near the edge.* \[\d+\]$/m);
    expect(a.unsure).toBe(false);
    expect(a.suggestReview).toBe(false);
  });

  it('answers presence of a named class or in a region from the findings, and "is it good?" the other way round', async () => {
    expect((await ask('Do you see any lack of fusion?')).short).toBe('No: the model found no lack of fusion; it found porosity and a crack instead.');
    expect((await ask('Is there anything in the lower right?')).short).toBe('Yes: the model found a crack in the lower right.');
    expect((await ask('Is this part OK to ship?')).short).toMatch(/^No, the part is rejected/);
    const pass = weldContext();
    pass.inspection = { ...pass.inspection, verdict: 'pass', label: 'background', defectScore: 0.02, findings: [] };
    expect((await ask('Is this part OK to ship?', pass)).short).toMatch(/^Yes, the part passes/);
    expect((await ask('Is there a defect?', pass)).short).toMatch(/^No, the part passes: no defect was found \(defect score 0\.02, below the threshold 0\.50\)/);
  });

  it('names the type and the location of the largest finding first', async () => {
    expect((await ask('What kind of defect is it?')).short).toBe('It is porosity. The findings are porosity and a crack.');
    expect((await ask('Is it a crack?')).short).toBe('Yes, there is a crack, but the largest finding is porosity. The findings are porosity and a crack.');
    expect((await ask('Is it porosity?')).short).toBe('Yes, it is porosity. The findings are porosity and a crack.');
    expect((await ask('Is it lack of fusion?')).short).toBe('No, it is porosity, not lack of fusion. The findings are porosity and a crack.');
    expect((await ask('Where is the defect?')).short).toBe('The porosity is in the upper left, near the edge. One more finding: a crack in the lower right.');
    expect((await ask('Where is the crack?')).short).toBe('The crack is in the lower right, near the edge.');
  });

  it('locates a class by the region holding most of it, and an anomaly by its strongest evidence', async () => {
    const pores = weldContext();
    pores.inspection = { ...pores.inspection, findings: [
      { label: 'porosity', score: 0.97, box: [4, 6, 20, 18], area: 45, centroid: [12, 12] },
      { label: 'porosity', score: 0.97, box: [50, 50, 60, 60], area: 25, centroid: [55, 55] },
      { label: 'porosity', score: 0.93, box: [66, 60, 76, 70], area: 23, centroid: [71, 65] },
    ] };
    expect((await ask('Where is the defect?', pores)).short).toBe('The porosity is in the centre (2 findings). One more finding: porosity in the upper left.');
    const anomaly = weldContext({ model: { ...weldContext().model, name: 'surface-anomaly', task: 'anomaly', labels: ['good', 'anomaly'] } });
    anomaly.inspection = { ...anomaly.inspection, task: 'anomaly', label: 'anomaly', goodLabels: ['good'], findings: [
      { label: 'anomaly', score: 0.55, box: [90, 90, 120, 120], area: 300, centroid: [105, 105] },
      { label: 'anomaly', score: 0.98, box: [14, 50, 24, 60], area: 60, centroid: [19, 55] },
    ] };
    expect((await ask('Where is the defect?', anomaly)).short).toBe('The anomaly is on the left. One more finding: an anomaly in the lower right.');
    // rejected without a region above the pixel threshold: the anomaly map's peak, not its most massive cell
    anomaly.inspection = { ...anomaly.inspection, findings: [{ label: 'anomaly', score: 0.6 }] };
    anomaly.explanations = [{ id: 'anomalymap', method: 'anomalymap', targetLabel: 'anomaly', regionShares: { centre: 0.3, bottom: 0.25, top: 0.2, left: 0.25 }, peak: [0.5, 0.9], massInFindings: null }];
    const a = await ask('Where is the defect?', anomaly);
    expect(a.short).toBe('The model gives no defect region; its anomaly map is highest at the bottom.');
    expect(a.citations.map((c) => `${c.kind}:${c.ref}`)).toContain('explanation:anomalymap');
  });

  it('sizes and grades findings, in millimetres when the pixel size is known', async () => {
    const ctx = weldContext();
    ctx.inspection = { ...ctx.inspection, pixelSizeMm: 0.5 };
    const a = await ask('How big is the defect?', ctx);
    expect(a.intent).toBe('severity');
    expect(a.short).toBe('There are 2 findings (porosity and a crack); the worst is graded major: 8 mm of porosity in the upper left, near the edge.');
  });

  it('retrieves knowledge-base passages for the class and cites them with their source', async () => {
    const queries: string[] = [];
    const ctx = weldContext();
    const retrieve = ctx.retrieve;
    ctx.retrieve = (q, k) => {
      queries.push(q);
      return retrieve(q, k);
    };
    const a = await ask('What usually causes this?', ctx);
    expect(a.intent).toBe('cause_remedy');
    expect(queries[0]).toMatch(/^porosity typical causes/);
    expect(a.short).toBe('For porosity, the knowledge base says: Moisture or contamination on the base metal or filler.');
    const kb = a.citations.find((c) => c.kind === 'kb' && c.ref === 'defect-book/weld#4');
    expect(kb).toMatchObject({ documentId: 'defect-book/weld', source: 'Porosity > Typical causes' });
    const d = await ask('What does a crack look like?', ctx);
    expect(d.short).toBe('Crack: A crack is a sharp dark line, often branched, along or across the weld.');
    const none = await answerQuestion('What does a crack look like?', { ...ctx, retrieve: () => Promise.resolve([]) }, { now: NOW });
    expect(none.short).toBe('Crack: the knowledge base holds no passage describing it.');
  });

  it('states the probability, and says when the model is unsure and suggests review', async () => {
    const sure = await ask('How sure are you?');
    expect(sure.short).toMatch(/^The model gives porosity a probability of 93%; nothing suggests doubt/);
    expect(sure.suggestReview).toBe(false);
    const ctx = weldContext();
    ctx.inspection = { ...ctx.inspection, task: 'classify', findings: [], label: 'porosity', score: 0.48, defectScore: 0.55, referred: true, referralReason: 'the conformal prediction set holds more than one label', conformalSet: ['porosity', 'crack'], probabilities: [{ label: 'porosity', p: 0.48 }, { label: 'crack', p: 0.4 }, { label: 'background', p: 0.12 }] };
    const a = await ask('How sure are you?', ctx);
    expect(a.unsure).toBe(true);
    expect(a.suggestReview).toBe(true);
    expect(a.short).toMatch(/^The model gives porosity a probability of 48%\. The model is unsure \(it was referred for human review .*conformal prediction set holds 2 labels \(porosity, crack\).*within 0\.1 of the threshold.*only 48%\): please have it reviewed\.$/);
    expect(a.citations.map((c) => c.ref)).toEqual(expect.arrayContaining(['referred', 'conformalSet', 'defectScore']));
    // The doubt goes with questions about the prediction, not with questions about the model.
    expect((await ask('Which model is this?', ctx)).suggestReview).toBe(false);
    const reviewed = weldContext({ inspection: { ...ctx.inspection, review: { outcome: 'accepted', createdAt: '2026-12-02T00:00:00Z' } } });
    const r = await ask('Is there a defect?', reviewed);
    expect(r.unsure).toBe(true);
    expect(r.suggestReview).toBe(false);
    expect(r.short).toMatch(/a person has already reviewed it\.$/);
  });

  it('explains with the maps and the agreement of the methods', async () => {
    const a = await ask('Why was it rejected?');
    expect(a.short).toBe('It was rejected because the model found porosity (score 0.93); the gradcam explanation puts most weight in the upper left, and the methods agree.');
    expect(a.citations.map((c) => `${c.kind}:${c.ref}`)).toEqual(expect.arrayContaining(['explanation:expl-1', 'aggregate:agg-1']));
    const none = await ask('Why was it rejected?', weldContext({ explanations: [], aggregate: null }));
    expect(none.short).toMatch(/No explanation map is available for this inspection\.$/);
  });

  it('explains a classifier without a good class by its label, and counts mass nouns in regions', async () => {
    const ctx = weldContext({ model: { name: 'cells', version: '1', task: 'classify', labels: ['basophil', 'neutrophil'] }, explanations: [], aggregate: null });
    ctx.inspection = { ...ctx.inspection, task: 'classify', goodLabels: [], label: 'neutrophil', score: 0.94, defectScore: 0.94, findings: [{ label: 'neutrophil', score: 0.94 }] };
    expect((await ask('Why did the model decide this?', ctx)).short).toBe('The model classifies it as a neutrophil (94%); it has no "good" class and judges no defects. No explanation map is available for this inspection.');
    const two = weldContext();
    two.inspection = { ...two.inspection, findings: [two.inspection.findings[0], { ...two.inspection.findings[0], area: 20 }] };
    expect((await ask('What kind of defect is it?', two)).short).toBe('It is porosity. The findings are 2 regions of porosity.');
  });

  it('answers from similar cases, metrics and the card', async () => {
    expect((await ask('Have we seen this before?')).short).toBe('Yes: 1 similar past inspection, 1 rejected; reviewers confirmed 1 and overturned or corrected 0.');
    expect((await ask('Have we seen this before?', weldContext({ similar: [] }))).short).toBe('No similar past inspection of this model version was found.');
    const m = await ask('How accurate was the model in November?');
    expect(m.intent).toBe('history_metrics');
    expect(m.short).toBe('420 inspections over 2026-11-01 to 2026-11-30, 60 reviewed: accuracy 95%, escape rate 2%, false reject rate 3%, referral rate 5%.');
    const other = await ask('How accurate was the model last week?');
    expect(other.short).toMatch(/These figures cover 2026-11-01 to 2026-11-30 \(you asked about 2026-11-23 to 2026-11-29\)\.$/);
    expect((await ask('Can the model detect lack of fusion?')).short).toBe('Yes: lack of fusion is one of the labels of weld-segmenter 1.0.0.');
  });

  it('says it cannot answer what it cannot place, and lists what it can', async () => {
    const a = await ask("What's the weather tomorrow?");
    expect(a.intent).toBe('unknown');
    expect(a.short).toBe('I cannot answer that from this inspection.');
    expect(a.canAnswer).toEqual([...EXAMPLE_QUESTIONS]);
    expect(a.citations).toEqual([]);
  });

  it('takes a parsed question as it is', async () => {
    const parsed = { ...parseQuestion('where is it?', ['x']), intent: 'model_facts' as const };
    expect((await ask(parsed as never)).intent).toBe('model_facts');
  });
});

describe('validateCitations', () => {
  it('refuses citations of things the context does not hold, unknown markers and uncited evidence', async () => {
    const ctx = weldContext();
    const a = await answerQuestion('Is there a defect?', ctx, { now: NOW });
    const allowed = allowedCitations(ctx);
    expect(validateCitations(a, allowed).valid).toBe(true);
    const bad: Answer = {
      ...a,
      citations: [...a.citations, { id: '99', kind: 'case', ref: 'insp-of-another-account', label: 'x' }, { id: '98', kind: 'kb', ref: 'not-retrieved#1', label: 'y' }],
      evidence: [...a.evidence, { text: 'uncited', citations: [] }],
      answer: `${a.answer}\n- see [42]`,
    };
    const check = validateCitations(bad, allowed);
    expect(check.valid).toBe(false);
    expect(check.problems).toEqual([
      "[99] cites case 'insp-of-another-account', which the context does not hold",
      "[98] cites kb 'not-retrieved#1', which the context does not hold",
      'the text cites [42], which is not among the citations',
      `evidence line ${bad.evidence.length} cites nothing`,
    ]);
    expect(validateCitations({ ...a, citations: [], evidence: [], answer: a.short }, allowed).problems).toEqual(['the answer cites nothing']);
    const passages: KbPassage[] = [FIXTURE_PASSAGES[0]];
    expect(allowedCitations(ctx, passages).has('kb:defect-book/weld#3')).toBe(true);
  });
});
