import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '@xai-qc/core';
import type { Role } from '../auth/principal.ts';
import type { Inspection, InspectionListItem } from '../schemas/inspection.schema.ts';
import type { Review } from '../schemas/review.schema.ts';
import { createTestApp } from '../test/test-app.ts';
import type { TestApp } from '../test/test-app.ts';
import { bearer } from '../test/test-tokens.ts';
import { DIALECTS } from '../test/test-database.ts';
import { multipartBody, registerModelFolder } from './inspections.test-helpers.ts';

const MODELS = fileURLToPath(new URL('../../../../models/', import.meta.url));
const API = '/api/xai-qc';
const ACCOUNT = 'acct-list';
const LABELS = ['good', 'scratch', 'dent'];

/** One listed row: the model's call, its defect score and creation time (seconds after T0). */
interface Spec {
  name: string;
  verdict: 'pass' | 'reject';
  label: string;
  score: number;
  at: number;
}

const T0 = Date.parse('2026-11-01T08:00:00.000Z');
const SPECS: Spec[] = [
  { name: 'A', verdict: 'reject', label: 'scratch', score: 0.9, at: 1 },
  { name: 'B', verdict: 'pass', label: 'good', score: 0.1, at: 2 },
  { name: 'C', verdict: 'reject', label: 'scratch', score: 0.7, at: 3 },
  { name: 'D', verdict: 'reject', label: 'dent', score: 0.55, at: 4 },
  { name: 'E', verdict: 'pass', label: 'good', score: 0.45, at: 5 },
  { name: 'F', verdict: 'pass', label: 'good', score: 0.3, at: 6 },
  // G and I tie on score and creation time: the id decides.
  { name: 'G', verdict: 'reject', label: 'scratch', score: 0.9, at: 7 },
  { name: 'I', verdict: 'reject', label: 'scratch', score: 0.9, at: 7 },
  { name: 'H', verdict: 'pass', label: 'good', score: 0.5, at: 8 },
];

/** A 48 x 40 RGB PNG. */
async function png(seed: number): Promise<Uint8Array> {
  const data = new Uint8Array(48 * 40 * 3);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = 90 + ((s >>> 16) % 60);
  }
  return encodePng({ width: 48, height: 40, channels: 3, data });
}

describe.each(DIALECTS)('inspection list with reviews, filters and sorts on %s', (dialect) => {
  let t: TestApp;
  const auth = (role: Role, subject: string = `${role}-list`) => bearer(role, ACCOUNT, subject);
  /** Spec name -> inspection id, and back. */
  const idOf = new Map<string, string>();
  const nameOf = new Map<string, string>();
  const reviews = new Map<string, Review>();

  async function list(query: string, role: Role = 'viewer') {
    return t.app.inject({ method: 'GET', url: `${API}/inspections?${query}`, headers: await auth(role) });
  }

  async function names(query: string): Promise<string[]> {
    const res = await list(query);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ items: InspectionListItem[] }>().items.map((i) => nameOf.get(i.id) as string);
  }

  /** Every page of `query` with `limit`, following nextCursor. */
  async function allPages(query: string, limit: number): Promise<string[]> {
    const out: string[] = [];
    let cursor: string | null = null;
    for (let guard = 0; guard < 50; guard++) {
      const res = await list(`${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json<{ items: InspectionListItem[]; nextCursor: string | null }>();
      expect(page.items.length).toBeLessThanOrEqual(limit);
      out.push(...page.items.map((i) => nameOf.get(i.id) as string));
      cursor = page.nextCursor;
      if (cursor === null) return out;
    }
    throw new Error('pagination did not end');
  }

  async function review(name: string, subject: string, verdict: 'pass' | 'reject', label: string): Promise<Review> {
    const res = await t.app.inject({ method: 'POST', url: `${API}/inspections/${idOf.get(name)}/reviews`, payload: { verdict, label }, headers: await auth('operator', subject) });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<Review>();
  }

  /** The expected order of `specs` under `sort`, ties newest first (created_at, then id, descending). */
  function expected(sort: 'newest' | 'score' | '-score' | 'uncertainty', specs: readonly Spec[] = SPECS): string[] {
    const key = (s: Spec): number => (sort === 'score' ? s.score : sort === '-score' ? -s.score : sort === 'uncertainty' ? Math.abs(s.score - 0.5) : 0);
    const newest = (a: Spec, b: Spec): number => b.at - a.at || ((idOf.get(b.name) as string) < (idOf.get(a.name) as string) ? -1 : 1);
    return [...specs].sort((a, b) => key(a) - key(b) || newest(a, b)).map((s) => s.name);
  }

  beforeAll(async () => {
    t = await createTestApp(dialect);
    await registerModelFolder(t.app, `${MODELS}surface-classifier`, 'surface-classifier');
    // One real inspection in another account; its row is the template of the listed ones.
    const body = multipartBody([{ filename: 'p.png', bytes: await png(3) }]);
    const res = await t.app.inject({ method: 'POST', url: `${API}/detect?model=surface-classifier`, payload: body.payload, headers: { ...body.headers, ...(await bearer('operator', 'acct-other', 'operator-other')) } });
    expect(res.statusCode, res.body).toBe(201);
    const template = await t.app.db.selectFrom('inspections').selectAll().where('id', '=', res.json<Inspection>().id).executeTakeFirstOrThrow();
    for (const s of SPECS) {
      const id = randomUUID();
      idOf.set(s.name, id);
      nameOf.set(id, s.name);
      await t.app.db
        .insertInto('inspections')
        .values({
          ...template,
          id,
          account_id: ACCOUNT,
          created_at: new Date(T0 + s.at * 1000).toISOString(),
          verdict: s.verdict,
          label: s.label,
          class_index: LABELS.indexOf(s.label),
          score: 0.8,
          defect_score: s.score,
          referred: 0,
          labels_json: JSON.stringify(LABELS),
          probabilities_json: JSON.stringify([1 - s.score, s.score / 2, s.score / 2]),
        })
        .execute();
    }
    reviews.set('A', await review('A', 'alice', 'pass', 'good'));
    reviews.set('B', await review('B', 'bob', 'reject', 'scratch'));
    reviews.set('C', await review('C', 'alice', 'reject', 'dent'));
    // D: bob confirms, then alice overrides: alice's review is the current one.
    reviews.set('D0', await review('D', 'bob', 'reject', 'dent'));
    reviews.set('D', await review('D', 'alice', 'pass', 'good'));
    reviews.set('E', await review('E', 'bob', 'pass', 'good'));
  }, 120_000);
  afterAll(async () => t?.close());

  it('carries each inspection\'s current review, or null when it has none', async () => {
    const res = await list('limit=200');
    expect(res.statusCode).toBe(200);
    const items = res.json<{ items: InspectionListItem[] }>().items;
    expect(items.map((i) => nameOf.get(i.id))).toEqual(expected('newest'));
    const byName = new Map(items.map((i) => [nameOf.get(i.id) as string, i]));
    for (const name of ['A', 'B', 'C', 'D', 'E']) {
      const r = reviews.get(name) as Review;
      expect(byName.get(name)?.review).toEqual({ id: r.id, verdict: r.verdict, label: r.label, reviewer: r.reviewer, createdAt: r.createdAt });
    }
    expect(byName.get('D')?.review?.reviewer.subject).toBe('alice');
    expect(reviews.get('D')?.supersedesId).toBe(reviews.get('D0')?.id);
    for (const name of ['F', 'G', 'H', 'I']) expect(byName.get(name)?.review).toBeNull();
    // The inspection fields are those of GET /inspections/:id.
    const one = await t.app.inject({ method: 'GET', url: `${API}/inspections/${idOf.get('A')}`, headers: await auth('viewer') });
    const { review: _review, ...inspection } = byName.get('A') as InspectionListItem;
    expect(inspection).toEqual(one.json<Inspection>());
  });

  it('filters on reviewed, on the current reviewer and on the outcome', async () => {
    expect((await names('reviewed=true&limit=200')).sort()).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect((await names('reviewed=false&limit=200')).sort()).toEqual(['F', 'G', 'H', 'I']);
    // D's earlier review by bob is superseded: only current reviews count.
    expect((await names('reviewer=alice')).sort()).toEqual(['A', 'C', 'D']);
    expect((await names('reviewer=bob')).sort()).toEqual(['B', 'E']);
    expect(await names('reviewer=nobody')).toEqual([]);
    expect((await names('outcome=fp')).sort()).toEqual(['A', 'D']);
    expect(await names('outcome=fn')).toEqual(['B']);
    expect(await names('outcome=wrongClass')).toEqual(['C']);
    expect(await names('outcome=correct')).toEqual(['E']);
    expect(await names('outcome=fp&reviewer=alice&verdict=reject&minScore=0.6')).toEqual(['A']);
    expect(await names('outcome=correct&reviewed=false')).toEqual([]);
    // Another account sees none of these rows or reviews.
    const other = await t.app.inject({ method: 'GET', url: `${API}/inspections?reviewed=true`, headers: await bearer('viewer', 'acct-other', 'viewer-other') });
    expect(other.json<{ items: InspectionListItem[] }>().items).toEqual([]);
  });

  it.each(['newest', 'score', '-score', 'uncertainty'] as const)('sorts by %s with keyset cursors that visit every row once', async (sort) => {
    const want = expected(sort);
    if (sort === 'uncertainty') expect(want[0]).toBe('H');
    if (sort === 'score') expect(want.slice(-3)).toEqual(expected('newest', SPECS.filter((s) => s.score === 0.9)));
    expect(await names(`sort=${sort}&limit=200`)).toEqual(want);
    for (const limit of [1, 2, 4]) expect(await allPages(`sort=${sort}`, limit)).toEqual(want);
    // With filters: the unreviewed rows only.
    const unreviewed = SPECS.filter((s) => ['F', 'G', 'H', 'I'].includes(s.name));
    expect(await allPages(`sort=${sort}&reviewed=false`, 1)).toEqual(expected(sort, unreviewed));
  });

  it('refuses a cursor of one sort for another with 400 XQC_INVALID_CURSOR', async () => {
    const cursors = new Map<string, string>();
    for (const sort of ['newest', 'score', '-score', 'uncertainty']) {
      const res = await list(`sort=${sort}&limit=2`);
      cursors.set(sort, res.json<{ nextCursor: string }>().nextCursor);
    }
    for (const [from, cursor] of cursors) {
      for (const to of ['newest', 'score', '-score', 'uncertainty']) {
        const res = await list(`sort=${to}&limit=2&cursor=${encodeURIComponent(cursor)}`);
        if (from === to) expect(res.statusCode, `${from} -> ${to}`).toBe(200);
        else {
          expect(res.statusCode, `${from} -> ${to}`).toBe(400);
          expect(res.json<{ code: string }>().code).toBe('XQC_INVALID_CURSOR');
        }
      }
    }
    // No sort is newest: the newest cursor works, the others do not.
    expect((await list(`limit=2&cursor=${encodeURIComponent(cursors.get('newest') as string)}`)).statusCode).toBe(200);
    expect((await list(`limit=2&cursor=${encodeURIComponent(cursors.get('score') as string)}`)).statusCode).toBe(400);
    const forged = Buffer.from(JSON.stringify(['score', 'x', '2026-11-01T08:00:00.000Z', idOf.get('A')])).toString('base64url');
    expect((await list(`sort=score&cursor=${forged}`)).json<{ code: string }>().code).toBe('XQC_INVALID_CURSOR');
  });

  it('refuses unknown sorts, outcomes and non-boolean reviewed with 400', async () => {
    for (const q of ['sort=oldest', 'outcome=false-positive', 'reviewed=maybe', 'reviewer=']) {
      const res = await list(q);
      expect(res.statusCode, q).toBe(400);
    }
  });
});
