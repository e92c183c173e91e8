/**
 * The knowledge base of an account: uploaded documents (Markdown, plain text, PDF) split by
 * the core into passages and stored with them in one transaction, plus the shipped defect
 * book, which every account sees and nobody can delete. Search goes through one
 * KnowledgeIndex per account (BM25, hybrid with vectors when an embedding endpoint is
 * configured), built from the stored passages and the book and cached per process; the
 * account's `knowledge_state` version, bumped in the transaction of every addition or
 * deletion, tells each process (scale-out included) when its cached index is stale.
 */
import { randomUUID } from 'node:crypto';
import { DEFECT_BOOK_ID_PREFIX, documentPassages, KnowledgeIndex, defectBookPassages, loadDefectBook } from '@xai-qc/core';
import type { EmbedFunction, KbMediaType, KbPassage, KnowledgePassage } from '@xai-qc/core';
import type { Principal } from '../auth/principal.ts';
import type { KnowledgeDocumentRow } from '../db/tables/ask.tables.ts';
import { ApiError, badRequest, conflict, notFound } from '../errors/api-error.ts';
import { bytesVector, vectorBytes } from '../repositories/embedding.repository.ts';
import type { KnowledgeRepository } from '../repositories/knowledge.repository.ts';
import type { KnowledgeDocument, KnowledgeDocumentDetail } from '../schemas/knowledge.schema.ts';

/** Default largest document, bytes (XQC_KB_MAX_BYTES): 10 MiB. */
export const DEFAULT_KB_MAX_BYTES = 10 * 1024 * 1024;
/** Accounts whose index a process keeps. */
const MAX_CACHED_INDEXES = 64;

/** A document's text as extracted (services/document-text.ts). */
export interface ExtractedText {
  mediaType: KbMediaType;
  /** the first Markdown heading, the PDF's title, or the file name without its extension */
  title: string;
  text: string;
  pages?: string[];
}

/** Dependencies of {@link KnowledgeService}. */
export interface KnowledgeServiceDeps {
  repo: KnowledgeRepository;
  /** Text of an uploaded file; throws 400 XQC_DOCUMENT_TYPE, XQC_DOCUMENT_INVALID or XQC_DOCUMENT_EMPTY. */
  extract(bytes: Uint8Array, filename: string, declaredType?: string): Promise<ExtractedText>;
  /** Embeddings of passages and queries (XQC_EMBED_URL); without it, BM25 only. */
  embed?: EmbedFunction;
  /** Largest document in bytes (default {@link DEFAULT_KB_MAX_BYTES}). */
  maxBytes?: number;
  /** Reports an embedding failure (the upload stores the passages without vectors; a search ranks by BM25). */
  onEmbedError?: (error: unknown) => void;
  clock?: () => Date;
}

/** An uploaded file. */
export interface DocumentUpload {
  bytes: Uint8Array;
  filename: string;
  title?: string;
  /** the content type the client declared (used only when the name has no known extension) */
  declaredType?: string;
}

function documentOf(r: KnowledgeDocumentRow): KnowledgeDocument {
  return { id: r.id, title: r.title, filename: r.filename, mediaType: r.media_type, bytes: r.bytes, passages: r.passages, builtIn: false, createdAt: r.created_at, createdBy: r.created_by };
}

/** See the module comment. */
export class KnowledgeService {
  private readonly cache = new Map<string, { version: number; index: KnowledgeIndex }>();
  private readonly building = new Map<string, Promise<KnowledgeIndex>>();
  private book: Promise<KnowledgePassage[]> | undefined;
  private readonly clock: () => Date;
  /** Largest document in bytes. */
  readonly maxBytes: number;

  constructor(private readonly deps: KnowledgeServiceDeps) {
    this.clock = deps.clock ?? (() => new Date());
    this.maxBytes = deps.maxBytes ?? DEFAULT_KB_MAX_BYTES;
  }

  /** The defect book's documents as the API lists them. */
  private builtIns(): KnowledgeDocument[] {
    const passages = defectBookPassages();
    return loadDefectBook().map((d) => ({
      id: d.id,
      title: d.title,
      filename: d.filename,
      mediaType: d.mediaType,
      bytes: Buffer.byteLength(d.text),
      passages: passages.filter((p) => p.documentId === d.id).length,
      builtIn: true,
      createdAt: null,
      createdBy: null,
    }));
  }

  /**
   * Stores an uploaded document and its passages in one transaction.
   * @throws 413 XQC_DOCUMENT_TOO_LARGE; 400 XQC_DOCUMENT_TYPE, XQC_DOCUMENT_INVALID, XQC_DOCUMENT_EMPTY
   */
  async upload(principal: Principal, upload: DocumentUpload): Promise<KnowledgeDocument> {
    if (upload.bytes.length > this.maxBytes) throw tooLarge(this.maxBytes);
    let extracted: ExtractedText;
    try {
      extracted = await this.deps.extract(upload.bytes, upload.filename, upload.declaredType);
    } catch (e) {
      // The API answers every refused document with 400 and its code (docs/api.md), whatever status the extractor chose.
      if (e instanceof ApiError && e.code.startsWith('XQC_DOCUMENT_')) throw new ApiError(400, e.code, e.message, { cause: e });
      throw e;
    }
    const id = randomUUID();
    const title = (upload.title ?? '').trim() || extracted.title.trim() || upload.filename;
    const passages = documentPassages({ id, title, text: extracted.text, mediaType: extracted.mediaType, ...(extracted.pages ? { pages: extracted.pages } : {}) });
    if (passages.length === 0) throw badRequest('XQC_DOCUMENT_EMPTY', `${upload.filename}: no text to index`);
    const vectors = await this.embedAll(passages.map((p) => `${p.source}\n${p.text}`));
    const now = this.clock().toISOString();
    const row = { id, account_id: principal.accountId, title, filename: upload.filename, media_type: extracted.mediaType, bytes: upload.bytes.length, passages: passages.length, created_at: now, created_by: principal.subject };
    await this.deps.repo.insert(
      row,
      passages.map((p, i) => ({ id: p.id, document_id: id, account_id: principal.accountId, idx: p.ordinal, source: p.source, text: p.text, vector: vectors ? vectorBytes(Float32Array.from(vectors[i])) : null })),
    );
    return documentOf(row);
  }

  /** Embeddings of `texts`, or undefined without an endpoint or when it fails (reported). */
  private async embedAll(texts: string[]): Promise<number[][] | undefined> {
    const embed = this.deps.embed;
    if (!embed) return undefined;
    try {
      const out: number[][] = [];
      for (let i = 0; i < texts.length; i += 32) out.push(...(await embed(texts.slice(i, i + 32))));
      return out.length === texts.length ? out : undefined;
    } catch (e) {
      this.deps.onEmbedError?.(e);
      return undefined;
    }
  }

  /** The account's documents (newest first) after the defect book's. */
  async list(principal: Principal): Promise<{ items: KnowledgeDocument[] }> {
    return { items: [...this.builtIns(), ...(await this.deps.repo.list(principal.accountId)).map(documentOf)] };
  }

  /** One document with its passages. @throws 404 */
  async get(principal: Principal, id: string): Promise<KnowledgeDocumentDetail> {
    if (id.startsWith(DEFECT_BOOK_ID_PREFIX)) {
      const doc = this.builtIns().find((d) => d.id === id);
      if (!doc) throw notFound(`document ${id}`);
      return { ...doc, passagesList: defectBookPassages().filter((p) => p.documentId === id).map((p) => ({ id: p.id, source: p.source, text: p.text })) };
    }
    const row = await this.deps.repo.find(principal.accountId, id);
    if (!row) throw notFound(`document ${id}`);
    const passages = await this.deps.repo.passagesOf(principal.accountId, id);
    return { ...documentOf(row), passagesList: passages.map((p) => ({ id: p.id, source: p.source, text: p.text })) };
  }

  /** Deletes a document with its passages. @throws 409 XQC_DOCUMENT_BUILT_IN for the defect book; 404 */
  async delete(principal: Principal, id: string): Promise<void> {
    if (this.builtIns().some((d) => d.id === id)) throw conflict('XQC_DOCUMENT_BUILT_IN', `${id} is part of the shipped defect book and cannot be deleted`);
    if (!(await this.deps.repo.delete(principal.accountId, id, this.clock().toISOString()))) throw notFound(`document ${id}`);
  }

  /** The best `k` passages of the account's documents and the defect book for `q`. */
  async search(principal: Principal, q: string, k: number): Promise<{ items: KbPassage[] }> {
    return { items: await this.retrieve(principal.accountId, q, k) };
  }

  /** Search over the account's documents and the defect book (what `AskContext.retrieve` is bound to). */
  async retrieve(accountId: string, q: string, k: number): Promise<KbPassage[]> {
    return (await this.indexOf(accountId)).search(q, k);
  }

  /** The defect book's passages, embedded once per process when an endpoint is configured. */
  private async bookPassages(): Promise<KnowledgePassage[]> {
    const embed = this.deps.embed;
    if (!embed) return defectBookPassages();
    this.book ??= (async () => {
      const passages = defectBookPassages();
      const vectors = await this.embedAll(passages.map((p) => `${p.source}\n${p.text}`));
      if (!vectors) {
        this.book = undefined;
        return passages;
      }
      return passages.map((p, i) => ({ ...p, vector: vectors[i] }));
    })();
    return this.book;
  }

  /** The account's index, current with its stored version. */
  private async indexOf(accountId: string): Promise<KnowledgeIndex> {
    const version = await this.deps.repo.version(accountId);
    const cached = this.cache.get(accountId);
    if (cached && cached.version === version) {
      this.cache.delete(accountId);
      this.cache.set(accountId, cached);
      return cached.index;
    }
    const inFlight = this.building.get(accountId);
    if (inFlight) return inFlight;
    const p = this.build(accountId).finally(() => this.building.delete(accountId));
    this.building.set(accountId, p);
    return p;
  }

  private async build(accountId: string): Promise<KnowledgeIndex> {
    const { version, passages } = await this.deps.repo.allPassages(accountId);
    const own: KnowledgePassage[] = passages.map((p) => ({
      id: p.id,
      documentId: p.document_id,
      documentTitle: p.title,
      source: p.source,
      text: p.text,
      ordinal: p.idx,
      ...(p.vector ? { vector: Array.from(bytesVector(p.vector)) } : {}),
    }));
    const options = this.deps.embed ? { embed: this.deps.embed, onEmbedError: this.deps.onEmbedError ?? (() => undefined) } : {};
    const index = KnowledgeIndex.fromPassages([...(await this.bookPassages()), ...own], options);
    this.cache.delete(accountId);
    this.cache.set(accountId, { version, index });
    while (this.cache.size > MAX_CACHED_INDEXES) this.cache.delete(this.cache.keys().next().value as string);
    return index;
  }
}

/** 413 for a document above the limit. */
export function tooLarge(maxBytes: number): ApiError {
  return new ApiError(413, 'XQC_DOCUMENT_TOO_LARGE', `the document is larger than ${maxBytes} bytes (XQC_KB_MAX_BYTES)`);
}
