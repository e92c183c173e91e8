/**
 * Embeddings over the OpenAI-compatible `POST {baseUrl}/embeddings` (OpenAI, Ollama's `/v1`,
 * vLLM, LM Studio), usable as the embedding function of a {@link KnowledgeIndex}.
 */
import type { EmbedFunction } from '../kb/knowledge-index.ts';
import { LLM_DEFAULT_TIMEOUT_MS, LlmError, endpointUrl, postJson, providerMessage, readText } from './chat-client.ts';
import type { LlmEndpoint } from './chat-client.ts';

/** Options of {@link createEmbedder}. */
export interface EmbedderOptions extends LlmEndpoint {
  /** texts per request, 64 by default */
  batchSize?: number;
}

/**
 * An embedding function over an OpenAI-compatible endpoint: sends `{ model, input: string[] }`
 * in batches and returns `data[i].embedding` in input order (by `index` when the provider gives it).
 * @throws LlmError `http`, `timeout`, `network`, or `protocol` when the answer has the wrong count or non-numeric vectors
 */
export function createEmbedder(options: EmbedderOptions): EmbedFunction {
  const url = endpointUrl(options.baseUrl, 'embeddings');
  const batchSize = Math.max(1, options.batchSize ?? 64);
  return async (texts: string[]): Promise<number[][]> => {
    const out: number[][] = [];
    for (let i = 0; i < texts.length; i += batchSize) {
      const input = texts.slice(i, i + batchSize);
      const { response, signal } = await postJson(url, { model: options.model, input }, options);
      const text = await readText(response, signal, url, options.timeoutMs ?? LLM_DEFAULT_TIMEOUT_MS);
      let data: { embedding?: unknown; index?: number }[] | undefined;
      try {
        data = (JSON.parse(text) as { data?: { embedding?: unknown; index?: number }[] }).data;
      } catch (e) {
        throw new LlmError('protocol', `${url} answered with a body that is not JSON: ${providerMessage(text)}`, { cause: e });
      }
      if (!Array.isArray(data) || data.length !== input.length) {
        throw new LlmError('protocol', `${url} returned ${Array.isArray(data) ? data.length : 'no'} embeddings for ${input.length} texts`);
      }
      const ordered = data.every((d) => typeof d.index === 'number') ? [...data].sort((a, b) => (a.index as number) - (b.index as number)) : data;
      for (const d of ordered) {
        const v = d.embedding;
        if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
          throw new LlmError('protocol', `${url} returned an embedding that is not a list of finite numbers`);
        }
        out.push(v as number[]);
      }
    }
    return out;
  };
}
