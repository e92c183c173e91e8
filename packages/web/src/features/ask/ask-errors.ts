/**
 * The question and knowledge-base API's error codes as sentences (the shared table in
 * shared/lib/error-sentences.ts covers the rest): {@link describeAskError} puts these first
 * and otherwise answers as `describeError` does.
 */
import { isXaiQcApiError } from '@xai-qc/client';
import { describeError } from '../../shared/lib/error-sentences.ts';
import type { ErrorView } from '../../shared/lib/error-sentences.ts';

/** Sentences for the codes of the ask and knowledge-base routes. */
export const ASK_ERROR_SENTENCES: Readonly<Record<string, string>> = {
  XQC_QUESTION_EMPTY: 'Type a question first.',
  XQC_QUESTION_TOO_LONG: 'The question is too long: keep it to 1,000 characters.',
  XQC_DOCUMENT_TYPE: 'Only Markdown (.md), plain text (.txt) and PDF documents can be added.',
  XQC_DOCUMENT_INVALID: 'The file is not what its name says, or it cannot be read (a .pdf must be a real PDF).',
  XQC_DOCUMENT_EMPTY: 'The document has no text to search.',
  XQC_DOCUMENT_TOO_LARGE: 'The document is too large.',
  XQC_DOCUMENT_BUILT_IN: 'Documents of the built-in defect book cannot be deleted.',
  XQC_UPLOAD_FIELD: 'The upload form was not in the shape the server expects.',
  XQC_LLM: 'The language model could not be reached; try again, or ask without it.',
};

/** Like `describeError`, with the ask and knowledge-base codes as sentences. */
export function describeAskError(error: unknown): ErrorView {
  const view = describeError(error);
  const sentence = isXaiQcApiError(error) ? ASK_ERROR_SENTENCES[error.code] : undefined;
  if (!sentence) return view;
  const detail = isXaiQcApiError(error) && error.detail ? error.detail.trim() : undefined;
  return { ...view, title: sentence, detail: detail ? detail[0]!.toUpperCase() + detail.slice(1) + (/[.!?]$/.test(detail) ? '' : '.') : undefined };
}
