/**
 * The retrieval trace of an anomaly score: an index of past inspections by embedding
 * (pooled backbone features, L2-normalised), each with its id, the verdict the model gave
 * and the label a reviewer gave, so that an explanation can show "what this image
 * resembles" and how those cases were judged. Similarity is the cosine, computed in ONNX
 * Runtime by `cosine-top-k.ts`. Rows are kept in insertion order; removal compacts them.
 */
import { XqcError } from '../../errors.ts';
import type { CosineTopKOptions } from './cosine-top-k.ts';
import { cosineTopK } from './cosine-top-k.ts';
import { l2NormalizeRows } from './l2-normalize.ts';

/** One past inspection in the index. */
export interface IndexEntry {
  id: string;
  /** The model's verdict (for example 'ok' or 'reject'). */
  verdict: string;
  /** The reviewer's label, or null when the inspection was not reviewed. */
  review: string | null;
}

/** A past inspection found similar to the query. */
export interface RetrievalHit extends IndexEntry {
  /** Cosine similarity in [-1, 1] (float32 precision). */
  similarity: number;
}

/** Where the embeddings come from; embeddings of different layers or models are not comparable. */
export interface EmbeddingProvenance {
  /** Model name and version, as the card gives them. */
  model?: string;
  /** Backbone value that was pooled. */
  layer?: string;
}

/** See the module comment. */
export class EmbeddingIndex {
  private rows: Float32Array;
  private readonly list: IndexEntry[] = [];
  private readonly positions = new Map<string, number>();

  /**
   * An empty index of `dim`-wide embeddings.
   * @param options session cache, session options and rows per ONNX run of the searches
   */
  constructor(readonly dim: number, readonly provenance: EmbeddingProvenance = {}, private readonly options: CosineTopKOptions = {}) {
    if (!(Number.isInteger(dim) && dim >= 1)) throw new XqcError('XQC_INVALID_ARGUMENT', `embedding dimension must be a positive integer, got ${dim}`);
    this.rows = new Float32Array(dim * 64);
  }

  /**
   * Rebuilds an index from stored rows that are already unit length (as {@link vectors}
   * returned them), keeping them bit for bit.
   * @param rows [entries.length, dim] float32
   * @throws XQC_SHAPE_MISMATCH when the sizes disagree; XQC_INVALID_ARGUMENT when a row's norm is not 1 within 1e-4
   */
  static restore(dim: number, entries: readonly IndexEntry[], rows: Float32Array, provenance: EmbeddingProvenance = {}, options: CosineTopKOptions = {}): EmbeddingIndex {
    const index = new EmbeddingIndex(dim, provenance, options);
    if (rows.length !== entries.length * dim) throw new XqcError('XQC_SHAPE_MISMATCH', `${entries.length} entries need ${entries.length * dim} values, got ${rows.length}`);
    for (let i = 0; i < entries.length; i++) {
      let s = 0;
      for (let j = 0; j < dim; j++) s += rows[i * dim + j] ** 2;
      if (!(Math.abs(Math.sqrt(s) - 1) <= 1e-4)) throw new XqcError('XQC_INVALID_ARGUMENT', `stored embedding ${i} has norm ${Math.sqrt(s)}, not 1`);
    }
    index.append(entries, rows);
    return index;
  }

  /** Number of inspections in the index. */
  get size(): number {
    return this.list.length;
  }

  /** True when an inspection with this id is indexed. */
  has(id: string): boolean {
    return this.positions.has(id);
  }

  /** The stored entry of `id`. */
  get(id: string): IndexEntry | undefined {
    const p = this.positions.get(id);
    return p === undefined ? undefined : { ...this.list[p] };
  }

  /** Every entry, in storage order. */
  entries(): IndexEntry[] {
    return this.list.map((e) => ({ ...e }));
  }

  /** The unit-length embeddings [size, dim] float32 in storage order (a view: copy before keeping). */
  vectors(): Float32Array {
    return this.rows.subarray(0, this.size * this.dim);
  }

  /**
   * Adds one inspection; the embedding is L2-normalised on the way in.
   * @param embedding [dim] pooled features (any scale; not all zero)
   * @throws XQC_SHAPE_MISMATCH when the length is not `dim`; XQC_INVALID_ARGUMENT for a duplicate id
   */
  add(entry: IndexEntry, embedding: ArrayLike<number>): void {
    this.addMany([entry], embedding);
  }

  /**
   * Adds several inspections at once.
   * @param embeddings [n, dim] row-major, one row per entry
   */
  addMany(entries: readonly IndexEntry[], embeddings: ArrayLike<number>): void {
    const n = entries.length;
    if (embeddings.length !== n * this.dim) {
      throw new XqcError('XQC_SHAPE_MISMATCH', `${n} entries need ${n * this.dim} embedding values (dimension ${this.dim}), got ${embeddings.length}`, {
        details: { expected: this.dim, got: n === 0 ? embeddings.length : embeddings.length / n },
      });
    }
    this.append(entries, l2NormalizeRows(embeddings, n, this.dim));
  }

  /** Checks the ids and appends entries with their unit rows [n, dim]. */
  private append(entries: readonly IndexEntry[], unit: Float32Array): void {
    const seen = new Set<string>();
    for (const e of entries) {
      if (typeof e.id !== 'string' || e.id === '') throw new XqcError('XQC_INVALID_ARGUMENT', 'an index entry needs a non-empty string id');
      if (this.positions.has(e.id) || seen.has(e.id)) throw new XqcError('XQC_INVALID_ARGUMENT', `inspection '${e.id}' is already in the index`);
      seen.add(e.id);
    }
    this.reserve(this.size + entries.length);
    this.rows.set(unit, this.size * this.dim);
    for (const e of entries) {
      this.positions.set(e.id, this.list.length);
      this.list.push({ id: e.id, verdict: e.verdict, review: e.review ?? null });
    }
  }

  /** Removes an inspection; returns false when it was not indexed. */
  remove(id: string): boolean {
    const p = this.positions.get(id);
    if (p === undefined) return false;
    const d = this.dim;
    this.rows.copyWithin(p * d, (p + 1) * d, this.size * d);
    this.list.splice(p, 1);
    this.positions.delete(id);
    for (let i = p; i < this.list.length; i++) this.positions.set(this.list[i].id, i);
    return true;
  }

  /**
   * The k past inspections most similar to `query` (k is capped at the index size),
   * most similar first; ties go to the earlier inspection.
   * @param query [dim] embedding (normalised here)
   * @throws XQC_EXPLAIN when the index is empty; XQC_SHAPE_MISMATCH when the length is not `dim`
   */
  async search(query: ArrayLike<number>, k: number): Promise<RetrievalHit[]> {
    return (await this.searchMany(query, 1, k))[0];
  }

  /**
   * {@link search} for q queries in one pass over the index.
   * @param queries [q, dim] row-major
   */
  async searchMany(queries: ArrayLike<number>, q: number, k: number): Promise<RetrievalHit[][]> {
    if (this.size === 0) throw new XqcError('XQC_EXPLAIN', 'the embedding index is empty: add past inspections before searching it');
    if (queries.length !== q * this.dim) {
      throw new XqcError('XQC_SHAPE_MISMATCH', `queries of dimension ${this.dim} expected, got ${queries.length} values for ${q} queries`, {
        details: { expected: this.dim, got: q > 0 ? queries.length / q : queries.length },
      });
    }
    const unit = l2NormalizeRows(queries, q, this.dim);
    const top = await cosineTopK(unit, q, this.vectors(), this.size, this.dim, k, this.options);
    return Array.from({ length: q }, (_, i) =>
      Array.from({ length: top.k }, (_, r) => {
        const e = this.list[top.indices[i * top.k + r]];
        return { id: e.id, verdict: e.verdict, review: e.review, similarity: top.similarities[i * top.k + r] };
      }),
    );
  }

  private reserve(rows: number): void {
    if (rows * this.dim <= this.rows.length) return;
    const grown = new Float32Array(Math.max(rows, 2 * (this.rows.length / this.dim)) * this.dim);
    grown.set(this.rows.subarray(0, this.size * this.dim));
    this.rows = grown;
  }
}
