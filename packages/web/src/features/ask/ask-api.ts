/**
 * Calls of the question answering and knowledge-base API through the typed client
 * (`/api/xai-qc/inspections/{id}/questions`, `/questions/...`, `/knowledge/...`); refusals
 * throw the server's problem as an `XaiQcApiError`, shown with {@link describeAskError}.
 * The answers are read as the loose shapes of `types.ts`, which the generated types must fit
 * (the compiler checks that here).
 */
import { data } from '@xai-qc/client';
import { api, postForm } from '../../app/api.ts';
import type { FeedbackBody, KnowledgeDocument, KnowledgePassage, Question } from './types.ts';

/** Asks a question about an inspection (`POST /inspections/{id}/questions`). */
export async function askQuestion(inspectionId: string, question: string, signal?: AbortSignal): Promise<Question> {
  const q: Question = await data(api.POST('/api/xai-qc/inspections/{id}/questions', { params: { path: { id: inspectionId } }, body: { question }, signal }));
  return q;
}

/** The questions asked about an inspection, oldest first. */
export async function listQuestions(inspectionId: string, signal?: AbortSignal): Promise<Question[]> {
  const r = await data(api.GET('/api/xai-qc/inspections/{id}/questions', { params: { path: { id: inspectionId } }, signal }));
  const items: Question[] = r.items;
  return items;
}

/** Gives feedback on an answer (`POST /questions/{id}/feedback`); a second one replaces the first. */
export async function sendFeedback(questionId: string, body: FeedbackBody): Promise<unknown> {
  return data(api.POST('/api/xai-qc/questions/{id}/feedback', { params: { path: { id: questionId } }, body }));
}

/** Answers people marked unhelpful (engineers and up), newest feedback first, a page at a time. */
export async function listUnhelpful(cursor?: string, signal?: AbortSignal): Promise<{ items: Question[]; nextCursor: string | null }> {
  const r = await data(api.GET('/api/xai-qc/questions', { params: { query: { helpful: false, limit: 50, ...(cursor ? { cursor } : {}) } }, signal }));
  const items: Question[] = r.items;
  return { items, nextCursor: r.nextCursor };
}

/** The account's knowledge-base documents, the built-in defect book's first. */
export async function listDocuments(signal?: AbortSignal): Promise<KnowledgeDocument[]> {
  const r = await data(api.GET('/api/xai-qc/knowledge/documents', { signal }));
  const items: KnowledgeDocument[] = r.items;
  return items;
}

/** One document with its passages (`passagesList`). */
export async function getDocument(id: string, signal?: AbortSignal): Promise<KnowledgeDocument> {
  const d: KnowledgeDocument = await data(api.GET('/api/xai-qc/knowledge/documents/{id}', { params: { path: { id } }, signal }));
  return d;
}

/** Uploads a document (Markdown, plain text or PDF) with its title (multipart: `file`, `title`). */
export function uploadDocument(file: File, title: string): Promise<KnowledgeDocument> {
  const form = new FormData();
  form.append('title', title);
  form.append('file', file, file.name);
  return postForm<KnowledgeDocument>('/knowledge/documents', form);
}

/** Deletes an uploaded document (the defect book's refuse: 409 XQC_DOCUMENT_BUILT_IN). */
export async function deleteDocument(id: string): Promise<void> {
  await data(api.DELETE('/api/xai-qc/knowledge/documents/{id}', { params: { path: { id } } }));
}

/** Searches the knowledge base; `k` passages, best first. */
export async function searchKnowledge(q: string, k = 8, signal?: AbortSignal): Promise<KnowledgePassage[]> {
  const r = await data(api.GET('/api/xai-qc/knowledge/search', { params: { query: { q, k } }, signal }));
  const items: KnowledgePassage[] = r.items;
  return items;
}
