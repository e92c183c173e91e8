/**
 * The core's answerer as the server calls it (packages/core/src/ask): question parsing, the
 * grounded answer, the language-model composer and the embedding client, gathered in one
 * place so the service depends on one small interface.
 */
import { answerQuestion, composeWithLlm, createEmbedder, parseQuestion } from '@xai-qc/core';
import type { Answer, AskContext, EmbedFunction, ParsedQuestion } from '@xai-qc/core';

/** What the ask service needs of the core. */
export interface AskCore {
  /** Intent and slots of a question; `labels` are the model's class names. */
  parseQuestion(text: string, labels: string[]): ParsedQuestion;
  /** The grounded answer from the context. */
  answerQuestion(question: ParsedQuestion, ctx: AskContext): Promise<Answer>;
  /** The language model's rewrite, accepted only when it cites only given sources; else `grounded` with `llmRejected`. */
  composeWithLlm(grounded: Answer, ctx: AskContext, options: { url: string; model: string; apiKey?: string; timeoutMs: number; images: boolean; image?: { bytes: Uint8Array; mediaType: string } }): Promise<Answer>;
}

/** The core's implementation. */
export const CORE_ANSWERER: AskCore = {
  parseQuestion: (text, labels) => parseQuestion(text, labels),
  answerQuestion: async (question, ctx) => answerQuestion(question, ctx),
  composeWithLlm: async (grounded, ctx, o) => composeWithLlm(grounded, ctx, { baseUrl: o.url, model: o.model, apiKey: o.apiKey, timeoutMs: o.timeoutMs, acceptsImages: o.images, image: o.image }),
};

/** An embedding function over an OpenAI-compatible `/embeddings` endpoint. */
export function embedderOf(options: { url: string; model: string; apiKey?: string; timeoutMs: number }): EmbedFunction {
  return createEmbedder({ baseUrl: options.url, model: options.model, apiKey: options.apiKey, timeoutMs: options.timeoutMs });
}
