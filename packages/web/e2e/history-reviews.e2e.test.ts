/**
 * History and the review queue in a real browser against the real server: inspections made
 * through the API with the demo segmenter (masks) and classifier (classes); History filtered
 * by verdict (in the URL) and sorted by score; the queue's claim (and a 409 when another
 * reviewer holds an item, with the next one offered); accept, reject with a reason, override
 * a class and correct the mask with the brush and undo; History then shows the ground truth
 * next to the prediction. Axe on each page.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { apiToken, createUser, formatViolations, launchBrowser, newContext, REPO, seriousA11yViolations, signIn, startServer } from './harness.ts';
import type { E2eServer } from './harness.ts';

interface Made {
  id: string;
  model: { name: string; task: string };
  verdict: 'pass' | 'reject';
  label: string;
  labels: string[];
  defectScore: number;
}

let server: E2eServer;
let browser: Browser;
let token: string;
const made: Made[] = [];
const FIXTURES = ['surface-crack', 'surface-scratch', 'surface-spot', 'surface-good'];

async function detect(model: string, fixture: string): Promise<Made> {
  const form = new FormData();
  form.append('image', new Blob([readFileSync(join(REPO, `packages/web/e2e/fixtures/${fixture}.png`))], { type: 'image/png' }), `${fixture}.png`);
  const r = await fetch(`${server.url}/api/xai-qc/detect?model=${model}`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
  if (r.status !== 201) throw new Error(`detect ${model} ${fixture}: ${r.status} ${await r.text()}`);
  return (await r.json()) as Made;
}

async function reviewsOf(id: string) {
  const r = await fetch(`${server.url}/api/xai-qc/inspections/${id}/reviews`, { headers: { authorization: `Bearer ${token}` } });
  return ((await r.json()) as { items: { verdict: string; label: string; decision: string; comment: string | null; maskUrl: string | null }[] }).items;
}

/** expect.poll with room for a loaded machine. */
function poll<T>(fn: () => T | Promise<T>) {
  return expect.poll(fn, { timeout: 30_000, interval: 100 });
}

async function axe(page: Page) {
  expect(formatViolations(await seriousA11yViolations(page))).toBe('');
}

/** The inspection id of the open queue item (from its link to the inspection page). */
async function openItemId(page: Page): Promise<string> {
  const href = await page.getByRole('link', { name: 'Open the inspection and its explanations' }).getAttribute('href');
  return href!.split('/').pop()!;
}

async function openItem(page: Page, id: string) {
  await page.goto(`${server.url}/reviews?uncertainMin=0&item=${id}`);
  await poll(() => page.getByTestId('claim-status').textContent()).toContain('Claimed by you');
  expect(await openItemId(page)).toBe(id);
}

async function maskArea(page: Page): Promise<number> {
  const t = (await page.getByTestId('mask-status').textContent()) ?? '';
  return Number(/Mask: ([\d,]+) px/.exec(t)![1]!.replace(/,/g, ''));
}

/** Which inspection each step uses: classifier items to accept and reject, segmenter items for the mask. */
function roles() {
  const seg = made.filter((m) => m.model.name === 'surface-segmenter');
  const cls = made.filter((m) => m.model.name === 'surface-classifier');
  const toReject = cls.find((m) => m.verdict === 'reject') ?? cls[0]!;
  const toAccept = cls.find((m) => m.id !== toReject.id)!;
  const toOverride = seg.find((m) => m.verdict === 'reject') ?? seg[0]!;
  const rest = seg.filter((m) => m.id !== toOverride.id);
  return { toReject, toAccept, toOverride, heldByOther: rest[0]!, onTablet: rest[1]! };
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  token = await apiToken(server);
  for (const f of FIXTURES) made.push(await detect('surface-segmenter', f));
  for (const f of ['surface-crack', 'surface-good']) made.push(await detect('surface-classifier', f));
});

/** The page of the running test, for a screenshot and its text when it fails. */
let current: Page | undefined;
/** Uncaught errors and console errors of the running test's page. */
let pageErrors: string[] = [];
/** Uncaught errors only (a refused claim logs a console error for its 409, which is expected). */
let uncaught: string[] = [];

function watch(page: Page) {
  current = page;
  pageErrors = [];
  uncaught = [];
  page.on('pageerror', (e) => {
    pageErrors.push(`${e.message}\n${e.stack ?? ''}`);
    uncaught.push(e.message);
  });
  page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
}

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail' && current && !current.isClosed()) {
    const file = join(tmpdir(), `history-reviews-failure-${Date.now()}.png`);
    await current.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    console.error(`failure screenshot: ${file}\n${await current.locator('body').innerText().catch(() => '')}\n${pageErrors.join('\n')}`);
  }
  current = undefined;
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('History and the review queue', () => {
  it('filters History by verdict in the URL and sorts by score', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    watch(page);
    await signIn(page, server);
    await page.goto(`${server.url}/history`);
    const rows = page.getByTestId('history-row');
    await poll(() => rows.count()).toBe(made.length);
    await poll(() => page.getByTestId('thumbnail').count()).toBe(made.length);
    await axe(page);

    await page.getByLabel('Verdict').selectOption('reject');
    await page.waitForURL(/verdict=reject/);
    const rejects = made.filter((m) => m.verdict === 'reject').length;
    if (rejects === 0) await page.getByText('No inspection matches these filters').waitFor();
    else await poll(() => rows.count()).toBe(rejects);
    for (const text of await page.getByTestId('prediction').allTextContents()) expect(text).toContain('Reject');
    // the filtered view is bookmarkable: a reload keeps it
    await page.reload();
    await poll(() => page.getByLabel('Verdict').inputValue()).toBe('reject');

    await page.getByRole('button', { name: 'Clear filters' }).click();
    await poll(() => rows.count()).toBe(made.length);
    await page.getByLabel('Sort').selectOption('score-desc');
    await page.waitForURL(/sort=score-desc/);
    // the list re-renders when the sorted page arrives: read the order once it has settled
    const scoresShown = async (): Promise<number[]> =>
      (await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-inspection-id')!))).map((id) => made.find((m) => m.id === id)?.defectScore ?? Number.NaN);
    await poll(scoresShown).toEqual(made.map((m) => m.defectScore).sort((a, b) => b - a));
    await axe(page);
    expect(uncaught).toEqual([]);
    await ctx.close();
  });

  it('claims, accepts, rejects with a reason, overrides a class with a corrected mask, and History shows the ground truth', async () => {
    const { toOverride, toReject, toAccept, heldByOther } = roles();

    // another reviewer holds one item
    const otherPassword = await createUser(server, 'reviewer2', 'operator');
    const otherToken = await apiToken(server, 'reviewer2', otherPassword);
    const held = await fetch(`${server.url}/api/xai-qc/review-queue/${heldByOther.id}/claim`, { method: 'POST', headers: { authorization: `Bearer ${otherToken}` } });
    expect(held.status).toBe(200);

    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    watch(page);
    await signIn(page, server);
    await page.goto(`${server.url}/reviews?uncertainMin=0`);
    await page.getByRole('heading', { name: 'Review queue' }).waitFor();
    await poll(() => page.getByTestId('claim-status').textContent()).toContain('Claimed by you');
    await page.getByTestId('shortcut-help').waitFor();
    await axe(page);

    // n / p move through the queue, each item claimed in turn
    const first = await openItemId(page);
    await page.keyboard.press('n');
    await poll(() => openItemId(page)).not.toBe(first);
    await poll(() => page.getByTestId('claim-status').textContent()).toContain('Claimed by you');
    await page.keyboard.press('p');
    await poll(() => openItemId(page)).toBe(first);

    // the item another reviewer holds: a sentence and the next one offered
    await page.goto(`${server.url}/reviews?uncertainMin=0&includeClaimed=true&item=${heldByOther.id}`);
    await page.getByText('Another reviewer is working on this item. Take the next one.').waitFor();
    await axe(page);
    await page.getByRole('button', { name: 'Take the next one' }).click();
    await poll(() => openItemId(page)).not.toBe(heldByOther.id);

    // accept with the keyboard
    await openItem(page, toAccept.id);
    // the shortcuts act once the item's decision panel is ready
    await poll(() => page.getByRole('button', { name: 'Accept', exact: true }).isEnabled()).toBe(true);
    await page.keyboard.press('a');
    await page.getByText(/Review saved/).first().waitFor();
    await poll(async () => (await reviewsOf(toAccept.id)).length).toBe(1);
    const accepted = (await reviewsOf(toAccept.id))[0]!;
    expect(accepted).toMatchObject({ verdict: toAccept.verdict, label: toAccept.label, decision: 'confirm' });

    // reject with a reason
    await openItem(page, toReject.id);
    await page.getByRole('button', { name: 'Reject', exact: true }).click();
    await page.getByLabel('Reason', { exact: true }).selectOption('Wrong region');
    await page.getByLabel('Comment').fill('only dust on the lens');
    await axe(page);
    await page.getByRole('button', { name: 'Submit review' }).click();
    await poll(async () => (await reviewsOf(toReject.id)).length).toBe(1);
    const rejected = (await reviewsOf(toReject.id))[0]!;
    expect(rejected.verdict).toBe(toReject.verdict === 'pass' ? 'reject' : 'pass');
    expect(rejected.decision).toBe('override');
    expect(rejected.comment).toBe('Reason: Wrong region. only dust on the lens');

    // override the class and correct the mask: paint, undo, paint again
    await openItem(page, toOverride.id);
    const other = toOverride.labels.find((l) => l !== toOverride.label && l !== 'background')!;
    await page.getByLabel('True class').selectOption(other);
    const before = await maskArea(page);
    expect(await page.getByTestId('mask-status').textContent()).toContain('as predicted');
    const box = (await page.getByTestId('mask-canvas').boundingBox())!;
    await page.keyboard.press('b');
    await page.keyboard.press(']');
    await page.mouse.move(box.x + box.width * 0.05, box.y + box.height * 0.9);
    await page.getByTestId('brush-preview').waitFor();
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.95, { steps: 8 });
    await page.mouse.up();
    await poll(() => maskArea(page)).toBeGreaterThan(before);
    expect(await page.getByTestId('mask-status').textContent()).toContain('1 edit');
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.6);
    await page.getByTestId('brush-preview').waitFor();
    // moving away and back keeps the draft: the class, the painted mask and its undo history
    const paintedOnce = await maskArea(page);
    await page.keyboard.press('n');
    await poll(() => openItemId(page)).not.toBe(toOverride.id);
    await page.keyboard.press('p');
    await poll(() => openItemId(page)).toBe(toOverride.id);
    await poll(() => page.getByTestId('claim-status').textContent()).toContain('Claimed by you');
    await poll(() => maskArea(page)).toBe(paintedOnce);
    expect(await page.getByLabel('True class').inputValue()).toBe(other);
    await page.keyboard.press('Control+z');
    await poll(() => maskArea(page)).toBe(before);
    expect(await page.getByTestId('mask-status').textContent()).toContain('as predicted');
    await page.keyboard.press('Control+Shift+z');
    await poll(() => maskArea(page)).toBeGreaterThan(before);
    const painted = await maskArea(page);
    await page.keyboard.press('e');
    await page.mouse.click(box.x + box.width * 0.05, box.y + box.height * 0.9);
    await poll(() => maskArea(page)).toBeLessThan(painted);
    await axe(page);
    await page.keyboard.press('Control+Enter');
    await poll(async () => (await reviewsOf(toOverride.id)).length).toBe(1);
    const overridden = (await reviewsOf(toOverride.id))[0]!;
    expect(overridden).toMatchObject({ verdict: toOverride.verdict, label: other, decision: 'override' });
    expect(overridden.maskUrl).toMatch(/mask\.png$/);

    // History: ground truth next to the prediction, and the quick filters
    await page.goto(`${server.url}/history`);
    const row = (id: string) => page.locator(`[data-inspection-id="${id}"]`);
    await poll(() => row(toOverride.id).getByTestId('ground-truth').textContent()).toContain(other);
    expect(await row(toAccept.id).getByTestId('ground-truth').textContent()).toContain(toAccept.label);
    expect(await row(toReject.id).getByTestId('ground-truth').textContent()).toContain(rejected.label);
    expect(await row(heldByOther.id).getByTestId('ground-truth').textContent()).toContain('Not reviewed');
    await axe(page);

    const expectOutcome = (m: Made, truth: { verdict: string; label: string }) =>
      m.verdict === 'reject' && truth.verdict === 'pass' ? 'false-positive' : m.verdict === 'pass' && truth.verdict === 'reject' ? 'false-negative' : m.verdict === 'reject' && m.label !== truth.label ? 'wrong-class' : 'correct';
    expect(await row(toAccept.id).getAttribute('data-outcome')).toBe('correct');
    expect(await row(toReject.id).getAttribute('data-outcome')).toBe(expectOutcome(toReject, rejected));
    expect(await row(toOverride.id).getAttribute('data-outcome')).toBe(expectOutcome(toOverride, overridden));

    const quick = { 'false-positive': 'False positive', 'false-negative': 'False negative', 'wrong-class': 'Wrong class', correct: 'Correct' } as const;
    const outcome = expectOutcome(toReject, rejected) as keyof typeof quick;
    await page.getByRole('group', { name: 'Ground truth quick filters' }).getByRole('button', { name: new RegExp(`^${quick[outcome]}`) }).click();
    await page.waitForURL(new RegExp(`outcome=${outcome}`));
    await poll(() => page.getByTestId('history-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-outcome')))).toSatisfy((o: unknown) => (o as string[]).length > 0 && (o as string[]).every((x) => x === outcome));
    expect(await row(toReject.id).count()).toBe(1);
    await page.getByRole('group', { name: 'Ground truth quick filters' }).getByRole('button', { name: /^Correct/ }).click();
    await poll(() => row(toAccept.id).count()).toBe(1);
    expect(await row(toReject.id).count()).toBe(outcome === 'correct' ? 1 : 0);
    await axe(page);
    expect(uncaught).toEqual([]);
    await ctx.close();
  });

  it('paints with a finger on a tablet', async () => {
    const target = roles().onTablet;
    expect(await reviewsOf(target.id)).toEqual([]);
    const ctx = await newContext(browser, 'tablet');
    const page = await ctx.newPage();
    watch(page);
    await signIn(page, server);
    await openItem(page, target.id);
    const before = await maskArea(page);
    const box = (await page.getByTestId('mask-canvas').boundingBox())!;
    await page.keyboard.press(']');
    await page.touchscreen.tap(box.x + box.width * 0.9, box.y + box.height * 0.1);
    await poll(() => maskArea(page)).not.toBe(before);
    await axe(page);
    expect(uncaught).toEqual([]);
    await ctx.close();
  });
});
