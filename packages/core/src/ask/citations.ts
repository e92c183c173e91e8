/**
 * Citations: a numbered book of what an answer rests on, the set of things an answer may
 * cite for a context, and a validator any composer (the grounded one, a language model's)
 * passes its answer through.
 */
import type { Answer, AskContext, Citation, CitationKind, KbPassage } from './types.ts';

/** Key of a citable thing: `${kind}:${ref}`. */
export function citationKey(kind: CitationKind, ref: string): string {
  return `${kind}:${ref}`;
}

/** Numbers citations in the order they are first cited; citing the same thing twice gives the same id. */
export class CitationBook {
  private readonly byKey = new Map<string, Citation>();

  /** Cites `kind`/`ref` and returns its id ("1", "2", ...). */
  cite(kind: CitationKind, ref: string, label: string, extra: Pick<Citation, 'documentId' | 'source'> = {}): string {
    const key = citationKey(kind, ref);
    let c = this.byKey.get(key);
    if (!c) {
      c = { id: String(this.byKey.size + 1), kind, ref, label, ...extra };
      this.byKey.set(key, c);
    }
    return c.id;
  }

  /** Cites a knowledge-base passage. */
  citePassage(p: KbPassage): string {
    return this.cite('kb', p.id, `${p.documentTitle}: ${p.source}`, { documentId: p.documentId, source: p.source });
  }

  /** The citations, by id. */
  list(): Citation[] {
    return [...this.byKey.values()];
  }
}

/**
 * Everything an answer about `ctx` may cite, as {@link citationKey}s: the inspection's
 * defined fields, its findings by index, the explanations and the aggregate by id, the
 * similar cases by inspection id, the metrics by model version, the model card's defined
 * fields, and the knowledge-base passages that were retrieved for the answer.
 */
export function allowedCitations(ctx: AskContext, passages: readonly KbPassage[] = []): Set<string> {
  const keys = new Set<string>();
  for (const [field, value] of Object.entries(ctx.inspection)) if (value !== undefined && value !== null) keys.add(citationKey('inspection', field));
  ctx.inspection.findings.forEach((_, i) => keys.add(citationKey('finding', String(i))));
  for (const e of ctx.explanations) keys.add(citationKey('explanation', e.id));
  if (ctx.aggregate) keys.add(citationKey('aggregate', ctx.aggregate.id));
  for (const c of ctx.similar) keys.add(citationKey('case', c.inspectionId));
  if (ctx.metrics) keys.add(citationKey('metrics', ctx.metrics.modelVersion));
  for (const [field, value] of Object.entries(ctx.model)) if (value !== undefined && value !== null) keys.add(citationKey('model', field));
  for (const p of passages) keys.add(citationKey('kb', p.id));
  return keys;
}

/** What {@link validateCitations} finds. */
export interface CitationCheck {
  valid: boolean;
  problems: string[];
}

/**
 * Checks an answer's citations against what it may cite (from {@link allowedCitations}):
 * every citation points at an allowed thing, citation ids are unique, every [n] marker in
 * the text and every evidence citation names a listed citation, every evidence line cites
 * something, and an answer to a placed question cites at least once.
 */
export function validateCitations(answer: Pick<Answer, 'intent' | 'citations' | 'evidence' | 'answer'>, allowed: ReadonlySet<string>): CitationCheck {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const c of answer.citations) {
    if (ids.has(c.id)) problems.push(`citation id [${c.id}] is used twice`);
    ids.add(c.id);
    if (!allowed.has(citationKey(c.kind, c.ref))) problems.push(`[${c.id}] cites ${c.kind} '${c.ref}', which the context does not hold`);
  }
  for (const m of answer.answer.matchAll(/\[(\d+)\]/g)) {
    if (!ids.has(m[1])) problems.push(`the text cites [${m[1]}], which is not among the citations`);
  }
  answer.evidence.forEach((e, i) => {
    if (e.citations.length === 0) problems.push(`evidence line ${i + 1} cites nothing`);
    for (const id of e.citations) if (!ids.has(id)) problems.push(`evidence line ${i + 1} cites [${id}], which is not among the citations`);
  });
  if (answer.intent !== 'unknown' && answer.citations.length === 0) problems.push('the answer cites nothing');
  return { valid: problems.length === 0, problems };
}
