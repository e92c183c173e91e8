/**
 * Rewriting a grounded answer with a language model behind an OpenAI-compatible endpoint.
 * The model gets the question, the grounded answer's citations as numbered sources (with
 * the values they point at and the text of retrieved passages), the grounded answer as a
 * draft, the image when it accepts images, and tools to look up more of the record or the
 * knowledge base. Its answer is accepted only when it is not empty, cites at least one
 * source, cites only sources it was given, and keeps the suggestion of a human review when
 * the grounded answer made one; otherwise, and on any endpoint failure, the grounded answer
 * is returned with `llmRejected` saying why.
 */
import type { Answer, AskContext, Citation, EvidenceItem, KbPassage } from '../types.ts';
import { LLM_DEFAULT_TIMEOUT_MS, LlmError, chatCompletion } from './chat-client.ts';
import type { ChatContentPart, ChatMessage, LlmEndpoint } from './chat-client.ts';
import { ASK_TOOLS, SourceList, citationContent, runAskTool } from './sources.ts';

/** Options of {@link composeWithLlm}. */
export interface ComposeWithLlmOptions {
  /** e.g. `http://localhost:11434/v1` (Ollama), `https://api.openai.com/v1` */
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** the whole composition (every round), 30000 ms by default */
  timeoutMs?: number;
  /** the model accepts images: `image` goes along as a data URL content part */
  acceptsImages?: boolean;
  image?: { bytes: Uint8Array; mediaType: string };
  /** stream the model's text; `onToken` sees it as it comes (before validation: the final Answer decides) */
  stream?: boolean;
  onToken?: (token: string) => void;
  /** rounds in which the model may call tools, 3 by default; then it must answer. 0: no tools are offered */
  maxToolRounds?: number;
  /** knowledge-base passages retrieved for the question and given as sources, 3 by default */
  passages?: number;
  temperature?: number;
  maxTokens?: number;
}

/** The instructions every conversation starts with. */
export const LLM_SYSTEM_PROMPT = [
  'You answer an operator\'s question about one automated visual inspection at a quality-control station.',
  'Use only the numbered sources and the results of the tools you call; do not state facts about this part from anywhere else.',
  'Start with a direct answer in one or two sentences, then give the evidence.',
  'Put the number of each source you use in square brackets right after the statement it supports, like [1] or [2][3]. Cite only numbers you were given.',
  'If the sources do not answer the question, say so plainly.',
  'If the inspection is flagged as unsure, say so and recommend a review by a person.',
  'Be brief (about 120 words at most), plain text, no headings.',
].join(' ');

const MARKER = /\[\s*(?:sources?\s*:?\s*)?(\d+(?:\s*(?:,|;|-|\u2013)\s*\d+)*)\s*\]/gi;

/** The source numbers of one marker's inside: "2", "2, 3", "2-4" (ranges of at most 20). */
function markerNumbers(inner: string): number[] {
  const out: number[] = [];
  for (const part of inner.split(/\s*[,;]\s*/)) {
    const range = /^(\d+)\s*[-\u2013]\s*(\d+)$/.exec(part);
    if (range) {
      const [a, b] = [Number(range[1]), Number(range[2])];
      if (b >= a && b - a < 20) for (let n = a; n <= b; n++) out.push(n);
      else out.push(a, b);
    } else out.push(Number(part));
  }
  return out;
}

/** The grounded answer's text with its citation ids replaced by source numbers. */
function draftWithNumbers(grounded: Answer, sources: SourceList): string {
  const byId = new Map(sources.all().map((s) => [s.citation.id, s.n]));
  return grounded.answer.replace(/\[([^\]\s]+)\]/g, (m, id: string) => (byId.has(id) ? `[${byId.get(id)}]` : m));
}

function userMessage(grounded: Answer, sources: SourceList, options: ComposeWithLlmOptions): ChatMessage {
  const lines = [`Question: ${grounded.question}`, '', 'Sources:'];
  for (const s of sources.all()) lines.push(`[${s.n}] ${s.content.replace(/\n/g, '\n    ')}`);
  lines.push('', 'Draft answer written from these sources (improve the wording, keep the facts and the citations):', draftWithNumbers(grounded, sources));
  if (grounded.suggestReview) lines.push('', 'The inspection is unsure: say so and recommend a review by a person.');
  const text = lines.join('\n');
  if (!options.acceptsImages || !options.image) return { role: 'user', content: text };
  const url = `data:${options.image.mediaType};base64,${Buffer.from(options.image.bytes).toString('base64')}`;
  const parts: ChatContentPart[] = [
    { type: 'text', text },
    { type: 'image_url', image_url: { url } },
  ];
  return { role: 'user', content: parts };
}

/** Splits text after sentence ends (keeping citation markers that follow the full stop with their sentence). */
function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?](?:\s*\[[^\]]+\])*)\s+(?=\S)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

const citedIds = (text: string): string[] => [...text.matchAll(/\[([^\]\s]+)\]/g)].map((m) => m[1]);

/** Why an answer text cannot be accepted, or null; on success, the text with markers as `[id]` and the cited sources. */
function validate(text: string, grounded: Answer, sources: SourceList): { rejected: string } | { text: string; cited: Citation[] } {
  const trimmed = text.trim();
  if (trimmed.length === 0) return { rejected: 'empty: the model returned no text' };
  const numbers = new Set<number>();
  const unknown = new Set<number>();
  const rewritten = trimmed.replace(MARKER, (_m, inner: string) =>
    markerNumbers(inner)
      .map((n) => {
        const s = sources.byNumber(n);
        if (!s) {
          unknown.add(n);
          return `[${n}]`;
        }
        numbers.add(n);
        return `[${s.citation.id}]`;
      })
      .join(''),
  );
  if (unknown.size > 0) return { rejected: `cites a source it was not given: ${[...unknown].map((n) => `[${n}]`).join(', ')}` };
  if (numbers.size === 0) return { rejected: 'cites nothing' };
  if (grounded.suggestReview && !/\b(review|person|human|inspector|expert)/i.test(rewritten)) {
    return { rejected: 'drops the suggestion of a human review for an unsure inspection' };
  }
  const cited = [...numbers].sort((a, b) => a - b).map((n) => (sources.byNumber(n) as { citation: Citation }).citation);
  return { text: rewritten, cited };
}

/** Evidence lines: the sentences after the first; a sentence that cites nothing joins the one before it. */
function evidenceOf(rest: string[]): EvidenceItem[] {
  const out: EvidenceItem[] = [];
  let pending = '';
  for (const s of rest) {
    const ids = citedIds(s);
    if (ids.length === 0) {
      if (out.length > 0) out[out.length - 1].text += ` ${s}`;
      else pending = pending ? `${pending} ${s}` : s;
      continue;
    }
    out.push({ text: pending ? `${pending} ${s}` : s, citations: [...new Set(ids)] });
    pending = '';
  }
  return out;
}

/**
 * Lets a language model write the answer from the grounded one. Returns an Answer with
 * `composer: 'llm'` whose `answer` is the model's text with `[id]` markers of the returned
 * citations, `short` its first sentence and `evidence` the rest; or `grounded` with
 * `llmRejected` set to why (timeout, HTTP error with the provider's message, network,
 * malformed response, empty, cites nothing, cites a source not given, tool rounds
 * exhausted, drops a review suggestion). Errors of `ctx.retrieve` are the caller's and are thrown.
 */
export async function composeWithLlm(grounded: Answer, ctx: AskContext, options: ComposeWithLlmOptions): Promise<Answer> {
  const timeoutMs = options.timeoutMs ?? LLM_DEFAULT_TIMEOUT_MS;
  const endpoint: LlmEndpoint = { baseUrl: options.baseUrl, model: options.model, apiKey: options.apiKey, timeoutMs, signal: AbortSignal.timeout(timeoutMs) };
  const passages: KbPassage[] = (options.passages ?? 3) > 0 ? await ctx.retrieve(grounded.question, options.passages ?? 3) : [];
  const sources = new SourceList();
  for (const c of grounded.citations) sources.add(c, citationContent(c, ctx, passages));
  for (const p of passages) sources.addPassage(p);
  const messages: ChatMessage[] = [{ role: 'system', content: LLM_SYSTEM_PROMPT }, userMessage(grounded, sources, options)];
  let maxToolRounds = Math.max(0, options.maxToolRounds ?? 3);
  let text: string | null = null;
  try {
    for (let round = 0; round <= maxToolRounds; round++) {
      const request = {
        ...endpoint,
        tools: round < maxToolRounds ? [...ASK_TOOLS] : undefined,
        stream: options.stream,
        onToken: options.onToken,
        temperature: options.temperature,
        maxTokens: options.maxTokens,
      };
      let result;
      try {
        result = await chatCompletion(messages, request);
      } catch (e) {
        // Servers and models without tool support refuse the first request with 400 (vLLM without a tool parser,
        // Ollama models without tools): ask once more without tools, so that such a model still writes the answer.
        if (!(round === 0 && request.tools && e instanceof LlmError && (e.status === 400 || e.status === 422))) throw e;
        maxToolRounds = 0;
        result = await chatCompletion(messages, { ...request, tools: undefined });
      }
      if (result.toolCalls.length === 0) {
        text = result.content;
        break;
      }
      messages.push({ role: 'assistant', content: result.content.length > 0 ? result.content : null, tool_calls: result.toolCalls });
      for (const call of result.toolCalls) messages.push({ role: 'tool', tool_call_id: call.id, content: await runAskTool(call, ctx, sources) });
    }
  } catch (e) {
    if (e instanceof LlmError) return { ...grounded, llmRejected: `${e.reason}: ${e.message}` };
    throw e;
  }
  if (text === null) return { ...grounded, llmRejected: `tool rounds exhausted: the model still called tools after ${maxToolRounds} rounds` };
  const checked = validate(text, grounded, sources);
  if ('rejected' in checked) return { ...grounded, llmRejected: checked.rejected };
  const parts = sentences(checked.text);
  const short = parts[0];
  return {
    ...grounded,
    short,
    evidence: evidenceOf(parts.slice(1)),
    citations: checked.cited,
    answer: checked.text,
    composer: 'llm',
    llmRejected: null,
  };
}
