/**
 * The station camera, the ask panel and the knowledge base in a real browser against the
 * real server, at the tablet size (1024x768), light and dark:
 * - the station page with Chromium's fake camera: the live view, a capture (button and
 *   Space) whose verdict appears over the frame, the ask panel under it; with the camera
 *   refused, the reason in a sentence and an uploaded image inspected instead; the camera's
 *   tracks stop when the page is left;
 * - a question on an inspection page: a cited answer, a citation opened, feedback with a
 *   correction, the history;
 * - the knowledge page: built-in documents marked, an upload, a refused file as a sentence,
 *   a search showing the passage, a delete with confirmation, the unhelpful answers.
 * axe-core runs on every page visited; screenshots go to E2E_SHOTS (default /tmp/web-ask-shots).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiToken, formatViolations, launchBrowser, newContext, REPO, seriousA11yViolations, signIn, startServer } from './harness.ts';
import type { E2eServer } from './harness.ts';

/** Chromium's fake camera, granted without a prompt. */
const FAKE_CAMERA = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'];
const SHOTS = process.env.E2E_SHOTS ?? '/tmp/web-ask-shots';

let server: E2eServer;
let browser: Browser;
let token: string;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startServer();
  browser = await launchBrowser({ extraArgs: FAKE_CAMERA });
  token = await apiToken(server);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const fixture = (name: string) => join(REPO, 'packages/web/e2e/fixtures', name);

async function shot(page: Page | Locator, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

async function expectAccessible(page: Page): Promise<void> {
  expect(formatViolations(await seriousA11yViolations(page))).toBe('');
}

/** Inspects a fixture through the API; returns the inspection id. */
async function inspect(model: string, file: string): Promise<string> {
  const form = new FormData();
  form.append('image', new Blob([readFileSync(fixture(file))], { type: 'image/png' }), file);
  const r = await fetch(`${server.url}/api/xai-qc/detect?model=${model}`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
  if (!r.ok) throw new Error(`detect failed: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { id: string }).id;
}

describe('station camera', () => {
  for (const scheme of ['light', 'dark'] as const) {
    it(`captures frames from the camera and shows the verdict over them (${scheme})`, async () => {
      const ctx = await newContext(browser, 'tablet', { colorScheme: scheme });
      const page = await ctx.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await signIn(page, server);
      // the navigation entry leads to the page
      await page.goto(`${server.url}/inspect`);
      await page.getByRole('heading', { name: 'Inspect', exact: true }).waitFor();
      if (await page.getByRole('button', { name: 'Open navigation' }).isVisible()) await page.getByRole('button', { name: 'Open navigation' }).click();
      await page.getByRole('link', { name: 'Station camera' }).click();
      await page.waitForURL(/\/station$/);
      await page.getByRole('heading', { name: 'Station camera' }).waitFor();
      await page.getByLabel('Model').selectOption('surface-segmenter');

      // the fake camera plays in the live view
      const video = page.getByTestId('station-video');
      await expect.poll(() => video.evaluate((v) => (v as HTMLVideoElement).videoWidth), { timeout: 20_000 }).toBeGreaterThan(0);
      const capture = page.getByTestId('station-capture');
      await expect.poll(() => capture.isEnabled()).toBe(true);
      await expectAccessible(page);
      await shot(page, `station-live-${scheme}`);

      await capture.click();
      const banner = page.getByTestId('station-verdict-banner');
      await banner.waitFor({ timeout: 60_000 });
      expect(await banner.textContent()).toMatch(/^(Pass|Reject)/);
      expect(await page.getByTestId('station-verdict').textContent()).toMatch(/surface-segmenter/);
      await page.getByTestId('station-frame').getByRole('img', { name: /^Captured frame station-\d{8}-\d{6}\.jpg: (pass|reject)/ }).waitFor();
      // the live view goes on as a small inset; the ask panel sits under the verdict
      expect(await video.evaluate((v) => (v as HTMLVideoElement).srcObject !== null)).toBe(true);
      await page.getByTestId('ask-panel').waitFor();
      await expectAccessible(page);
      await shot(page, `station-verdict-${scheme}`);
      // a question under the verdict; a cited finding is outlined on the frame
      await page.getByTestId('ask-panel').getByRole('button', { name: 'Is this defective?' }).click();
      await page.getByTestId('ask-answer').waitFor({ timeout: 30_000 });
      await expectAccessible(page);
      await shot(page.getByTestId('ask-panel'), `station-ask-${scheme}`);

      // Space captures the next frame: a second inspection
      const firstLink = await page.getByRole('link', { name: 'Open inspection' }).getAttribute('href');
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await page.keyboard.press('Space');
      await expect.poll(async () => (await page.getByRole('link', { name: 'Open inspection' }).getAttribute('href', { timeout: 500 }).catch(() => firstLink)) !== firstLink, { timeout: 60_000 }).toBe(true);

      // leaving the page stops the camera
      await page.evaluate(() => {
        const v = document.querySelector('[data-testid=station-video]') as HTMLVideoElement;
        (window as unknown as { stationTracks: MediaStreamTrack[] }).stationTracks = (v.srcObject as MediaStream).getTracks();
      });
      await page.getByRole('link', { name: 'Open inspection' }).click();
      await page.waitForURL(/\/inspections\/[0-9a-f-]{36}$/);
      await expect.poll(() => page.evaluate(() => (window as unknown as { stationTracks: MediaStreamTrack[] }).stationTracks.map((t) => t.readyState).join())).toBe('ended');
      expect(pageErrors).toEqual([]);
      await ctx.close();
    });
  }

  it('says why the camera cannot be used and inspects an uploaded image instead', async () => {
    const ctx = await newContext(browser, 'tablet');
    // the camera refused, as a person who says no to the browser's prompt
    await ctx.addInitScript(() => {
      Object.defineProperty(navigator.mediaDevices, 'getUserMedia', { value: () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError')) });
    });
    const page = await ctx.newPage();
    await signIn(page, server);
    await page.goto(`${server.url}/station`);
    const problem = page.getByTestId('station-camera-problem');
    await problem.waitFor();
    expect(await problem.getByRole('alert').textContent()).toBe('Camera access was refused; allow the camera for this site in the browser settings, or choose an image file instead.');
    expect(await page.getByTestId('station-capture').isDisabled()).toBe(true);
    await expectAccessible(page);
    await page.getByLabel('Model').selectOption('surface-segmenter');
    await page.getByTestId('station-file').setInputFiles(fixture('surface-spot.png'));
    await page.getByTestId('station-verdict-banner').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('station-verdict-banner').textContent()).toMatch(/^Reject\s*spot/);
    await page.getByTestId('station-frame').getByRole('img', { name: /Captured frame surface-spot\.png: reject, spot/ }).waitFor();
    await expectAccessible(page);
    await shot(page, 'station-upload-light');
    // a question about the frame; the finding it cites gets a white outline on the frame
    await page.getByTestId('ask-panel').getByRole('button', { name: 'Where is the defect?' }).click();
    await page.getByTestId('ask-answer').getByRole('button', { name: /^Source \d+: finding/ }).first().click();
    await expect.poll(() => page.getByTestId('station-frame').locator('rect[stroke="#fff"]').count()).toBe(1);
    await page.getByTestId('ask-answer').getByRole('button', { name: /^Source \d+: finding/ }).first().click();
    await expect.poll(() => page.getByTestId('station-frame').locator('rect[stroke="#fff"]').count()).toBe(0);
    await ctx.close();

    // no getUserMedia at all (a page that is not on a secure address)
    const ctx2 = await newContext(browser, 'tablet');
    await ctx2.addInitScript(() => {
      Object.defineProperty(navigator, 'mediaDevices', { value: undefined });
    });
    const page2 = await ctx2.newPage();
    await signIn(page2, server);
    await page2.goto(`${server.url}/station`);
    await page2.getByTestId('station-camera-problem').waitFor();
    expect(await page2.getByTestId('station-camera-problem').getByRole('alert').textContent()).toMatch(/^This browser offers no camera access here/);
    await ctx2.close();
  });
});

describe('asking about an inspection', () => {
  it('answers with citations, opens them, takes feedback with a correction and keeps the history', async () => {
    const id = await inspect('surface-segmenter', 'surface-spot.png');
    const ctx = await newContext(browser, 'tablet');
    const page = await ctx.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await signIn(page, server);
    await page.goto(`${server.url}/inspections/${id}`);
    const panel = page.getByTestId('ask-panel');
    await panel.waitFor();
    await panel.getByText('No questions about this inspection yet.').waitFor();

    // a question that is too long is refused before it is sent
    await panel.getByTestId('ask-input').fill('x'.repeat(1001));
    await panel.getByRole('button', { name: 'Ask', exact: true }).click();
    await panel.getByRole('alert').filter({ hasText: 'The question is 1,001 characters long; keep it to 1,000.' }).waitFor();

    // a suggested question: the short answer, evidence with citation markers
    await panel.getByRole('button', { name: 'Where is the defect?' }).click();
    const answer = panel.getByTestId('ask-answer');
    await answer.waitFor({ timeout: 30_000 });
    expect((await answer.getByTestId('ask-short').textContent())!.length).toBeGreaterThan(5);
    const cites = answer.getByTestId('ask-cite');
    await expect.poll(() => cites.count()).toBeGreaterThan(0);
    await expectAccessible(page);

    // a finding's citation frames it on the image; any other shows what it cites
    // the image field: its value from the record
    const imageCite = answer.getByRole('button', { name: /^Source \d+: inspection field, / }).first();
    await imageCite.click();
    expect(await imageCite.getAttribute('aria-expanded')).toBe('true');
    await answer.getByTestId('ask-field-value').waitFor();
    expect(await answer.getByTestId('ask-field-value').textContent()).toMatch(/ = /);
    // the finding (a spot found by the segmenter): the viewer zooms to it
    const findingCite = answer.getByRole('button', { name: /^Source \d+: finding/ }).first();
    const before = await page.getByTestId('viewer-zoom').textContent();
    await findingCite.click();
    expect(await findingCite.getAttribute('aria-expanded')).toBe('true');
    expect(await imageCite.getAttribute('aria-expanded')).toBe('false');
    expect(await answer.getByTestId('ask-reveal').textContent()).toMatch(/Finding 1: spot/);
    await expect.poll(() => page.getByTestId('viewer-zoom').textContent()).not.toBe(before);
    await shot(page, 'inspection-ask-light');
    await shot(panel, 'inspection-ask-panel-light');

    // a cause question cites the defect book: the passage with its document and source
    await panel.getByRole('button', { name: 'What usually causes this?' }).click();
    await expect.poll(() => panel.getByTestId('ask-answer').getAttribute('aria-label')).toBe('Answer to: What usually causes this?');
    const kbCite = panel.getByTestId('ask-answer').getByRole('button', { name: /^Source \d+: knowledge base/ });
    await expect.poll(() => kbCite.count()).toBeGreaterThan(0);
    await kbCite.first().click();
    const passage = panel.getByTestId('ask-passage');
    await passage.waitFor();
    expect((await passage.textContent())!.length).toBeGreaterThan(20);
    expect(await panel.getByTestId('ask-reveal').textContent()).toMatch(/Knowledge base: /);
    await expectAccessible(page);
    await shot(panel, 'inspection-ask-passage-light');

    // not helpful, with a correction and a comment: the correction becomes a review
    await panel.getByRole('button', { name: 'Not helpful' }).click();
    await panel.getByLabel('Right verdict').selectOption('reject');
    await panel.getByLabel('Comment (optional)').fill('The cause named is not what we see on this line.');
    await expectAccessible(page);
    await panel.getByRole('button', { name: 'Send feedback' }).click();
    await panel.getByTestId('ask-feedback-given').waitFor();
    expect(await panel.getByTestId('ask-feedback-given').textContent()).toMatch(/not helpful/);
    const reviews = await fetch(`${server.url}/api/xai-qc/inspections/${id}/reviews`, { headers: { authorization: `Bearer ${token}` } });
    expect(reviews.ok).toBe(true);
    expect(JSON.stringify(await reviews.json())).toMatch(/reject/);

    // the history: the first question is listed and opens again; after a reload too
    await page.reload();
    const history = page.getByTestId('ask-history');
    await history.waitFor();
    await history.getByRole('button', { name: /Where is the defect\?/ }).click();
    await expect.poll(() => page.getByTestId('ask-answer').getAttribute('aria-label')).toBe('Answer to: Where is the defect?');
    await expectAccessible(page);
    expect(pageErrors).toEqual([]);
    await ctx.close();

    // dark theme screenshot of an answer
    const dark = await newContext(browser, 'tablet', { colorScheme: 'dark' });
    const page2 = await dark.newPage();
    await signIn(page2, server);
    await page2.goto(`${server.url}/inspections/${id}`);
    await page2.getByTestId('ask-answer').waitFor();
    await page2.getByTestId('ask-panel').scrollIntoViewIfNeeded();
    await page2.getByTestId('ask-cite').first().click();
    await expectAccessible(page2);
    await shot(page2, 'inspection-ask-dark');
    await shot(page2.getByTestId('ask-panel'), 'inspection-ask-panel-dark');
    await dark.close();
  });
});

describe('knowledge base', () => {
  it('lists the built-in documents, uploads, searches and deletes a document, and lists unhelpful answers', async () => {
    const ctx = await newContext(browser, 'tablet');
    const page = await ctx.newPage();
    await signIn(page, server);
    await page.goto(`${server.url}/knowledge`);
    await page.getByRole('heading', { name: 'Knowledge base' }).waitFor();
    const docs = page.getByTestId('knowledge-document');
    await expect.poll(() => docs.count()).toBeGreaterThan(0);
    expect(await docs.filter({ hasText: 'Built in' }).count()).toBeGreaterThan(0);
    expect(await docs.filter({ hasText: 'Built in' }).getByRole('button', { name: /^Delete/ }).count()).toBe(0);
    await expectAccessible(page);

    // a file that claims to be a PDF but is not: the server's refusal as a sentence
    const upload = page.getByTestId('knowledge-upload');
    await upload.getByLabel('File').setInputFiles({ name: 'fake.pdf', mimeType: 'application/pdf', buffer: Buffer.from('this is not a pdf at all') });
    await upload.getByRole('button', { name: 'Upload' }).click();
    const refused = upload.getByRole('alert');
    await refused.waitFor();
    expect(await refused.textContent()).toMatch(/[A-Z].*\./);
    expect(await docs.filter({ hasText: 'Fake' }).count()).toBe(0);

    // a Markdown document: the title is proposed from the file name
    const text = '# Zinc whiskers\n\nZinc whiskers grow on electroplated parts stored in humid rooms. Check the plating bath and the storage humidity.\n';
    await upload.getByLabel('File').setInputFiles({ name: 'zinc-whiskers.md', mimeType: 'text/markdown', buffer: Buffer.from(text) });
    expect(await upload.getByLabel('Title').inputValue()).toBe('Zinc whiskers');
    await upload.getByRole('button', { name: 'Upload' }).click();
    await docs.filter({ hasText: 'Zinc whiskers' }).waitFor();
    await expectAccessible(page);
    await shot(page, 'knowledge-documents-light');

    // search finds its passage
    await page.getByRole('tab', { name: 'Search' }).click();
    await page.getByLabel('Search the knowledge base').fill('whiskers humidity');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const found = page.getByTestId('knowledge-passage').filter({ hasText: 'Zinc whiskers' });
    await found.first().waitFor();
    expect(await found.first().locator('mark').count()).toBeGreaterThan(0);
    await expectAccessible(page);
    await shot(page, 'knowledge-search-light');

    // an answer marked unhelpful (through the API) is listed with its comment
    const inspectionId = await inspect('surface-segmenter', 'surface-crack.png');
    const json = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const asked = await fetch(`${server.url}/api/xai-qc/inspections/${inspectionId}/questions`, { method: 'POST', headers: json, body: JSON.stringify({ question: 'What kind of defect is it?' }) });
    expect(asked.status).toBe(201);
    const questionId = ((await asked.json()) as { id: string }).id;
    const fb = await fetch(`${server.url}/api/xai-qc/questions/${questionId}/feedback`, { method: 'POST', headers: json, body: JSON.stringify({ helpful: false, comment: 'Knowledge page test: too vague.' }) });
    expect(fb.status).toBe(201);
    await page.getByRole('tab', { name: 'Unhelpful answers' }).click();
    const unhelpful = page.getByTestId('knowledge-unhelpful');
    await unhelpful.waitFor();
    expect(await unhelpful.textContent()).toMatch(/What kind of defect is it\?.*Knowledge page test: too vague\./s);
    await unhelpful.getByRole('link', { name: 'Open the inspection' }).first().waitFor();
    await expectAccessible(page);

    // delete with confirmation
    await page.getByRole('tab', { name: 'Documents' }).click();
    await docs.filter({ hasText: 'Zinc whiskers' }).getByRole('button', { name: 'Delete Zinc whiskers' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete Zinc whiskers?' });
    await dialog.waitFor();
    await expectAccessible(page);
    await dialog.getByRole('button', { name: 'Delete document' }).click();
    await expect.poll(() => docs.filter({ hasText: 'Zinc whiskers' }).count()).toBe(0);
    await ctx.close();

    // dark theme
    const dark = await newContext(browser, 'tablet', { colorScheme: 'dark' });
    const page2 = await dark.newPage();
    await signIn(page2, server);
    await page2.goto(`${server.url}/knowledge`);
    await page2.getByTestId('knowledge-document').first().waitFor();
    await expectAccessible(page2);
    await shot(page2, 'knowledge-documents-dark');
    await dark.close();
  });
});
