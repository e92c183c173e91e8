/**
 * Answers from the knowledge base: what a defect looks like, what causes it and what to
 * do. The class is the one the question names, else the model's; passages come from
 * `ctx.retrieve` and are cited with their document and source.
 */
import type { AnswerDraft } from './answer-draft.ts';
import { findingsBySize, isGoodLabel } from './answer-draft.ts';
import { percent } from './certainty.ts';
import { aLabel, describeFinding, spokenLabel } from './geometry.ts';
import { matchClassNames, spokenForms } from './slots.ts';
import type { KbPassage } from './types.ts';

/** Longest excerpt of a passage in an evidence line, in characters. */
const EXCERPT_CHARS = 320;

/** The passage text without Markdown markup, cut at a sentence end near {@link EXCERPT_CHARS}. */
export function excerpt(text: string, max = EXCERPT_CHARS): string {
  const plain = text
    .replace(/^#+\s*/gm, '')
    .replace(/^\s*[-*]\s+/gm, '')
    .replace(/[*_`]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (plain.length <= max) return plain;
  const cut = plain.slice(0, max);
  const end = cut.lastIndexOf('. ');
  return end > max / 3 ? cut.slice(0, end + 1) : `${cut.replace(/\s+\S*$/, '')} ...`;
}

/** The first sentence of a passage's text that is not a heading. */
function firstSentence(text: string): string {
  const s = excerpt(text, 400);
  const m = /^(.{20,}?[.!?])(?:\s|$)/.exec(s);
  return m ? m[1] : s;
}

/** The class the answer is about: the question's, else the model's main defect; undefined when there is none. */
function subjectClass(d: AnswerDraft): { label: string; from: 'question' | 'finding' | 'label' } | undefined {
  const { ctx, parsed } = d;
  const asked = parsed.slots.classNames.find((c) => !isGoodLabel(ctx, c));
  if (asked) return { label: asked, from: 'question' };
  const main = findingsBySize(ctx).find(({ f }) => !isGoodLabel(ctx, f.label));
  if (main) return { label: main.f.label, from: 'finding' };
  if (ctx.inspection.verdict === 'reject' && !isGoodLabel(ctx, ctx.inspection.label)) return { label: ctx.inspection.label, from: 'label' };
  return undefined;
}

/** Section headings that answer each kind of question. */
const SECTION_CUES: Readonly<Record<'description' | 'cause', RegExp>> = {
  description: /look|appearance|what it is|description|overview/i,
  cause: /cause|remed|check|prevent|indicates/i,
};

/**
 * Retrieves passages about `label` for a description or cause question, keeps them on the
 * draft and adds one cited line each. The query carries the model's name (its domain words,
 * "weld", "surface", "cell") with the class and the question. Three times as many passages
 * as wanted are fetched and re-ranked, keeping the retriever's order among equals: a passage
 * whose heading names the class first, then one whose heading fits the question (appearance,
 * causes and checks), then one whose text names the class.
 */
async function addPassages(d: AnswerDraft, label: string, kind: 'description' | 'cause', words: string): Promise<KbPassage[]> {
  if (d.kbPassages <= 0) return [];
  const name = spokenLabel(label);
  const domain = d.ctx.model.name.replace(/[-_]+/g, ' ');
  const query = `${name} ${words} ${domain} ${d.parsed.text}`;
  const candidates = await d.ctx.retrieve(query, d.kbPassages * 3);
  const forms = spokenForms(label);
  const names = (s: string): boolean => matchClassNames(s, [label]).length > 0 || forms.some((f) => s.toLowerCase().includes(f));
  const rank = (p: KbPassage): number => (names(p.source) ? 4 : 0) + (SECTION_CUES[kind].test(p.source) ? 2 : 0) + (names(p.text) ? 1 : 0);
  const found = candidates
    .map((p, i) => ({ p, i, r: rank(p) }))
    .sort((a, b) => b.r - a.r || a.i - b.i)
    .slice(0, d.kbPassages)
    .map((x) => x.p);
  for (const p of found) {
    d.passages.push(p);
    d.add(`${p.documentTitle} (${p.source}): ${excerpt(p.text)}`, d.book.citePassage(p));
  }
  return found;
}

/** Cites what the subject class rests on: the finding or the label. */
function citeSubject(d: AnswerDraft, subject: NonNullable<ReturnType<typeof subjectClass>>): void {
  const { ctx } = d;
  const i = ctx.inspection;
  if (subject.from === 'question') {
    if (ctx.model.labels.includes(subject.label)) d.add(`${spokenLabel(subject.label)} is one of the model's labels.`, d.card('labels', `labels: ${ctx.model.labels.join(', ')}`));
    return;
  }
  const main = findingsBySize(ctx).find(({ f }) => f.label === subject.label);
  if (main && main.f.box) {
    d.add(`The model's finding: ${describeFinding(main.f, i.image, i.pixelSizeMm).text} (score ${main.f.score.toFixed(2)}).`, d.finding(main.index));
  } else {
    d.add(`The model's label: ${spokenLabel(i.label)} (${percent(i.score)}).`, d.field('label', `label: ${i.label}`), d.verdict());
  }
}

function nothingFound(d: AnswerDraft, what: string): string {
  const i = d.ctx.inspection;
  d.add(`Verdict ${i.verdict}, defect score ${i.defectScore.toFixed(2)}; no finding.`, d.verdict());
  return `No defect was found on this part, so there is no ${what}. Name a class in the question to get the knowledge base's entry for it.`;
}

/** "What does it look like?" */
export async function answerDescription(d: AnswerDraft): Promise<string> {
  const subject = subjectClass(d);
  if (!subject) return nothingFound(d, 'defect to describe');
  const name = spokenLabel(subject.label);
  citeSubject(d, subject);
  const found = await addPassages(d, subject.label, 'description', 'what it looks like appearance');
  const lead = subject.from === 'question' ? `${name[0].toUpperCase()}${name.slice(1)}` : `The finding is ${aLabel(name)}`;
  if (!found.length) return `${lead}: the knowledge base holds no passage describing it.`;
  return `${lead}: ${firstSentence(found[0].text)}`;
}

/** "What causes this, what do I do?" */
export async function answerCauseRemedy(d: AnswerDraft): Promise<string> {
  const subject = subjectClass(d);
  if (!subject) return nothingFound(d, 'defect whose cause to look up');
  const name = spokenLabel(subject.label);
  citeSubject(d, subject);
  const found = await addPassages(d, subject.label, 'cause', 'typical causes remedies what to check');
  if (!found.length) return `For ${aLabel(name)} the knowledge base holds no passage on causes or remedies.`;
  return `For ${aLabel(name)}, the knowledge base says: ${firstSentence(found[0].text)}`;
}
