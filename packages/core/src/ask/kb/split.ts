/**
 * Splitting knowledge-base documents into passages: the unit that is indexed, retrieved
 * and cited. Markdown is split by headings, then by paragraphs packed up to a size cap, with
 * a small overlap between consecutive passages of one section so that a sentence cut at a
 * boundary is still found with its neighbour; the heading path becomes the passage's
 * `source`. Plain text is split by paragraphs, PDF text page by page ("page N").
 */
import { XqcError } from '../../errors.ts';

/** Media types a document can be split from. */
export type KbMediaType = 'text/markdown' | 'text/plain' | 'application/pdf';

/** A document to split: its text as extracted (PDF pages separated by form feeds `\f`, or given in `pages`). */
export interface SplittableDocument {
  title: string;
  text: string;
  mediaType: KbMediaType;
  /** PDF: the text of each page; when absent, `text` is split on form feeds */
  pages?: string[];
}

/** One passage of a document before it has ids. */
export interface PassageDraft {
  /** position in the document, from 0 */
  ordinal: number;
  /** heading path ("Scratches > Causes"), the title, or "page 3" */
  source: string;
  text: string;
  /** PDF page, from 1 */
  page?: number;
}

/** Sizes of passages, in characters. */
export interface SplitOptions {
  /** largest passage, 900 by default (about 150-200 words: one idea, cheap to show and to send to a model) */
  maxChars?: number;
  /** text carried over from the previous passage of the same section, 150 by default */
  overlapChars?: number;
}

const DEFAULTS = { maxChars: 900, overlapChars: 150 };

/**
 * Splits a document into passages in reading order. Empty sections are skipped; a passage
 * never exceeds `maxChars` plus the overlap.
 * @throws XQC_INVALID_ARGUMENT for an unknown media type or sizes that are not positive
 */
export function splitDocument(doc: SplittableDocument, options: SplitOptions = {}): PassageDraft[] {
  const maxChars = options.maxChars ?? DEFAULTS.maxChars;
  const overlapChars = options.overlapChars ?? DEFAULTS.overlapChars;
  if (!(maxChars >= 50) || !(overlapChars >= 0) || overlapChars >= maxChars / 2) {
    throw new XqcError('XQC_INVALID_ARGUMENT', `passage sizes: maxChars ${maxChars} must be at least 50 and overlapChars ${overlapChars} below half of it`);
  }
  const sizes = { maxChars, overlapChars };
  const sections: { source: string; body: string; page?: number }[] = [];
  if (doc.mediaType === 'text/markdown') sections.push(...markdownSections(doc.text, doc.title));
  else if (doc.mediaType === 'text/plain') sections.push({ source: doc.title, body: doc.text });
  else if (doc.mediaType === 'application/pdf') {
    const pages = doc.pages ?? doc.text.split('\f');
    pages.forEach((body, i) => sections.push({ source: `page ${i + 1}`, body, page: i + 1 }));
  } else throw new XqcError('XQC_INVALID_ARGUMENT', `cannot split documents of type ${String(doc.mediaType)}`);

  const out: PassageDraft[] = [];
  for (const s of sections) {
    for (const text of packParagraphs(paragraphs(s.body), sizes)) {
      out.push({ ordinal: out.length, source: s.source, text, ...(s.page === undefined ? {} : { page: s.page }) });
    }
  }
  return out;
}

/** Markdown sections by ATX headings (`#` to `######`, not inside fenced code), with their heading path. */
function markdownSections(text: string, title: string): { source: string; body: string }[] {
  const sections: { source: string; body: string }[] = [];
  const path: { level: number; name: string }[] = [];
  let body: string[] = [];
  let fence: string | null = null;
  const flush = (): void => {
    sections.push({ source: path.length > 0 ? path.map((h) => h.name).join(' > ') : title, body: body.join('\n') });
    body = [];
  };
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    const f = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (f) {
      if (fence === null) fence = f[1][0];
      else if (f[1][0] === fence) fence = null;
      body.push(line);
      continue;
    }
    const h = fence === null ? /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line) : null;
    if (h) {
      flush();
      const level = h[1].length;
      while (path.length > 0 && path[path.length - 1].level >= level) path.pop();
      path.push({ level, name: h[2].trim() });
      continue;
    }
    body.push(line);
  }
  flush();
  return sections;
}

const LIST_ITEM = /^([-*+]|\d{1,3}[.)])\s/;

/** Paragraphs: blocks separated by blank lines, lines joined with spaces except before list items, which keep their line. */
function paragraphs(body: string): string[] {
  return body
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((block) =>
      block
        .split('\n')
        .map((line) => line.replace(/\s+/g, ' ').trim())
        .filter((line) => line.length > 0)
        .reduce((acc, line) => (acc.length === 0 ? line : `${acc}${LIST_ITEM.test(line) ? '\n' : ' '}${line}`), ''),
    )
    .filter((p) => p.length > 0);
}

/** Sentences of a long paragraph; a sentence longer than `max` is cut at word boundaries. */
function pieces(paragraph: string, max: number): string[] {
  if (paragraph.length <= max) return [paragraph];
  const sentences = paragraph.match(/[^.!?]+(?:[.!?]+(?=\s|$)|$)\s*/g) ?? [paragraph];
  const out: string[] = [];
  for (const raw of sentences) {
    const s = raw.trim();
    if (s.length <= max) {
      out.push(s);
      continue;
    }
    let line = '';
    for (const word of s.split(' ')) {
      if (line.length > 0 && line.length + 1 + word.length > max) {
        out.push(line);
        line = '';
      }
      line = line.length > 0 ? `${line} ${word}` : word.slice(0, max);
    }
    if (line.length > 0) out.push(line);
  }
  return out;
}

/** The tail of `text` of at most `n` characters, starting at a word boundary. */
function tail(text: string, n: number): string {
  if (n === 0 || text.length <= n) return n === 0 ? '' : text;
  const cut = text.slice(text.length - n);
  const space = cut.indexOf(' ');
  return space < 0 ? '' : cut.slice(space + 1);
}

/** Packs paragraphs (or their sentences) into passages of at most `maxChars`, each after the first prefixed by the overlap. */
function packParagraphs(paras: string[], o: { maxChars: number; overlapChars: number }): string[] {
  const units = paras.flatMap((p, i) => pieces(p, o.maxChars).map((text, j) => ({ text, sep: i > 0 && j === 0 ? '\n\n' : ' ' })));
  const out: string[] = [];
  let current = '';
  for (const u of units) {
    if (current.length > 0 && current.length + u.sep.length + u.text.length > o.maxChars) {
      out.push(current);
      const carried = tail(current, o.overlapChars);
      current = carried.length > 0 ? `${carried} ${u.text}` : u.text;
      continue;
    }
    current = current.length > 0 ? `${current}${u.sep}${u.text}` : u.text;
  }
  if (current.length > 0) out.push(current);
  return out;
}
