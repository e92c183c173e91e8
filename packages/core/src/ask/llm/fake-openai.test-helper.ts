/**
 * A protocol-level fake of an OpenAI-compatible server for tests, on 127.0.0.1 with a free
 * port: each request is recorded (path, headers, parsed JSON body) and answered by the
 * test's handler, which writes JSON, an error, or server-sent events.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake received. */
export interface FakeRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- request bodies are inspected freely by tests
  body: any;
}

/** A running fake. */
export interface FakeOpenAi {
  baseUrl: string;
  requests: FakeRequest[];
  close(): Promise<void>;
}

/** Starts the fake; `handler` answers the n-th request (from 0). */
export async function startFakeOpenAi(handler: (req: FakeRequest, res: ServerResponse, n: number) => void | Promise<void>): Promise<FakeOpenAi> {
  const requests: FakeRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const r: FakeRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: text ? JSON.parse(text) : null };
      requests.push(r);
      void Promise.resolve(handler(r, res, requests.length - 1)).catch((e: unknown) => {
        res.writeHead(599).end(String(e));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers with JSON and a status. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** A non-streaming chat completion with text and optional tool calls. */
export function completion(content: string | null, toolCalls: { id: string; name: string; arguments: string }[] = []): unknown {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) } : {}),
        },
        finish_reason: toolCalls.length > 0 ? 'tool_calls' : 'stop',
      },
    ],
  };
}

/** Writes server-sent events, one `data:` line per event, then `data: [DONE]`. */
export function sendStream(res: ServerResponse, events: unknown[]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const e of events) res.write(`data: ${JSON.stringify(e)}\n\n`);
  res.end('data: [DONE]\n\n');
}

/** Stream events carrying `pieces` of text as deltas. */
export function textDeltas(pieces: string[]): unknown[] {
  return [
    { choices: [{ index: 0, delta: { role: 'assistant' }, finish_reason: null }] },
    ...pieces.map((p) => ({ choices: [{ index: 0, delta: { content: p }, finish_reason: null }] })),
    { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
  ];
}
