/**
 * Pure logic of the ask panel, free of React and the DOM: the suggested questions, the
 * question's length rule (the server's: 1 to 1,000 characters after trimming), evidence text
 * split into words and citation markers, what a citation reveals, an inspection field read by
 * its path, the viewer's view that frames a finding, and the feedback body from the form.
 */
import type { AnswerFeedback, Citation, CitationKind, EvidenceItem, FeedbackBody, Question } from './types.ts';

/** Questions offered as one-tap buttons. */
export const SUGGESTED_QUESTIONS: readonly string[] = [
  'Is this defective?',
  'Where is the defect?',
  'Why was it rejected?',
  'How sure are you?',
  'What usually causes this?',
  'Have we seen this before?',
];

/** The longest question the server accepts (characters, after trimming). */
export const MAX_QUESTION_LENGTH = 1000;

/** A question checked before it is sent: the trimmed text, or why it cannot be sent. */
export type QuestionCheck = { ok: true; text: string } | { ok: false; reason: string };

/** Checks a question against the server's rule (not empty, at most 1,000 characters after trimming). */
export function checkQuestion(raw: string): QuestionCheck {
  const text = raw.trim();
  if (!text) return { ok: false, reason: 'Type a question first.' };
  if (text.length > MAX_QUESTION_LENGTH) return { ok: false, reason: `The question is ${text.length.toLocaleString('en')} characters long; keep it to ${MAX_QUESTION_LENGTH.toLocaleString('en')}.` };
  return { ok: true, text };
}

/** A citation's id without brackets ("[2]" -> "2"). */
export function citationKey(id: string): string {
  return id.replace(/^\[|\]$/g, '').trim();
}

/** A piece of an evidence line: plain text or a citation marker. */
export type Segment = { kind: 'text'; text: string } | { kind: 'cite'; citation: Citation };

/**
 * Splits an evidence line into text and citation markers: `[n]` in the text becomes the
 * citation with id n (unknown ids stay text); citations the line rests on but does not mark
 * in its text are appended at its end, so every one can be opened.
 */
export function evidenceSegments(item: EvidenceItem, citations: readonly Citation[]): Segment[] {
  const byId = new Map(citations.map((c) => [citationKey(c.id), c]));
  const out: Segment[] = [];
  const seen = new Set<string>();
  let last = 0;
  const text = item.text;
  for (const m of text.matchAll(/\[([^\][]{1,12})\]/g)) {
    const keys = m[1]!.split(/\s*,\s*/).map(citationKey);
    if (!keys.every((k) => byId.has(k))) continue;
    if (m.index > last) out.push({ kind: 'text', text: text.slice(last, m.index) });
    for (const k of keys) {
      out.push({ kind: 'cite', citation: byId.get(k)! });
      seen.add(k);
    }
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ kind: 'text', text: text.slice(last) });
  for (const id of item.citations) {
    const k = citationKey(id);
    const c = byId.get(k);
    if (c && !seen.has(k)) {
      out.push({ kind: 'cite', citation: c });
      seen.add(k);
    }
  }
  return mergeText(out);
}

function mergeText(segments: Segment[]): Segment[] {
  const out: Segment[] = [];
  for (const s of segments) {
    const prev = out[out.length - 1];
    if (s.kind === 'text' && prev?.kind === 'text') out[out.length - 1] = { kind: 'text', text: prev.text + s.text };
    else out.push(s);
  }
  return out;
}

/** What opening a citation does on the page. */
export type Reveal =
  /** show the inspection field's value (and point at the verdict summary when there is one) */
  | { action: 'field'; path: string }
  /** frame the finding on the image and show its details */
  | { action: 'finding'; index: number }
  /** show the explanation's heatmap on the image and point at the explanation panel */
  | { action: 'heatmap'; explanationId: string }
  /** link to a similar past inspection */
  | { action: 'case'; inspectionId: string }
  /** show the knowledge-base passage with its document and source */
  | { action: 'passage'; passageId: string; documentId?: string }
  /** the model version's figures (Metrics page) or a card field (Models page) */
  | { action: 'page'; to: '/dashboard' | '/models'; what: string };

/** What a citation reveals. */
export function revealOf(c: Citation): Reveal {
  const kind: CitationKind = c.kind;
  switch (kind) {
    case 'inspection':
      return { action: 'field', path: c.ref };
    case 'finding': {
      const index = Number.parseInt(c.ref, 10);
      return Number.isInteger(index) && index >= 0 ? { action: 'finding', index } : { action: 'field', path: 'findings' };
    }
    case 'explanation':
    case 'aggregate':
      return { action: 'heatmap', explanationId: c.ref };
    case 'case':
      return { action: 'case', inspectionId: c.ref };
    case 'kb':
      return { action: 'passage', passageId: c.ref, documentId: c.documentId };
    case 'metrics':
      return { action: 'page', to: '/dashboard', what: 'the model version\u2019s figures' };
    case 'model':
      return { action: 'page', to: '/models', what: 'the model card' };
    default:
      return { action: 'field', path: c.ref };
  }
}

/** A short name of a citation's kind, for its marker's accessible name. */
export const KIND_NAMES: Record<CitationKind, string> = {
  inspection: 'inspection field',
  finding: 'finding',
  explanation: 'explanation',
  aggregate: 'explanation consensus',
  case: 'similar case',
  metrics: 'model figures',
  model: 'model card',
  kb: 'knowledge base',
};

/**
 * Reads a field of a record by a dotted path ("verdict", "latency.totalMs", "findings.0.label",
 * "probabilities") and writes it for people: numbers to 3 decimals, lists joined, objects as
 * "key: value" pairs. Undefined when the path does not exist.
 */
export function fieldValue(record: unknown, path: string): string | undefined {
  let v: unknown = record;
  for (const part of path.split('.').filter(Boolean)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v === undefined ? undefined : show(v, 0);
}

function show(v: unknown, depth: number): string {
  if (v === null) return 'none';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(3);
  if (typeof v === 'string') return v.length > 200 ? `${v.slice(0, 200)}\u2026` : v;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v)) return v.length > 12 ? `${v.slice(0, 12).map((x) => show(x, depth + 1)).join(', ')}, \u2026 (${v.length})` : v.map((x) => show(x, depth + 1)).join(', ');
  if (typeof v === 'object') {
    if (depth > 1) return '\u2026';
    return Object.entries(v as Record<string, unknown>)
      .filter(([k, x]) => x !== undefined && k !== 'maskPng' && k !== 'rle' && k !== 'polygon' && k !== 'mapPng')
      .map(([k, x]) => `${k}: ${show(x, depth + 1)}`)
      .join('; ');
  }
  return String(v);
}

/** The viewer's view (zoom as a multiple of fit, centre as fractions of the image) that frames a box with a margin. */
export function viewForBox(box: readonly [number, number, number, number], image: { width: number; height: number }, margin = 2.5): { zoom: number; center: { x: number; y: number } } {
  const x0 = Math.min(box[0], box[2]);
  const x1 = Math.max(box[0], box[2]);
  const y0 = Math.min(box[1], box[3]);
  const y1 = Math.max(box[1], box[3]);
  const w = Math.max(1, x1 - x0);
  const h = Math.max(1, y1 - y0);
  const zoom = Math.max(1, Math.min(8, Math.min(image.width / (w * margin), image.height / (h * margin))));
  return { zoom, center: { x: (x0 + x1) / 2 / image.width, y: (y0 + y1) / 2 / image.height } };
}

/** The feedback form's state. */
export interface FeedbackDraft {
  helpful: boolean;
  comment: string;
  /** '' = no correction */
  verdict: '' | 'pass' | 'reject';
  /** '' = no correction */
  label: string;
}

/** The body of `POST /questions/{id}/feedback` from the form (empty parts left out). */
export function feedbackBody(d: FeedbackDraft): FeedbackBody {
  const body: FeedbackBody = { helpful: d.helpful };
  const comment = d.comment.trim();
  if (comment) body.comment = comment;
  const correction: NonNullable<FeedbackBody['correction']> = {};
  if (d.verdict) correction.verdict = d.verdict;
  if (d.label) correction.label = d.label;
  if (correction.verdict || correction.label) body.correction = correction;
  return body;
}

/** The caller's feedback on a question (the server keeps one per person; a second replaces it). */
export function latestFeedback(q: Pick<Question, 'feedback'>): AnswerFeedback | undefined {
  return q.feedback ?? undefined;
}

/** The intent in words, for the answer's header. */
export const INTENT_NAMES: Record<string, string> = {
  defect_present: 'Is there a defect',
  defect_type: 'Kind of defect',
  location: 'Where',
  severity: 'Size and severity',
  description: 'Description',
  cause_remedy: 'Causes and remedies',
  confidence: 'How sure',
  explanation: 'Why',
  similar_cases: 'Similar cases',
  history_metrics: 'History and figures',
  model_facts: 'About the model',
  unknown: 'Not understood',
};
