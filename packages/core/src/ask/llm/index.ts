/**
 * The optional language model of the answerer: an OpenAI-compatible chat client, the
 * composer whose answers must cite what they were given, and an embeddings client for the
 * knowledge base. The transport helpers stay internal.
 */
export { LLM_DEFAULT_TIMEOUT_MS, LlmError, chatCompletion, providerMessage } from './chat-client.ts';
export type { ChatContentPart, ChatMessage, ChatRequestOptions, ChatResult, ChatTool, ChatToolCall, LlmEndpoint, LlmFailure } from './chat-client.ts';
export { createEmbedder } from './embeddings.ts';
export type { EmbedderOptions } from './embeddings.ts';
export { ASK_TOOLS } from './sources.ts';
export { LLM_SYSTEM_PROMPT, composeWithLlm } from './compose.ts';
export type { ComposeWithLlmOptions } from './compose.ts';
