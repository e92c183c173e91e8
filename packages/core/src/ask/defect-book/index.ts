/**
 * The defect book: Markdown documents written for XAI-QC about the defects of the shipped
 * demo domains (surface defects, weld radiograph defects, white-cell types), what each looks
 * like, typical causes, what to check and severity guidance. It is the knowledge base every
 * account sees on the server and the only one the CLI uses. The files sit beside this module
 * and are listed here explicitly (no globbing), so their ids never change.
 */
import { readFileSync } from 'node:fs';
import { XqcError } from '../../errors.ts';
import { KnowledgeIndex, documentPassages } from '../kb/knowledge-index.ts';
import type { KnowledgeIndexOptions, KnowledgePassage } from '../kb/knowledge-index.ts';

/** One document of the defect book. */
export interface DefectBookDocument {
  /** stable document id, `defect-book/<name>` */
  id: string;
  title: string;
  filename: string;
  mediaType: 'text/markdown';
  text: string;
}

/** The book's files: id, title and file name, in reading order. */
const BOOK: readonly { id: string; title: string; filename: string }[] = [
  { id: 'defect-book/surface', title: 'Defect book: surface defects', filename: 'surface-defects.md' },
  { id: 'defect-book/weld', title: 'Defect book: weld radiograph defects', filename: 'weld-defects.md' },
  { id: 'defect-book/white-cells', title: 'Defect book: white blood cells', filename: 'white-cells.md' },
];

/** Prefix of every defect-book document id; an account's own documents never use it. */
export const DEFECT_BOOK_ID_PREFIX = 'defect-book/';

let documents: DefectBookDocument[] | null = null;
let passages: KnowledgePassage[] | null = null;

/**
 * The documents of the defect book, read once from the Markdown files beside this module.
 * @throws XQC_IO when a file of the book is missing (a broken installation)
 */
export function loadDefectBook(): DefectBookDocument[] {
  if (!documents) {
    documents = BOOK.map((b) => {
      let text: string;
      try {
        text = readFileSync(new URL(`./${b.filename}`, import.meta.url), 'utf8');
      } catch (e) {
        throw new XqcError('XQC_IO', `defect book file ${b.filename} cannot be read`, { cause: e });
      }
      return { ...b, mediaType: 'text/markdown' as const, text };
    });
  }
  return documents.map((d) => ({ ...d }));
}

/** The passages of the defect book, split with the default sizes; ids `defect-book/<name>#<ordinal>` are stable while the text is. */
export function defectBookPassages(): KnowledgePassage[] {
  passages ??= loadDefectBook().flatMap((d) => documentPassages(d));
  return passages.map((p) => ({ ...p }));
}

/** A new {@link KnowledgeIndex} holding the defect book's passages (pass `embed` for hybrid search). */
export function defectBookIndex(options: KnowledgeIndexOptions = {}): KnowledgeIndex {
  return KnowledgeIndex.fromPassages(defectBookPassages(), options);
}
