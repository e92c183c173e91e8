/**
 * Schemas of the knowledge-base routes (TypeBox): a document (uploaded or of the shipped
 * defect book), a document with its passages, a search query and its passages.
 */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';

/** A knowledge-base document. */
export const KnowledgeDocumentSchema = Type.Object(
  {
    id: Type.String({ description: 'a UUID, or defect-book/<name> for the shipped defect book' }),
    title: Type.String(),
    filename: Type.String(),
    mediaType: Type.String({ description: 'text/markdown, text/plain or application/pdf' }),
    bytes: Type.Integer({ description: 'size of the file' }),
    passages: Type.Integer({ description: 'number of passages it was split into' }),
    builtIn: Type.Boolean({ description: 'part of the shipped defect book: visible to every account, cannot be deleted' }),
    createdAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'null for the defect book' }),
    createdBy: Type.Union([Type.String(), Type.Null()], { description: 'principal subject; null for the defect book' }),
  },
  { $id: 'KnowledgeDocument', title: 'KnowledgeDocument' },
);

/** A document as returned. */
export type KnowledgeDocument = Static<typeof KnowledgeDocumentSchema>;

/** `$ref` to {@link KnowledgeDocumentSchema}. */
export const KnowledgeDocumentRef = Type.Unsafe<KnowledgeDocument>(Type.Ref('KnowledgeDocument'));

/** A document and its passages. */
export const KnowledgeDocumentDetailSchema = Type.Intersect([
  KnowledgeDocumentRef,
  Type.Object({ passagesList: Type.Array(Type.Object({ id: Type.String(), source: Type.String({ description: 'section heading path, title or page' }), text: Type.String() }), { description: 'in document order' }) }),
]);

/** A document with its passages. */
export type KnowledgeDocumentDetail = KnowledgeDocument & { passagesList: { id: string; source: string; text: string }[] };

/** The account's documents after the defect book's. */
export const KnowledgeDocumentListSchema = Type.Object({ items: Type.Array(KnowledgeDocumentRef, { description: 'the defect book first, then the account’s documents, newest first' }) });

/** Path parameters of one document. */
export const DocumentIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200, description: 'a UUID or defect-book/<name>' }) });

/** A passage found by a search (core ask/types.ts `KbPassage`). */
export const KbPassageSchema = Type.Object(
  {
    id: Type.String({ description: 'passage id, `<documentId>#<ordinal>`' }),
    documentId: Type.String(),
    documentTitle: Type.String(),
    source: Type.String({ description: 'section heading path, title or page' }),
    text: Type.String(),
    score: Type.Number({ description: 'BM25+ score, or the fused reciprocal-rank score in hybrid mode; larger is better' }),
  },
  { $id: 'KbPassage', title: 'KbPassage' },
);

/** Query of `GET /knowledge/search`. */
export const KnowledgeSearchQuerySchema = Type.Object(
  {
    q: Type.String({ minLength: 1, maxLength: 1000 }),
    k: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 5 })),
  },
  { additionalProperties: false },
);

/** Passages found, best first. */
export const KnowledgeSearchResultSchema = Type.Object({ items: Type.Array(Type.Ref('KbPassage'), { description: 'best first' }) });
