/**
 * Knowledge-base routes under the API prefix: `POST /knowledge/documents` (engineer: upload a
 * Markdown, text or PDF document), `GET /knowledge/documents` and `GET /knowledge/documents/:id`
 * (viewer; the shipped defect book included), `DELETE /knowledge/documents/:id` (engineer; 409
 * for the defect book) and `GET /knowledge/search` (viewer). The account comes from the
 * principal: another account's document is a 404 and never found by a search.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal.ts';
import type { Config } from '../config/load-config.ts';
import { ApiError, badRequest, unauthorized } from '../errors/api-error.ts';
import { problems } from '../schemas/common.schema.ts';
import {
  DocumentIdParams,
  KbPassageSchema,
  KnowledgeDocumentDetailSchema,
  KnowledgeDocumentListSchema,
  KnowledgeDocumentRef,
  KnowledgeDocumentSchema,
  KnowledgeSearchQuerySchema,
  KnowledgeSearchResultSchema,
} from '../schemas/knowledge.schema.ts';
import { tooLarge } from '../services/ask-knowledge.ts';
import type { DocumentUpload } from '../services/ask-knowledge.ts';
import { askServices } from '../services/ask-setup.ts';

/** Options of {@link knowledgeRoutes}. */
export interface KnowledgeRoutesOptions {
  config: Config;
}

const TAGS = ['knowledge'];

function callerOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}

/** Reads the form: one file field `file` (counted while it streams: over `maxBytes` is a 413) and an optional `title`. */
async function readUpload(request: FastifyRequest, maxBytes: number): Promise<DocumentUpload> {
  if (!request.isMultipart()) throw new ApiError(415, 'XQC_UNSUPPORTED_MEDIA_TYPE', 'send the document as multipart/form-data in a file field named file');
  let upload: { bytes: Uint8Array; filename: string; declaredType?: string } | undefined;
  let title: string | undefined;
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      if (part.fieldname !== 'file') throw badRequest('XQC_UPLOAD_FIELD', `unexpected file field '${part.fieldname}'; name the file field file`);
      if (upload) throw badRequest('XQC_TOO_MANY_FILES', 'send one document per request');
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of part.file as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > maxBytes) {
          part.file.resume();
          throw tooLarge(maxBytes);
        }
        chunks.push(chunk);
      }
      upload = { bytes: Buffer.concat(chunks), filename: part.filename || 'document', ...(part.mimetype ? { declaredType: part.mimetype } : {}) };
    } else if (part.fieldname === 'title') {
      title = String(part.value).slice(0, 500);
    } else {
      throw badRequest('XQC_UPLOAD_FIELD', `unexpected field '${part.fieldname}'; the form takes file and title`);
    }
  }
  if (!upload) throw badRequest('XQC_UPLOAD_MISSING', 'file: no file field named file in the form');
  return { ...upload, ...(title === undefined ? {} : { title }) };
}

const UPLOAD_DESCRIPTION =
  'multipart/form-data: file field `file` (Markdown .md, plain text .txt, or PDF recognised by its magic bytes) and an optional `title` ' +
  '(default: the file name). The text is split into passages (Markdown by headings, PDF by page) and stored with the document in one ' +
  'transaction. Refused before anything is stored: an unsupported type (400 XQC_DOCUMENT_TYPE), a file that is not what its name says or ' +
  'cannot be read, such as a .pdf that is not a PDF (400 XQC_DOCUMENT_INVALID), no text (400 XQC_DOCUMENT_EMPTY), more than XQC_KB_MAX_BYTES ' +
  '(default 10 MiB; 413 XQC_DOCUMENT_TOO_LARGE).';

/** Registers the knowledge-base routes (mount under the API prefix). */
export const knowledgeRoutes: FastifyPluginAsyncTypebox<KnowledgeRoutesOptions> = async (app, { config }) => {
  const { knowledge } = askServices(app, config);
  app.addSchema(KnowledgeDocumentSchema);
  app.addSchema(KbPassageSchema);

  app.post(
    '/knowledge/documents',
    {
      preHandler: app.requireRole('engineer'),
      schema: { tags: TAGS, summary: "Add a document to the account's knowledge base", description: UPLOAD_DESCRIPTION, consumes: ['multipart/form-data'], response: { 201: KnowledgeDocumentRef, ...problems(400, 401, 403, 413, 415) } },
    },
    async (request, reply) => reply.code(201).send(await knowledge.upload(callerOf(request), await readUpload(request, knowledge.maxBytes))),
  );

  app.get(
    '/knowledge/documents',
    {
      preHandler: app.requireRole('viewer'),
      schema: { tags: TAGS, summary: "The shipped defect book's documents and the account's own, newest first", response: { 200: KnowledgeDocumentListSchema, ...problems(401, 403) } },
    },
    async (request) => knowledge.list(callerOf(request)),
  );

  app.get(
    '/knowledge/documents/:id',
    {
      preHandler: app.requireRole('viewer'),
      schema: { tags: TAGS, summary: 'One document with its passages (defect book ids contain a slash: encode it as %2F)', params: DocumentIdParams, response: { 200: KnowledgeDocumentDetailSchema, ...problems(400, 401, 403, 404) } },
    },
    async (request) => knowledge.get(callerOf(request), request.params.id),
  );

  app.delete(
    '/knowledge/documents/:id',
    {
      preHandler: app.requireRole('engineer'),
      schema: { tags: TAGS, summary: 'Delete a document and its passages (409 XQC_DOCUMENT_BUILT_IN for the defect book)', params: DocumentIdParams, response: { 204: Type.Null(), ...problems(400, 401, 403, 404, 409) } },
    },
    async (request, reply) => {
      await knowledge.delete(callerOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/knowledge/search',
    {
      preHandler: app.requireRole('viewer'),
      schema: { tags: TAGS, summary: "Search the account's documents and the defect book (BM25; hybrid with vectors when XQC_EMBED_URL is set)", querystring: KnowledgeSearchQuerySchema, response: { 200: KnowledgeSearchResultSchema, ...problems(400, 401, 403) } },
    },
    async (request) => knowledge.search(callerOf(request), request.query.q, request.query.k ?? 5),
  );
};
