/**
 * The draft an intent's composer fills: evidence lines with their citations, cited through
 * one {@link CitationBook}, plus helpers every composer shares (the verdict sentence, the
 * labels that mean "no defect", the finding order).
 */
import type { CertaintyAssessment } from './certainty.ts';
import { CitationBook } from './citations.ts';
import { aLabel, isMassNoun, spokenLabel } from './geometry.ts';
import type { AskContext, AskFinding, EvidenceItem, KbPassage, ParsedQuestion } from './types.ts';

/** An answer being written. */
export class AnswerDraft {
  readonly book = new CitationBook();
  readonly evidence: EvidenceItem[] = [];
  /** passages retrieved for this answer (they become citable) */
  readonly passages: KbPassage[] = [];

  constructor(
    readonly parsed: ParsedQuestion,
    readonly ctx: AskContext,
    readonly certainty: CertaintyAssessment,
    readonly kbPassages: number,
  ) {}

  /** Adds an evidence line citing the given ids (duplicates dropped). */
  add(text: string, ...citations: string[]): void {
    this.evidence.push({ text, citations: [...new Set(citations)] });
  }

  /** Cites an inspection field. */
  field(field: string, label: string): string {
    return this.book.cite('inspection', field, label);
  }

  /** Cites the verdict ("verdict: reject (defect score 0.93, threshold 0.50)"). */
  verdict(): string {
    const i = this.ctx.inspection;
    return this.field('verdict', `verdict: ${i.verdict} (defect score ${i.defectScore.toFixed(2)}${i.threshold !== undefined ? `, threshold ${i.threshold.toFixed(2)}` : ''})`);
  }

  /** Cites finding `index`. */
  finding(index: number): string {
    const f = this.ctx.inspection.findings[index];
    return this.book.cite('finding', String(index), `finding ${index + 1}: ${spokenLabel(f.label)} (score ${f.score.toFixed(2)}${f.severity ? `, ${f.severity}` : ''})`);
  }

  /** Cites a model card field. */
  card(field: string, label: string): string {
    return this.book.cite('model', field, label);
  }
}

/** Whether a label means "no defect" for this inspection. */
export function isGoodLabel(ctx: AskContext, label: string): boolean {
  return ctx.inspection.goodLabels.includes(label) || label === 'normal';
}

/** Labels that only say "defective" without naming a kind (a binary classifier's, an anomaly detector's). */
const GENERIC_DEFECT = new Set(['defect', 'defective', 'anomaly', 'anomalous', 'bad', 'reject', 'nok', 'ng']);

/** Whether the model names defect kinds (more than one defect label, or one that is not generic). */
export function namesDefectTypes(ctx: AskContext): boolean {
  if (ctx.inspection.task === 'anomaly') return false;
  const defects = ctx.model.labels.filter((l) => !isGoodLabel(ctx, l));
  return defects.length > 1 || (defects.length === 1 && !GENERIC_DEFECT.has(defects[0].toLowerCase()));
}

/** Whether the model judges defects at all (a classifier without a good label names types only). */
export function judgesDefects(ctx: AskContext): boolean {
  return ctx.inspection.task !== 'classify' || ctx.inspection.goodLabels.length > 0;
}

/** Findings with their index, largest area first (image-level findings last, by score). */
export function findingsBySize(ctx: AskContext): { f: AskFinding; index: number }[] {
  return ctx.inspection.findings
    .map((f, index) => ({ f, index }))
    .sort((a, b) => (b.f.area ?? -1) - (a.f.area ?? -1) || b.f.score - a.f.score);
}

/** "2 scratches and a crack" from labels. */
export function countLabels(labels: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  const parts = [...counts].map(([l, n]) => {
    const s = spokenLabel(l);
    if (n === 1) return aLabel(l);
    return isMassNoun(l) ? `${n} regions of ${s}` : `${n} ${plural(s)}`;
  });
  return parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** English plural of a class name ("scratches", "porosity" stays). */
export function plural(s: string): string {
  if (/(?:sis|ity|ion)$/.test(s)) return s;
  if (/(?:s|sh|ch|x)$/.test(s)) return `${s}es`;
  return `${s}s`;
}

/** The probability the model gives `label`, when it gives class probabilities. */
export function probabilityOf(ctx: AskContext, label: string): number | undefined {
  return ctx.inspection.probabilities?.find((p) => p.label === label)?.p;
}
