/**
 * The quality pages in a real browser against the real server: inspections made through
 * `POST /detect` (the fixture images, the demo classifier) and reviewed through the API; the
 * metrics dashboard shows the figures the API computes and follows a new review; the
 * calibration page says what it needs; the threshold moves with the keyboard and the figures
 * follow; a PDF exported from the dashboard downloads and opens (pdfjs); the Reports page
 * lists it and deletes it. axe-core finds no serious violation on any of these pages.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiToken, formatViolations, launchBrowser, newContext, REPO, seriousA11yViolations, signIn, startServer } from './harness.ts';
import type { E2eServer } from './harness.ts';

const MODEL = 'surface-classifier';
const FIXTURES = ['surface-scratch', 'surface-good', 'surface-spot', 'surface-crack'] as const;
/** The fixture's true class for the demo classifier (labels `defect` and `good`). */
const TRUTH: Record<(typeof FIXTURES)[number], 'defect' | 'good'> = { 'surface-scratch': 'defect', 'surface-good': 'good', 'surface-spot': 'defect', 'surface-crack': 'defect' };
const STANDARD_FONTS = fileURLToPath(new URL('../../../node_modules/pdfjs-dist/standard_fonts/', import.meta.url));

interface Made {
  id: string;
  verdict: 'pass' | 'reject';
  label: string;
  fixture: (typeof FIXTURES)[number];
}

interface Classification {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

let server: E2eServer;
let browser: Browser;
let token: string;
const made: Made[] = [];

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const r = await fetch(`${server.url}/api/xai-qc${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return (r.status === 204 ? undefined : await r.json()) as T;
}

async function detect(fixture: (typeof FIXTURES)[number]): Promise<Made> {
  const form = new FormData();
  form.append('image', new Blob([readFileSync(join(REPO, 'packages/web/e2e/fixtures', `${fixture}.png`))], { type: 'image/png' }), `${fixture}.png`);
  const r = await fetch(`${server.url}/api/xai-qc/detect?model=${MODEL}`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
  if (r.status !== 201) throw new Error(`detect ${fixture}: ${r.status} ${await r.text()}`);
  const body = (await r.json()) as { id: string; verdict: 'pass' | 'reject'; label: string };
  return { id: body.id, verdict: body.verdict, label: body.label, fixture };
}

/** Reviews `m` with its fixture's truth; `flip` records the opposite verdict (a reviewer disagreeing). */
async function review(m: Made, flip = false): Promise<void> {
  const truth = TRUTH[m.fixture];
  let verdict: 'pass' | 'reject' = truth === 'good' ? 'pass' : 'reject';
  let label: string = truth;
  if (flip) {
    verdict = verdict === 'pass' ? 'reject' : 'pass';
    label = verdict === 'pass' ? 'good' : 'defect';
  }
  await call('POST', `/inspections/${m.id}/reviews`, { verdict, label });
}

async function apiMetrics(): Promise<{ volume: number; reviewed: number; classification: Classification | null }> {
  const r = await call<{ overall: { volume: number; reviewed: number; classification: Classification | null } }>('GET', `/metrics?model=${MODEL}`);
  return r.overall;
}

async function noSeriousA11y(page: Page): Promise<void> {
  expect(formatViolations(await seriousA11yViolations(page))).toBe('');
}

const text = async (page: Page, testId: string) => ((await page.getByTestId(testId).textContent()) ?? '').trim();
const cell = async (page: Page, key: keyof Classification) => Number(((await page.locator(`[data-cell="${key}"] span`).first().textContent()) ?? '').trim());

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  token = await apiToken(server);
  for (let i = 0; i < 3; i++) for (const f of FIXTURES) made.push(await detect(f));
  // ground truth for the first 8; the last 4 stay unreviewed
  for (const m of made.slice(0, 8)) await review(m);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('quality pages', () => {
  it('shows the reviewed figures on the dashboard and follows a new review', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await signIn(page, server);
    await page.goto(`${server.url}/dashboard?model=${MODEL}`);
    await page.getByRole('heading', { name: 'Metrics', level: 1 }).waitFor();
    await expect.poll(() => text(page, 'stat-volume')).toBe('12');
    expect(await text(page, 'stat-reviewed')).toBe('8');

    // the confusion matrix is the API's, cell by cell
    const before = (await apiMetrics()).classification!;
    expect(before.tp + before.fp + before.tn + before.fn).toBe(8);
    await page.getByRole('heading', { name: 'Confusion matrix' }).waitFor();
    for (const k of ['tp', 'fp', 'tn', 'fn'] as const) expect(await cell(page, k), k).toBe(before[k]);
    // charts drawn with their accessible names, rates on a labelled 0..100 % axis
    await page.getByRole('img', { name: /^Escape and false-reject rates/ }).waitFor();
    await page.getByRole('img', { name: /^Inspections and reviews/ }).waitFor();
    expect(await page.getByRole('combobox', { name: 'Model' }).inputValue()).toBe(MODEL);
    await noSeriousA11y(page);

    // a reviewer records the opposite of the fixture's class on an unreviewed inspection: its cell grows by one
    const target = made[8]!;
    await review(target, true);
    const after = (await apiMetrics()).classification!;
    const modelRejected = target.verdict === 'reject';
    const grew: keyof Classification = modelRejected ? (TRUTH[target.fixture] === 'good' ? 'tp' : 'fp') : TRUTH[target.fixture] === 'good' ? 'fn' : 'tn';
    expect(after[grew]).toBe(before[grew] + 1);
    await page.reload();
    await expect.poll(() => text(page, 'stat-reviewed')).toBe('9');
    await expect.poll(() => cell(page, grew)).toBe(after[grew]);
    await ctx.close();
  });

  it('opens the calibration page, which says how many reviews it still needs', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await signIn(page, server);
    await page.goto(`${server.url}/calibration?model=${MODEL}`);
    await page.getByRole('heading', { name: 'Calibration', level: 1 }).waitFor();
    await expect.poll(() => text(page, 'calibration-status')).toBe('Not enough reviews');
    const reviewed = Number(await text(page, 'calib-reviewed'));
    expect(reviewed).toBeGreaterThanOrEqual(8);
    await page.getByText(`Review ${50 - reviewed} more in the Review queue.`).waitFor();
    // Recalibrate is there for the admin but disabled, with the reason next to it
    const button = page.getByRole('button', { name: 'Recalibrate' });
    expect(await button.isDisabled()).toBe(true);
    await page.getByText(`Recalibrate is unavailable: needs at least 50 reviewed inspections (${reviewed} so far).`).waitFor();
    await page.getByRole('img', { name: /^Reliability of surface-classifier/ }).waitFor();
    await noSeriousA11y(page);
    await ctx.close();
  });

  it('moves the threshold with the keyboard and recomputes the figures', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await signIn(page, server);
    await page.goto(`${server.url}/thresholds?model=${MODEL}`);
    const slider = page.getByRole('slider', { name: 'Reject threshold' });
    await slider.waitFor();
    await noSeriousA11y(page);

    // Home: reject everything. Every reviewed defect is caught, every good part rejected.
    await slider.focus();
    await page.keyboard.press('Home');
    await expect.poll(() => slider.getAttribute('aria-valuenow')).toBe('0');
    expect(await text(page, 'thr-value')).toBe('0.00');
    expect(await text(page, 'thr-escape')).toBe('0.0 %');
    expect(await text(page, 'thr-recall')).toBe('100.0 %');
    expect(await text(page, 'thr-false-reject')).toBe('100.0 %');

    // End: reject only scores of 1; the figures are those of the server's curve there
    await page.keyboard.press('End');
    await expect.poll(() => slider.getAttribute('aria-valuenow')).toBe('1');
    const version = (await call<{ model: { activeVersion: string } }>('GET', `/models/${MODEL}`)).model.activeVersion;
    const report = await call<{ f1Optimal: { threshold: number; f1: number } | null; points: (Classification & { threshold: number | null })[] }>('GET', `/models/${MODEL}/versions/${version}/thresholds`);
    const atOne = report.points.filter((p) => p.threshold !== null && p.threshold >= 1).at(-1) ?? report.points.find((p) => p.threshold === null)!;
    const pct = (a: number, b: number) => `${((a / b) * 100).toFixed(1)} %`;
    expect(await text(page, 'thr-escape')).toBe(pct(atOne.fn, atOne.tp + atOne.fn));
    expect(await text(page, 'thr-false-reject')).toBe(pct(atOne.fp, atOne.fp + atOne.tn));

    // arrows move one step of 0.01
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => slider.getAttribute('aria-valuenow')).toBe('0.98');
    expect(await text(page, 'thr-value')).toBe('0.98');

    // the F1-optimal suggestion agrees with the server's
    if (report.f1Optimal) {
      await page.getByRole('button', { name: /^Use F1-optimal/ }).click();
      await expect.poll(async () => Number(await slider.getAttribute('aria-valuenow'))).toBeCloseTo(report.f1Optimal.threshold, 9);
      expect(await text(page, 'thr-f1')).toBe(`${(report.f1Optimal.f1 * 100).toFixed(1)} %`);
    }
    await ctx.close();
  });

  it('exports a PDF from the dashboard that downloads and opens, then lists and deletes it on the Reports page', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await signIn(page, server);
    await page.goto(`${server.url}/dashboard?model=${MODEL}`);
    await expect.poll(() => text(page, 'stat-volume')).toBe('12');
    await page.getByRole('button', { name: 'Export report' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export a report' });
    await dialog.waitFor();
    expect(await dialog.getByRole('radio', { name: /PDF/ }).isChecked()).toBe(true);
    await noSeriousA11y(page);
    const downloading = page.waitForEvent('download', { timeout: 120_000 });
    await dialog.getByRole('button', { name: 'Export', exact: true }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/\.pdf$/);
    const path = await download.path();
    const bytes = readFileSync(path);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const doc = await getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, isEvalSupported: false, standardFontDataUrl: STANDARD_FONTS }).promise;
    expect(doc.numPages).toBeGreaterThan(0);
    await doc.destroy();
    await dialog.getByText(/^Saved .+\.pdf\.$/).waitFor();
    await page.keyboard.press('Escape');

    await page.goto(`${server.url}/reports`);
    const row = page.getByTestId('report-row').filter({ hasText: 'Quality report' });
    await row.waitFor();
    expect(await row.textContent()).toContain(MODEL);
    await noSeriousA11y(page);
    const again = page.waitForEvent('download');
    await row.getByRole('button', { name: /^Download / }).click();
    expect((await again).suggestedFilename()).toBe(download.suggestedFilename());
    await row.getByRole('button', { name: /^Delete / }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete this report?' });
    await noSeriousA11y(page);
    await confirm.getByRole('button', { name: 'Delete report' }).click();
    await page.getByText('No reports yet').waitFor();
    expect((await call<{ items: unknown[] }>('GET', '/reports')).items).toEqual([]);
    await ctx.close();
  });

  it('recalibrates from the calibration page once there are enough reviews, following the job to its end', async () => {
    // 48 more inspections in batches, reviewed with the fixture's truth and every seventh flipped (reviewers disagree sometimes)
    for (let b = 0; b < 3; b++) {
      const form = new FormData();
      const names: (typeof FIXTURES)[number][] = [];
      for (let i = 0; i < 16; i++) {
        const f = FIXTURES[i % 4]!;
        names.push(f);
        form.append('image', new Blob([readFileSync(join(REPO, 'packages/web/e2e/fixtures', `${f}.png`))], { type: 'image/png' }), `${f}-${b}-${i}.png`);
      }
      const r = await fetch(`${server.url}/api/xai-qc/detect/batch?model=${MODEL}`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
      if (!r.ok) throw new Error(`detect/batch: ${r.status} ${await r.text()}`);
      const items = ((await r.json()) as { items: { inspection?: { id: string; verdict: 'pass' | 'reject'; label: string } }[] }).items;
      for (const [i, it] of items.entries()) await review({ ...it.inspection!, fixture: names[i]! }, i % 7 === 3);
    }
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await signIn(page, server);
    await page.goto(`${server.url}/calibration?model=${MODEL}`);
    await expect.poll(() => text(page, 'calib-reviewed')).toBe('57');
    const button = page.getByRole('button', { name: 'Recalibrate' });
    await expect.poll(() => button.isEnabled()).toBe(true);
    await button.click();
    const progress = page.getByRole('progressbar', { name: 'Recalibration progress' });
    await progress.waitFor();
    // the page follows the job to its end and shows what it ended with
    let job: { status: string; error: string | null; result: { newVersion: string } | null } | undefined;
    await expect
      .poll(
        async () => {
          const list = await call<{ items: (typeof job & { name: string })[] }>('GET', '/jobs?name=calibration.fit');
          job = list.items[0];
          return job?.status;
        },
        { timeout: 120_000 },
      )
      .toMatch(/^(succeeded|failed)$/);
    if (job!.status === 'succeeded') {
      const newVersion = job!.result!.newVersion;
      await page.getByTestId('recalibration-result').filter({ hasText: newVersion }).waitFor({ timeout: 30_000 });
      const versions = (await call<{ versions: { version: string; active: boolean }[] }>('GET', `/models/${MODEL}`)).versions;
      expect(versions.find((v) => v.version === newVersion)?.active).toBe(false);
    } else {
      await page.getByText(`Failed: ${job!.error}`).waitFor({ timeout: 30_000 });
    }
    await noSeriousA11y(page);
    await ctx.close();
  });
});
