import { afterEach, describe, expect, it } from 'vitest';
import { defectBookIndex } from '../defect-book/index.ts';
import type { Answer, AskContext } from '../types.ts';
import { composeWithLlm } from './compose.ts';
import { completion, sendJson, sendStream, startFakeOpenAi, textDeltas } from './fake-openai.test-helper.ts';
import type { FakeOpenAi } from './fake-openai.test-helper.ts';

const book = defectBookIndex();

function context(): AskContext {
  return {
    inspection: {
      id: 'insp-1',
      task: 'segment',
      modelName: 'surface-segmenter',
      modelVersion: '1.0.0',
      verdict: 'reject',
      label: 'scratch',
      score: 0.93,
      defectScore: 0.93,
      threshold: 0.5,
      goodLabels: ['background'],
      findings: [{ label: 'scratch', score: 0.93, box: [10, 12, 60, 20], area: 180, centroid: [35, 16] }],
      image: { width: 256, height: 256 },
      referred: false,
      createdAt: '2026-12-05T10:00:00Z',
    },
    explanations: [{ id: 'exp-1', method: 'grad-cam', regionShares: { 'upper left': 0.8, top: 0.2 }, peak: [0.14, 0.06], massInFindings: 0.7 }],
    similar: [{ inspectionId: 'insp-0', distance: 0.1, verdict: 'reject', label: 'scratch', createdAt: '2026-12-01T10:00:00Z' }],
    model: { name: 'surface-segmenter', version: '1.0.0', task: 'segment', labels: ['background', 'scratch', 'crack', 'spot', 'hole'] },
    retrieve: (q, k) => book.search(q, k),
  };
}

/** A grounded answer as the grounded composer writes it: ids "1".."3", [n] markers in the text. */
function grounded(overrides: Partial<Answer> = {}): Answer {
  const short = 'Yes: the part was rejected for a scratch in the upper left [1][2].';
  const evidence = [{ text: 'The scratch finding has score 0.93 [2].', citations: ['2'] }];
  return {
    question: 'why was it rejected?',
    intent: 'explanation',
    intentConfidence: 0.9,
    slots: { classNames: [], regions: [] },
    short,
    evidence,
    citations: [
      { id: '1', kind: 'inspection', ref: 'verdict', label: 'verdict: reject (score 0.93)' },
      { id: '2', kind: 'finding', ref: '0', label: 'finding 1: scratch (score 0.93)' },
      { id: '3', kind: 'explanation', ref: 'exp-1', label: 'grad-cam: 80% of the mass in the upper left' },
    ],
    answer: `${short}\nThe scratch finding has score 0.93 [2]. The grad-cam map agrees [3].`,
    unsure: false,
    suggestReview: false,
    composer: 'grounded',
    ...overrides,
  };
}

const endpoint = (fake: FakeOpenAi) => ({ baseUrl: fake.baseUrl, model: 'test-vlm', apiKey: 'sk-test', timeoutMs: 5000 });

let fake: FakeOpenAi | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});

describe('composeWithLlm', () => {
  it('accepts a plain completion that cites given sources, and sends the question, the numbered sources and the key', async () => {
    fake = await startFakeOpenAi((_req, res) =>
      sendJson(res, 200, completion('The part was rejected because of a scratch in the upper left [1, 2]. The heatmap points at the same place [3]. Scratches mostly come from handling.')),
    );
    const a = await composeWithLlm(grounded(), context(), endpoint(fake));
    expect(a.composer).toBe('llm');
    expect(a.llmRejected).toBeNull();
    expect(a.answer).toBe('The part was rejected because of a scratch in the upper left [1][2]. The heatmap points at the same place [3]. Scratches mostly come from handling.');
    expect(a.short).toBe('The part was rejected because of a scratch in the upper left [1][2].');
    expect(a.answer.startsWith(a.short)).toBe(true);
    expect(a.evidence).toEqual([{ text: 'The heatmap points at the same place [3]. Scratches mostly come from handling.', citations: ['3'] }]);
    expect(a.citations.map((c) => [c.id, c.kind, c.ref])).toEqual([
      ['1', 'inspection', 'verdict'],
      ['2', 'finding', '0'],
      ['3', 'explanation', 'exp-1'],
    ]);
    const req = fake.requests[0];
    expect(req.path).toBe('/v1/chat/completions');
    expect(req.headers.authorization).toBe('Bearer sk-test');
    expect(req.body.model).toBe('test-vlm');
    expect(req.body.tools.map((t: { function: { name: string } }) => t.function.name)).toEqual(['get_inspection', 'get_explanations', 'get_similar_cases', 'get_model_facts', 'search_knowledge']);
    const user = req.body.messages[1];
    expect(user.role).toBe('user');
    expect(typeof user.content).toBe('string');
    expect(user.content).toContain('Question: why was it rejected?');
    expect(user.content).toContain('[1] verdict: reject (score 0.93); verdict = "reject"');
    expect(user.content).toContain('[2] finding 1: scratch (score 0.93); {"label":"scratch"');
    // Passages retrieved for the question follow the grounded citations as sources 4 and on, with their text.
    expect(user.content).toMatch(/\[4\] Defect book: [^\n]+\n {4}\S/);
  });

  it('reads markers written as ranges, lists and "source n", and maps them to the citation ids', async () => {
    fake = await startFakeOpenAi((_req, res) => sendJson(res, 200, completion('Rejected for a scratch [1-2]. The map agrees [source 3]; see also [2; 3].')));
    const a = await composeWithLlm(grounded(), context(), { ...endpoint(fake), passages: 0 });
    expect(a.answer).toBe('Rejected for a scratch [1][2]. The map agrees [3]; see also [2][3].');
    expect(a.evidence).toEqual([{ text: 'The map agrees [3]; see also [2][3].', citations: ['3', '2'] }]);
  });

  it('runs a tool-call round trip: executes the tools against the context and accepts citations of what they returned', async () => {
    fake = await startFakeOpenAi((req, res, n) => {
      if (n === 0) {
        return sendJson(
          res,
          200,
          completion(null, [
            { id: 'call_a', name: 'search_knowledge', arguments: '{"query":"what causes scratches","k":2}' },
            { id: 'call_b', name: 'get_similar_cases', arguments: '' },
          ]),
        );
      }
      const tools = req.body.messages.filter((m: { role: string }) => m.role === 'tool');
      const passages = JSON.parse(tools[0].content).passages as { source: number; section: string }[];
      const cases = JSON.parse(tools[1].content).cases as { source: number }[];
      return sendJson(res, 200, completion(`Rejected for a scratch [1]. Likely causes are handling and conveying [${passages[0].source}]; a similar part was rejected too [${cases[0].source}].`));
    });
    const a = await composeWithLlm(grounded(), context(), { ...endpoint(fake), passages: 0 });
    expect(a.composer).toBe('llm');
    expect(fake.requests).toHaveLength(2);
    const second = fake.requests[1].body.messages;
    const assistant = second[second.length - 3];
    expect(assistant).toMatchObject({ role: 'assistant', content: null, tool_calls: [{ id: 'call_a', type: 'function' }, { id: 'call_b' }] });
    expect(second[second.length - 2]).toMatchObject({ role: 'tool', tool_call_id: 'call_a' });
    expect(second[second.length - 1]).toMatchObject({ role: 'tool', tool_call_id: 'call_b' });
    const kb = a.citations.find((c) => c.kind === 'kb');
    expect(kb).toMatchObject({ id: '4', documentId: 'defect-book/surface', source: 'Surface defects > Scratch > Typical causes' });
    expect(a.citations.find((c) => c.kind === 'case')).toMatchObject({ id: '6', ref: 'insp-0' });
    expect(a.answer).toContain('[4]');
  });

  it('stops offering tools after maxToolRounds and rejects a model that keeps calling them', async () => {
    fake = await startFakeOpenAi((_req, res) => sendJson(res, 200, completion(null, [{ id: 'c', name: 'get_inspection', arguments: '{}' }])));
    const a = await composeWithLlm(grounded(), context(), { ...endpoint(fake), maxToolRounds: 1, passages: 0 });
    expect(a.composer).toBe('grounded');
    expect(a.llmRejected).toMatch(/^tool rounds exhausted/);
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[0].body.tools).toBeDefined();
    expect(fake.requests[1].body.tools).toBeUndefined();
  });

  it('asks again without tools when the server refuses tools with a 400', async () => {
    fake = await startFakeOpenAi((req, res) =>
      req.body.tools ? sendJson(res, 400, { error: { message: 'registry.ollama.ai/library/gemma:2b does not support tools' } }) : sendJson(res, 200, completion('A scratch [2].')),
    );
    const a = await composeWithLlm(grounded(), context(), endpoint(fake));
    expect(a.composer).toBe('llm');
    expect(fake.requests.map((r) => r.body.tools === undefined)).toEqual([false, true]);
  });

  it('sends the image as a data URL content part only when the model accepts images', async () => {
    fake = await startFakeOpenAi((_req, res) => sendJson(res, 200, completion('A scratch [2].')));
    const image = { bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47]), mediaType: 'image/png' };
    await composeWithLlm(grounded(), context(), { ...endpoint(fake), acceptsImages: true, image });
    const content = fake.requests[0].body.messages[1].content;
    expect(content).toHaveLength(2);
    expect(content[0].type).toBe('text');
    expect(content[1]).toEqual({ type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw==' } });
    await composeWithLlm(grounded(), context(), { ...endpoint(fake), acceptsImages: false, image });
    expect(typeof fake.requests[1].body.messages[1].content).toBe('string');
  });

  it('streams: tokens reach onToken as they come and the streamed text is the answer', async () => {
    const pieces = ['The part ', 'was rejected ', 'for a scratch [1]', '[2].'];
    fake = await startFakeOpenAi((_req, res) => sendStream(res, textDeltas(pieces)));
    const tokens: string[] = [];
    const a = await composeWithLlm(grounded(), context(), { ...endpoint(fake), stream: true, onToken: (t) => tokens.push(t) });
    expect(fake.requests[0].body.stream).toBe(true);
    expect(tokens).toEqual(pieces);
    expect(a.composer).toBe('llm');
    expect(a.answer).toBe('The part was rejected for a scratch [1][2].');
  });

  it('assembles a streamed tool call from its deltas', async () => {
    fake = await startFakeOpenAi((_req, res, n) => {
      if (n === 0) {
        return sendStream(res, [
          { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_s', type: 'function', function: { name: 'get_inspection', arguments: '' } }] } }] },
          { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{' } }] } }] },
          { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '}' } }] }, finish_reason: 'tool_calls' }] },
        ]);
      }
      return sendStream(res, textDeltas(['Rejected [1].']));
    });
    const a = await composeWithLlm(grounded(), context(), { ...endpoint(fake), stream: true, passages: 0 });
    expect(a.composer).toBe('llm');
    const tool = fake.requests[1].body.messages.find((m: { role: string }) => m.role === 'tool');
    expect(tool.tool_call_id).toBe('call_s');
    expect(JSON.parse(tool.content)).toMatchObject({ source: 1, verdict: 'reject', findings: [{ source: 2, label: 'scratch' }] });
  });

  it('uses the grounded answer when the endpoint answers 500, with the provider message', async () => {
    fake = await startFakeOpenAi((_req, res) => sendJson(res, 500, { error: { message: 'model is overloaded', type: 'server_error' } }));
    const g = grounded();
    const a = await composeWithLlm(g, context(), endpoint(fake));
    expect(a).toEqual({ ...g, llmRejected: expect.stringMatching(/^http: .*HTTP 500: model is overloaded$/) });
  });

  it('uses the grounded answer when the endpoint does not answer in time', async () => {
    fake = await startFakeOpenAi(() => undefined);
    const started = Date.now();
    const a = await composeWithLlm(grounded(), context(), { ...endpoint(fake), timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(a.composer).toBe('grounded');
    expect(a.llmRejected).toMatch(/^timeout: .*within 300 ms/);
  });

  it('times out a stream that stalls after its first token', async () => {
    fake = await startFakeOpenAi((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'The part [1]' } }] })}\n\n`);
    });
    const a = await composeWithLlm(grounded(), context(), { ...endpoint(fake), timeoutMs: 300, stream: true });
    expect(a.llmRejected).toMatch(/^timeout:/);
  });

  it('rejects an answer that cites nothing, one that cites a source not given, and an empty one', async () => {
    const replies = ['The part is defective because of a scratch.', 'It is a scratch [2] caused by a loose bolt [9].', '   '];
    fake = await startFakeOpenAi((_req, res, n) => sendJson(res, 200, completion(replies[n])));
    const g = grounded();
    const none = await composeWithLlm(g, context(), { ...endpoint(fake), passages: 0 });
    expect(none).toEqual({ ...g, llmRejected: 'cites nothing' });
    const unknown = await composeWithLlm(g, context(), { ...endpoint(fake), passages: 0 });
    expect(unknown.composer).toBe('grounded');
    expect(unknown.llmRejected).toBe('cites a source it was not given: [9]');
    const empty = await composeWithLlm(g, context(), { ...endpoint(fake), passages: 0 });
    expect(empty.llmRejected).toMatch(/^empty/);
  });

  it('rejects an answer that drops the review suggestion of an unsure inspection', async () => {
    const replies = ['It is a scratch [1].', 'It may be a scratch [1], but the model is unsure: have a person review it [2].'];
    fake = await startFakeOpenAi((_req, res, n) => sendJson(res, 200, completion(replies[n])));
    const g = grounded({ unsure: true, suggestReview: true });
    expect((await composeWithLlm(g, context(), endpoint(fake))).llmRejected).toMatch(/review/);
    expect(fake.requests[0].body.messages[1].content).toContain('recommend a review by a person');
    const ok = await composeWithLlm(g, context(), endpoint(fake));
    expect(ok.composer).toBe('llm');
    expect(ok.suggestReview).toBe(true);
  });

  it('reports an endpoint that cannot be reached', async () => {
    fake = await startFakeOpenAi(() => undefined);
    const baseUrl = fake.baseUrl;
    await fake.close();
    fake = null;
    const a = await composeWithLlm(grounded(), context(), { baseUrl, model: 'm', timeoutMs: 2000 });
    expect(a.llmRejected).toMatch(/^network: /);
  });
});
