/**
 * The explanation viewer, the trust panel and the anomaly answers on the inspection page,
 * in a real browser against the real server: every explanation tab of a classifier
 * inspection is opened and its result (inline, or through its explain job) waited for, the
 * consensus and the side-by-side mode are checked, the trust panel's plain-language hints
 * are read, and for an inspection of the anomaly model the four answers (where, which, why
 * as an SVG waterfall, what with links to similar inspections) are checked. axe-core on
 * every page visited.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiToken, createUser, formatViolations, launchBrowser, newContext, REPO, seriousA11yViolations, signIn, startServer } from './harness.ts';
import type { E2eServer } from './harness.ts';

let server: E2eServer;
let browser: Browser;
let token: string;

interface InspectionBody {
  id: string;
  verdict: string;
  label: string;
  model: { name: string; task: string };
}

interface ExplanationListBody {
  items: { method: string; jobId: string | null; runtimeMs: number; params: Record<string, unknown> }[];
  aggregates: { score: number; members: unknown[] }[];
}

const FIXTURES = join(REPO, 'packages/web/e2e/fixtures');

/** POST /detect with a fixture image, as the admin. */
async function detect(model: string, fixture: string, query: Record<string, string> = {}): Promise<InspectionBody> {
  const form = new FormData();
  form.append('image', new Blob([readFileSync(join(FIXTURES, fixture))], { type: 'image/png' }), fixture);
  const qs = new URLSearchParams({ model, ...query });
  const r = await fetch(`${server.url}/api/xai-qc/detect?${qs}`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
  if (!r.ok) throw new Error(`detect ${model} ${fixture}: ${r.status} ${await r.text()}`);
  return (await r.json()) as InspectionBody;
}

async function getJson<T>(path: string): Promise<T> {
  const r = await fetch(`${server.url}/api/xai-qc${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (!r.ok) throw new Error(`GET ${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

/** Waits until a method view leaves 'empty' / 'running'; fails with its text when it ends in an error. */
async function waitForResult(view: Locator, timeout = 150_000): Promise<void> {
  await expect.poll(() => view.getAttribute('data-state'), { timeout, interval: 500 }).toMatch(/^(ready|error)$/);
  const state = await view.getAttribute('data-state');
  if (state !== 'ready') throw new Error(`the method ended in '${state}': ${await view.innerText()}`);
}

/** Every <img> inside `scope` has decoded (natural width > 0). */
async function imagesLoaded(scope: Locator): Promise<boolean> {
  return scope.locator('img').evaluateAll((imgs) => imgs.length > 0 && imgs.every((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0));
}

/** A tab's accessible name: the method's label, then maybe its status in brackets ("(computed)"). */
function tabName(label: string): RegExp {
  return new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( \\(|$)`);
}

async function openInspection(page: Page, id: string): Promise<void> {
  await page.goto(`${server.url}/inspections/${id}`);
  await page.getByTestId('explanation-panel').waitFor({ timeout: 30_000 });
}

const CLASSIFIER_TABS = ['Saliency', 'Grad x input', 'SmoothGrad', 'Integrated Gradients', 'Gradient SHAP', 'Grad-CAM', 'Grad-CAM++', 'Occlusion', 'RISE', 'LIME', 'Kernel SHAP'];
const METHOD_OF_TAB: Record<string, string> = {
  Saliency: 'saliency',
  'Grad x input': 'gradxinput',
  SmoothGrad: 'smoothgrad',
  'Integrated Gradients': 'ig',
  'Gradient SHAP': 'gradshap',
  'Grad-CAM': 'gradcam',
  'Grad-CAM++': 'gradcampp',
  Occlusion: 'occlusion',
  RISE: 'rise',
  LIME: 'lime',
  'Kernel SHAP': 'kernelshap',
  'Anomaly map': 'anomalymap',
};

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  token = await apiToken(server);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('explanation viewer and trust panel', () => {
  it('opens every explanation tab of a classifier inspection, waits for each result, and shows the consensus side by side', { timeout: 600_000 }, async () => {
    const insp = await detect('surface-classifier', 'surface-scratch.png', { uncertainty: 'mc-dropout', samples: '20' });
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await signIn(page, server);
    await openInspection(page, insp.id);
    const panel = page.getByTestId('explanation-panel');
    const tablist = panel.getByRole('tablist', { name: 'Explanation methods' });

    // one tab per method the server offers for a classifier, plus the consensus; no anomaly map
    // (a tab's text is its label, then its status on a second line while it computes)
    await expect.poll(async () => (await tablist.getByRole('tab').allInnerTexts()).map((t) => t.split('\n')[0]!.trim())).toEqual([...CLASSIFIER_TABS, expect.stringMatching(/^Consensus/)]);

    for (const name of CLASSIFIER_TABS) {
      const method = METHOD_OF_TAB[name]!;
      const tab = tablist.getByRole('tab', { name: tabName(name) });
      await tab.click();
      await expect.poll(() => tab.getAttribute('aria-selected')).toBe('true');
      const view = panel.getByTestId(`method-${method}`);
      await waitForResult(view);
      await expect.poll(() => imagesLoaded(view), { timeout: 20_000 }).toBe(true);
      const text = await view.innerText();
      expect(text).toContain('Parameters');
      expect(text).toMatch(/Explains defect/);
      expect(text).toMatch(/\d+(\.\d+)? m?s/);
      expect(await view.getByRole('button', { name: /Show on image/ }).count()).toBe(1);
    }

    // fast methods answered inline, slow ones through an explain job; each with its parameters
    const list = await getJson<ExplanationListBody>(`/inspections/${insp.id}/explanations`);
    const byMethod = new Map(list.items.map((e) => [e.method, e]));
    expect([...byMethod.keys()].sort()).toEqual(Object.values(METHOD_OF_TAB).filter((m) => m !== 'anomalymap').sort());
    for (const m of ['saliency', 'gradxinput', 'gradcam', 'gradcampp']) expect(byMethod.get(m)!.jobId).toBeNull();
    for (const m of ['smoothgrad', 'ig', 'gradshap', 'occlusion', 'rise', 'lime', 'kernelshap']) expect(byMethod.get(m)!.jobId).not.toBeNull();
    expect(byMethod.get('ig')!.params).toMatchObject({ steps: expect.any(Number) });

    // Integrated Gradients shows its completeness error with what it means
    await tablist.getByRole('tab', { name: tabName('Integrated Gradients') }).click();
    const igReadings = panel.getByTestId('readings-ig');
    expect(await igReadings.innerText()).toMatch(/Completeness error\s+\d+\.\d+ %/);
    expect(await igReadings.innerText()).toMatch(/add up to the score change|miss the score change/);
    // its parameters, as the server filled them in
    expect(await panel.getByTestId('method-ig').innerText()).toMatch(/steps\s+\d+/);

    // other settings: checked in the form, then run again (a job) and shown with what was used
    const ig = panel.getByTestId('method-ig');
    await ig.getByRole('button', { name: 'Other settings' }).click();
    await ig.getByLabel('Steps').fill('0');
    await ig.getByRole('button', { name: 'Run', exact: true }).click();
    expect(await ig.getByRole('alert').innerText()).toBe('Steps must be between 1 and 512.');
    await ig.getByLabel('Steps').fill('64');
    await ig.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => ig.innerText(), { timeout: 120_000 }).toMatch(/steps\s+64/);
    await waitForResult(ig);

    // another target: explain the class 'good' instead of the model's choice
    await panel.getByLabel('Explain', { exact: true }).selectOption({ label: 'Class good' });
    await tablist.getByRole('tab', { name: tabName('Grad-CAM++') }).click();
    const campp = panel.getByTestId('method-gradcampp');
    await expect.poll(() => campp.innerText(), { timeout: 60_000 }).toMatch(/Explains good \(given\)/);
    await panel.getByLabel('Explain', { exact: true }).selectOption({ label: 'The model\u2019s choice' });
    await expect.poll(() => campp.innerText()).toMatch(/Explains defect \(predicted\)/);

    // the consensus of every method, with its score and each method's agreement
    await tablist.getByRole('tab', { name: /^Consensus/ }).click();
    const consensus = panel.getByTestId('consensus');
    expect(await consensus.getAttribute('data-state')).toBe('empty');
    expect(formatViolations(await seriousA11yViolations(page))).toBe('');
    await consensus.getByRole('button', { name: /Combine the 11 computed methods|Run every method/ }).first().click();
    await expect.poll(() => consensus.getAttribute('data-state'), { timeout: 120_000 }).toBe('ready');
    expect(await consensus.getByRole('heading', { name: /Consensus of \d+ methods/ }).count()).toBe(1);
    expect(await consensus.getByTestId('consensus-readings').innerText()).toMatch(/Consensus\s+[01]\.\d\d/);
    expect(await consensus.getByRole('row').count()).toBeGreaterThanOrEqual(1 + 2);
    await expect.poll(() => imagesLoaded(consensus), { timeout: 20_000 }).toBe(true);
    const stored = await getJson<ExplanationListBody>(`/inspections/${insp.id}/explanations`);
    expect(stored.aggregates.length).toBeGreaterThanOrEqual(1);
    expect(await tablist.getByRole('tab', { name: /^Consensus/ }).innerText()).toContain(stored.aggregates[0]!.score.toFixed(2));

    // side by side: two or more methods next to each other, chosen by checkboxes
    await panel.getByRole('switch', { name: 'Side by side' }).click();
    const side = panel.getByTestId('side-by-side');
    await side.waitFor();
    const cells = side.getByRole('list', { name: 'Methods side by side' }).getByRole('listitem');
    const before = await cells.count();
    expect(before).toBeGreaterThanOrEqual(2);
    const unchecked = side.getByRole('checkbox', { checked: false }).first();
    await unchecked.check();
    await expect.poll(() => cells.count()).toBe(before + 1);
    for (let i = 0; i < before + 1; i++) await waitForResult(cells.nth(i).locator('article'));
    await expect.poll(() => imagesLoaded(side), { timeout: 20_000 }).toBe(true);
    // the cells sit in one row at desktop width
    const boxes = await Promise.all([0, 1].map((i) => cells.nth(i).boundingBox()));
    expect(Math.abs(boxes[0]!.y - boxes[1]!.y)).toBeLessThan(2);
    expect(boxes[1]!.x).toBeGreaterThan(boxes[0]!.x + boxes[0]!.width - 1);
    expect(formatViolations(await seriousA11yViolations(page))).toBe('');

    // the trust panel: each figure with its plain-language hint
    const trust = page.getByTestId('trust-panel');
    const readings = await trust.getByTestId('trust-readings').innerText();
    expect(readings).toMatch(/Confidence\s+\d+\.\d % defect \(calibrated\)/);
    expect(readings).toMatch(/of 100 answers given with this confidence, about \d+ are right/);
    expect(readings).toMatch(/Uncertainty\s+\d+ of 20 changed/);
    expect(readings).toMatch(/repeated runs with random dropout/);
    expect(readings).toContain('not conformally calibrated');
    expect(readings).toMatch(/Review\s+not sent/);
    expect(readings).toContain('no referral rule');
    expect(await trust.getByTestId('trust-summary').innerText()).toMatch(/The answer can be trusted|Check this one|A person should decide/);
    await ctx.close();
  });

  it('shows stored explanations at once, and to a viewer without computing anything', { timeout: 300_000 }, async () => {
    const insp = await detect('surface-classifier', 'surface-crack.png');
    const r = await fetch(`${server.url}/api/xai-qc/explain`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ inspectionId: insp.id, methods: ['gradcampp'] }),
    });
    expect(r.status).toBe(200);
    const password = await createUser(server, 'viewer1', 'viewer');
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await signIn(page, server, 'viewer1', password);
    await openInspection(page, insp.id);
    const panel = page.getByTestId('explanation-panel');
    const tablist = panel.getByRole('tablist', { name: 'Explanation methods' });
    // the stored method is the tab shown first, with its result
    await expect.poll(() => tablist.getByRole('tab', { name: tabName('Grad-CAM++') }).getAttribute('aria-selected')).toBe('true');
    await waitForResult(panel.getByTestId('method-gradcampp'), 30_000);
    expect(await panel.getByRole('button', { name: 'Run every method' }).count()).toBe(0);
    // a method not computed yet says who can compute it, and nothing is asked of the server
    await tablist.getByRole('tab', { name: tabName('LIME') }).click();
    const lime = panel.getByTestId('method-lime');
    await expect.poll(() => lime.innerText()).toContain('An operator can compute this explanation.');
    expect(await lime.getAttribute('data-state')).toBe('empty');
    const list = await getJson<ExplanationListBody>(`/inspections/${insp.id}/explanations`);
    expect(list.items.map((e) => e.method)).toEqual(['gradcampp']);
    expect(formatViolations(await seriousA11yViolations(page))).toBe('');
    await ctx.close();
  });

  it('shows the four answers of an anomaly inspection and links the similar past parts', { timeout: 600_000 }, async () => {
    // the why answer needs 9 inspections of the version; make 10, defects and good parts
    const fixtures = ['surface-good.png', 'surface-scratch.png', 'surface-crack.png', 'surface-spot.png'];
    const made: InspectionBody[] = [];
    for (let i = 0; i < 10; i++) made.push(await detect('surface-anomaly', fixtures[i % fixtures.length]!));
    const target = made.at(-1)!;
    expect(target.model.task).toBe('anomaly');

    const ctx = await newContext(browser, 'tablet');
    const page = await ctx.newPage();
    await signIn(page, server);
    await openInspection(page, target.id);
    const answers = page.getByTestId('anomaly-answers');
    await answers.waitFor({ timeout: 30_000 });

    // where: the map over the image with its statistics and hints
    const where = answers.getByTestId('answer-where');
    await expect.poll(() => imagesLoaded(where), { timeout: 60_000 }).toBe(true);
    expect(await where.getByTestId('where-readings').innerText()).toMatch(/Strongest spot\s+\d\.\d\d[\s\S]*Area beyond the limit\s+\d+(\.\d+)? %/);

    // which: Grad-CAM++ of the score (inline, or its job)
    const which = answers.getByTestId('answer-which');
    await expect.poll(() => imagesLoaded(which), { timeout: 120_000 }).toBe(true);
    expect(await which.innerText()).toContain('anomaly score');

    // why: the waterfall drawn in SVG from the answer's steps, with the fit of its surrogate
    const why = answers.getByTestId('answer-why');
    const chart = why.getByTestId('waterfall');
    await chart.waitFor({ timeout: 60_000 });
    expect(await chart.getAttribute('role')).toBe('img');
    expect(await chart.locator('g[data-direction]').count()).toBeGreaterThanOrEqual(3);
    expect(await chart.locator('g[data-direction="up"], g[data-direction="down"]').count()).toBeGreaterThanOrEqual(1);
    expect(await why.getByTestId('why-fit').innerText()).toMatch(/How well the chart follows the score/);
    const anomaly = await getJson<{ why: { status: string; steps: { label: string }[] } }>(`/inspections/${target.id}/anomaly?include=why`);
    expect(anomaly.why.status).toBe('ready');
    expect(await chart.innerHTML()).toContain(anomaly.why.steps[0]!.label.slice(0, 20));

    // what: similar past parts with thumbnails, verdicts and reviews, linking to their pages
    const what = answers.getByTestId('answer-what');
    const cases = what.getByTestId('similar-case');
    await expect.poll(() => cases.count(), { timeout: 60_000 }).toBeGreaterThanOrEqual(1);
    await expect.poll(() => imagesLoaded(what), { timeout: 30_000 }).toBe(true);
    expect(await cases.first().innerText()).toMatch(/(pass|reject)[\s\S]*(Not reviewed|Reviewed)/);

    // the anomaly model's own map is one of the explanation tabs; open it and wait for it
    const panel = page.getByTestId('explanation-panel');
    const tab = panel.getByRole('tablist', { name: 'Explanation methods' }).getByRole('tab', { name: tabName('Anomaly map') });
    await tab.click();
    await waitForResult(panel.getByTestId('method-anomalymap'));

    // the trust panel reads the score against its limit, not as a probability
    expect(await page.getByTestId('trust-readings').innerText()).toMatch(/Anomaly score\s+\d\.\d\d \(limit 0\.50\)[\s\S]*not a probability/);
    expect(formatViolations(await seriousA11yViolations(page))).toBe('');

    const href = await cases.first().getByRole('link').getAttribute('href');
    expect(href).toMatch(/^\/inspections\/[0-9a-f-]{36}$/);
    await cases.first().getByRole('link').click();
    await page.waitForURL(new RegExp(`${href}$`));
    await page.getByTestId('anomaly-answers').waitFor({ timeout: 30_000 });
    expect(formatViolations(await seriousA11yViolations(page))).toBe('');
    await ctx.close();
  });
});
