/**
 * The numbered sources a language model is given, and the tools it may call to get more.
 * Every fact the model sees carries a source number; a tool's results are registered as
 * new sources (or reuse the number of one already given), so that whatever the model cites
 * maps back to a {@link Citation} of the record or of the knowledge base.
 */
import type { AskContext, Citation, CitationKind, KbPassage } from '../types.ts';
import type { ChatTool, ChatToolCall } from './chat-client.ts';

/** One numbered source: the citation it stands for and the text the model reads. */
export interface LlmSource {
  /** the number the model cites, from 1 */
  n: number;
  citation: Citation;
  content: string;
}

/** Longest text of one source given to the model; passages are about 900 characters, records are cut. */
const MAX_SOURCE_CHARS = 1200;

const clip = (s: string): string => (s.length > MAX_SOURCE_CHARS ? `${s.slice(0, MAX_SOURCE_CHARS)}...` : s);
const json = (v: unknown): string => clip(JSON.stringify(v));

/** Sources numbered in the order they are added; one number per cited thing (`kind:ref`). */
export class SourceList {
  private readonly list: LlmSource[] = [];
  private readonly byKey = new Map<string, LlmSource>();
  private readonly usedIds = new Set<string>();

  /**
   * Adds a source (or returns the one already given for `kind:ref`). `citation.id` is kept when
   * given and free (the grounded answer's ids), else the new number becomes the id.
   */
  add(citation: Omit<Citation, 'id'> & { id?: string }, content: string): LlmSource {
    const key = `${citation.kind}:${citation.ref}`;
    const existing = this.byKey.get(key);
    if (existing) return existing;
    const n = this.list.length + 1;
    let id = citation.id !== undefined && !this.usedIds.has(citation.id) ? citation.id : String(n);
    while (this.usedIds.has(id)) id = `s${id}`;
    this.usedIds.add(id);
    const source: LlmSource = { n, citation: { ...citation, id }, content: clip(content) };
    this.list.push(source);
    this.byKey.set(key, source);
    return source;
  }

  /** The source cited as `[n]`, or undefined. */
  byNumber(n: number): LlmSource | undefined {
    return this.list[n - 1];
  }

  /** All sources in number order. */
  all(): readonly LlmSource[] {
    return this.list;
  }

  /** Adds a retrieved passage. */
  addPassage(p: KbPassage): LlmSource {
    const label = `${p.documentTitle}: ${p.source}`;
    return this.add({ kind: 'kb', ref: p.id, label, documentId: p.documentId, source: p.source }, `${label}\n${p.text}`);
  }
}

/** What the record says about a citation of the grounded answer: the value of the field, finding, explanation... it names. */
export function citationContent(c: Citation, ctx: AskContext, passages: readonly KbPassage[]): string {
  const kind: CitationKind = c.kind;
  switch (kind) {
    case 'inspection':
      return `${c.label}; ${c.ref} = ${json((ctx.inspection as unknown as Record<string, unknown>)[c.ref] ?? null)}`;
    case 'finding':
      return `${c.label}; ${json(ctx.inspection.findings[Number(c.ref)] ?? null)}`;
    case 'explanation':
      return `${c.label}; ${json(ctx.explanations.find((e) => e.id === c.ref) ?? null)}`;
    case 'aggregate':
      return `${c.label}; ${json(ctx.aggregate ?? null)}`;
    case 'case':
      return `${c.label}; ${json(ctx.similar.find((s) => s.inspectionId === c.ref) ?? null)}`;
    case 'metrics':
      return `${c.label}; ${json(ctx.metrics ?? null)}`;
    case 'model':
      return `${c.label}; ${c.ref} = ${json((ctx.model as unknown as Record<string, unknown>)[c.ref] ?? null)}`;
    case 'kb': {
      const p = passages.find((x) => x.id === c.ref);
      return p ? `${c.label}\n${p.text}` : c.label;
    }
  }
}

/** The tools offered to the model. Their results carry the source numbers to cite. */
export const ASK_TOOLS: readonly ChatTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_inspection',
      description: 'The inspection record: verdict, label and scores, threshold, findings with their boxes, areas and centroids in pixels, image size, uncertainty, referral, current human review. Every part carries a source number to cite.',
      parameters: { type: 'object', properties: {}, additionalProperties: false },
    },
  },
  {
    type: 'function',
    function: {
      name: 'get_explanations',
      description: 'Where each explanation heatmap puts its mass (share per image region, peak, share inside the findings) and how far the methods agree.',
      parameters: { type: 'object', properties: {}, additionalProperties: false },
    },
  },
  {
    type: 'function',
    function: {
      name: 'get_similar_cases',
      description: 'Similar past inspections of the same model version in this account, with their verdicts and human reviews.',
      parameters: { type: 'object', properties: {}, additionalProperties: false },
    },
  },
  {
    type: 'function',
    function: {
      name: 'get_model_facts',
      description: 'The model card (labels, intended use, limitations, measured figures) and the reviewed metrics of the model version.',
      parameters: { type: 'object', properties: {}, additionalProperties: false },
    },
  },
  {
    type: 'function',
    function: {
      name: 'search_knowledge',
      description: 'Search the defect knowledge base (what defects look like, causes, what to check, severity). Returns passages with source numbers.',
      parameters: {
        type: 'object',
        properties: { query: { type: 'string', description: 'what to look for' }, k: { type: 'integer', minimum: 1, maximum: 8, description: 'passages, 4 by default' } },
        required: ['query'],
        additionalProperties: false,
      },
    },
  },
];

/**
 * Runs one tool call against the context and returns the JSON text of its result; the
 * things it returns are added to `sources`. A bad call (unknown tool, arguments that are not
 * JSON or lack the query) returns `{ error }` so the model can correct itself.
 */
export async function runAskTool(call: ChatToolCall, ctx: AskContext, sources: SourceList): Promise<string> {
  let args: Record<string, unknown> = {};
  const raw = call.function.arguments.trim();
  if (raw.length > 0) {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) args = parsed as Record<string, unknown>;
    } catch {
      return JSON.stringify({ error: `the arguments of ${call.function.name} are not JSON` });
    }
  }
  const i = ctx.inspection;
  switch (call.function.name) {
    case 'get_inspection': {
      const record = sources.add({ kind: 'inspection', ref: 'verdict', label: `inspection ${i.id}: ${i.verdict}, ${i.label} (score ${i.score.toFixed(2)})` }, json({ verdict: i.verdict, label: i.label, score: i.score }));
      const result = {
        source: record.n,
        id: i.id,
        task: i.task,
        model: `${i.modelName} ${i.modelVersion}`,
        verdict: i.verdict,
        label: i.label,
        score: i.score,
        defectScore: i.defectScore,
        threshold: i.threshold ?? null,
        probabilities: i.probabilities ?? null,
        image: i.image,
        pixelSizeMm: i.pixelSizeMm ?? null,
        referred: i.referred,
        referralReason: i.referralReason ?? null,
        uncertainty: i.uncertainty ?? null,
        conformalSet: i.conformalSet ?? null,
        calibration: i.calibration ?? null,
        review: i.review ?? null,
        createdAt: i.createdAt,
        findings: i.findings.map((f, index) => ({
          source: sources.add({ kind: 'finding', ref: String(index), label: `finding ${index + 1}: ${f.label} (score ${f.score.toFixed(2)})` }, json(f)).n,
          ...f,
        })),
      };
      return JSON.stringify(result);
    }
    case 'get_explanations':
      return JSON.stringify({
        explanations: ctx.explanations.map((e) => ({ source: sources.add({ kind: 'explanation', ref: e.id, label: `explanation ${e.method}` }, json(e)).n, ...e })),
        aggregate: ctx.aggregate ? { source: sources.add({ kind: 'aggregate', ref: ctx.aggregate.id, label: 'consensus of the explanation methods' }, json(ctx.aggregate)).n, ...ctx.aggregate } : null,
      });
    case 'get_similar_cases':
      return JSON.stringify({
        cases: ctx.similar.map((c) => ({ source: sources.add({ kind: 'case', ref: c.inspectionId, label: `similar inspection ${c.inspectionId}: ${c.verdict}, ${c.label}` }, json(c)).n, ...c })),
      });
    case 'get_model_facts': {
      const m = ctx.model;
      const card = sources.add({ kind: 'model', ref: 'name', label: `model card ${m.name} ${m.version}` }, json(m));
      const metrics = ctx.metrics ? sources.add({ kind: 'metrics', ref: ctx.metrics.modelVersion, label: `metrics of ${m.name} ${ctx.metrics.modelVersion}` }, json(ctx.metrics)) : null;
      return JSON.stringify({ card: { source: card.n, ...m }, metrics: metrics && ctx.metrics ? { source: metrics.n, ...ctx.metrics } : null });
    }
    case 'search_knowledge': {
      const query = typeof args.query === 'string' ? args.query.trim() : '';
      if (query.length === 0) return JSON.stringify({ error: 'search_knowledge needs a non-empty "query"' });
      const k = typeof args.k === 'number' && Number.isInteger(args.k) ? Math.min(8, Math.max(1, args.k)) : 4;
      const found = await ctx.retrieve(query.slice(0, 500), k);
      return JSON.stringify({ passages: found.map((p) => ({ source: sources.addPassage(p).n, document: p.documentTitle, section: p.source, text: p.text })) });
    }
    default:
      return JSON.stringify({ error: `there is no tool named ${call.function.name}` });
  }
}
