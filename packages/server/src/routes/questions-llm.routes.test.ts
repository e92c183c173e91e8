import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng, generateSample } from '@xai-qc/core';
import type { Role } from '../auth/principal.ts';
import type { Inspection } from '../schemas/inspection.schema.ts';
import type { Question } from '../schemas/question.schema.ts';
import { createTestApp } from '../test/test-app.ts';
import type { TestApp } from '../test/test-app.ts';
import { multipartBody as formBody } from '../test/multipart.ts';
import { bearer } from '../test/test-tokens.ts';
import { multipartBody, registerModelFolder } from './inspections.test-helpers.ts';

const MODELS = fileURLToPath(new URL('../../../../models/', import.meta.url));
const API = '/api/xai-qc';
const A = 'acct-la';
const B = 'acct-lb';

/** A bag-of-words vector of 32 hashed buckets: similar texts, similar vectors. */
function embed(text: string): number[] {
  const v = new Array<number>(32).fill(0);
  for (const w of text.toLowerCase().match(/[a-z]+/g) ?? []) {
    let h = 0;
    for (const ch of w) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    v[h % 32] += 1;
  }
  return v;
}

/**
 * An OpenAI-compatible endpoint on loopback: `/embeddings` answers {@link embed} of each input;
 * `/chat/completions` answers `reply` (set by each test) and records the request.
 */
function fakeProvider(): Promise<{ baseUrl: string; server: Server; chats: { body: { messages: { role: string; content: unknown }[] } }[]; reply: { text: string } }> {
  const chats: { body: { messages: { role: string; content: unknown }[] } }[] = [];
  const reply = { text: '' };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { input?: string[]; messages?: { role: string; content: unknown }[] };
      res.setHeader('content-type', 'application/json');
      if (req.url?.endsWith('/embeddings')) {
        res.end(JSON.stringify({ object: 'list', data: (body.input ?? []).map((t, index) => ({ object: 'embedding', index, embedding: embed(t) })) }));
        return;
      }
      chats.push({ body: body as { messages: { role: string; content: unknown }[] } });
      res.end(JSON.stringify({ id: 'c1', object: 'chat.completion', choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: reply.text } }] }));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, server, chats, reply })));
}

describe('questions with a language model, embeddings and anomaly cases (SQLite)', () => {
  let t: TestApp;
  let provider: Awaited<ReturnType<typeof fakeProvider>>;
  const auth = (role: Role, account = A) => bearer(role, account, `${role}-${account}`);

  async function inspect(model: string, seed: number, label: string, account = A): Promise<Inspection> {
    const body = multipartBody([{ filename: `s${seed}.png`, bytes: await encodePng(generateSample('surface', { seed, label, width: 64, height: 64 }).image) }]);
    const res = await t.app.inject({ method: 'POST', url: `${API}/detect?model=${model}`, payload: body.payload, headers: { ...body.headers, ...(await auth('operator', account)) } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<Inspection>();
  }

  async function ask(id: string, question: string, account = A, extra: object = {}): Promise<Question> {
    const res = await t.app.inject({ method: 'POST', url: `${API}/inspections/${id}/questions`, payload: { question, ...extra }, headers: await auth('viewer', account) });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<Question>();
  }

  beforeAll(async () => {
    provider = await fakeProvider();
    t = await createTestApp('sqlite', {
      ask: { llm: { url: provider.baseUrl, model: 'fake-vlm', timeoutMs: 10_000, images: true }, embed: { url: provider.baseUrl, model: 'fake-embed', timeoutMs: 10_000 }, kbMaxBytes: 1024 * 1024 },
    });
    await registerModelFolder(t.app, `${MODELS}surface-classifier`, 'surface-classifier');
    await registerModelFolder(t.app, `${MODELS}surface-anomaly`, 'surface-anomaly');
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await new Promise((r) => provider?.server.close(r));
  });

  it("keeps the language model's answer when it cites given sources, sends the image, and stores the grounded one with the reason otherwise", async () => {
    const insp = await inspect('surface-classifier', 5, 'scratch');
    provider.reply.text = 'The model looked at this part and gave its verdict [1]. A person should review it if in doubt.';
    const accepted = await ask(insp.id, 'Is this part defective?');
    expect(accepted.answer.composer).toBe('llm');
    expect(accepted.answer.llmRejected).toBeNull();
    expect(accepted.answer.answer).toContain('[1]');
    expect(accepted.answer.citations.map((c) => c.id)).toEqual(['1']);
    const sent = provider.chats[provider.chats.length - 1].body.messages.find((m) => m.role === 'user')?.content as { type: string }[];
    expect(Array.isArray(sent) && sent.some((p) => p.type === 'image_url')).toBe(true);

    provider.reply.text = 'It is fine [99].';
    const refused = await ask(insp.id, 'Is this part defective?');
    expect(refused.answer.composer).toBe('grounded');
    expect(refused.answer.llmRejected).toMatch(/99/);
    expect(refused.answer.citations.length).toBeGreaterThan(0);

    const calls = provider.chats.length;
    const declined = await ask(insp.id, 'Is this part defective?', A, { useLlm: false });
    expect(declined.answer.composer).toBe('grounded');
    expect(provider.chats.length).toBe(calls);
  });

  it('stores passage vectors from the embedding endpoint and searches hybrid, per account', async () => {
    const body = formBody([{ name: 'file', filename: 'burrs.md', data: '# Burrs\n\nBurrs on the stamped bracket come from a blunt die. Regrind the die.\n' }]);
    const res = await t.app.inject({ method: 'POST', url: `${API}/knowledge/documents`, payload: body.payload, headers: { ...body.headers, ...(await auth('engineer')) } });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json<{ id: string }>().id;
    const rows = await t.app.db.selectFrom('knowledge_passages').select(['vector']).where('document_id', '=', id).execute();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.vector !== null && r.vector.byteLength === 32 * 4)).toBe(true);
    const mine = (await t.app.inject({ method: 'GET', url: `${API}/knowledge/search?q=blunt%20die%20burrs`, headers: await auth('viewer') })).json<{ items: { documentId: string }[] }>();
    expect(mine.items[0].documentId).toBe(id);
    const theirs = (await t.app.inject({ method: 'GET', url: `${API}/knowledge/search?q=blunt%20die%20burrs`, headers: await auth('viewer', B) })).json<{ items: { documentId: string }[] }>();
    expect(theirs.items.map((i) => i.documentId)).not.toContain(id);
  });

  it("finds similar anomaly cases by image embedding in the caller's account only, with their reviews", async () => {
    const mine: Inspection[] = [];
    const theirs: Inspection[] = [];
    for (let s = 60; s < 64; s++) {
      mine.push(await inspect('surface-anomaly', s, s % 2 ? 'scratch' : 'good'));
      theirs.push(await inspect('surface-anomaly', s, s % 2 ? 'scratch' : 'good', B));
    }
    const review = await t.app.inject({ method: 'POST', url: `${API}/inspections/${mine[1].id}/reviews`, payload: { verdict: 'reject', label: 'anomaly' }, headers: await auth('operator') });
    expect(review.statusCode, review.body).toBe(201);
    const q = await ask(mine[0].id, 'Have we seen similar parts before?', A, { useLlm: false });
    expect(q.answer.intent).toBe('similar_cases');
    const cases = q.answer.citations.filter((c) => c.kind === 'case').map((c) => c.ref);
    expect(cases.length).toBeGreaterThan(0);
    const mineIds = new Set(mine.map((i) => i.id));
    for (const ref of cases) expect(mineIds.has(ref), ref).toBe(true);
    expect(cases).not.toContain(mine[0].id);
    // The reviewed neighbour is reported with its review.
    expect(cases).toContain(mine[1].id);
    expect(q.answer.evidence.find((e) => e.text.includes(mine[1].id))?.text).toMatch(/review: (accepted|rejected|corrected)/);
    const embedded = await t.app.db.selectFrom('inspection_embeddings').select(['inspection_id', 'account_id']).execute();
    expect(embedded.filter((e) => e.account_id === A).length).toBeGreaterThanOrEqual(4);
    expect(embedded.filter((e) => e.account_id === B)).toHaveLength(0);
    const theirQ = await ask(theirs[0].id, 'Have we seen similar parts before?', B, { useLlm: false });
    for (const c of theirQ.answer.citations.filter((x) => x.kind === 'case')) expect(mineIds.has(c.ref)).toBe(false);
  });
});
