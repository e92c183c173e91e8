/** The optional language model of the answerer: an OpenAI-compatible chat client, the composer that must cite, and an embeddings client. */
export * from './chat-client.ts';
export * from './embeddings.ts';
export * from './sources.ts';
export * from './compose.ts';
