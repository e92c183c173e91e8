import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, encodePng, maskToRle } from '@xai-qc/core';
import type { Role } from '../auth/principal.ts';
import type { Inspection } from '../schemas/inspection.schema.ts';
import type { QueuePage, Review } from '../schemas/review.schema.ts';
import { createTestApp } from '../test/test-app.ts';
import type { TestApp } from '../test/test-app.ts';
import { bearer } from '../test/test-tokens.ts';
import { DIALECTS } from '../test/test-database.ts';
import { multipartBody, registerModelFolder } from './inspections.test-helpers.ts';

const MODELS = fileURLToPath(new URL('../../../../models/', import.meta.url));
const API = '/api/xai-qc';

/** A 48 x 40 RGB PNG with texture depending on `seed`. */
async function png(seed: number): Promise<Uint8Array> {
  const data = new Uint8Array(48 * 40 * 3);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = 90 + ((s >>> 16) % 60);
  }
  return encodePng({ width: 48, height: 40, channels: 3, data });
}

describe.each(DIALECTS)('review routes on %s', (dialect) => {
  let t: TestApp;
  const auth = (role: Role, account = 'acct-r1', subject = `${role}-${account}`) => bearer(role, account, subject);

  async function inspect(seed: number, account = 'acct-r1'): Promise<Inspection> {
    const body = multipartBody([{ filename: `p${seed}.png`, bytes: await png(seed) }]);
    const res = await t.app.inject({ method: 'POST', url: `${API}/detect?model=surface-classifier`, payload: body.payload, headers: { ...body.headers, ...(await auth('operator', account)) } });
    expect(res.statusCode).toBe(201);
    return res.json<Inspection>();
  }

  async function counts(): Promise<{ reviews: number; blobs: number }> {
    const r = await t.app.db.selectFrom('reviews').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const b = await t.app.db.selectFrom('blobs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return { reviews: Number(r.n), blobs: Number(b.n) };
  }

  beforeAll(async () => {
    t = await createTestApp(dialect);
    await registerModelFolder(t.app, `${MODELS}surface-classifier`, 'surface-classifier');
  }, 60_000);
  afterAll(async () => t?.close());

  it('records a confirmation, then an override with a mask and boxes that supersedes it; history keeps both', async () => {
    const insp = await inspect(1);
    const confirm = await t.app.inject({ method: 'POST', url: `${API}/inspections/${insp.id}/reviews`, payload: { verdict: insp.verdict }, headers: await auth('operator') });
    expect(confirm.statusCode).toBe(201);
    const first = confirm.json<Review>();
    expect(first).toMatchObject({ inspectionId: insp.id, supersedesId: null, verdict: insp.verdict, label: insp.label, decision: 'confirm', maskUrl: null, boxes: [], reviewer: { subject: 'operator-acct-r1' } });

    const mask = new Uint8Array(48 * 40);
    for (let y = 10; y < 20; y++) for (let x = 5; x < 25; x++) mask[y * 48 + x] = 1;
    const overrideVerdict = insp.verdict === 'pass' ? 'reject' : 'pass';
    const overrideLabel = insp.label === 'good' ? 'defect' : 'good';
    const override = await t.app.inject({
      method: 'POST',
      url: `${API}/inspections/${insp.id}/reviews`,
      payload: { verdict: overrideVerdict, label: overrideLabel, mask: { rle: maskToRle(mask, 48, 40) }, boxes: [{ label: 'defect', box: [5, 10, 25, 20] }], comment: 'scratch missed' },
      headers: await auth('operator'),
    });
    expect(override.statusCode).toBe(201);
    const second = override.json<Review>();
    expect(second).toMatchObject({ supersedesId: first.id, decision: 'override', label: overrideLabel, classIndex: insp.labels.indexOf(overrideLabel), comment: 'scratch missed' });
    const maskRes = await t.app.inject({ method: 'GET', url: second.maskUrl as string, headers: await auth('viewer') });
    expect(maskRes.statusCode).toBe(200);
    const img = await decodeImage(new Uint8Array(maskRes.rawPayload));
    expect([img.width, img.height]).toEqual([48, 40]);
    expect(Array.from(img.data, (v) => (v ? 1 : 0))).toEqual(Array.from(mask));

    const history = await t.app.inject({ method: 'GET', url: `${API}/inspections/${insp.id}/reviews`, headers: await auth('viewer') });
    expect(history.json<{ items: Review[] }>().items.map((r) => r.id)).toEqual([second.id, first.id]);
    const gt = await t.app.reviews.groundTruthMask('acct-r1', insp.id);
    expect(gt && Array.from(gt.data)).toEqual(Array.from(mask));

    // The same mask as a PNG is accepted too.
    const asPng = await encodePng({ width: 48, height: 40, channels: 1, data: mask.map((v) => v * 255) });
    const third = await t.app.inject({ method: 'POST', url: `${API}/inspections/${insp.id}/reviews`, payload: { verdict: overrideVerdict, label: overrideLabel, mask: { png: Buffer.from(asPng).toString('base64') } }, headers: await auth('operator') });
    expect(third.statusCode).toBe(201);
    expect(third.json<Review>().supersedesId).toBe(second.id);
  });

  it("gives explanations their quality figures against the current review's mask", async () => {
    const insp = await inspect(7);
    const mask = new Uint8Array(48 * 40);
    for (let y = 8; y < 24; y++) for (let x = 10; x < 30; x++) mask[y * 48 + x] = 1;
    const review = await t.app.inject({ method: 'POST', url: `${API}/inspections/${insp.id}/reviews`, payload: { verdict: 'reject', label: 'defect', mask: { rle: maskToRle(mask, 48, 40) } }, headers: await auth('operator') });
    expect(review.statusCode).toBe(201);
    const res = await t.app.inject({ method: 'POST', url: `${API}/explain`, payload: { inspectionId: insp.id, methods: ['gradxinput'] }, headers: await auth('operator') });
    expect(res.statusCode, res.body).toBe(200);
    const quality = res.json<{ methods: { quality: { energyInMask?: number; pointingHit?: boolean } | null }[] }>().methods[0].quality;
    expect(quality?.energyInMask).toBeGreaterThanOrEqual(0);
    expect(quality?.energyInMask).toBeLessThanOrEqual(1);
    expect(typeof quality?.pointingHit).toBe('boolean');
  });

  it('refuses bad reviews with a clear 4xx and stores nothing', async () => {
    const insp = await inspect(2);
    const before = await counts();
    const cases: [unknown, number, string][] = [
      [{ verdict: 'maybe' }, 400, 'XQC_VALIDATION'],
      [{ verdict: insp.verdict, label: 'crack' }, 400, 'XQC_REVIEW_LABEL'],
      [{ verdict: insp.verdict === 'pass' ? 'reject' : 'pass' }, 400, 'XQC_REVIEW_LABEL'],
      [{ verdict: insp.verdict, mask: { png: Buffer.from('not a png').toString('base64') } }, 400, 'XQC_REVIEW_MASK'],
      [{ verdict: insp.verdict, mask: { png: Buffer.from(await png(9)).toString('base64') } }, 201, ''],
      [{ verdict: insp.verdict, mask: { rle: { size: [40, 47], counts: [1880] } } }, 400, 'XQC_REVIEW_MASK'],
      [{ verdict: insp.verdict, mask: { rle: { size: [40, 48], counts: [10, 5] } } }, 400, 'XQC_REVIEW_MASK'],
      [{ verdict: insp.verdict, boxes: [{ label: 'defect', box: [0, 0, 49, 10] }] }, 400, 'XQC_REVIEW_BOX'],
      [{ verdict: insp.verdict, boxes: [{ label: 'defect', box: [10, 10, 10, 20] }] }, 400, 'XQC_REVIEW_BOX'],
    ];
    for (const [payload, status, code] of cases) {
      if (status === 201) continue; // a 48 x 40 RGB PNG is a valid (all-defect) mask: covered above
      const res = await t.app.inject({ method: 'POST', url: `${API}/inspections/${insp.id}/reviews`, payload: payload as object, headers: await auth('operator') });
      expect(res.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(status);
      expect(res.json<{ code: string }>().code).toBe(code);
    }
    const other = await t.app.inject({ method: 'POST', url: `${API}/inspections/${insp.id}/reviews`, payload: { verdict: insp.verdict }, headers: await auth('operator', 'acct-r2') });
    expect(other.statusCode).toBe(404);
    const viewer = await t.app.inject({ method: 'POST', url: `${API}/inspections/${insp.id}/reviews`, payload: { verdict: insp.verdict }, headers: await auth('viewer') });
    expect(viewer.statusCode).toBe(403);
    expect(await counts()).toEqual(before);
  });

  it('draws the queue from unreviewed inspections of the account only, with counts, claims and paging', async () => {
    const mine: Inspection[] = [];
    for (let i = 10; i < 16; i++) mine.push(await inspect(i));
    const theirs = await inspect(30, 'acct-r2');
    // Everything is in the queue at uncertainMin 0 (each inspection is 'uncertain' or 'referred').
    const all = await t.app.inject({ method: 'GET', url: `${API}/review-queue?uncertainMin=0&limit=200`, headers: await auth('operator') });
    expect(all.statusCode).toBe(200);
    const page = all.json<QueuePage>();
    const ids = page.items.map((i) => i.inspectionId);
    expect(ids).not.toContain(theirs.id);
    for (const m of mine) expect(ids).toContain(m.id);
    const reviewed = (await t.app.db.selectFrom('reviews').select('inspection_id').execute()).map((r) => r.inspection_id);
    for (const r of reviewed) expect(ids).not.toContain(r);
    expect(page.counts.referred + page.counts.uncertain + page.counts.audit + page.counts['confident-sample']).toBe(page.total);
    // Sorted most uncertain first within a reason.
    const uncertain = page.items.filter((i) => i.reason === 'uncertain').map((i) => i.uncertainty);
    expect(uncertain).toEqual([...uncertain].sort((a, b) => b - a));

    // Nothing passes a threshold of 1 (unless referred) and sampling is off.
    const strict = (await t.app.inject({ method: 'GET', url: `${API}/review-queue?uncertainMin=1&auditRate=0&confidentRate=0`, headers: await auth('operator') })).json<QueuePage>();
    expect(strict.items.every((i) => i.reason === 'referred')).toBe(true);

    // Paging.
    const p1 = (await t.app.inject({ method: 'GET', url: `${API}/review-queue?uncertainMin=0&limit=2`, headers: await auth('operator') })).json<QueuePage>();
    expect(p1.items).toHaveLength(2);
    const p2 = (await t.app.inject({ method: 'GET', url: `${API}/review-queue?uncertainMin=0&limit=2&cursor=${p1.nextCursor}`, headers: await auth('operator') })).json<QueuePage>();
    expect(p2.items[0].inspectionId).toBe(ids[2]);

    // A claim hides the item from other reviewers, who cannot claim or review it.
    const target = mine[0].id;
    const claim = await t.app.inject({ method: 'POST', url: `${API}/review-queue/${target}/claim`, headers: await auth('operator', 'acct-r1', 'alice') });
    expect(claim.statusCode).toBe(200);
    expect(claim.json<{ reviewer: string }>().reviewer).toBe('alice');
    const bob = await auth('operator', 'acct-r1', 'bob');
    expect((await t.app.inject({ method: 'POST', url: `${API}/review-queue/${target}/claim`, headers: bob })).statusCode).toBe(409);
    const bobReview = await t.app.inject({ method: 'POST', url: `${API}/inspections/${target}/reviews`, payload: { verdict: mine[0].verdict }, headers: bob });
    expect(bobReview.statusCode).toBe(409);
    expect(bobReview.json<{ code: string }>().code).toBe('XQC_REVIEW_CLAIMED');
    const bobQueue = (await t.app.inject({ method: 'GET', url: `${API}/review-queue?uncertainMin=0&limit=200`, headers: bob })).json<QueuePage>();
    expect(bobQueue.items.map((i) => i.inspectionId)).not.toContain(target);
    const aliceQueue = (await t.app.inject({ method: 'GET', url: `${API}/review-queue?uncertainMin=0&limit=200`, headers: await auth('operator', 'acct-r1', 'alice') })).json<QueuePage>();
    expect(aliceQueue.items.find((i) => i.inspectionId === target)?.claim).toMatchObject({ reviewer: 'alice', mine: true });
    // Another account cannot see or claim it.
    expect((await t.app.inject({ method: 'POST', url: `${API}/review-queue/${target}/claim`, headers: await auth('operator', 'acct-r2') })).statusCode).toBe(404);
    // Alice reviews it: the claim is released and the item leaves the queue.
    const done = await t.app.inject({ method: 'POST', url: `${API}/inspections/${target}/reviews`, payload: { verdict: mine[0].verdict }, headers: await auth('operator', 'acct-r1', 'alice') });
    expect(done.statusCode).toBe(201);
    expect(await t.app.db.selectFrom('review_claims').selectAll().where('inspection_id', '=', target).execute()).toEqual([]);
    // Release: only your own claim.
    const next = mine[1].id;
    await t.app.inject({ method: 'POST', url: `${API}/review-queue/${next}/claim`, headers: bob });
    expect((await t.app.inject({ method: 'DELETE', url: `${API}/review-queue/${next}/claim`, headers: await auth('operator', 'acct-r1', 'alice') })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'DELETE', url: `${API}/review-queue/${next}/claim`, headers: bob })).statusCode).toBe(204);
  });

  it('gives a contested item to exactly one of two reviewers claiming at once', async () => {
    for (let round = 0; round < 5; round++) {
      const insp = await inspect(50 + round);
      const [a, b] = await Promise.all([
        t.app.inject({ method: 'POST', url: `${API}/review-queue/${insp.id}/claim`, headers: await auth('operator', 'acct-r1', 'carol') }),
        t.app.inject({ method: 'POST', url: `${API}/review-queue/${insp.id}/claim`, headers: await auth('operator', 'acct-r1', 'dave') }),
      ]);
      expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
      const holder = (await t.app.db.selectFrom('review_claims').select('reviewer').where('inspection_id', '=', insp.id).executeTakeFirstOrThrow()).reviewer;
      expect(holder).toBe(a.statusCode === 200 ? 'carol' : 'dave');
    }
  });

  it('refuses a queue range with from after to', async () => {
    const res = await t.app.inject({ method: 'GET', url: `${API}/review-queue?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z`, headers: await auth('operator') });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ code: string }>().code).toBe('XQC_INVALID_RANGE');
  });
});
