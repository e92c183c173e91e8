/**
 * A searchable knowledge base: passages of documents, BM25 full-text search (minisearch)
 * and, when an embedding function is given, cosine search over passage vectors, the two
 * fused by reciprocal rank fusion. No I/O: documents and passages come from the caller, and
 * the embedding function is the caller's (for example {@link createEmbedder} over an
 * OpenAI-compatible `/embeddings` endpoint).
 *
 * Passages are plain JSON ({@link KnowledgePassage}), so a server stores them (with their
 * vectors) in its database and rebuilds an index per account with
 * {@link KnowledgeIndex.fromPassages}.
 */
import MiniSearch from 'minisearch';
import { XqcError } from '../../errors.ts';
import type { KbPassage } from '../types.ts';
import { kbTerm, kbWords } from './tokenize.ts';
import { splitDocument } from './split.ts';
import type { KbMediaType, SplitOptions } from './split.ts';

/** A document to add: `id` is the caller's stable document id; PDF pages as in {@link splitDocument}. */
export interface KbDocument {
  id: string;
  title: string;
  text: string;
  mediaType: KbMediaType;
  pages?: string[];
}

/** A stored passage: JSON-serialisable, the unit a database row holds. `id` is `${documentId}#${ordinal}`. */
export interface KnowledgePassage {
  id: string;
  documentId: string;
  documentTitle: string;
  /** heading path, title or "page N" */
  source: string;
  text: string;
  /** position in its document, from 0 */
  ordinal: number;
  /** PDF page, from 1 */
  page?: number;
  /** embedding of `text`, when one has been computed (length = the embedding's dimension) */
  vector?: number[];
}

/** Embeds texts: one vector per text, in order, all of one dimension. */
export type EmbedFunction = (texts: string[]) => Promise<number[][]>;

/** Options of a {@link KnowledgeIndex}. */
export interface KnowledgeIndexOptions {
  /** turns on vector search and hybrid ranking */
  embed?: EmbedFunction;
  /**
   * Called when the embedding function fails during a search; the search then ranks by BM25
   * alone. Without it such a failure is thrown to the caller.
   */
  onEmbedError?: (error: unknown) => void;
  /** passages embedded per call of `embed`, 32 by default */
  embedBatch?: number;
}

/** Reciprocal rank fusion constant (Cormack, Clarke and Buettcher 2009): 60 damps the head of each list so neither retriever dominates. */
export const RRF_K = 60;
/** Distinct query words searched; the rest of a long query is ignored. */
export const MAX_QUERY_WORDS = 64;
/** How many hits each retriever contributes to the fusion at least. */
const FUSION_DEPTH = 50;

/** Checks one embedding (non-empty, finite, of the expected dimension when known); returns its dimension. */
function checkVector(v: readonly number[], expected: number | undefined): number {
  if (!Array.isArray(v) || v.length === 0 || !v.every(Number.isFinite) || (expected !== undefined && v.length !== expected)) {
    throw new XqcError('XQC_INVALID_ARGUMENT', `an embedding has ${Array.isArray(v) ? v.length : 0} finite dimensions; expected ${expected ?? 'at least 1'}`);
  }
  return v.length;
}

/**
 * Passages of a document with stable ids `${doc.id}#${ordinal}`: the same text gives the same ids.
 * @throws XQC_INVALID_ARGUMENT for an empty id or an unknown media type
 */
export function documentPassages(doc: KbDocument, options: SplitOptions = {}): KnowledgePassage[] {
  if (doc.id.length === 0) throw new XqcError('XQC_INVALID_ARGUMENT', 'a knowledge-base document needs an id');
  return splitDocument(doc, options).map((d) => ({
    id: `${doc.id}#${d.ordinal}`,
    documentId: doc.id,
    documentTitle: doc.title,
    source: d.source,
    text: d.text,
    ordinal: d.ordinal,
    ...(d.page === undefined ? {} : { page: d.page }),
  }));
}

/** Cosine similarity of two vectors of equal length; 0 when either is all zeros. */
export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/**
 * The knowledge base of one scope (an account, or the shipped defect book).
 *
 * Full text: BM25+ over the passage text, its heading path (boost 2: a heading names what
 * the passage is about) and its document title, with the terms of {@link kbTerms}. A query
 * term of four or more characters also matches as a prefix ("poros" finds "porosity"), and
 * one of six or more within one edit per five characters ("neutrophill"); minisearch
 * weighs such matches below exact ones, so the exact term still ranks first.
 *
 * Hybrid: with `embed`, the query is embedded and passages ranked by cosine similarity; the
 * BM25 and vector rankings are fused by reciprocal rank fusion, score = sum over the two lists
 * of 1 / (60 + rank). RRF needs no score calibration between BM25 (unbounded) and cosine
 * ([-1, 1]) and is robust to either retriever being weak for a query.
 */
export class KnowledgeIndex {
  private readonly search_ = new MiniSearch<KnowledgePassage>({
    fields: ['text', 'source', 'documentTitle'],
    storeFields: [],
    // Words are split by the tokenizer and reduced one by one, so that minisearch counts field lengths in words for BM25.
    tokenize: (text) => kbWords(text),
    processTerm: (word) => kbTerm(word),
    // Passages leave by remove(), which updates the index at once; discard()'s background vacuuming is never needed.
    autoVacuum: false,
  });
  private readonly byId = new Map<string, KnowledgePassage>();
  private readonly options: KnowledgeIndexOptions;

  constructor(options: KnowledgeIndexOptions = {}) {
    this.options = options;
  }

  /** An index holding `passages` (as stored by a server), vectors included. */
  static fromPassages(passages: readonly KnowledgePassage[], options: KnowledgeIndexOptions = {}): KnowledgeIndex {
    const index = new KnowledgeIndex(options);
    index.addPassages(passages);
    return index;
  }

  /** Number of passages. */
  get size(): number {
    return this.byId.size;
  }

  /** Splits and adds a document, replacing one with the same id; returns its passages. */
  addDocument(doc: KbDocument, options: SplitOptions = {}): KnowledgePassage[] {
    const passages = documentPassages(doc, options);
    this.removeDocument(doc.id);
    this.addPassages(passages);
    return passages;
  }

  /**
   * Adds passages.
   * @throws XQC_INVALID_ARGUMENT when an id is already present or a vector is not finite
   */
  addPassages(passages: readonly KnowledgePassage[]): void {
    const seen = new Set<string>();
    for (const p of passages) {
      if (this.byId.has(p.id) || seen.has(p.id)) throw new XqcError('XQC_INVALID_ARGUMENT', `knowledge-base passage ${p.id} is already indexed`);
      if (p.vector && !p.vector.every(Number.isFinite)) throw new XqcError('XQC_INVALID_ARGUMENT', `passage ${p.id} has a non-finite vector`);
      seen.add(p.id);
    }
    for (const p of passages) {
      const copy: KnowledgePassage = { ...p, ...(p.vector ? { vector: [...p.vector] } : {}) };
      this.byId.set(p.id, copy);
      this.search_.add(copy);
    }
  }

  /** Removes every passage of a document; returns how many were removed. */
  removeDocument(documentId: string): number {
    const ids = [...this.byId.values()].filter((p) => p.documentId === documentId).map((p) => p.id);
    for (const id of ids) this.removePassage(id);
    return ids.length;
  }

  /** Removes one passage; false when it was not there. */
  removePassage(id: string): boolean {
    const p = this.byId.get(id);
    if (!p) return false;
    this.search_.remove(p);
    this.byId.delete(id);
    return true;
  }

  /** Copies of every passage in insertion order (vectors included), ready to store. */
  passages(): KnowledgePassage[] {
    return [...this.byId.values()].map((p) => ({ ...p, ...(p.vector ? { vector: [...p.vector] } : {}) }));
  }

  /** One passage by id, or undefined. */
  get(id: string): KnowledgePassage | undefined {
    const p = this.byId.get(id);
    return p ? { ...p } : undefined;
  }

  /** Ids of the documents present. */
  documentIds(): string[] {
    return [...new Set([...this.byId.values()].map((p) => p.documentId))];
  }

  /** BM25 search only, synchronous: the best `k` passages, score = BM25+ score. */
  searchText(query: string, k: number): KbPassage[] {
    return this.bm25(query).slice(0, Math.max(0, k)).map(([id, score]) => this.hit(id, score));
  }

  /**
   * Hybrid search when the index has an embedding function, else BM25 only: the best `k`
   * passages, best first. Passages without a vector are embedded first (and keep it).
   * Scores are BM25+ scores, or the fused RRF scores in hybrid mode.
   */
  async search(query: string, k: number): Promise<KbPassage[]> {
    const embed = this.options.embed;
    if (!embed || k <= 0) return this.searchText(query, k);
    const lexical = this.bm25(query);
    let semantic: [string, number][];
    try {
      await this.embedMissing();
      const [q] = await embed([query]);
      semantic = this.vectorRanking(q);
    } catch (e) {
      if (!this.options.onEmbedError) throw e;
      this.options.onEmbedError(e);
      return lexical.slice(0, k).map(([id, score]) => this.hit(id, score));
    }
    const fused = new Map<string, number>();
    const add = (list: [string, number][]): void =>
      list.slice(0, Math.max(FUSION_DEPTH, k)).forEach(([id], rank) => fused.set(id, (fused.get(id) ?? 0) + 1 / (RRF_K + rank + 1)));
    add(lexical);
    add(semantic.filter(([, s]) => s > 0));
    return [...fused.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, k)
      .map(([id, score]) => this.hit(id, score));
  }

  /**
   * Embeds the passages that have no vector yet, in batches; returns how many were embedded.
   * @throws XQC_INVALID_ARGUMENT without an embedding function, or when it returns the wrong count or dimension
   */
  async embedMissing(): Promise<number> {
    const embed = this.options.embed;
    if (!embed) throw new XqcError('XQC_INVALID_ARGUMENT', 'this knowledge index has no embedding function');
    const missing = [...this.byId.values()].filter((p) => !p.vector);
    const batch = Math.max(1, this.options.embedBatch ?? 32);
    let dimension = this.dimension();
    for (let i = 0; i < missing.length; i += batch) {
      const part = missing.slice(i, i + batch);
      const vectors = await embed(part.map((p) => `${p.source}\n${p.text}`));
      if (vectors.length !== part.length) throw new XqcError('XQC_INVALID_ARGUMENT', `the embedding function returned ${vectors.length} vectors for ${part.length} texts`);
      part.forEach((p, j) => {
        dimension = checkVector(vectors[j], dimension);
        p.vector = [...vectors[j]];
      });
    }
    return missing.length;
  }

  /** Dimension of the stored vectors, undefined when there are none. */
  private dimension(): number | undefined {
    for (const p of this.byId.values()) if (p.vector) return p.vector.length;
    return undefined;
  }

  private bm25(query: string): [string, number][] {
    // Distinct words only, and at most MAX_QUERY_WORDS of them: fuzzy matching costs per query term, and a long
    // pasted text adds noise rather than evidence.
    const words = [...new Set(kbWords(query).filter((w) => kbTerm(w) !== null))].slice(0, MAX_QUERY_WORDS);
    if (words.length === 0) return [];
    const results = this.search_.search(words.join(' '), {
      boost: { source: 2, text: 1, documentTitle: 1 },
      prefix: (term) => term.length >= 4,
      fuzzy: (term) => (term.length >= 6 ? 0.2 : false),
      combineWith: 'OR',
    });
    return results.map((r) => [String(r.id), r.score] as [string, number]).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  }

  private vectorRanking(q: readonly number[]): [string, number][] {
    checkVector(q, this.dimension());
    return [...this.byId.values()]
      .filter((p) => p.vector)
      .map((p) => [p.id, cosineSimilarity(q, p.vector as number[])] as [string, number])
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  }

  private hit(id: string, score: number): KbPassage {
    const p = this.byId.get(id) as KnowledgePassage;
    return { id: p.id, documentId: p.documentId, documentTitle: p.documentTitle, source: p.source, text: p.text, score };
  }
}
