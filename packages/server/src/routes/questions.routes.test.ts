import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng, generateSample } from '@xai-qc/core';
import type { Role } from '../auth/principal.ts';
import type { Inspection } from '../schemas/inspection.schema.ts';
import type { AnswerFeedback, Question, QuestionPage } from '../schemas/question.schema.ts';
import type { Review } from '../schemas/review.schema.ts';
import { createTestApp } from '../test/test-app.ts';
import type { TestApp } from '../test/test-app.ts';
import { DIALECTS } from '../test/test-database.ts';
import { bearer } from '../test/test-tokens.ts';
import { multipartBody as formBody } from '../test/multipart.ts';
import { multipartBody, registerModelFolder } from './inspections.test-helpers.ts';

const MODELS = fileURLToPath(new URL('../../../../models/', import.meta.url));
const API = '/api/xai-qc';
const A = 'acct-qa';
const B = 'acct-qb';

/** Every [n] of the answer text and every evidence citation names a citation of the answer. */
function expectCited(q: Question): void {
  const a = q.answer;
  expect(a.short.length).toBeGreaterThan(0);
  expect(a.answer.startsWith(a.short)).toBe(true);
  expect(a.citations.length).toBeGreaterThan(0);
  const ids = new Set(a.citations.map((c) => c.id));
  for (const e of a.evidence) for (const c of e.citations) expect(ids.has(c), `evidence cites ${c}`).toBe(true);
  for (const m of a.answer.matchAll(/\[(\d+)\]/g)) expect(ids.has(m[1]), `text cites [${m[1]}]`).toBe(true);
}

describe.each(DIALECTS)('question routes on %s', (dialect) => {
  let t: TestApp;
  const auth = (role: Role, account = A) => bearer(role, account, `${role}-${account}`);

  async function inspect(model: string, seed: number, label: string, account = A): Promise<Inspection> {
    const sample = generateSample('surface', { seed, label });
    const body = multipartBody([{ filename: `s${seed}.png`, bytes: await encodePng(sample.image) }]);
    const res = await t.app.inject({ method: 'POST', url: `${API}/detect?model=${model}`, payload: body.payload, headers: { ...body.headers, ...(await auth('operator', account)) } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<Inspection>();
  }

  async function ask(id: string, question: string, account = A, role: Role = 'viewer') {
    return t.app.inject({ method: 'POST', url: `${API}/inspections/${id}/questions`, payload: { question }, headers: await auth(role, account) });
  }

  async function count(table: 'questions' | 'answer_feedback' | 'reviews' | 'knowledge_documents' | 'knowledge_passages'): Promise<number> {
    const r = await t.app.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async function upload(filename: string, bytes: Uint8Array | string, account = A, title?: string) {
    const parts = [{ name: 'file', filename, data: typeof bytes === 'string' ? Buffer.from(bytes) : bytes }, ...(title ? [{ name: 'title', data: title }] : [])];
    const body = formBody(parts);
    return t.app.inject({ method: 'POST', url: `${API}/knowledge/documents`, payload: body.payload, headers: { ...body.headers, ...(await auth('engineer', account)) } });
  }

  beforeAll(async () => {
    t = await createTestApp(dialect, { ask: { llm: undefined, embed: undefined, kbMaxBytes: 64 * 1024 } });
    await registerModelFolder(t.app, `${MODELS}surface-segmenter`, 'surface-segmenter');
    await registerModelFolder(t.app, `${MODELS}surface-classifier`, 'surface-classifier');
  }, 60_000);
  afterAll(async () => t?.close());

  it('answers the main intents about a segmenter inspection, each answer cited, and keeps the history oldest first', async () => {
    const insp = await inspect('surface-segmenter', 11, 'scratch');
    const cases: [string, string][] = [
      ['Is this part defective?', 'defect_present'],
      ['What kind of defect is it?', 'defect_type'],
      ['Where is the defect?', 'location'],
      ['How sure are you about this result?', 'confidence'],
      ['Why was it rejected?', 'explanation'],
      ['What usually causes a scratch like this and how do we prevent it?', 'cause_remedy'],
      ['Have we seen similar parts before?', 'similar_cases'],
      ['Which labels can this model recognise?', 'model_facts'],
    ];
    const asked: Question[] = [];
    for (const [question, intent] of cases) {
      const res = await ask(insp.id, question);
      expect(res.statusCode, res.body).toBe(201);
      const q = res.json<Question>();
      expect(q).toMatchObject({ inspectionId: insp.id, question, createdBy: `viewer-${A}`, feedback: null });
      expect(q.answer.intent, question).toBe(intent);
      expect(q.answer.composer).toBe('grounded');
      expect(q.latencyMs).toBeGreaterThan(0);
      expectCited(q);
      asked.push(q);
    }
    const cause = asked[5].answer;
    expect(cause.citations.some((c) => c.kind === 'kb' && c.documentId?.startsWith('defect-book/'))).toBe(true);
    const verdict = asked[0].answer;
    expect(verdict.citations.some((c) => c.kind === 'inspection')).toBe(true);

    const history = await t.app.inject({ method: 'GET', url: `${API}/inspections/${insp.id}/questions`, headers: await auth('viewer') });
    expect(history.statusCode).toBe(200);
    expect(history.json<{ items: Question[] }>().items.map((q) => q.id)).toEqual(asked.map((q) => q.id));
  });

  it('answers why from the stored explanation maps, citing them by id', async () => {
    const insp = await inspect('surface-classifier', 31, 'scratch');
    const res = await t.app.inject({ method: 'POST', url: `${API}/explain`, payload: { inspectionId: insp.id, methods: ['gradcam', 'saliency'] }, headers: await auth('operator') });
    expect([200, 202], res.body).toContain(res.statusCode);
    if (res.statusCode === 202) {
      const location = res.json<{ location: string }>().location;
      for (let i = 0; ; i++) {
        const job = (await t.app.inject({ method: 'GET', url: location, headers: await auth('viewer') })).json<{ status: string }>();
        if (job.status === 'succeeded') break;
        expect(['queued', 'running'], job.status).toContain(job.status);
        expect(i).toBeLessThan(1200);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const stored = (await t.app.db.selectFrom('explanations').select('id').where('inspection_id', '=', insp.id).execute()).map((r) => r.id);
    expect(stored).toHaveLength(2);
    const q = (await ask(insp.id, 'Why did the model decide this?')).json<Question>();
    expect(q.answer.intent).toBe('explanation');
    expectCited(q);
    const refs = q.answer.citations.filter((c) => c.kind === 'explanation').map((c) => c.ref);
    expect(refs.length).toBeGreaterThan(0);
    for (const r of refs) expect(stored).toContain(r);
  });

  it('refuses empty, too long and unknown-inspection questions with a clear 4xx and stores nothing', async () => {
    const insp = await inspect('surface-classifier', 3, 'good');
    const before = await count('questions');
    for (const [question, code] of [['', 'XQC_QUESTION_EMPTY'], ['   \n\t ', 'XQC_QUESTION_EMPTY'], ['why '.repeat(2500), 'XQC_QUESTION_TOO_LONG'], ['x'.repeat(1001), 'XQC_QUESTION_TOO_LONG']] as const) {
      const res = await ask(insp.id, question);
      expect(res.statusCode, question.slice(0, 20)).toBe(400);
      expect(res.json<{ code: string }>().code).toBe(code);
    }
    expect((await ask(insp.id, 'x'.repeat(1000))).statusCode).toBe(201);
    const unknown = await ask('00000000-0000-4000-8000-000000000000', 'Is it defective?');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json<{ code: string }>().code).toBe('XQC_NOT_FOUND');
    const otherAccount = await ask(insp.id, 'Is it defective?', B);
    expect(otherAccount.statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `${API}/inspections/${insp.id}/questions`, headers: await auth('viewer', B) })).statusCode).toBe(404);
    expect(await count('questions')).toBe(before + 1);
  });

  it('takes feedback (one per user), turns a correction into a review, and lists the unhelpful answers for engineers', async () => {
    const insp = await inspect('surface-classifier', 21, 'scratch');
    const q = (await ask(insp.id, 'Is this part defective?')).json<Question>();
    const post = async (payload: object, role: Role = 'viewer', account = A) =>
      t.app.inject({ method: 'POST', url: `${API}/questions/${q.id}/feedback`, payload, headers: await auth(role, account) });

    const first = await post({ helpful: true });
    expect(first.statusCode, first.body).toBe(201);
    const second = await post({ helpful: false, comment: 'it missed the scratch' });
    expect(second.statusCode).toBe(201);
    expect(second.json<AnswerFeedback>()).toMatchObject({ questionId: q.id, helpful: false, comment: 'it missed the scratch', correction: null, reviewId: null, createdBy: `viewer-${A}` });
    const mine = (await t.app.inject({ method: 'GET', url: `${API}/inspections/${insp.id}/questions`, headers: await auth('viewer') })).json<{ items: Question[] }>().items;
    expect(mine[0].feedback?.id).toBe(second.json<AnswerFeedback>().id);
    expect((await t.app.db.selectFrom('answer_feedback').selectAll().where('question_id', '=', q.id).execute()).length).toBe(1);

    // A correction by a viewer is refused (reviews need an operator); a bad label is a 400; nothing is stored.
    const flipped = insp.verdict === 'pass' ? 'reject' : 'pass';
    const before = { feedback: await count('answer_feedback'), reviews: await count('reviews') };
    const denied = await post({ helpful: false, correction: { verdict: flipped } });
    expect(denied.statusCode).toBe(403);
    expect(denied.json<{ code: string }>().code).toBe('XQC_FORBIDDEN');
    const badLabel = await post({ helpful: false, correction: { label: 'crack' } }, 'operator');
    expect(badLabel.statusCode).toBe(400);
    expect(badLabel.json<{ code: string }>().code).toBe('XQC_REVIEW_LABEL');
    expect(await post({ helpful: false, correction: { verdict: 'maybe' } }, 'operator')).toMatchObject({ statusCode: 400 });
    expect({ feedback: await count('answer_feedback'), reviews: await count('reviews') }).toEqual(before);

    const corrected = await post({ helpful: false, comment: 'wrong verdict', correction: { verdict: flipped } }, 'operator');
    expect(corrected.statusCode, corrected.body).toBe(201);
    const fb = corrected.json<AnswerFeedback>();
    expect(fb.correction).toEqual({ verdict: flipped });
    expect(fb.reviewId).toBeTruthy();
    const reviews = (await t.app.inject({ method: 'GET', url: `${API}/inspections/${insp.id}/reviews`, headers: await auth('viewer') })).json<{ items: Review[] }>().items;
    expect(reviews[0]).toMatchObject({ id: fb.reviewId, verdict: flipped, label: flipped === 'pass' ? 'good' : 'defect', decision: 'override', comment: 'wrong verdict', reviewer: { subject: `operator-${A}` } });

    // The unhelpful list: engineers only, this account only, newest first, paged.
    const other = await inspect('surface-classifier', 22, 'good', B);
    const theirs = (await ask(other.id, 'Is this part defective?', B)).json<Question>();
    expect((await post({ helpful: false }, 'viewer', B)).statusCode).toBe(404);
    await t.app.inject({ method: 'POST', url: `${API}/questions/${theirs.id}/feedback`, payload: { helpful: false }, headers: await auth('viewer', B) });
    expect((await t.app.inject({ method: 'GET', url: `${API}/questions`, headers: await auth('operator') })).statusCode).toBe(403);
    const list = await t.app.inject({ method: 'GET', url: `${API}/questions?helpful=false&model=surface-classifier`, headers: await auth('engineer') });
    expect(list.statusCode, list.body).toBe(200);
    const page = list.json<QuestionPage>();
    expect(page.items.map((i) => i.id)).not.toContain(theirs.id);
    expect(page.items.filter((i) => i.id === q.id).map((i) => i.feedback?.createdBy).sort()).toEqual([`operator-${A}`, `viewer-${A}`]);
    expect(page.items.every((i) => i.feedback?.helpful === false)).toBe(true);
    const p1 = (await t.app.inject({ method: 'GET', url: `${API}/questions?limit=1`, headers: await auth('engineer') })).json<QuestionPage>();
    expect(p1.items).toHaveLength(1);
    expect(p1.nextCursor).not.toBeNull();
    const p2 = (await t.app.inject({ method: 'GET', url: `${API}/questions?limit=1&cursor=${p1.nextCursor}`, headers: await auth('engineer') })).json<QuestionPage>();
    expect(p2.items[0].feedback?.id).not.toBe(p1.items[0].feedback?.id);
    expect((await t.app.inject({ method: 'GET', url: `${API}/questions?model=surface-segmenter`, headers: await auth('engineer') })).json<QuestionPage>().items).toEqual([]);
    expect((await t.app.inject({ method: 'GET', url: `${API}/questions?cursor=nonsense`, headers: await auth('engineer') })).json<{ code: string }>().code).toBe('XQC_INVALID_CURSOR');
  });

  it('never answers from another account: similar cases, knowledge documents and figures stay in the account', async () => {
    const mine: Inspection[] = [];
    for (let s = 40; s < 44; s++) mine.push(await inspect('surface-classifier', s, 'scratch'));
    const theirs: Inspection[] = [];
    for (let s = 40; s < 44; s++) theirs.push(await inspect('surface-classifier', s, 'scratch', B));
    const theirIds = new Set(theirs.map((i) => i.id));
    // A document that answers the cause question for a defect of this model better than anything else, in account B only.
    const doc = await upload('line7.md', '# Defect causes on line 7\n\n## Typical causes, remedies and what to check for a defect\n\nZorbium residue from the quench bath of line 7 is the typical cause of every surface defect of this kind. Remedies: drain the bath. What to check: the fixture.\n', B);
    expect(doc.statusCode, doc.body).toBe(201);

    const similar = (await ask(mine[0].id, 'Have we seen similar parts before?')).json<Question>();
    expect(similar.answer.intent).toBe('similar_cases');
    const cases = similar.answer.citations.filter((c) => c.kind === 'case').map((c) => c.ref);
    expect(cases.length).toBeGreaterThan(0);
    for (const ref of cases) expect(theirIds.has(ref)).toBe(false);
    const cause = (await ask(mine[0].id, 'What causes a defect like this?')).json<Question>();
    expect(cause.answer.intent).toBe('cause_remedy');
    expect(cause.answer.citations.filter((c) => c.kind === 'kb').every((c) => c.documentId !== doc.json<{ id: string }>().id)).toBe(true);
    const search = (await t.app.inject({ method: 'GET', url: `${API}/knowledge/search?q=zorbium%20quench`, headers: await auth('viewer') })).json<{ items: { documentId: string }[] }>();
    expect(search.items.map((i) => i.documentId)).not.toContain(doc.json<{ id: string }>().id);
    // The owner finds it.
    const own = (await t.app.inject({ method: 'GET', url: `${API}/knowledge/search?q=zorbium%20quench`, headers: await auth('viewer', B) })).json<{ items: { documentId: string }[] }>();
    expect(own.items[0].documentId).toBe(doc.json<{ id: string }>().id);
    const theirCause = (await ask(theirs[0].id, 'What causes a defect like this?', B)).json<Question>();
    expect(theirCause.answer.citations.some((c) => c.kind === 'kb' && c.documentId === doc.json<{ id: string }>().id), "the owner's answer cites its own document").toBe(true);
    const figures = (await ask(mine[0].id, 'How many parts of this model have been inspected so far?')).json<Question>();
    expect(figures.answer.intent).toBe('history_metrics');
    const counted = await t.app.db.selectFrom('inspections').select((eb) => eb.fn.countAll<number>().as('n')).where('account_id', '=', A).where('model_name', '=', 'surface-classifier').executeTakeFirstOrThrow();
    expect(figures.answer.answer).toContain(`${Number(counted.n)} inspections`);
    expect(figures.answer.citations.some((c) => c.kind === 'metrics' && c.ref === 'surface-classifier@1.0.0')).toBe(true);
    expect(JSON.stringify(figures.answer)).not.toContain(theirs[0].id);
  });

  it('stores Markdown, text and PDF documents with their passages, lists the defect book, deletes, and refuses bad files storing nothing', async () => {
    const md = await upload('porosity.md', '# Gas porosity\n\n## Causes\n\nDamp flux and a contaminated shielding gas line cause gas porosity in welds.\n\n## Checks\n\nCheck the gas flow meter.\n', A, 'Weld notes');
    expect(md.statusCode, md.body).toBe(201);
    expect(md.json()).toMatchObject({ title: 'Weld notes', filename: 'porosity.md', mediaType: 'text/markdown', builtIn: false, createdBy: `engineer-${A}` });
    expect(md.json<{ passages: number }>().passages).toBeGreaterThanOrEqual(2);
    const txt = await upload('notes.txt', 'Spindle chatter leaves periodic marks.\n\nReplace the worn bearing.');
    expect(txt.statusCode).toBe(201);
    expect(txt.json()).toMatchObject({ title: 'notes', mediaType: 'text/plain' });
    const PDFDocument = (await import('pdfkit')).default;
    const pdfBytes = await new Promise<Buffer>((resolve, reject) => {
      const doc = new PDFDocument();
      const chunks: Buffer[] = [];
      doc.on('data', (c: Buffer) => chunks.push(c));
      doc.on('end', () => resolve(Buffer.concat(chunks)));
      doc.on('error', reject);
      doc.text('Hairline cracks near the flange start at sharp machining grooves.');
      doc.addPage().text('Deburr the flange edge before heat treatment.');
      doc.end();
    });
    const pdf = await upload('flange.pdf', pdfBytes);
    expect(pdf.statusCode, pdf.body).toBe(201);
    expect(pdf.json()).toMatchObject({ mediaType: 'application/pdf', passages: 2 });

    const list = (await t.app.inject({ method: 'GET', url: `${API}/knowledge/documents`, headers: await auth('viewer') })).json<{ items: { id: string; builtIn: boolean; createdBy: string | null }[] }>().items;
    const builtIn = list.filter((d) => d.builtIn);
    expect(builtIn.length).toBeGreaterThanOrEqual(3);
    expect(builtIn.every((d) => d.createdBy === null && d.id.startsWith('defect-book/'))).toBe(true);
    for (const d of [md, txt, pdf]) expect(list.map((x) => x.id)).toContain(d.json<{ id: string }>().id);
    const detail = await t.app.inject({ method: 'GET', url: `${API}/knowledge/documents/${pdf.json<{ id: string }>().id}`, headers: await auth('viewer') });
    expect(detail.json<{ passagesList: { source: string; text: string }[] }>().passagesList.map((p) => p.source)).toEqual(['page 1', 'page 2']);
    const book = await t.app.inject({ method: 'GET', url: `${API}/knowledge/documents/${encodeURIComponent(builtIn[0].id)}`, headers: await auth('viewer') });
    expect(book.statusCode, book.body).toBe(200);
    expect(book.json<{ passagesList: unknown[] }>().passagesList.length).toBeGreaterThan(0);
    const found = (await t.app.inject({ method: 'GET', url: `${API}/knowledge/search?q=flange%20deburr&k=3`, headers: await auth('viewer') })).json<{ items: { documentId: string }[] }>();
    expect(found.items[0].documentId).toBe(pdf.json<{ id: string }>().id);

    const before = { docs: await count('knowledge_documents'), passages: await count('knowledge_passages') };
    const bad: [string, Uint8Array | string, number, string][] = [
      ['fake.pdf', 'this is not a PDF at all', 400, 'XQC_DOCUMENT_INVALID'],
      ['empty.txt', '', 400, 'XQC_DOCUMENT_EMPTY'],
      ['blank.md', '   \n\n  ', 400, 'XQC_DOCUMENT_EMPTY'],
      ['image.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]), 400, 'XQC_DOCUMENT_TYPE'],
      ['huge.txt', 'a'.repeat(64 * 1024 + 1), 413, 'XQC_DOCUMENT_TOO_LARGE'],
    ];
    for (const [name, bytes, status, code] of bad) {
      const res = await upload(name, bytes);
      expect(res.statusCode, name).toBe(status);
      expect(res.json<{ code: string }>().code, name).toBe(code);
    }
    const engineer = await auth('engineer');
    const wrongField = formBody([{ name: 'document', filename: 'a.txt', data: 'text' }]);
    expect((await t.app.inject({ method: 'POST', url: `${API}/knowledge/documents`, payload: wrongField.payload, headers: { ...wrongField.headers, ...engineer } })).json<{ code: string }>().code).toBe('XQC_UPLOAD_FIELD');
    const noFile = formBody([{ name: 'title', data: 'only a title' }]);
    expect((await t.app.inject({ method: 'POST', url: `${API}/knowledge/documents`, payload: noFile.payload, headers: { ...noFile.headers, ...engineer } })).json<{ code: string }>().code).toBe('XQC_UPLOAD_MISSING');
    const twoFiles = formBody([{ name: 'file', filename: 'a.txt', data: 'one' }, { name: 'file', filename: 'b.txt', data: 'two' }]);
    expect((await t.app.inject({ method: 'POST', url: `${API}/knowledge/documents`, payload: twoFiles.payload, headers: { ...twoFiles.headers, ...engineer } })).json<{ code: string }>().code).toBe('XQC_TOO_MANY_FILES');
    const json = await t.app.inject({ method: 'POST', url: `${API}/knowledge/documents`, payload: { text: 'x' }, headers: engineer });
    expect(json.statusCode).toBe(415);
    expect((await t.app.inject({ method: 'GET', url: `${API}/knowledge/search`, headers: await auth('viewer') })).statusCode).toBe(400);
    const viewer = formBody([{ name: 'file', filename: 'v.txt', data: 'text' }]);
    expect((await t.app.inject({ method: 'POST', url: `${API}/knowledge/documents`, payload: viewer.payload, headers: { ...viewer.headers, ...(await auth('viewer')) } })).statusCode).toBe(403);
    expect({ docs: await count('knowledge_documents'), passages: await count('knowledge_passages') }).toEqual(before);

    const delBook = await t.app.inject({ method: 'DELETE', url: `${API}/knowledge/documents/${encodeURIComponent(builtIn[0].id)}`, headers: await auth('engineer') });
    expect(delBook.statusCode).toBe(409);
    expect(delBook.json<{ code: string }>().code).toBe('XQC_DOCUMENT_BUILT_IN');
    expect((await t.app.inject({ method: 'DELETE', url: `${API}/knowledge/documents/${pdf.json<{ id: string }>().id}`, headers: await auth('engineer', B) })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `${API}/knowledge/documents/${pdf.json<{ id: string }>().id}`, headers: await auth('viewer', B) })).statusCode).toBe(404);
    const del = await t.app.inject({ method: 'DELETE', url: `${API}/knowledge/documents/${pdf.json<{ id: string }>().id}`, headers: await auth('engineer') });
    expect(del.statusCode).toBe(204);
    const after = (await t.app.inject({ method: 'GET', url: `${API}/knowledge/search?q=flange%20deburr&k=3`, headers: await auth('viewer') })).json<{ items: { documentId: string }[] }>();
    expect(after.items.map((i) => i.documentId)).not.toContain(pdf.json<{ id: string }>().id);
    expect(await count('knowledge_passages')).toBe(before.passages - 2);
  });
});
