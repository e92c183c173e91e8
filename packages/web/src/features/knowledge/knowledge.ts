/**
 * Pure logic of the knowledge-base page: which files may be uploaded (Markdown, plain text,
 * PDF, as the server reads them), a title proposed from the file name, a document's passage
 * count whichever way the server gives it, and a passage's text split around the words of
 * the search so they can be marked.
 */
import type { KnowledgeDocument } from '../ask/types.ts';

/** What the file input offers. */
export const DOCUMENT_ACCEPT = '.md,.markdown,.txt,.pdf,text/markdown,text/plain,application/pdf';

/** A document file's kind, or why it is not taken. */
export type DocumentFileCheck = { ok: true; kind: 'markdown' | 'text' | 'pdf' } | { ok: false; reason: string };

/** Checks a file before upload by its name (the server checks the bytes too: a PDF must be a PDF). */
export function checkDocumentFile(file: { name: string; size: number }): DocumentFileCheck {
  if (file.size === 0) return { ok: false, reason: `${file.name} is empty.` };
  const ext = /\.([^./\\]+)$/.exec(file.name)?.[1]?.toLowerCase();
  if (ext === 'md' || ext === 'markdown') return { ok: true, kind: 'markdown' };
  if (ext === 'txt') return { ok: true, kind: 'text' };
  if (ext === 'pdf') return { ok: true, kind: 'pdf' };
  return { ok: false, reason: `${file.name} is not a Markdown (.md), plain text (.txt) or PDF (.pdf) file.` };
}

/** A title from a file name: the extension dropped, dashes and underscores as spaces, the first letter capitalised. */
export function titleFromFileName(name: string): string {
  const base = name.replace(/^.*[\\/]/, '').replace(/\.[^.]+$/, '').replace(/[-_]+/g, ' ').replace(/\s+/g, ' ').trim();
  return base ? base[0]!.toUpperCase() + base.slice(1) : name;
}

/** How many passages a document has (its own page lists them; lists give the count). */
export function passageCount(doc: KnowledgeDocument): number {
  return doc.passagesList?.length ?? doc.passages;
}

/** A piece of passage text, marked when it is one of the searched words. */
export interface Piece {
  text: string;
  mark: boolean;
}

/** Splits `text` around the words of `query` (3 letters or more, any case) so they can be marked. */
export function markTerms(text: string, query: string): Piece[] {
  const terms = [...new Set(query.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? [])];
  if (!terms.length) return [{ text, mark: false }];
  const re = new RegExp(`(${terms.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`, 'giu');
  const out: Piece[] = [];
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > last) out.push({ text: text.slice(last, m.index), mark: false });
    out.push({ text: m[0], mark: true });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last), mark: false });
  return out;
}

/** A document's media type in words ("Markdown", "Text", "PDF"). */
export function kindName(mediaType: string | null | undefined): string {
  const names: Record<string, string> = { 'text/markdown': 'Markdown', 'text/plain': 'Text', 'application/pdf': 'PDF' };
  return (mediaType && names[mediaType.split(';')[0]!.trim().toLowerCase()]) || 'Document';
}
