/**
 * A client of the OpenAI chat-completions wire format (`POST {baseUrl}/chat/completions`),
 * which Ollama (`http://host:11434/v1`), vLLM, LM Studio and OpenAI all serve. Only the
 * documented core of the format is used: messages with text and `image_url` content parts,
 * function tools and `tool_calls`, and server-sent events when streaming. The endpoint comes
 * from the caller; nothing here reads the environment.
 */
import { XqcError } from '../../errors.ts';

/** A part of a user message: text, or an image as a URL (a `data:` URL here). */
export type ChatContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

/** A call of a tool, as the model asks for it; `arguments` is JSON text. */
export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** One message of a conversation. */
export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | ChatContentPart[] }
  | { role: 'assistant'; content: string | null; tool_calls?: ChatToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

/** A function the model may call: name, description and JSON-Schema parameters. */
export interface ChatTool {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

/** Where and how to reach the model. */
export interface LlmEndpoint {
  /** base URL up to and including the API version, e.g. `http://localhost:11434/v1` */
  baseUrl: string;
  model: string;
  /** sent as `Authorization: Bearer <apiKey>` when given */
  apiKey?: string;
  /** per request, 30000 ms by default; ignored when `signal` is given */
  timeoutMs?: number;
  /** aborts the request (a caller's overall deadline) */
  signal?: AbortSignal;
}

/** Options of one completion request. */
export interface ChatRequestOptions extends LlmEndpoint {
  tools?: ChatTool[];
  /** stream the answer as server-sent events; `onToken` sees each piece of text */
  stream?: boolean;
  onToken?: (token: string) => void;
  /** 0.2 by default: answers should follow the sources, not vary */
  temperature?: number;
  maxTokens?: number;
}

/** What the model answered. */
export interface ChatResult {
  content: string;
  toolCalls: ChatToolCall[];
  finishReason: string | null;
}

/** Why a request to a model endpoint failed. */
export type LlmFailure = 'http' | 'timeout' | 'network' | 'protocol';

/** A failure of a language-model or embedding endpoint: code XQC_LLM, with the reason and the provider's status and message. */
export class LlmError extends XqcError {
  readonly reason: LlmFailure;
  readonly status: number | undefined;

  constructor(reason: LlmFailure, message: string, options: { status?: number; cause?: unknown } = {}) {
    super('XQC_LLM', message, { cause: options.cause, details: { reason, ...(options.status === undefined ? {} : { status: options.status }) } });
    this.name = 'LlmError';
    this.reason = reason;
    this.status = options.status;
  }
}

/** The default timeout of one request, in milliseconds. */
export const LLM_DEFAULT_TIMEOUT_MS = 30_000;

/** `baseUrl` without trailing slashes, joined with `path`. */
export function endpointUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${path}`;
}

/** The message of a provider's error body: OpenAI's `{error: {message}}`, Ollama's `{error: "..."}`, or the raw text (cut at 300 characters). */
export function providerMessage(body: string): string {
  try {
    const json = JSON.parse(body) as { error?: unknown; message?: unknown; detail?: unknown };
    const e = json.error;
    if (typeof e === 'string') return e;
    if (e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string') return (e as { message: string }).message;
    if (typeof json.message === 'string') return json.message;
    if (typeof json.detail === 'string') return json.detail;
  } catch {
    // Not JSON: the text itself is the message.
  }
  const text = body.trim();
  return text.length > 300 ? `${text.slice(0, 300)}...` : text || '(empty body)';
}

/**
 * POSTs JSON to an endpoint with the bearer key and a timeout; returns the response when it is 2xx.
 * @throws LlmError `http` with the provider's message, `timeout`, or `network`
 */
export async function postJson(url: string, body: unknown, endpoint: LlmEndpoint): Promise<{ response: Response; signal: AbortSignal }> {
  const timeoutMs = endpoint.timeoutMs ?? LLM_DEFAULT_TIMEOUT_MS;
  const signal = endpoint.signal ?? AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(endpoint.apiKey ? { authorization: `Bearer ${endpoint.apiKey}` } : {}) },
      body: JSON.stringify(body),
      signal,
    });
  } catch (e) {
    throw transportError(e, signal, url, timeoutMs);
  }
  if (!response.ok) {
    const text = await readText(response, signal, url, timeoutMs);
    throw new LlmError('http', `${url} answered HTTP ${response.status}: ${providerMessage(text)}`, { status: response.status });
  }
  return { response, signal };
}

/** The body as text, with transport failures mapped. */
export async function readText(response: Response, signal: AbortSignal, url: string, timeoutMs: number): Promise<string> {
  try {
    return await response.text();
  } catch (e) {
    throw transportError(e, signal, url, timeoutMs);
  }
}

/** A timeout when the signal timed out, else a network failure. */
export function transportError(e: unknown, signal: AbortSignal, url: string, timeoutMs: number): LlmError {
  const reason = signal.reason as { name?: string } | undefined;
  if (signal.aborted && reason?.name === 'TimeoutError') return new LlmError('timeout', `${url} did not answer within ${timeoutMs} ms`, { cause: e });
  if (signal.aborted) return new LlmError('timeout', `the request to ${url} was aborted`, { cause: e });
  return new LlmError('network', `${url} cannot be reached: ${(e as Error).message ?? String(e)}`, { cause: e });
}

interface CompletionChoice {
  message?: { content?: unknown; tool_calls?: ChatToolCall[] };
  delta?: { content?: unknown; tool_calls?: (Partial<ChatToolCall> & { index?: number; function?: { name?: string; arguments?: string } })[] };
  finish_reason?: string | null;
}

/**
 * One chat completion. With `stream`, the response is read as server-sent events (`data:`
 * lines, ended by `data: [DONE]`): text deltas go to `onToken` as they come and tool-call
 * deltas are assembled by their index.
 * @throws LlmError `http` (non-2xx, with the provider's error message), `timeout`, `network`, or `protocol` (a body that is not a completion)
 */
export async function chatCompletion(messages: ChatMessage[], options: ChatRequestOptions): Promise<ChatResult> {
  const url = endpointUrl(options.baseUrl, 'chat/completions');
  const timeoutMs = options.timeoutMs ?? LLM_DEFAULT_TIMEOUT_MS;
  const body = {
    model: options.model,
    messages,
    temperature: options.temperature ?? 0.2,
    ...(options.maxTokens === undefined ? {} : { max_tokens: options.maxTokens }),
    ...(options.tools && options.tools.length > 0 ? { tools: options.tools, tool_choice: 'auto' } : {}),
    ...(options.stream ? { stream: true } : {}),
  };
  const { response, signal } = await postJson(url, body, options);
  if (options.stream && (response.headers.get('content-type') ?? '').includes('text/event-stream')) {
    return readStream(response, signal, url, timeoutMs, options.onToken);
  }
  const text = await readText(response, signal, url, timeoutMs);
  let json: { choices?: CompletionChoice[] };
  try {
    json = JSON.parse(text) as { choices?: CompletionChoice[] };
  } catch (e) {
    throw new LlmError('protocol', `${url} answered with a body that is not JSON: ${providerMessage(text)}`, { cause: e });
  }
  const choice = json.choices?.[0];
  if (!choice?.message) throw new LlmError('protocol', `${url} answered without choices[0].message`);
  const content = typeof choice.message.content === 'string' ? choice.message.content : '';
  if (content.length > 0) options.onToken?.(content);
  return { content, toolCalls: (choice.message.tool_calls ?? []).filter((c) => c?.function?.name), finishReason: choice.finish_reason ?? null };
}

/** Reads an SSE completion stream to its end. */
async function readStream(response: Response, signal: AbortSignal, url: string, timeoutMs: number, onToken?: (t: string) => void): Promise<ChatResult> {
  if (!response.body) throw new LlmError('protocol', `${url} sent a stream without a body`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let content = '';
  let finishReason: string | null = null;
  const calls: { id: string; name: string; arguments: string }[] = [];
  let done = false;
  const handle = (data: string): void => {
    if (data === '[DONE]') {
      done = true;
      return;
    }
    let event: { choices?: CompletionChoice[]; error?: unknown };
    try {
      event = JSON.parse(data) as { choices?: CompletionChoice[]; error?: unknown };
    } catch (e) {
      throw new LlmError('protocol', `${url} streamed an event that is not JSON: ${data.slice(0, 120)}`, { cause: e });
    }
    if (event.error !== undefined) throw new LlmError('http', `${url} streamed an error: ${providerMessage(data)}`);
    const choice = event.choices?.[0];
    if (!choice) return;
    const piece = choice.delta?.content;
    if (typeof piece === 'string' && piece.length > 0) {
      content += piece;
      onToken?.(piece);
    }
    for (const d of choice.delta?.tool_calls ?? []) {
      const i = d.index ?? calls.length;
      calls[i] ??= { id: '', name: '', arguments: '' };
      if (d.id) calls[i].id = d.id;
      if (d.function?.name) calls[i].name += d.function.name;
      if (d.function?.arguments) calls[i].arguments += d.function.arguments;
    }
    if (choice.finish_reason) finishReason = choice.finish_reason;
  };
  try {
    while (!done) {
      const { value, done: ended } = await reader.read();
      if (ended) break;
      buffer += value;
      let nl: number;
      while (!done && (nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).replace(/\r$/, '');
        buffer = buffer.slice(nl + 1);
        if (line.startsWith('data:')) handle(line.slice(5).trim());
      }
    }
    if (!done && buffer.startsWith('data:')) handle(buffer.slice(5).trim());
  } catch (e) {
    if (e instanceof LlmError) throw e;
    throw transportError(e, signal, url, timeoutMs);
  } finally {
    // Releases the connection when the stream ended early ([DONE] before EOF, or an error); a cancel of a closed stream has nothing to report.
    await reader.cancel().catch(() => undefined);
  }
  const toolCalls: ChatToolCall[] = calls
    .filter((c) => c && c.name)
    .map((c, i) => ({ id: c.id || `call_${i}`, type: 'function', function: { name: c.name, arguments: c.arguments } }));
  return { content, toolCalls, finishReason };
}
