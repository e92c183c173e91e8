import { afterEach, describe, expect, it } from 'vitest';
import { LlmError, chatCompletion, providerMessage } from './chat-client.ts';
import { createEmbedder } from './embeddings.ts';
import { completion, sendJson, startFakeOpenAi } from './fake-openai.test-helper.ts';
import type { FakeOpenAi } from './fake-openai.test-helper.ts';

let fake: FakeOpenAi | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});

async function failure(p: Promise<unknown>): Promise<LlmError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(LlmError);
    return e as LlmError;
  }
  throw new Error('expected a rejection');
}

describe('chatCompletion', () => {
  it('posts the OpenAI wire format without a key when none is given and tolerates a trailing slash', async () => {
    fake = await startFakeOpenAi((_req, res) => sendJson(res, 200, completion('hello')));
    const r = await chatCompletion([{ role: 'user', content: 'hi' }], { baseUrl: `${fake.baseUrl}/`, model: 'llama3.2' });
    expect(r).toEqual({ content: 'hello', toolCalls: [], finishReason: 'stop' });
    const req = fake.requests[0];
    expect(req.path).toBe('/v1/chat/completions');
    expect(req.headers.authorization).toBeUndefined();
    expect(req.body).toEqual({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }], temperature: 0.2 });
  });

  it('throws typed errors: http with the provider message and status, protocol for a body that is not a completion', async () => {
    const bodies: [number, string][] = [
      [401, JSON.stringify({ error: { message: 'Incorrect API key provided' } })],
      [404, JSON.stringify({ error: 'model "nope" not found, try pulling it first' })],
      [200, '{"object":"list"}'],
      [200, 'not json'],
    ];
    fake = await startFakeOpenAi((_req, res, n) => {
      res.writeHead(bodies[n][0], { 'content-type': 'application/json' }).end(bodies[n][1]);
    });
    const opts = { baseUrl: fake.baseUrl, model: 'm' };
    const e401 = await failure(chatCompletion([], opts));
    expect([e401.code, e401.reason, e401.status]).toEqual(['XQC_LLM', 'http', 401]);
    expect(e401.message).toMatch(/HTTP 401: Incorrect API key provided$/);
    expect((await failure(chatCompletion([], opts))).message).toMatch(/HTTP 404: model "nope" not found/);
    expect((await failure(chatCompletion([], opts))).reason).toBe('protocol');
    expect((await failure(chatCompletion([], opts))).reason).toBe('protocol');
  });

  it('reads provider error bodies of the common shapes', () => {
    expect(providerMessage('{"error":{"message":"m1"}}')).toBe('m1');
    expect(providerMessage('{"error":"m2"}')).toBe('m2');
    expect(providerMessage('{"detail":"m3"}')).toBe('m3');
    expect(providerMessage('Bad Gateway')).toBe('Bad Gateway');
    expect(providerMessage('')).toBe('(empty body)');
  });
});

describe('createEmbedder', () => {
  it('embeds in batches, in input order, with the bearer key', async () => {
    fake = await startFakeOpenAi((req, res) => {
      const input = req.body.input as string[];
      // Answers out of order: the client must sort by index.
      const data = input.map((t, index) => ({ object: 'embedding', index, embedding: [t.length, index] })).reverse();
      sendJson(res, 200, { object: 'list', data, model: req.body.model });
    });
    const embed = createEmbedder({ baseUrl: fake.baseUrl, model: 'nomic-embed-text', apiKey: 'k', batchSize: 2 });
    expect(await embed(['a', 'bb', 'ccc'])).toEqual([
      [1, 0],
      [2, 1],
      [3, 0],
    ]);
    expect(fake.requests.map((r) => [r.path, r.body.input, r.headers.authorization])).toEqual([
      ['/v1/embeddings', ['a', 'bb'], 'Bearer k'],
      ['/v1/embeddings', ['ccc'], 'Bearer k'],
    ]);
  });

  it('refuses a wrong count of embeddings and non-numeric vectors, and reports HTTP errors', async () => {
    const replies = [{ data: [] }, { data: [{ embedding: ['x'] }] }];
    fake = await startFakeOpenAi((_req, res, n) => (n < 2 ? sendJson(res, 200, replies[n]) : sendJson(res, 503, { error: { message: 'loading model' } })));
    const embed = createEmbedder({ baseUrl: fake.baseUrl, model: 'e' });
    expect((await failure(embed(['a']))).message).toMatch(/returned 0 embeddings for 1 texts/);
    expect((await failure(embed(['a']))).message).toMatch(/not a list of finite numbers/);
    const e = await failure(embed(['a']));
    expect([e.reason, e.status]).toEqual(['http', 503]);
  });
});
