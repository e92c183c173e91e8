/**
 * Calls of the question answering and knowledge-base API (`/api/xai-qc/inspections/{id}/questions`,
 * `/questions/...`, `/knowledge/...`) with the session's token; a 401 marks the session
 * expired, any other refusal throws the server's problem as an `XaiQcApiError`, so pages show
 * it with `describeError` like every other error.
 */
import { XaiQcApiError } from '@xai-qc/client';
import { API_PREFIX } from '../../app/api.ts';
import { currentAccessToken, expireSession } from '../../app/session.ts';
import type { FeedbackBody, KnowledgeDocument, KnowledgePassage, Question } from './types.ts';

/** Sends one JSON request to an API path (`/questions/...`) and parses the JSON answer (undefined for 204). */
export async function requestJson<T>(method: 'GET' | 'POST' | 'DELETE', path: string, init: { body?: unknown; form?: FormData; query?: Record<string, string | number | boolean | undefined>; signal?: AbortSignal } = {}): Promise<T> {
  const url = new URL(API_PREFIX + path, window.location.origin);
  for (const [k, v] of Object.entries(init.query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
  const token = await currentAccessToken();
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  let body: BodyInit | undefined;
  if (init.form) body = init.form;
  else if (init.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.body);
  }
  const res = await fetch(url, { method, headers, body, signal: init.signal });
  if (res.status === 401) expireSession();
  if (!res.ok) throw await XaiQcApiError.fromResponse(res);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Asks a question about an inspection (`POST /inspections/{id}/questions`). */
export function askQuestion(inspectionId: string, question: string, signal?: AbortSignal): Promise<Question> {
  return requestJson<Question>('POST', `/inspections/${encodeURIComponent(inspectionId)}/questions`, { body: { question }, signal });
}

/** The questions asked about an inspection, oldest first. */
export async function listQuestions(inspectionId: string, signal?: AbortSignal): Promise<Question[]> {
  const r = await requestJson<{ items: Question[] }>('GET', `/inspections/${encodeURIComponent(inspectionId)}/questions`, { signal });
  return r.items;
}

/** Gives feedback on an answer (`POST /questions/{id}/feedback`). */
export function sendFeedback(questionId: string, body: FeedbackBody): Promise<unknown> {
  return requestJson<unknown>('POST', `/questions/${encodeURIComponent(questionId)}/feedback`, { body });
}

/** Answers people marked unhelpful (engineers and up), newest feedback first, a page at a time. */
export function listUnhelpful(cursor?: string, signal?: AbortSignal): Promise<{ items: Question[]; nextCursor?: string | null }> {
  return requestJson<{ items: Question[]; nextCursor?: string | null }>('GET', '/questions', { query: { helpful: false, limit: 50, cursor }, signal });
}

/** The account's knowledge-base documents, the built-in defect book's included. */
export async function listDocuments(signal?: AbortSignal): Promise<KnowledgeDocument[]> {
  const r = await requestJson<{ items: KnowledgeDocument[] }>('GET', '/knowledge/documents', { signal });
  return r.items;
}

/** One document with its passages. */
export function getDocument(id: string, signal?: AbortSignal): Promise<KnowledgeDocument> {
  return requestJson<KnowledgeDocument>('GET', `/knowledge/documents/${encodeURIComponent(id)}`, { signal });
}

/** Uploads a document (Markdown, plain text or PDF) with its title. */
export function uploadDocument(file: File, title: string): Promise<KnowledgeDocument> {
  const form = new FormData();
  form.append('title', title);
  form.append('file', file, file.name);
  return requestJson<KnowledgeDocument>('POST', '/knowledge/documents', { form });
}

/** Deletes an uploaded document. */
export function deleteDocument(id: string): Promise<unknown> {
  return requestJson<unknown>('DELETE', `/knowledge/documents/${encodeURIComponent(id)}`);
}

/** Searches the knowledge base; `k` passages, best first. */
export async function searchKnowledge(q: string, k = 8, signal?: AbortSignal): Promise<KnowledgePassage[]> {
  const r = await requestJson<{ items: KnowledgePassage[] } | KnowledgePassage[]>('GET', '/knowledge/search', { query: { q, k }, signal });
  return Array.isArray(r) ? r : r.items;
}
